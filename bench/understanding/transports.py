"""How a persona's messages reach the bot: its own channel, or Rasa's REST channel.

When the bench started the stack it also runs the loopback stand-ins of Twilio and Telegram
(tests/e2e), and WhatsApp and Telegram personas talk through the project's real channels exactly
as tests/e2e/test_channels.py does (tests/e2e/resident_channels.py): WhatsApp as Twilio-signed
form posts from a fresh number, the bot's replies read from the messages the Twilio stand-in
received, buttons shown as numbered options and chosen by their number; Telegram as Update JSON
with the webhook's secret token from a fresh chat, buttons as inline keyboards pressed with a
callback_query. The tracker is then the channel's sender ("whatsapp:+569…", the chat id). Voice
and web personas, and every persona against a stack given by URL, talk over REST.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .clients import RasaClient
from .conversations import Identity, Talk, new_sender
from .resident import Persona

if TYPE_CHECKING:
    from tests.e2e.fake_telegram import FakeTelegram
    from tests.e2e.faults import FakeTwilio
    from tests.e2e.resident_channels import ChannelTarget, TelegramChat, WhatsAppPhone

OPTION = re.compile(r"^(\d{1,2})\. (.*)$")
PROFILE = "Vecino"  # the profile name the channels pass on; the bot never files it as a name


class StandInsUnavailable(RuntimeError):
    """A stand-in could not listen on its port (another benchmark holds it)."""


class ChannelFailed(RuntimeError):
    """The channel refused a message or showed no button to press (the conversation stops)."""


@dataclass(frozen=True)
class StandIns:
    """The loopback Twilio and Telegram of the bench's own stack, and where they post."""

    target: ChannelTarget  # Rasa's URL and the OIRS_PUBLIC_URL Twilio signs
    twilio: FakeTwilio
    telegram: FakeTelegram


def _masked(error: BaseException) -> str:
    """A check's message without the numbers and chats it may name."""
    from oirs.masking import mask_text

    return mask_text(str(error)[:200])


class RestTalk:
    """REST: a new sender per persona; a button is sent as its payload."""

    def __init__(self, rasa: RasaClient, sender: str) -> None:
        self.rasa = rasa
        self.identity = Identity("rest", sender)

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.rasa.say(self.identity.sender, text)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        return self.say(button.get("payload") or button.get("title") or "")

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


def read_options(body: str, hint: str) -> tuple[str, list[str]]:
    """A WhatsApp message split into its text and its numbered options (channels/options.py
    renders buttons as 'text, blank, "1. title"…, blank, hint'); no hint, no options."""
    lines = body.rstrip().split("\n")
    if not lines or lines[-1].strip() != hint:
        return body, []
    end = len(lines) - 1
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and OPTION.match(lines[start - 1]):
        start -= 1
    numbered = [OPTION.match(line) for line in lines[start:end]]
    titles = [m.group(2) for m in numbered if m]
    if not titles or [int(m.group(1)) for m in numbered if m] != list(range(1, len(titles) + 1)):
        return body, []
    return "\n".join(lines[:start]).strip(), titles


def last_buttons(tracker: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The buttons of the bot's latest message that had some, from the tracker's events."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "bot" and (event.get("data") or {}).get("buttons"):
            return list(event["data"]["buttons"])
    return []


def whatsapp_reply(
    bodies: Sequence[str], hint: str, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Twilio messages as REST shapes a reply. Only the latest options answer to a number
    (the channel keeps one list per number); each option keeps the payload of the bot's
    button of that title (what the REST resident reads to choose it) and its number."""
    reply: list[dict[str, Any]] = []
    for body in bodies:
        text, titles = read_options(body, hint)
        if titles:
            for earlier in reply:
                earlier.pop("buttons", None)  # an older list: the numbers now mean the new one
        message: dict[str, Any] = {"text": text}
        if titles:
            known = [str(b.get("title") or "") for b in buttons]
            payloads = [str(b.get("payload") or "") for b in buttons] if known == titles else []
            message["buttons"] = [
                {"title": title, "payload": payloads[n] if payloads else "", "option": str(n + 1)}
                for n, title in enumerate(titles)
            ]
        reply.append(message)
    return reply


class WhatsAppTalk:
    """A persona on WhatsApp from its own fresh number."""

    def __init__(self, rasa: RasaClient, phone: WhatsAppPhone) -> None:
        from channels.messages import OPTIONS_HINT

        self.rasa, self.phone, self.hint = rasa, phone, OPTIONS_HINT
        self.identity = Identity("whatsapp", phone.address, phone.number)

    def say(self, text: str) -> list[dict[str, Any]]:
        try:
            self.phone.post(text)
        except AssertionError as error:  # the stand-in's checks: refused or wrong sender
            raise ChannelFailed(f"WhatsApp rechazó el mensaje: {_masked(error)}") from None
        bodies = [m.get("Body", "") for m in self.phone.last_reply if m.get("Body")]
        buttons: list[dict[str, Any]] = []
        if any(read_options(body, self.hint)[1] for body in bodies):
            buttons = last_buttons(self.rasa.tracker(self.identity.sender, events="AFTER_RESTART"))
        return whatsapp_reply(bodies, self.hint, buttons)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """A resident chooses an option by typing its number."""
        option = button.get("option")
        if not option:
            raise ChannelFailed("WhatsApp no mostró esa opción numerada")
        return self.say(option)

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


def telegram_reply(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Bot API messages as REST shapes a reply; inline buttons carry their callback data."""
    reply = []
    for message in messages:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        shaped: dict[str, Any] = {"text": message.get("text") or ""}
        if rows:
            shaped["buttons"] = [
                {"title": str(b.get("text") or ""), "payload": str(b.get("callback_data") or "")}
                for row in rows
                for b in row
            ]
        reply.append(shaped)
    return reply


class TelegramTalk:
    """A persona on Telegram from its own fresh chat."""

    def __init__(self, rasa: RasaClient, chat: TelegramChat) -> None:
        self.rasa, self.chat = rasa, chat
        self.identity = Identity("telegram", str(chat.chat_id))

    def say(self, text: str) -> list[dict[str, Any]]:
        try:
            self.chat.text(text)
        except AssertionError as error:
            raise ChannelFailed(f"Telegram rechazó el mensaje: {_masked(error)}") from None
        return telegram_reply(self.chat.last_reply)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """A tap on the inline keyboard of the bot's latest message that has one (the button
        of this title and callback data: a keyboard may repeat a title)."""
        try:
            self.chat.press(str(button.get("title") or ""), button.get("payload") or None)
        except (AssertionError, ValueError) as error:  # no keyboard, or not that button once
            raise ChannelFailed(f"Telegram: no se pudo tocar el botón ({_masked(error)})") from None
        return telegram_reply(self.chat.last_reply)

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


class Channels:
    """Opens each persona's conversation on its channel when the stand-ins run, else on REST."""

    def __init__(self, rasa: RasaClient, stand_ins: StandIns | None = None) -> None:
        self.rasa, self.stand_ins = rasa, stand_ins
        self.numbers: set[str] = set()
        self.chats: set[int] = set()

    def transport(self, channel: str) -> str:
        """'whatsapp', 'telegram' or 'rest': what carries a persona of this channel."""
        if self.stand_ins is not None and channel in ("whatsapp", "telegram"):
            return channel
        return "rest"

    def open(self, persona: Persona) -> Talk:
        transport = self.transport(persona.channel)
        if transport == "whatsapp" and self.stand_ins is not None:
            from tests.e2e.resident_channels import WhatsAppPhone

            phone = WhatsAppPhone(
                self.stand_ins.target, self.stand_ins.twilio, self.fresh_number(), PROFILE
            )
            return WhatsAppTalk(self.rasa, phone)
        if transport == "telegram" and self.stand_ins is not None:
            from tests.e2e.resident_channels import TelegramChat

            chat = TelegramChat(
                self.stand_ins.target, self.stand_ins.telegram, self.fresh_chat(), (PROFILE, "")
            )
            return TelegramTalk(self.rasa, chat)
        return RestTalk(self.rasa, new_sender(persona))

    def fresh_number(self) -> str:
        """A Chilean mobile no persona of this run has used. +56 9 5…: the whole range is valid
        for the phonenumbers of both environments, unlike parts of 9 7… (9 70… is not, and the
        bot then has no number to answer), and checked again here."""
        import phonenumbers

        while True:
            number = f"+5695{secrets.randbelow(10**7):07d}"
            if number in self.numbers:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                self.numbers.add(number)
                return number

    def fresh_chat(self) -> int:
        while True:
            chat_id = 6_000_000_000 + secrets.randbelow(10**9)
            if chat_id not in self.chats:
                self.chats.add(chat_id)
                return chat_id


@contextmanager
def running_stand_ins(
    twilio_port: int, telegram_port: int
) -> Iterator[tuple[FakeTwilio, FakeTelegram]]:
    """The Twilio and Telegram stand-ins of tests/e2e with the e2e stack's credentials."""
    from tests.e2e import channel_env
    from tests.e2e.fake_telegram import FakeTelegram
    from tests.e2e.faults import FakeTwilio

    try:
        twilio = FakeTwilio(twilio_port, channel_env.TWILIO_ACCOUNT, channel_env.TWILIO_TOKEN)
    except OSError as error:
        where = f"puerto {twilio_port} del doble de Twilio"
        raise StandInsUnavailable(f"{where}: {error}") from None
    twilio.start()
    try:
        try:
            telegram = FakeTelegram(telegram_port, channel_env.TELEGRAM_TOKEN)
        except OSError as error:
            where = f"puerto {telegram_port} del doble de Telegram"
            raise StandInsUnavailable(f"{where}: {error}") from None
        telegram.start()
        try:
            yield twilio, telegram
        finally:
            telegram.stop()
    finally:
        twilio.stop()
