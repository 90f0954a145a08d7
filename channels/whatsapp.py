"""WhatsApp through Twilio Messaging: signed webhooks in, Messages API out.

Mounted at /webhooks/whatsapp/webhook by credentials.yml (channels.whatsapp.WhatsAppInput).
Every request must carry a valid X-Twilio-Signature computed over the public URL
(OIRS_PUBLIC_URL + path, so it works behind a proxy); every MessageSid is handled once.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlparse

import aiohttp
from oirs_rules.contact import whatsapp_address
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels import messages, options
from channels.batching import MediaBatcher
from channels.ratelimit import Verdict, WebhookLimits
from channels.ratings import answered_rating, note_bot_spoke
from channels.settings import ProviderInput
from channels.store import ChannelStore
from channels.uploads import MediaError, Medium, mask_id, read_limited, store_upload

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
REQUIRED = ("account_sid", "auth_token", "whatsapp_from", "public_url")
TWILIO_API = "https://api.twilio.com"
MAX_BODY = 1500  # Twilio refuses WhatsApp bodies over 1600 characters
MAX_MEDIA = 10
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
TIMEOUT = aiohttp.ClientTimeout(total=20)


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    whatsapp_from: str
    public_url: str
    api_base: str = TWILIO_API

    @property
    def auth(self) -> aiohttp.BasicAuth:
        return aiohttp.BasicAuth(self.account_sid, self.auth_token)

    def trusts(self, url: str) -> bool:
        """Twilio credentials are only ever sent to Twilio (or its configured stand-in)."""
        host = urlparse(url).hostname or ""
        return host == urlparse(self.api_base).hostname or host.endswith(".twilio.com")


def split_text(text: str, limit: int = MAX_BODY) -> list[str]:
    """Long replies become several messages, cut at line or word boundaries."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else text.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*chunks, text] if text else chunks


class WhatsAppOutput(OutputChannel):
    """Sends the bot's replies through the Twilio Messages API."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, config: TwilioConfig, store: ChannelStore) -> None:
        self.config = config
        self.store = store

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text):
            await self.send(recipient_id, {"Body": chunk})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send(recipient_id, {"MediaUrl": image})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await options.remember(self.store, recipient_id, buttons)
        await self.send_text_message(recipient_id, options.render(text, buttons))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        text = json_message.get("text")
        if isinstance(text, str) and text:
            await self.send_text_message(recipient_id, text)

    async def send(self, recipient_id: str, fields: dict[str, str], attempts: int = 3) -> str:
        """POST one message; retries on 429/5xx and network errors, then raises."""
        url = f"{self.config.api_base}/2010-04-01/Accounts/{self.config.account_sid}/Messages.json"
        data = {"From": whatsapp_address(self.config.whatsapp_from), "To": recipient_id, **fields}
        for attempt in range(1, attempts + 1):
            try:
                sid = await self._post(url, data)
                await note_bot_spoke(self.store, recipient_id)
                return sid
            except (aiohttp.ClientError, asyncio.TimeoutError, _Retryable) as exc:
                logger.warning(
                    "channel=whatsapp event=send_retry to=%s attempt=%d error=%s",
                    mask_id(recipient_id),
                    attempt,
                    type(exc).__name__,
                )
                if attempt == attempts:
                    raise
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def _post(self, url: str, data: dict[str, str]) -> str:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, data=data, auth=self.config.auth) as reply,
        ):
            body = await reply.json(content_type=None)
            if reply.status == 429 or reply.status >= 500:
                raise _Retryable(f"status {reply.status}")
            if reply.status >= 400:
                raise TwilioRejected(reply.status, body.get("code"), body.get("message", ""))
            return str(body.get("sid", ""))


class _Retryable(Exception):
    pass


class TwilioRejected(Exception):
    """Twilio refused the message (e.g. 63016 outside the 24-hour window)."""

    def __init__(self, status: int, code: Any, message: str) -> None:
        super().__init__(f"{status} code={code} {message}")
        self.status, self.code = status, code


class WhatsAppInput(ProviderInput):
    """Receives Twilio's signed form posts for the configured WhatsApp sender."""

    CHANNEL, REQUIRED = CHANNEL, REQUIRED

    @classmethod
    def configured(cls, values: dict[str, Any]) -> InputChannel:
        config = TwilioConfig(
            account_sid=values["account_sid"],
            auth_token=values["auth_token"],
            whatsapp_from=values["whatsapp_from"],
            public_url=values["public_url"].rstrip("/"),
            api_base=(values.get("api_base") or TWILIO_API).rstrip("/"),
        )
        logger.info("channel=whatsapp status=enabled public_url=%s", config.public_url)
        return cls(config)

    def __init__(
        self,
        config: TwilioConfig,
        store: ChannelStore | None = None,
        limits: WebhookLimits | None = None,
        batcher: MediaBatcher | None = None,
    ) -> None:
        self.config = config
        self.store = store or ChannelStore.from_env(CHANNEL)
        self.limits = limits or WebhookLimits.from_env(CHANNEL)
        self.batcher = batcher or MediaBatcher.from_env()
        self.validator = RequestValidator(config.auth_token)

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.config, self.store)

    def signed_url(self, request: Request) -> str:
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.config.public_url}{request.path}{query}"

    def blueprint(self, on_new_message: Any) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.post("/webhook")
        async def receive(request: Request) -> response.HTTPResponse:
            refusal = await self.limits.screen(request)
            if refusal is not None:
                return refusal
            params = form_params(request)
            signature = request.headers.get("X-Twilio-Signature", "")
            if not signature or not self.validator.validate(
                self.signed_url(request), params, signature
            ):
                logger.warning("channel=whatsapp event=forged_request path=%s", request.path)
                await self.limits.refused(request)
                return response.text("firma inválida", status=403)
            if params.get("AccountSid") != self.config.account_sid:
                await self.limits.refused(request)
                return response.text("cuenta desconocida", status=403)
            return await self.handle(params, on_new_message)

        return webhook

    async def handle(self, params: dict[str, str], on_new_message: Any) -> response.HTTPResponse:
        """Process one inbound message exactly once (Twilio may deliver it again)."""
        sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
        if params.get("SmsStatus", "received") != "received" or not sid:
            return response.empty()
        if not await self.store.claim(f"sid:{sid}"):
            logger.info("channel=whatsapp event=duplicate message_sid=%s", sid)
            return response.text(EMPTY_TWIML, content_type="text/xml")
        verdict = await self.limits.resident(params.get("From", ""))
        if not verdict.allowed:
            return self.rate_limited(params, sid, verdict)
        try:
            message = await self.user_message(params, sid)
            if message is not None and await answered_rating(message, self.store):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            if message is not None:
                # an album comes as one webhook per photo (one of them may carry a caption):
                # the bot answers them together
                metadata = message.metadata or {}
                with_media = bool(metadata.get("attachments")) and "location" not in metadata
                await self.batcher.deliver(message, on_new_message, batched=with_media)
        except Exception:
            await self.store.release(f"sid:{sid}")
            raise
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def rate_limited(
        self, params: dict[str, str], sid: str, verdict: Verdict
    ) -> response.HTTPResponse:
        """A resident over the limit: the message stays out of Rasa, is logged, and the
        first one of the window is answered with the notice (TwiML, no API call).

        200 either way: a 200 is never retried, while a 429 would mark the message failed
        (error 11200 in the Twilio console) and, with a retry policy of 4xx set on the
        webhook URL (#rp=4xx), bring it back; by default Twilio retries only failed
        connections.
        """
        logger.warning(
            "channel=whatsapp event=rate_limited action=dropped from=%s message_sid=%s "
            "chars=%d media=%s location=%s notice=%s retry_after_s=%d",
            mask_id(params.get("From", "")),
            sid,
            len(params.get("Body", "")),
            params.get("NumMedia") or "0",
            "Latitude" in params,
            verdict.first_refusal,
            verdict.retry_after,
        )
        if not verdict.first_refusal:
            return response.text(EMPTY_TWIML, content_type="text/xml")
        reply = MessagingResponse()
        reply.message(messages.RATE_LIMITED)
        return response.text(str(reply), content_type="text/xml")

    async def user_message(self, params: dict[str, str], sid: str) -> UserMessage | None:
        sender = params.get("From", "")
        output = WhatsAppOutput(self.config, self.store)
        metadata: dict[str, Any] = {
            "channel": CHANNEL,
            "channel_user_id": sender,
            "message_id": sid,
            "profile_name": params.get("ProfileName"),
        }
        attachments = await self.collect_media(params, sid, sender, output)
        if attachments:
            metadata["attachments"] = attachments
        location = location_of(params)
        if location:
            metadata["location"] = location
        text = params.get("ButtonPayload") or params.get("Body", "")
        if text.strip():
            text = await options.resolve_reply(self.store, sender, text)
        elif attachments:
            text = messages.INTENT_ATTACHMENT
        elif location:
            text = messages.INTENT_LOCATION
        else:
            return None
        logger.info(
            "channel=whatsapp event=received from=%s message_sid=%s media=%d location=%s",
            mask_id(sender),
            sid,
            len(attachments),
            bool(location),
        )
        return UserMessage(
            text, output, sender, input_channel=CHANNEL, message_id=sid, metadata=metadata
        )

    async def collect_media(
        self, params: dict[str, str], sid: str, sender: str, output: WhatsAppOutput
    ) -> list[dict[str, Any]]:
        """Fetch each medium with the account credentials and store it as a pending upload."""
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
        stored = []
        for index in range(count):
            url = params.get(f"MediaUrl{index}", "")
            declared = params.get(f"MediaContentType{index}", "application/octet-stream")
            try:
                medium = await self.fetch_medium(url, declared, f"whatsapp-{sid}-{index}")
                stored.append(await store_upload(medium, CHANNEL, sender))
            except (MediaError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.error(
                    "channel=whatsapp event=media_failed message_sid=%s index=%d error=%s",
                    sid,
                    index,
                    exc,
                )
                await output.send_text_message(sender, messages.ATTACHMENT_FAILED)
        return stored

    async def fetch_medium(self, url: str, declared: str, stem: str) -> Medium:
        auth = self.config.auth if self.config.trusts(url) else None
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, auth=auth) as reply,
        ):
            if reply.status != 200:
                raise MediaError(f"media fetch status={reply.status}")
            data = await read_limited(reply)
            content_type = reply.headers.get("Content-Type", declared).split(";")[0].strip()
        extension = mimetypes.guess_extension(content_type) or ""
        return Medium(data, content_type, stem + extension)


def form_params(request: Request) -> dict[str, str]:
    """Twilio's form fields, keeping the blank ones (an empty Body is signed too)."""
    # Undecodable bytes become U+FFFD: the signature check then refuses them (403, not 500).
    pairs = parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return dict(pairs)


def location_of(params: dict[str, str]) -> dict[str, Any] | None:
    """A shared WhatsApp location as case coordinates (lat/lon like the case API)."""
    try:
        lat, lon = float(params["Latitude"]), float(params["Longitude"])
    except (KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses nan and inf
        return None
    place: dict[str, Any] = {"lat": lat, "lon": lon}
    for key, name in (("Address", "address"), ("Label", "label")):
        if params.get(key):
            place[name] = params[key]
    return place
