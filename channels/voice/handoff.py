"""A person, or a voicemail: the caller is queued for the agents in hours, else offered to record.

The admin decides with the same hours and calendar (oirs/handoffs/queue.py); when it still answers
`after_hours` (a holiday the channel's schedule does not know), its message says why and when.
"""

from __future__ import annotations

import logging
from datetime import datetime

from oirs_rules.calendar import BusinessCalendar
from oirs_rules.dates import SANTIAGO
from oirs_rules.hours import CallCenterHours
from sanic import response

from api_client import ApiError, shared_client
from api_client.outcomes import HANDED_OFF, report_in_background
from channels.voice import twiml
from channels.voice.call_state import CallState, CallStates
from channels.voice.config import CHANNEL, VoiceConfig, twiml_reply
from channels.voice.conversation import HANDOFF_INTENT
from channels.voice.speech import find_folio
from channels.voice.texts import TEXTS

logger = logging.getLogger(__name__)

QUEUE_ENDED_WITH_AGENT = frozenset({"bridged", "bridging-in-process", "hangup", "redirected"})


class Handoff:
    """Queues the caller for the agents, or records a voicemail when no one answers."""

    def __init__(self, config: VoiceConfig, states: CallStates) -> None:
        self.config = config
        self.states = states
        # the admin decides with the same hours and calendar (oirs/handoffs/queue.py)
        self.hours = CallCenterHours.from_spec(config.hours)
        self.calendar = BusinessCalendar(comuna=config.comuna)

    def is_open(self, moment: datetime | None = None) -> bool:
        """Whether agents answer now (or at `moment`): the configured hours, closed on holidays."""
        return self.hours.is_open(moment or datetime.now(SANTIAGO), self.calendar)

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
            handoff = await shared_client().request_handoff(body)
        except ApiError as error:
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
        state.record("bot", [TEXTS["transfer"]])
        await self.states.save(state)
        # put through from the call menu, without the bot's action_handoff: containment hears it
        report_in_background(state.call_sid, CHANNEL, HANDED_OFF)
        logger.info(
            "channel=voice event=enqueued call_sid=%s queue=%s handoff=%s",
            state.call_sid,
            settings.queue,
            handoff.get("id"),
        )
        return twiml_reply(twiml.transfer(settings))

    async def after_bot_handoff(self, state: CallState, texts: list[str]) -> response.HTTPResponse:
        """The bot queued the caller (or registered a consulta after hours): act on it."""
        folio = find_folio(texts)
        if folio or not self.is_open():
            state.voicemail_folio = folio
            return await self.offer_voicemail(state, tuple(texts), explained=bool(folio))
        state.handed_off = True
        await self.states.save(state)
        return twiml_reply(twiml.transfer(self.config.twiml, texts))

    async def offer_voicemail(
        self, state: CallState, before: tuple[str, ...] = (), explained: bool = False
    ) -> response.HTTPResponse:
        hours = None if explained else twiml.hours_in_spanish(self.hours)
        document = twiml.voicemail(self.config.twiml, hours, before)
        state.record("bot", [*before, TEXTS["voicemail_short"]])
        await self.states.save(state)
        return twiml_reply(document)

    async def queue_ended(self, params: dict[str, str]) -> response.HTTPResponse:
        """The wait in the queue ended: after an agent there is nothing left; else voicemail."""
        result = params.get("QueueResult", "")
        logger.info(
            "channel=voice event=queue_result call_sid=%s result=%s",
            params.get("CallSid", ""),
            result,
        )
        if result in QUEUE_ENDED_WITH_AGENT:
            return twiml_reply(twiml.goodbye(self.config.twiml, []))
        state = await self.states.current(params)
        return await self.offer_voicemail(state, (TEXTS["queue_failed"],), explained=True)
