"""The phone line's door: Twilio's signed webhooks in, each routed to the part that answers it.

Mounted at /webhooks/voice/ by credentials.yml (channels.voice.VoiceInput). Twilio posts
/webhook when a call is answered, /gather after each answer (speech or keys), /queue when a
wait in the agents' queue ends, /recording after a voicemail, /recording-status when its
file is ready and /status for call events. Every request must carry a valid
X-Twilio-Signature over OIRS_PUBLIC_URL + path, and pass the webhook limits.
"""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import parse_qsl

from oirs_rules.hours import DEFAULT_HOURS, CallCenterHours
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator

from channels.ratelimit import DEFAULT_PER_CALLER, PER_CALLER_VARIABLE, WebhookLimits
from channels.settings import ProviderInput
from channels.voice.call_state import CallStates
from channels.voice.commune import CommuneName
from channels.voice.config import (
    CHANNEL,
    TWILIO_API,
    VoiceConfig,
    number_or,
)
from channels.voice.dialogue import Dialogue, VoiceOutput
from channels.voice.handoff import Handoff
from channels.voice.sms import FolioBySms
from channels.voice.twilio_api import TwilioApi
from channels.voice.voicemail import Voicemail

logger = logging.getLogger(__name__)

REQUIRED = ("auth_token", "public_url")


def twilio_params(body: bytes) -> dict[str, str]:
    """Twilio's form post; empty values are kept because Twilio signs them too."""
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    params: dict[str, str] = {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params


class VoiceInput(ProviderInput):
    """Answers calls to the municipal number with the same Rasa agent as the chat channels."""

    CHANNEL, REQUIRED = CHANNEL, REQUIRED

    @classmethod
    def configured(cls, values: dict[str, Any]) -> InputChannel:
        config = VoiceConfig(
            auth_token=values["auth_token"],
            public_url=values["public_url"].rstrip("/"),
            account_sid=values.get("account_sid") or "",
            api_base=(values.get("api_base") or TWILIO_API).rstrip("/"),
            queue=values.get("queue") or "oirs",
            hours=values.get("hours") or DEFAULT_HOURS,
            comuna=os.environ.get("OIRS_COMUNA") or None,
            min_confidence=number_or(values.get("min_confidence"), 0.4),
        )
        CallCenterHours.from_spec(config.hours)  # a typo must stop the server, not a call
        logger.info("channel=voice status=enabled public_url=%s", config.public_url)
        return cls(config)

    def __init__(
        self,
        config: VoiceConfig,
        states: CallStates | None = None,
        limits: WebhookLimits | None = None,
    ) -> None:
        self.config = config
        self.states = states or CallStates.from_env()
        self.limits = limits or WebhookLimits.from_env(
            CHANNEL, PER_CALLER_VARIABLE, DEFAULT_PER_CALLER
        )
        self.validator = RequestValidator(config.auth_token)
        twilio = TwilioApi(config)
        commune = CommuneName()
        self.handoff = Handoff(config, self.states)
        self.voicemail = Voicemail(config, self.states, twilio)
        sms = FolioBySms(config, self.states, twilio, commune)
        self.dialogue = Dialogue(config, self.states, self.limits, commune, self.handoff, sms)

    def get_output_channel(self) -> VoiceOutput:
        return VoiceOutput()

    def blueprint(self, on_new_message: Any) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.post("/<route:str>")
        async def receive(request: Request, route: str) -> response.HTTPResponse:
            refusal = await self.limits.screen(request)
            if refusal is not None:
                return refusal
            params = twilio_params(request.body)
            if not self.signed(request, params):
                logger.warning("channel=voice event=forged_request path=%s", request.path)
                await self.limits.refused(request)
                return response.text("firma inválida", status=403)
            if self.config.account_sid and params.get("AccountSid") != self.config.account_sid:
                await self.limits.refused(request)
                return response.text("cuenta desconocida", status=403)
            handler = self.routes(request, on_new_message).get(route)
            if handler is None:
                return response.text("ruta desconocida", status=404)
            return await handler(params)

        return webhook

    def routes(self, request: Request, on_new_message: Any) -> dict[str, Any]:
        """Twilio's callback name -> the part of the channel that answers it."""
        return {
            "webhook": lambda params: self.dialogue.answer(params, on_new_message),
            "gather": lambda params: self.dialogue.gather(request, params, on_new_message),
            "queue": self.handoff.queue_ended,
            "recording": self.voicemail.recording,
            "recording-status": self.voicemail.recording_status,
            "status": call_status,
        }

    def signed(self, request: Request, params: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        query = f"?{request.query_string}" if request.query_string else ""
        url = f"{self.config.public_url}{request.path}{query}"
        return bool(signature) and self.validator.validate(url, params, signature)


async def call_status(params: dict[str, str]) -> response.HTTPResponse:
    """Call events (ringing, completed, …) are only logged."""
    logger.info(
        "channel=voice event=call_status call_sid=%s status=%s duration=%s",
        params.get("CallSid", ""),
        params.get("CallStatus", ""),
        params.get("CallDuration", ""),
    )
    return response.empty()
