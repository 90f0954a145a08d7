"""The folio by SMS: after the bot files a case, the caller may have it texted to their phone."""

from __future__ import annotations

from sanic import response

from channels.voice import twiml
from channels.voice.answers import is_affirmative
from channels.voice.call_state import CallState, CallStates
from channels.voice.commune import CommuneName
from channels.voice.config import VoiceConfig, twiml_reply
from channels.voice.texts import TEXTS
from channels.voice.twilio_api import TwilioApi


class FolioBySms:
    def __init__(
        self, config: VoiceConfig, states: CallStates, twilio: TwilioApi, commune: CommuneName
    ) -> None:
        self.config = config
        self.states = states
        self.twilio = twilio
        self.commune = commune

    def can_text(self, state: CallState) -> bool:
        return bool(self.config.account_sid and state.caller.startswith("+"))

    async def offer(self, state: CallState, folio: str, turn: twiml.Turn) -> response.HTTPResponse:
        """Say the bot's reply, then ask whether to text the folio just filed."""
        state.sms_folio = folio
        state.asked([TEXTS["sms_offer"]], [])
        await self.states.save(state)
        document = twiml.bot_turn(
            twiml.Turn(texts=turn.texts), self.config.twiml, [TEXTS["sms_offer"]]
        )
        return twiml_reply(document)

    async def answer(self, state: CallState, answer: str) -> response.HTTPResponse:
        """The caller's yes or no to receiving the folio by SMS."""
        folio, state.sms_folio = state.sms_folio or "", None
        state.record("resident", [answer])
        texts = [TEXTS["sms_declined"]]
        if is_affirmative(answer):
            body = TEXTS["sms_body"].format(municipality=await self.commune.get(), folio=folio)
            await self.twilio.send_sms(state.call_sid, state.municipal_number, state.caller, body)
            texts = [TEXTS["sms_sent"]]
        texts += [TEXTS["anything_else"], TEXTS["menu"]]
        state.record("bot", texts[:1])
        state.asked(texts[1:], [], menu=True)
        await self.states.save(state)
        return twiml_reply(twiml.bot_turn(twiml.Turn(texts=texts), self.config.twiml))
