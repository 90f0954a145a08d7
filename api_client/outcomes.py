"""How a conversation went, told to the admin for its containment statistics.

Used by the actions (actions/outcomes.py, after each outcome a rule or form reaches) and by the
phone line for what it does without Rasa (a caller put through to an agent from the call
menu, a voicemail left for a call-back). The conversation is named by a keyed hash of Rasa's
conversation id, never by the id itself (a phone number on WhatsApp and on the phone line).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os

from api_client.client import TOKEN_VARIABLE
from api_client.errors import ApiError
from api_client.shared import shared_client

logger = logging.getLogger(__name__)

HANDED_OFF = "handed_off"
# reports on their way; a task only weakly referenced by the loop could be collected
_PENDING: set[asyncio.Task[None]] = set()


def conversation_hash(sender_id: str) -> str:
    """Rasa's conversation id as the admin sees it: keyed, so not reversible from the hash."""
    key = (os.environ.get(TOKEN_VARIABLE) or "").encode()  # the bot's API token
    return hmac.new(key, sender_id.encode(), hashlib.sha256).hexdigest()[:32]


def report_in_background(sender_id: str, channel: str, outcome: str) -> None:
    """Send the outcome without waiting for it; a lost report is one conversation less."""

    async def send() -> None:
        try:
            await shared_client().report_outcome(conversation_hash(sender_id), channel, outcome)
        except ApiError as error:
            logger.warning("event=outcome_not_reported outcome=%s error=%s", outcome, error)

    task = asyncio.get_running_loop().create_task(send())
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def wait_reported() -> None:
    """Wait until the reports sent from this process have been answered (tests)."""
    while _PENDING:
        await asyncio.gather(*_PENDING, return_exceptions=True)
