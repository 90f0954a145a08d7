"""Tells the admin how a conversation went, for the containment statistics.

A session's start, an FAQ or trámite answered, a case filed, a status given, a hand-off: each
is reported once, in the background, so a resident's turn never waits for it nor fails with
it. No personal data goes: the channel, the outcome, and Rasa's conversation id as a keyed
hash (HMAC-SHA256 with the bot's API token), which the admin cannot turn back into a phone
number or chat.
"""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import api_client, case_channel
from api_client import ApiError
from api_client.outcomes import conversation_hash

logger = logging.getLogger(__name__)

STARTED = "started"
FAQ_ANSWERED = "faq_answered"
CASE_FILED = "case_filed"
STATUS_GIVEN = "status_given"
HANDED_OFF = "handed_off"
# the report leaves this long after the action returned: the resident's answer goes first
REPORT_DELAY = 0.05
# reports still to leave (per loop) or on their way; a task only weakly referenced by the
# loop could be collected
_SCHEDULED: dict[asyncio.TimerHandle, asyncio.AbstractEventLoop] = {}
_PENDING: set[asyncio.Task[None]] = set()


def conversation_channel(tracker: Tracker) -> str:
    """The channel of this conversation: the one the session's first message named (at the
    session's start no message is in the tracker yet; our channels name theirs as the case API
    does, and the admin refuses a name it does not know), else the latest message's."""
    metadata = tracker.get_slot("session_started_metadata")
    named = metadata.get("channel") if isinstance(metadata, dict) else None
    return named if isinstance(named, str) and named else case_channel(tracker)


def report_outcome(tracker: Tracker, outcome: str) -> None:
    """Send the outcome in the background, shortly after the action returns; nothing waits."""
    loop = asyncio.get_running_loop()
    report = (conversation_hash(tracker.sender_id), conversation_channel(tracker), outcome)

    def leave() -> None:
        _SCHEDULED.pop(handle, None)
        task = loop.create_task(_send(*report))
        _PENDING.add(task)
        task.add_done_callback(_PENDING.discard)

    handle = loop.call_later(REPORT_DELAY, leave)
    _SCHEDULED[handle] = loop


async def wait_reported() -> None:
    """Wait until this loop's reports have left and been answered (tests)."""
    loop = asyncio.get_running_loop()
    for handle, owner in list(_SCHEDULED.items()):
        if owner.is_closed():  # a loop that ended before its reports left: they never will
            _SCHEDULED.pop(handle, None)
    while any(owner is loop for owner in _SCHEDULED.values()) or _PENDING:
        if _PENDING:
            await asyncio.gather(*_PENDING, return_exceptions=True)
        else:
            await asyncio.sleep(REPORT_DELAY)


async def _send(conversation: str, channel: str, outcome: str) -> None:
    try:
        await api_client().report_outcome(conversation, channel, outcome)
    except ApiError as error:  # one conversation missing from the statistics, nothing more
        logger.warning("outcome_not_reported outcome=%s error=%s", outcome, type(error).__name__)


class ActionFaqRespondida(Action):
    """Runs after each fixed FAQ answer (utter_faq, chosen by rules with no action of ours):
    the admin learns the conversation got an answer without a person. Says nothing."""

    def name(self) -> str:
        return "action_faq_respondida"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        report_outcome(tracker, FAQ_ANSWERED)
        return []
