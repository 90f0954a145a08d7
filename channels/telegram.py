"""Telegram through python-telegram-bot: webhook with a secret token in, Bot API out.

Mounted at /webhooks/telegram/webhook by credentials.yml (channels.telegram.TelegramInput).
Telegram must be told the same secret with setWebhook(secret_token=...); in development
channels/telegram_polling.py reads getUpdates and posts them here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from channels import messages
from channels.batching import MediaBatcher
from channels.ratelimit import Verdict, WebhookLimits
from channels.ratings import answered_rating, note_bot_spoke
from channels.settings import ProviderInput
from channels.store import ChannelStore
from channels.uploads import MAX_MEDIA_BYTES, MediaError, Medium, mask_id, store_upload

logger = logging.getLogger(__name__)
# httpx, python-telegram-bot's client, logs every request URL at INFO, and a Bot API URL
# carries the bot's token (/bot<token>/sendMessage): keep those lines out of the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)

CHANNEL = "telegram"
REQUIRED = ("token", "webhook_secret")
TELEGRAM_API = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_TEXT = 4000  # Telegram refuses more than 4096 characters
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit for callback_data


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    webhook_secret: str
    api_base: str = TELEGRAM_API

    def bot(self) -> Bot:
        return Bot(
            self.token,
            base_url=f"{self.api_base}/bot",
            base_file_url=f"{self.api_base}/file/bot",
        )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]


async def callback_data(store: ChannelStore, payload: str) -> str:
    """Telegram allows 64 bytes of callback data: longer payloads travel by reference."""
    if len(payload.encode()) <= MAX_CALLBACK_DATA and not payload.startswith("k:"):
        return payload
    key = "k:" + hashlib.sha256(payload.encode()).hexdigest()[:24]
    await store.put(f"callback:{key}", payload, ttl=7 * 24 * 3600)
    return key


async def payload_of(store: ChannelStore, data: str) -> str:
    if not data.startswith("k:"):
        return data
    return await store.get(f"callback:{data}") or ""


def command_text(text: str) -> str:
    """/start and /estado FOLIO become intents; other commands lose the slash for the NLU."""
    command, _, argument = text.strip().partition(" ")
    name = command[1:].split("@")[0].lower()
    if name == "start":
        return messages.INTENT_START
    if name == "estado":
        folio = argument.strip()
        if not folio:
            return messages.INTENT_STATUS
        return messages.INTENT_STATUS + json.dumps({"folio": folio}, ensure_ascii=False)
    return " ".join(part for part in (name, argument.strip()) if part)


class TelegramOutput(OutputChannel):
    """Sends the bot's replies with the Bot API; buttons become inline keyboards."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, bot: Bot, store: ChannelStore) -> None:
        self.bot = bot
        self.store = store

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text):
            await self.call(self.bot.send_message, chat_id=recipient_id, text=chunk)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        rows = []
        for button in buttons:
            payload = str(button.get("payload") or button.get("title") or "")
            data = await callback_data(self.store, payload)
            rows.append([InlineKeyboardButton(str(button.get("title", "")), callback_data=data)])
        await self.call(
            self.bot.send_message,
            chat_id=recipient_id,
            text=text,
            reply_markup=InlineKeyboardMarkup(rows),
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.call(self.bot.send_photo, chat_id=recipient_id, photo=image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        text = json_message.get("text")
        if isinstance(text, str) and text:
            await self.send_text_message(recipient_id, text)

    async def call(self, method: Any, attempts: int = 3, **kwargs: Any) -> Any:
        """One Bot API call, retried on network errors and flood control."""
        for attempt in range(1, attempts + 1):
            try:
                result = await method(**kwargs)
                if "chat_id" in kwargs:
                    await note_bot_spoke(self.store, str(kwargs["chat_id"]))
                return result
            except (NetworkError, RetryAfter) as exc:
                logger.warning(
                    "channel=telegram event=send_retry chat=%s attempt=%d error=%s",
                    mask_id(str(kwargs.get("chat_id", ""))),
                    attempt,
                    type(exc).__name__,
                )
                if attempt == attempts:
                    raise
                await asyncio.sleep(min(retry_delay(exc, attempt), 5.0))
        raise AssertionError("unreachable")


def retry_delay(exc: Exception, attempt: int) -> float:
    """Telegram's own flood-control wait when it gives one, else exponential backoff."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
    return 0.5 * 2**attempt


class TelegramInput(ProviderInput):
    """Receives Telegram updates whose secret-token header matches ours."""

    CHANNEL, REQUIRED = CHANNEL, REQUIRED

    @classmethod
    def configured(cls, values: dict[str, Any]) -> InputChannel:
        config = TelegramConfig(
            token=values["token"],
            webhook_secret=values["webhook_secret"],
            api_base=(values.get("api_base") or TELEGRAM_API).rstrip("/"),
        )
        logger.info("channel=telegram status=enabled")
        return cls(config)

    def __init__(
        self,
        config: TelegramConfig,
        store: ChannelStore | None = None,
        limits: WebhookLimits | None = None,
        batcher: MediaBatcher | None = None,
    ) -> None:
        self.config = config
        self.store = store or ChannelStore.from_env(CHANNEL)
        self.limits = limits or WebhookLimits.from_env(CHANNEL)
        self.batcher = batcher or MediaBatcher.from_env()
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        if self._bot is None:  # built inside the server's event loop
            self._bot = self.config.bot()
        return self._bot

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.bot, self.store)

    def blueprint(self, on_new_message: Any) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.post("/webhook")
        async def receive(request: Request) -> response.HTTPResponse:
            refusal = await self.limits.screen(request)
            if refusal is not None:
                return refusal
            secret = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(secret.encode(), self.config.webhook_secret.encode()):
                logger.warning("channel=telegram event=forged_request")
                await self.limits.refused(request)
                return response.text("token secreto inválido", status=403)
            if not isinstance(request.json, dict) or "update_id" not in request.json:
                return response.text("actualización inválida", status=400)
            return await self.handle(request.json, on_new_message)

        return webhook

    async def handle(self, data: dict[str, Any], on_new_message: Any) -> response.HTTPResponse:
        """Process one update exactly once (Telegram resends until it gets a 2xx)."""
        key = f"update:{data['update_id']}"
        if not await self.store.claim(key):
            logger.info("channel=telegram event=duplicate update_id=%s", data["update_id"])
            return response.json({"ok": True})
        try:
            update = Update.de_json(data, self.bot)
            chat = update.effective_chat
            verdict = await self.limits.resident(str(chat.id) if chat else "")
            if not verdict.allowed:
                await self.rate_limited(update, verdict)
                return response.json({"ok": True})
            message = await self.user_message(update)
            if message is not None and await answered_rating(message, self.store):
                return response.json({"ok": True})
            if message is not None:
                # an album comes as one update per photo, each with the album's media_group_id
                group = (message.metadata or {}).get("media_group_id")
                await self.batcher.deliver(message, on_new_message, bool(group), group)
        except Exception:
            await self.store.release(key)
            raise
        return response.json({"ok": True})

    async def rate_limited(self, update: Update, verdict: Verdict) -> None:
        """A chat over the limit: the update stays out of Rasa (no media is fetched), the drop
        is logged, and the first one of the window is answered with the notice.

        The webhook still answers 200: Telegram resends an update until it gets a 2xx.
        """
        chat_id = str(update.effective_chat.id) if update.effective_chat else ""
        message, query = update.effective_message, update.callback_query
        said = (query.data if query else message and (message.text or message.caption)) or ""
        logger.warning(
            "channel=telegram event=rate_limited action=dropped chat=%s update_id=%s "
            "kind=%s chars=%d notice=%s retry_after_s=%d",
            mask_id(chat_id),
            update.update_id,
            "callback_query" if query else "message",
            len(said),
            verdict.first_refusal,
            verdict.retry_after,
        )
        if not verdict.first_refusal:
            return
        try:
            await TelegramOutput(self.bot, self.store).send_text_message(
                chat_id, messages.RATE_LIMITED
            )
        except TelegramError as error:  # the drop is logged; a lost notice changes nothing
            logger.error(
                "channel=telegram event=rate_notice_failed chat=%s error=%s",
                mask_id(chat_id),
                type(error).__name__,
            )

    async def user_message(self, update: Update) -> UserMessage | None:
        output = TelegramOutput(self.bot, self.store)
        if update.callback_query is not None:
            return await self.button_press(update, output)
        message = update.message
        if message is None or message.chat is None:
            return None
        chat_id = str(message.chat.id)
        metadata = self.metadata(chat_id, message)
        text = await self.content(message, metadata, output)
        if text is None:
            return None
        logger.info(
            "channel=telegram event=received chat=%s update_id=%s media=%d location=%s",
            mask_id(chat_id),
            update.update_id,
            len(metadata.get("attachments", [])),
            "location" in metadata,
        )
        return UserMessage(
            text,
            output,
            chat_id,
            input_channel=CHANNEL,
            message_id=str(message.message_id),
            metadata=metadata,
        )

    def metadata(self, chat_id: str, message: Message) -> dict[str, Any]:
        user = message.from_user
        return {
            "channel": CHANNEL,
            "channel_user_id": chat_id,
            "message_id": str(message.message_id),
            "profile_name": user.full_name if user else None,
            "language_code": user.language_code if user else None,
            **({"media_group_id": message.media_group_id} if message.media_group_id else {}),
        }

    async def content(
        self, message: Message, metadata: dict[str, Any], output: TelegramOutput
    ) -> str | None:
        """The text for Rasa; media, places and contacts go into the metadata."""
        chat_id = metadata["channel_user_id"]
        attachments = await self.collect_media(message, chat_id, output)
        if attachments:
            metadata["attachments"] = attachments
        if message.location is not None:
            metadata["location"] = place_of(message)
        if message.contact is not None:
            contact = message.contact
            own = bool(message.from_user and contact.user_id == message.from_user.id)
            metadata["contact"] = {
                "phone": contact.phone_number,
                "name": " ".join(p for p in (contact.first_name, contact.last_name) if p),
                "own": own,
            }
        text = message.text or message.caption or ""
        if text.startswith("/"):
            return command_text(text)
        if text.strip():
            return text
        if attachments:
            return messages.INTENT_ATTACHMENT
        if message.location is not None:
            return messages.INTENT_LOCATION
        if message.contact is not None:
            return messages.INTENT_CONTACT
        return None

    async def button_press(self, update: Update, output: TelegramOutput) -> UserMessage | None:
        query = update.callback_query
        assert query is not None
        await output.call(self.bot.answer_callback_query, callback_query_id=query.id)
        message = query.message
        if not isinstance(message, Message):
            return None
        chat_id = str(message.chat.id)
        try:  # the keyboard goes away so a second tap cannot answer twice
            await output.call(
                self.bot.edit_message_reply_markup,
                chat_id=chat_id,
                message_id=message.message_id,
                reply_markup=None,
            )
        except BadRequest as exc:  # already edited by an earlier tap: nothing to remove
            logger.info("channel=telegram event=keyboard_already_removed detail=%s", exc)
        payload = await payload_of(self.store, query.data or "")
        if not payload:
            return None
        metadata = {
            "channel": CHANNEL,
            "channel_user_id": chat_id,
            "message_id": f"callback:{query.id}",
            "profile_name": query.from_user.full_name,
        }
        return UserMessage(
            payload,
            output,
            chat_id,
            input_channel=CHANNEL,
            message_id=f"callback:{query.id}",
            metadata=metadata,
        )

    async def collect_media(
        self, message: Message, chat_id: str, output: TelegramOutput
    ) -> list[dict[str, Any]]:
        found = media_of(message)
        stored = []
        for file_id, content_type, filename, size in found:
            try:
                if size and size > MAX_MEDIA_BYTES:
                    raise MediaError(f"medium of {size} bytes is over the limit")
                data = bytes(await (await self.bot.get_file(file_id)).download_as_bytearray())
                stored.append(
                    await store_upload(Medium(data, content_type, filename), CHANNEL, chat_id)
                )
            except (MediaError, TelegramError) as exc:
                logger.error(
                    "channel=telegram event=media_failed chat=%s error=%s", mask_id(chat_id), exc
                )
                await output.send_text_message(chat_id, messages.ATTACHMENT_FAILED)
        return stored


def media_of(message: Message) -> list[tuple[str, str, str, int | None]]:
    """(file_id, content type, file name, size) of each medium in a message."""
    stem = f"telegram-{message.chat.id}-{message.message_id}"
    found = []
    if message.photo:
        largest = message.photo[-1]
        found.append((largest.file_id, "image/jpeg", f"{stem}.jpg", largest.file_size))
    if message.document is not None:
        doc = message.document
        kind = doc.mime_type or "application/octet-stream"
        found.append((doc.file_id, kind, doc.file_name or stem, doc.file_size))
    if message.voice is not None:
        voice = message.voice
        kind = voice.mime_type or "audio/ogg"
        found.append((voice.file_id, kind, f"{stem}.ogg", voice.file_size))
    if message.audio is not None:
        audio = message.audio
        kind = audio.mime_type or "audio/mpeg"
        found.append((audio.file_id, kind, audio.file_name or stem, audio.file_size))
    if message.video is not None:
        video = message.video
        kind = video.mime_type or "video/mp4"
        found.append((video.file_id, kind, video.file_name or f"{stem}.mp4", video.file_size))
    return found


def place_of(message: Message) -> dict[str, Any]:
    """A shared location (or venue) as case coordinates."""
    assert message.location is not None
    place: dict[str, Any] = {
        "lat": message.location.latitude,
        "lon": message.location.longitude,
    }
    if message.venue is not None:
        place["address"] = message.venue.address
        place["label"] = message.venue.title
    return place
