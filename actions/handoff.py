"""Hands the conversation to a person: the admin queues it (or registers a consulta after hours)."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import api_client, channel_identity
from actions.core import consecutive_fallbacks
from actions.messages import say
from actions.outcomes import HANDED_OFF, report_outcome
from actions.transcript import build_transcript
from api_client import ApiError

logger = logging.getLogger(__name__)


def handoff_reason(tracker: Tracker) -> str:
    """Why the resident goes to a person: asked for it, or the assistant did not understand."""
    previous_user_events = [event for event in tracker.events if event.get("event") == "user"][:-1]
    return "no_entendido" if consecutive_fallbacks(previous_user_events) else "solicitado"


class ActionHandoff(Action):
    """POST /api/v1/handoffs with the transcript, then tells the resident what the admin said."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        payload = {
            **channel_identity(tracker),
            "transcript": build_transcript(tracker.events),
            "intent": ((tracker.latest_message or {}).get("intent") or {}).get("name"),
            "reason": handoff_reason(tracker),
        }
        try:
            result = await api_client().request_handoff(payload)
        except ApiError as error:
            logger.error("handoff_failed error=%s", type(error).__name__)
            say(dispatcher, tracker, "handoff_error")
            return []
        logger.info("handoff_queued id=%s status=%s", result.get("id"), result.get("status"))
        if result.get("message"):
            dispatcher.utter_message(text=str(result["message"]))
        else:
            say(dispatcher, tracker, "handoff_en_cola")
        if result.get("folio"):
            say(dispatcher, tracker, "handoff_folio", folio=result["folio"])
        report_outcome(tracker, HANDED_OFF)
        return []
