"""Phone calls through Twilio Voice: signed webhooks in, TwiML out, Rasa in between.

Mounted at /webhooks/voice/ by credentials.yml (channels.voice.VoiceInput). Twilio posts
/webhook when a call is answered, /gather after each answer (speech or keys), /queue when a
wait in the agents' queue ends, /recording after a voicemail, /recording-status when its
file is ready and /status for call events. Every request must carry a valid
X-Twilio-Signature over OIRS_PUBLIC_URL + path. What is *said* is built by channels/twiml.py;
this module only glues Twilio, Rasa, the admin API and the per-call state.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlparse

import aiohttp
from oirs_rules.calendar import BusinessCalendar
from oirs_rules.dates import SANTIAGO
from oirs_rules.hours import DEFAULT_HOURS, CallCenterHours
from oirs_rules.masking import mask_id
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator

from channels import twiml
from channels.call_state import CallState, CallStates
from channels.ratelimit import DEFAULT_PER_CALLER, PER_CALLER_VARIABLE, WebhookLimits
from channels.settings import ProviderInput

logger = logging.getLogger(__name__)

CHANNEL = "voice"
REQUIRED = ("auth_token", "public_url")
DEFAULT_API_URL = "http://127.0.0.1:8000"
TWILIO_API = "https://api.twilio.com"
TIMEOUT = aiohttp.ClientTimeout(total=10)
# The channel greets and gives the data notice itself; the bot's chat versions are not repeated.
SKIPPED_RESPONSES = frozenset({"utter_bienvenida", "utter_aviso_privacidad"})
GOODBYE_RESPONSES = frozenset({"utter_despedida"})
HANDOFF_PAYLOAD = "/hablar_con_humano"
SESSION_START = "/session_start"
BOT_HANDOFF_ACTION = "action_handoff"
FILED_FOLIO_SLOT = "ultimo_folio"
HANDOFF_INTENT = "hablar_con_humano"
QUEUE_ENDED_WITH_AGENT = frozenset({"bridged", "bridging-in-process", "hangup", "redirected"})
XML = "text/xml; charset=utf-8"
# What Twilio puts in From when the caller withheld their number: not one caller, so not
# limited as one (a resident with a hidden number must not be refused because of another).
WITHHELD_NUMBERS = frozenset(
    {"+266696687", "+7378742833", "+8656696", "+2562533", "+86282452253", "anonymous", ""}
)


class AdminApiError(Exception):
    """The admin API refused or failed a request of the phone channel."""


@dataclass(frozen=True)
class VoiceConfig:
    auth_token: str
    public_url: str
    account_sid: str = ""
    api_base: str = TWILIO_API
    queue: str = "oirs"
    hours: str = DEFAULT_HOURS
    comuna: str | None = None  # its regional and communal holidays close the call center
    min_confidence: float = 0.4
    handoff_confidence: float = 0.6
    admin_url: str = DEFAULT_API_URL
    admin_token: str = ""

    @property
    def twiml(self) -> twiml.VoiceSettings:
        return twiml.VoiceSettings(public_url=self.public_url, queue=self.queue)

    def trusts(self, url: str) -> bool:
        """Twilio credentials are only sent to Twilio (or its configured stand-in)."""
        host = urlparse(url).hostname or ""
        return host == urlparse(self.api_base).hostname or host.endswith(".twilio.com")


class VoiceOutput(CollectingOutputChannel):
    """Keeps each bot message whole (text, buttons, response name) for the TwiML builders."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))


class AdminApi:
    """The few admin API calls the phone channel makes itself (handoff, voicemail case)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(self.base_url + path, json=body, headers=self.headers) as reply,
        ):
            data = await reply.json(content_type=None)
            if reply.status >= 400 or not isinstance(data, dict):
                raise AdminApiError(f"POST {path} status={reply.status}")
            return data

    async def get_json(self, path: str) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(self.base_url + path, headers=self.headers) as reply,
        ):
            data = await reply.json(content_type=None)
            if reply.status >= 400 or not isinstance(data, dict):
                raise AdminApiError(f"GET {path} status={reply.status}")
            return data

    async def attach(self, folio: str, data: bytes, content_type: str, filename: str) -> None:
        form = aiohttp.FormData()
        form.add_field("file", data, content_type=content_type, filename=filename)
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(
                f"{self.base_url}/api/v1/cases/{folio}/attachments", data=form, headers=self.headers
            ) as reply,
        ):
            if reply.status != 201:
                raise AdminApiError(f"attachment status={reply.status}")


def twilio_params(body: bytes) -> dict[str, str]:
    """Twilio's form post; empty values are kept because Twilio signs them too."""
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    params: dict[str, str] = {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


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
            min_confidence=_float(values.get("min_confidence"), 0.4),
            admin_url=os.environ.get("OIRS_API_URL") or DEFAULT_API_URL,
            admin_token=os.environ.get("OIRS_API_TOKEN", ""),
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
        self.api = AdminApi(config.admin_url, config.admin_token)
        # the admin decides with the same hours and calendar (oirs/handoffs.py)
        self.hours = CallCenterHours.from_spec(config.hours)
        self.calendar = BusinessCalendar(comuna=config.comuna)
        self._municipality: str | None = None

    def get_output_channel(self) -> VoiceOutput:
        return VoiceOutput()

    # --- routes ---------------------------------------------------------------------------

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
        return {
            "webhook": lambda params: self.answer(params, on_new_message),
            "gather": lambda params: self.gather(request, params, on_new_message),
            "queue": self.queue_ended,
            "recording": self.recording,
            "recording-status": self.recording_status,
            "status": self.call_status,
        }

    def signed(self, request: Request, params: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        query = f"?{request.query_string}" if request.query_string else ""
        url = f"{self.config.public_url}{request.path}{query}"
        return bool(signature) and self.validator.validate(url, params, signature)

    # --- the dialogue ---------------------------------------------------------------------

    async def answer(self, params: dict[str, str], on_new_message: Any) -> response.HTTPResponse:
        """A new call: greet, give the data notice and the menu.

        The Rasa session is started now and its chat greeting discarded: on the phone the
        channel's own spoken greeting and notice replace it.
        """
        refused = await self.caller_limited(params)
        if refused is not None:
            return refused
        state = CallState(
            call_sid=params.get("CallSid", ""),
            caller=params.get("From", ""),
            municipal_number=params.get("To", ""),
        )
        await on_new_message(
            UserMessage(
                SESSION_START,
                VoiceOutput(),
                state.call_sid,
                input_channel=CHANNEL,
                metadata=self.metadata(state),
            )
        )
        municipality = await self.municipality()
        document = twiml.greeting(self.config.twiml, municipality)
        state.asked([twiml.TEXTS["menu"]], [], menu=True)
        state.record("bot", [twiml.TEXTS["greeting"].format(municipality=municipality)])
        await self.states.save(state)
        logger.info(
            "channel=voice event=call_answered call_sid=%s from=%s direction=%s",
            state.call_sid,
            mask_id(state.caller),
            params.get("Direction", ""),
        )
        return response.text(document, content_type=XML)

    async def caller_limited(self, params: dict[str, str]) -> response.HTTPResponse | None:
        """A number over its limit of new calls hears why and the call ends (no Rasa session).

        200 with TwiML: a 4xx would make Twilio play its own error (or the fallback URL) and
        show an error in the console, and would not stop the caller from dialling again.
        """
        caller = params.get("From", "").strip()
        if caller.lower() in WITHHELD_NUMBERS or not caller.startswith("+"):
            return None
        verdict = await self.limits.resident(caller)
        if verdict.allowed:
            return None
        logger.warning(
            "channel=voice event=rate_limited action=call_refused call_sid=%s from=%s "
            "retry_after_s=%d",
            params.get("CallSid", ""),
            mask_id(caller),
            verdict.retry_after,
        )
        document = twiml.goodbye(self.config.twiml, [twiml.TEXTS["rate_limited"]])
        return response.text(document, content_type=XML)

    async def gather(
        self, request: Request, params: dict[str, str], on_new_message: Any
    ) -> response.HTTPResponse:
        """One answer of the caller: keys or speech, or nothing (silence, misrecognition)."""
        state = await self.load(params)
        speech = params.get("SpeechResult", "").strip()
        digits = params.get("Digits", "").strip()
        if speech and not self.confident(params.get("Confidence")):
            logger.info("channel=voice event=low_confidence call_sid=%s", state.call_sid)
            speech = ""
        if not speech and not digits:
            return await self.failed(state)
        state.failures = 0
        if state.sms_folio:
            return await self.sms_answer(state, digits or speech)
        if digits:
            message = twiml.keys_to_message(digits, state.last_buttons, state.menu_active)
            chosen = [b["title"] for b in state.last_buttons if b.get("payload") == message]
            state.record("resident", [f"(teclado {digits}) {chosen[0] if chosen else ''}"])
        else:
            state.record("resident", [speech])
            message = speech
            if await self.wants_person(request, speech):
                message = HANDOFF_PAYLOAD
        if message in (twiml.HANDOFF, HANDOFF_PAYLOAD):
            return await self.hand_off(state, "solicitud_del_vecino")
        try:
            return await self.converse(request, state, message, on_new_message)
        except Exception:
            # the assistant failed mid-call: the caller is passed to a person, not dropped
            logger.exception("channel=voice event=assistant_failed call_sid=%s", state.call_sid)
            return await self.hand_off(state, "falla_del_asistente")

    async def converse(
        self, request: Request, state: CallState, text: str, on_new_message: Any
    ) -> response.HTTPResponse:
        """Send the caller's words to Rasa and speak its answer."""
        output = VoiceOutput()
        filed_before = await self.last_filed(request, state.call_sid)
        await on_new_message(
            UserMessage(
                text, output, state.call_sid, input_channel=CHANNEL, metadata=self.metadata(state)
            )
        )
        messages = [m for m in output.messages if m.get("utter_action") not in SKIPPED_RESPONSES]
        turn = twiml.turn_from_messages(messages)
        state.record("bot", turn.texts)
        if await self.bot_handed_off(request, state.call_sid):
            return await self.after_bot_handoff(state, turn.texts)
        if any(m.get("utter_action") in GOODBYE_RESPONSES for m in messages):
            await self.states.save(state)
            return response.text(twiml.goodbye(self.config.twiml, turn.texts), content_type=XML)
        if not turn.texts:
            turn = twiml.Turn(texts=[twiml.TEXTS["anything_else"], twiml.TEXTS["menu"]])
            state.asked(turn.texts, [], menu=True)
            await self.states.save(state)
            return response.text(twiml.bot_turn(turn, self.config.twiml), content_type=XML)
        folio = await self.last_filed(request, state.call_sid)
        if folio and folio != filed_before and self.can_text(state):
            state.sms_folio = folio
            state.asked([twiml.TEXTS["sms_offer"]], [])
            await self.states.save(state)
            document = twiml.bot_turn(
                twiml.Turn(texts=turn.texts), self.config.twiml, [twiml.TEXTS["sms_offer"]]
            )
            return response.text(document, content_type=XML)
        state.asked(turn.texts, turn.buttons)
        await self.states.save(state)
        return response.text(twiml.bot_turn(turn, self.config.twiml), content_type=XML)

    async def failed(self, state: CallState) -> response.HTTPResponse:
        """Silence or an unreliable transcription: ask again, then offer keys, then a person."""
        state.failures += 1
        step = twiml.recovery_step(state.failures)
        logger.info(
            "channel=voice event=no_input call_sid=%s failures=%d step=%s",
            state.call_sid,
            state.failures,
            step,
        )
        if step == "person":
            return await self.hand_off(state, "no_se_entendio")
        turn = twiml.Turn(texts=state.last_texts, buttons=state.last_buttons)
        if step == "keys":
            state.menu_active = state.menu_active or not state.last_buttons
        await self.states.save(state)
        builder = twiml.reprompt if step == "reprompt" else twiml.keys_prompt
        return response.text(builder(turn, self.config.twiml), content_type=XML)

    def confident(self, confidence: str | None) -> bool:
        """Twilio's transcription confidence; missing or zero means the engine gave none."""
        value = _float(confidence, 0.0)
        return value <= 0.0 or value >= self.config.min_confidence

    async def wants_person(self, request: Request, speech: str) -> bool:
        """Whether the caller asked for a person: the phone channel transfers them itself."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            return False
        parsed = await agent.parse_message(speech)
        intent = parsed.get("intent") or {}
        return bool(
            intent.get("name") == HANDOFF_INTENT
            and float(intent.get("confidence") or 0) >= self.config.handoff_confidence
        )

    @staticmethod
    async def tracker(request: Request, call_sid: str) -> Any:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return None
        return await agent.tracker_store.retrieve(call_sid)

    async def last_filed(self, request: Request, call_sid: str) -> str | None:
        """The folio of the last case the bot filed in this call (slot ultimo_folio)."""
        tracker = await self.tracker(request, call_sid)
        value = tracker.get_slot(FILED_FOLIO_SLOT) if tracker is not None else None
        return str(value) if value else None

    async def bot_handed_off(self, request: Request, call_sid: str) -> bool:
        """Whether the bot itself ran its handoff action (and so already told the admin)."""
        tracker = await self.tracker(request, call_sid)
        if tracker is None:
            return False
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return False
            if isinstance(event, ActionExecuted) and event.action_name == BOT_HANDOFF_ACTION:
                return True
        return False

    async def after_bot_handoff(self, state: CallState, texts: list[str]) -> response.HTTPResponse:
        """The bot queued the caller (or registered a consulta after hours): act on it."""
        settings = self.config.twiml
        folio = twiml.find_folio(texts)
        if folio or not self.is_open():
            state.voicemail_folio = folio
            return await self.offer_voicemail(state, tuple(texts), explained=bool(folio))
        state.handed_off = True
        await self.states.save(state)
        return response.text(twiml.transfer(settings, texts), content_type=XML)

    # --- the folio by SMS -----------------------------------------------------------------

    def can_text(self, state: CallState) -> bool:
        return bool(self.config.account_sid and state.caller.startswith("+"))

    async def sms_answer(self, state: CallState, answer: str) -> response.HTTPResponse:
        """The caller's yes or no to receiving the folio by SMS."""
        folio, state.sms_folio = state.sms_folio or "", None
        state.record("resident", [answer])
        texts = [twiml.TEXTS["sms_declined"]]
        if twiml.is_affirmative(answer):
            body = twiml.TEXTS["sms_body"].format(
                municipality=await self.municipality(), folio=folio
            )
            await self.send_sms(state, body)
            texts = [twiml.TEXTS["sms_sent"]]
        texts += [twiml.TEXTS["anything_else"], twiml.TEXTS["menu"]]
        state.record("bot", texts[:1])
        state.asked(texts[1:], [], menu=True)
        await self.states.save(state)
        return response.text(
            twiml.bot_turn(twiml.Turn(texts=texts), self.config.twiml), content_type=XML
        )

    async def send_sms(self, state: CallState, body: str) -> None:
        """Text the caller from the number they called, through the Twilio Messages API."""
        url = f"{self.config.api_base}/2010-04-01/Accounts/{self.config.account_sid}/Messages.json"
        data = {"From": state.municipal_number, "To": state.caller, "Body": body}
        auth = aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token)
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, data=data, auth=auth) as reply,
        ):
            if reply.status >= 400:
                raise AdminApiError(f"Twilio refused the SMS status={reply.status}")
        logger.info(
            "channel=voice event=sms_sent call_sid=%s to=%s", state.call_sid, mask_id(state.caller)
        )

    # --- a person, or a voicemail ---------------------------------------------------------

    async def hand_off(self, state: CallState, reason: str) -> response.HTTPResponse:
        """In hours: hand the transcript to the agents and queue the call; else a voicemail."""
        settings = self.config.twiml
        if not self.is_open():
            return await self.offer_voicemail(state)
        body = {
            "channel": CHANNEL,
            "channel_user_id": state.caller,
            "conversation_id": state.call_sid,
            "transcript": state.transcript,
            "intent": HANDOFF_INTENT,
            "reason": reason,
        }
        try:
            handoff = await self.api.post_json("/api/v1/handoffs", body)
        except (AdminApiError, aiohttp.ClientError, TimeoutError) as error:
            # a caller who asked for a person still reaches one; only the transcript is missing
            logger.error(
                "channel=voice event=handoff_failed call_sid=%s error=%s", state.call_sid, error
            )
            handoff = {"status": "queued"}
        if handoff.get("status") == "after_hours":
            # closed for the admin (e.g. a holiday): its message says why and when
            state.voicemail_folio = handoff.get("folio") or None
            notice = str(handoff.get("message") or "")
            return await self.offer_voicemail(state, (notice,) if notice else (), explained=True)
        state.handed_off = True
        state.record("bot", [twiml.TEXTS["transfer"]])
        await self.states.save(state)
        logger.info(
            "channel=voice event=enqueued call_sid=%s queue=%s handoff=%s",
            state.call_sid,
            settings.queue,
            handoff.get("id"),
        )
        return response.text(twiml.transfer(settings), content_type=XML)

    def is_open(self, moment: datetime | None = None) -> bool:
        """Whether agents answer now (or at `moment`): the configured hours, closed on holidays."""
        return self.hours.is_open(moment or datetime.now(SANTIAGO), self.calendar)

    async def offer_voicemail(
        self, state: CallState, before: tuple[str, ...] = (), explained: bool = False
    ) -> response.HTTPResponse:
        hours = None if explained else twiml.hours_in_spanish(self.hours)
        document = twiml.voicemail(self.config.twiml, hours, before)
        state.record("bot", [*before, twiml.TEXTS["voicemail_short"]])
        await self.states.save(state)
        return response.text(document, content_type=XML)

    async def queue_ended(self, params: dict[str, str]) -> response.HTTPResponse:
        """The wait in the queue ended: after an agent there is nothing left; else voicemail."""
        result = params.get("QueueResult", "")
        logger.info(
            "channel=voice event=queue_result call_sid=%s result=%s",
            params.get("CallSid", ""),
            result,
        )
        if result in QUEUE_ENDED_WITH_AGENT:
            return response.text(twiml.goodbye(self.config.twiml, []), content_type=XML)
        state = await self.load(params)
        return await self.offer_voicemail(state, (twiml.TEXTS["queue_failed"],), explained=True)

    async def recording(self, params: dict[str, str]) -> response.HTTPResponse:
        """The voicemail ended: it becomes a consulta (or joins the one the handoff opened)."""
        state = await self.load(params)
        if not params.get("RecordingUrl") or params.get("RecordingDuration", "0") in ("", "0"):
            document = twiml.goodbye(self.config.twiml, [twiml.TEXTS["voicemail_empty"]])
            return response.text(document, content_type=XML)
        state.record("resident", ["(mensaje de voz)"])
        if not state.voicemail_folio:
            try:
                state.voicemail_folio = await self.file_voicemail(state, params)
            except (AdminApiError, aiohttp.ClientError, TimeoutError) as error:
                logger.error(
                    "channel=voice event=voicemail_not_filed call_sid=%s error=%s",
                    state.call_sid,
                    error,
                )
                document = twiml.goodbye(self.config.twiml, [twiml.TEXTS["error"]])
                return response.text(document, content_type=XML)
        if state.pending_recording:
            await self.attach_recording(state.voicemail_folio, state.pending_recording)
            state.pending_recording = None
        await self.states.save(state)
        return response.text(
            twiml.voicemail_filed(self.config.twiml, state.voicemail_folio), content_type=XML
        )

    async def file_voicemail(self, state: CallState, params: dict[str, str]) -> str:
        contact = {"phone": state.caller} if state.caller.startswith("+56") else {}
        body = {
            "type": "consulta",
            "channel": CHANNEL,
            "description": "Mensaje de voz",
            "contact": contact,
            "channel_user_id": state.caller,
            "conversation_id": state.call_sid,
            "transcript": state.transcript,
            "idempotency_key": f"voice-{params.get('RecordingSid') or state.call_sid}",
        }
        case = await self.api.post_json("/api/v1/cases", body)
        logger.info(
            "channel=voice event=voicemail_filed call_sid=%s folio=%s",
            state.call_sid,
            case.get("folio"),
        )
        return str(case["folio"])

    async def recording_status(self, params: dict[str, str]) -> response.HTTPResponse:
        """The recording file is ready at Twilio: fetch it and attach it to the case."""
        if params.get("RecordingStatus") != "completed" or not params.get("RecordingUrl"):
            return response.empty()
        state = await self.load(params)
        if not state.voicemail_folio:
            state.pending_recording = params["RecordingUrl"]
            await self.states.save(state)
            return response.empty()
        await self.attach_recording(state.voicemail_folio, params["RecordingUrl"])
        return response.empty()

    async def attach_recording(self, folio: str, recording_url: str) -> None:
        url = f"{recording_url}.mp3"
        if not self.config.trusts(url):
            raise AdminApiError(f"recording from an untrusted host: {urlparse(url).hostname}")
        auth = aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token)
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, auth=auth if self.config.account_sid else None) as reply,
        ):
            if reply.status != 200:
                raise AdminApiError(f"recording fetch status={reply.status}")
            audio = await reply.read()
        await self.api.attach(folio, audio, "audio/mpeg", f"mensaje-de-voz-{folio}.mp3")
        logger.info("channel=voice event=recording_attached folio=%s bytes=%d", folio, len(audio))

    async def call_status(self, params: dict[str, str]) -> response.HTTPResponse:
        logger.info(
            "channel=voice event=call_status call_sid=%s status=%s duration=%s",
            params.get("CallSid", ""),
            params.get("CallStatus", ""),
            params.get("CallDuration", ""),
        )
        return response.empty()

    # --- helpers --------------------------------------------------------------------------

    @staticmethod
    def metadata(state: CallState) -> dict[str, str]:
        """What the actions may know about the call (the caller's number is their identity)."""
        return {"channel": CHANNEL, "channel_user_id": state.caller, "call_sid": state.call_sid}

    async def load(self, params: dict[str, str]) -> CallState:
        """The call's state; a call we lost track of (restart, expiry) starts afresh."""
        call_sid = params.get("CallSid", "")
        state = await self.states.load(call_sid)
        if state is None:
            state = CallState(
                call_sid=call_sid,
                caller=params.get("From", ""),
                municipal_number=params.get("To", ""),
            )
        return state

    async def municipality(self) -> str:
        """The commune's name as configured in the admin, asked once per process."""
        if self._municipality is None:
            try:
                name = (await self.api.get_json("/api/v1/commune")).get("name")
            except (AdminApiError, aiohttp.ClientError, TimeoutError) as error:
                logger.warning("channel=voice event=commune_unavailable error=%s", error)
                return "Municipalidad"
            self._municipality = str(name or "Municipalidad")
        return self._municipality
