"""A resident's WhatsApp and Telegram, as the providers deliver them to our webhooks.

WhatsApp: Twilio's signed form posts to /webhooks/whatsapp/webhook, the bot's replies read from
the Messages API calls the Twilio stand-in accepted. Telegram: Update JSON posted with the
webhook's secret token, the bot's replies read from the Bot API calls the Telegram stand-in
answered. Used by the channel end-to-end tests (test_channels.py) and by the understanding
benchmark's conversations (bench/understanding/channels.py), against the same stand-ins.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import requests

from tests.e2e import channel_env, faults
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.faults import FakeTwilio

WHATSAPP_PATH = "/webhooks/whatsapp/webhook"
TELEGRAM_PATH = "/webhooks/telegram/webhook"
TIMEOUT = 120  # seconds for one message: Rasa answers it before the webhook returns


class ChannelTarget(Protocol):
    """Where the providers post: the Rasa server, and OIRS_PUBLIC_URL (the URL Twilio signs)."""

    @property
    def rasa_url(self) -> str: ...

    @property
    def env(self) -> Mapping[str, str]: ...


class WhatsAppPhone:
    """A resident's WhatsApp: Twilio's signed form posts to our webhook, the bot's replies
    read from the Messages API calls the Twilio stand-in accepted."""

    def __init__(
        self, stack: ChannelTarget, twilio: FakeTwilio, number: str, profile_name: str = "Ana Muñoz"
    ) -> None:
        self.stack, self.twilio, self.number = stack, twilio, number
        self.address = f"whatsapp:{number}"
        self.profile_name = profile_name
        self.last_reply: list[dict[str, str]] = []  # the Twilio messages of the latest post

    def post(self, body: str = "", **extra: str) -> str:
        sid = extra.pop("MessageSid", None) or f"SM{uuid.uuid4().hex}"
        params = {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ProfileName": self.profile_name,
            "MessageType": "text",
            "SmsSid": sid,
            "WaId": self.number.lstrip("+"),
            "SmsStatus": "received",
            "Body": body,
            "To": f"whatsapp:{channel_env.WHATSAPP_FROM}",
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "MessageSid": sid,
            "AccountSid": channel_env.TWILIO_ACCOUNT,
            "From": self.address,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        seen = len(self.twilio.to(self.address))
        url = self.stack.env["OIRS_PUBLIC_URL"] + WHATSAPP_PATH  # what Twilio signs
        reply = requests.post(
            f"{self.stack.rasa_url}{WHATSAPP_PATH}",
            data=params,
            headers={
                "X-Twilio-Signature": faults.twilio_signature(channel_env.TWILIO_TOKEN, url, params)
            },
            timeout=TIMEOUT,
        )
        assert reply.status_code == 200, reply.text
        sent = self.twilio.to(self.address)[seen:]
        assert all(m["From"] == f"whatsapp:{channel_env.WHATSAPP_FROM}" for m in sent), sent
        self.last_reply = sent
        return "\n".join(m.get("Body", "") for m in sent)

    def photo(self, data: bytes) -> str:
        sid = f"MM{uuid.uuid4().hex}"
        return self.post(
            MessageSid=sid,
            NumMedia="1",
            MessageType="image",
            MediaContentType0="image/jpeg",
            MediaUrl0=self.twilio.add_media(sid, data, "image/jpeg"),
        )

    def location(self, lat: float, lon: float) -> str:
        return self.post(MessageType="location", Latitude=str(lat), Longitude=str(lon))


_UPDATE_IDS = itertools.count(int(time.time()) % 10**6 * 1000)


class TelegramChat:
    """A resident's Telegram chat: Update JSON posted with the webhook's secret token, the
    bot's replies read from the Bot API calls the Telegram stand-in answered."""

    def __init__(
        self,
        stack: ChannelTarget,
        telegram: FakeTelegram,
        chat_id: int,
        names: tuple[str, str] = ("Ana", "Muñoz"),
    ) -> None:
        self.stack, self.telegram, self.chat_id = stack, telegram, chat_id
        first, last = names
        self.user = {
            "id": chat_id,
            "is_bot": False,
            "first_name": first,
            "last_name": last,
            "language_code": "es",
        }
        self.chat = {"id": chat_id, "first_name": first, "last_name": last, "type": "private"}
        self._message_ids = itertools.count(1)
        self.last_reply: list[dict[str, Any]] = []  # the bot's Messages of the latest post

    def post(self, update: dict[str, Any]) -> str:
        seen = len(self.telegram.messages_to(self.chat_id))
        reply = requests.post(
            f"{self.stack.rasa_url}{TELEGRAM_PATH}",
            json={"update_id": next(_UPDATE_IDS), **update},
            headers={"X-Telegram-Bot-Api-Secret-Token": channel_env.TELEGRAM_SECRET},
            timeout=TIMEOUT,
        )
        assert reply.status_code == 200, reply.text
        self.last_reply = self.telegram.messages_to(self.chat_id)[seen:]
        return "\n".join(m.get("text", "") for m in self.last_reply)

    def message(self, **content: Any) -> str:
        message = {
            "message_id": next(self._message_ids),
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }
        return self.post({"message": message})

    def text(self, text: str) -> str:
        if text.startswith("/"):
            command = text.split()[0]
            return self.message(
                text=text, entities=[{"type": "bot_command", "offset": 0, "length": len(command)}]
            )
        return self.message(text=text)

    def photo(self, sizes: list[tuple[bytes, int, int]]) -> str:
        """A photo as Telegram sends it: the same picture in several sizes, largest last."""
        photo = []
        for data, width, height in sizes:
            file_id, unique_id = self.telegram.add_file(
                data, f"photos/file_{uuid.uuid4().hex[:6]}.jpg"
            )
            photo.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": len(data),
                    "width": width,
                    "height": height,
                }
            )
        return self.message(photo=photo)

    def location(self, lat: float, lon: float) -> str:
        return self.message(location={"latitude": lat, "longitude": lon})

    def press(self, title: str, data: str | None = None) -> str:
        """Tap an inline-keyboard button of the bot's latest message that has one; with `data`,
        the first button of that title carrying that callback data (titles may repeat)."""
        shown = [m for m in self.telegram.messages_to(self.chat_id) if m.get("reply_markup")]
        assert shown, "the bot sent no inline keyboard"
        message = shown[-1]
        rows = message["reply_markup"]["inline_keyboard"]
        matches = [b for row in rows for b in row if b["text"] == title]
        if data is not None:
            matches = [b for b in matches if b["callback_data"] == data][:1]
        (button,) = matches
        self.last_callback = str(uuid.uuid4().int % 10**18)
        return self.post(
            {
                "callback_query": {
                    "id": self.last_callback,
                    "from": self.user,
                    "message": message,
                    "chat_instance": "-4242424242424242424",
                    "data": button["callback_data"],
                }
            }
        )
