"""The conversation of a call: greet, pass each answer (speech or keys) to Rasa, speak its reply.

Silence and unreliable transcriptions are recovered here (ask again, offer the keypad, then a
person); asking for a person, a failure of the assistant and the bot's own handoff go to
handoff.py; a folio just filed may be texted (sms.py).
"""

from __future__ import annotations

import logging
from typing import Any

from oirs_rules.masking import mask_id
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import response
from sanic.request import Request

from channels.ratelimit import WebhookLimits
from channels.voice import conversation, twiml
from channels.voice.answers import HANDOFF, keys_to_message, recovery_step
from channels.voice.call_state import CallState, CallStates
from channels.voice.commune import CommuneName
from channels.voice.config import CHANNEL, VoiceConfig, number_or, twiml_reply
from channels.voice.handoff import Handoff
from channels.voice.sms import FolioBySms
from channels.voice.texts import TEXTS

logger = logging.getLogger(__name__)

# The channel greets and gives the data notice itself; the bot's chat versions are not repeated.
SKIPPED_RESPONSES = frozenset({"utter_bienvenida", "utter_aviso_privacidad"})
GOODBYE_RESPONSES = frozenset({"utter_despedida"})
HANDOFF_PAYLOAD = "/hablar_con_humano"
SESSION_START = "/session_start"
# What Twilio puts in From when the caller withheld their number: not one caller, so not
# limited as one (a resident with a hidden number must not be refused because of another).
WITHHELD_NUMBERS = frozenset(
    {"+266696687", "+7378742833", "+8656696", "+2562533", "+86282452253", "anonymous", ""}
)


class VoiceOutput(CollectingOutputChannel):
    """Keeps each bot message whole (text, buttons, response name) for the TwiML builders."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))


def metadata(state: CallState) -> dict[str, str]:
    """What the actions may know about the call (the caller's number is their identity)."""
    return {"channel": CHANNEL, "channel_user_id": state.caller, "call_sid": state.call_sid}


class Dialogue:
    def __init__(
        self,
        config: VoiceConfig,
        states: CallStates,
        limits: WebhookLimits,
        commune: CommuneName,
        handoff: Handoff,
        sms: FolioBySms,
    ) -> None:
        self.config = config
        self.states = states
        self.limits = limits
        self.commune = commune
        self.handoff = handoff
        self.sms = sms

    async def answer(self, params: dict[str, str], on_new_message: Any) -> response.HTTPResponse:
        """A new call: greet, give the data notice and the menu.

        The Rasa session is started now and its chat greeting discarded: on the phone the
        channel's own spoken greeting and notice replace it.
        """
        refused = await self.caller_limited(params)
        if refused is not None:
            return refused
        state = CallState.from_params(params)
        await on_new_message(
            UserMessage(
                SESSION_START,
                VoiceOutput(),
                state.call_sid,
                input_channel=CHANNEL,
                metadata=metadata(state),
            )
        )
        municipality = await self.commune.get()
        document = twiml.greeting(self.config.twiml, municipality)
        state.asked([TEXTS["menu"]], [], menu=True)
        state.record("bot", [TEXTS["greeting"].format(municipality=municipality)])
        await self.states.save(state)
        logger.info(
            "channel=voice event=call_answered call_sid=%s from=%s direction=%s",
            state.call_sid,
            mask_id(state.caller),
            params.get("Direction", ""),
        )
        return twiml_reply(document)

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
        return twiml_reply(twiml.goodbye(self.config.twiml, [TEXTS["rate_limited"]]))

    async def gather(
        self, request: Request, params: dict[str, str], on_new_message: Any
    ) -> response.HTTPResponse:
        """One answer of the caller: keys or speech, or nothing (silence, misrecognition)."""
        state = await self.states.current(params)
        speech = params.get("SpeechResult", "").strip()
        digits = params.get("Digits", "").strip()
        if speech and not self.confident(params.get("Confidence")):
            logger.info("channel=voice event=low_confidence call_sid=%s", state.call_sid)
            speech = ""
        if not speech and not digits:
            return await self.failed(state)
        state.failures = 0
        if state.sms_folio:
            return await self.sms.answer(state, digits or speech)
        if digits:
            message = keys_to_message(digits, state.last_buttons, state.menu_active)
            chosen = [b["title"] for b in state.last_buttons if b.get("payload") == message]
            state.record("resident", [f"(teclado {digits}) {chosen[0] if chosen else ''}"])
        else:
            state.record("resident", [speech])
            message = speech
            if await conversation.wants_person(request, speech, self.config.handoff_confidence):
                message = HANDOFF_PAYLOAD
        if message in (HANDOFF, HANDOFF_PAYLOAD):
            return await self.handoff.hand_off(state, "solicitud_del_vecino")
        try:
            return await self.converse(request, state, message, on_new_message)
        except Exception:
            # the assistant failed mid-call: the caller is passed to a person, not dropped
            logger.exception("channel=voice event=assistant_failed call_sid=%s", state.call_sid)
            return await self.handoff.hand_off(state, "falla_del_asistente")

    async def converse(
        self, request: Request, state: CallState, text: str, on_new_message: Any
    ) -> response.HTTPResponse:
        """Send the caller's words to Rasa and speak its answer."""
        output = VoiceOutput()
        filed_before = await conversation.last_filed(request, state.call_sid)
        await on_new_message(
            UserMessage(
                text, output, state.call_sid, input_channel=CHANNEL, metadata=metadata(state)
            )
        )
        messages = [m for m in output.messages if m.get("utter_action") not in SKIPPED_RESPONSES]
        turn = twiml.turn_from_messages(messages)
        state.record("bot", turn.texts)
        if await conversation.bot_handed_off(request, state.call_sid):
            return await self.handoff.after_bot_handoff(state, turn.texts)
        if any(m.get("utter_action") in GOODBYE_RESPONSES for m in messages):
            await self.states.save(state)
            return twiml_reply(twiml.goodbye(self.config.twiml, turn.texts))
        if not turn.texts:
            turn = twiml.Turn(texts=[TEXTS["anything_else"], TEXTS["menu"]])
            state.asked(turn.texts, [], menu=True)
            await self.states.save(state)
            return twiml_reply(twiml.bot_turn(turn, self.config.twiml))
        folio = await conversation.last_filed(request, state.call_sid)
        if folio and folio != filed_before and self.sms.can_text(state):
            return await self.sms.offer(state, folio, turn)
        state.asked(turn.texts, turn.buttons)
        await self.states.save(state)
        return twiml_reply(twiml.bot_turn(turn, self.config.twiml))

    async def failed(self, state: CallState) -> response.HTTPResponse:
        """Silence or an unreliable transcription: ask again, then offer keys, then a person."""
        state.failures += 1
        step = recovery_step(state.failures)
        logger.info(
            "channel=voice event=no_input call_sid=%s failures=%d step=%s",
            state.call_sid,
            state.failures,
            step,
        )
        if step == "person":
            return await self.handoff.hand_off(state, "no_se_entendio")
        turn = twiml.Turn(texts=state.last_texts, buttons=state.last_buttons)
        if step == "keys":
            state.menu_active = state.menu_active or not state.last_buttons
        await self.states.save(state)
        builder = twiml.reprompt if step == "reprompt" else twiml.keys_prompt
        return twiml_reply(builder(turn, self.config.twiml))

    def confident(self, confidence: str | None) -> bool:
        """Twilio's transcription confidence; missing or zero means the engine gave none."""
        value = number_or(confidence, 0.0)
        return value <= 0.0 or value >= self.config.min_confidence
