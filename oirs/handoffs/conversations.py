"""How the bot's conversations end, as the bot reports them: the ground of containment.

A conversation is one Rasa session. The bot reports when it starts and each outcome it reaches
(an FAQ or trámite answered, a case filed, a status given, a hand-off to a person), naming the
conversation by a keyed hash of Rasa's conversation id: the admin counts conversations and never
learns who held them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.errors import InvalidField
from oirs.models import Channel, ConversationOutcome, utcnow

STARTED = "started"
FAQ_ANSWERED = "faq_answered"
CASE_FILED = "case_filed"
STATUS_GIVEN = "status_given"
HANDED_OFF = "handed_off"
OUTCOMES = frozenset({STARTED, FAQ_ANSWERED, CASE_FILED, STATUS_GIVEN, HANDED_OFF})
# resolved without a person: what containment counts as contained
RESOLVED = frozenset({FAQ_ANSWERED, CASE_FILED, STATUS_GIVEN})
CHANNELS = frozenset(c.value for c in Channel)
# an outcome belongs to the latest start of its conversation within this long; a conversation
# with none in it was abandoned
ABANDON_AFTER = timedelta(hours=24)
# a hex digest (the bot sends HMAC-SHA256 truncated to 32): never a phone number or chat id
CONVERSATION_HASH = re.compile(r"[0-9a-f]{32,64}")
MESSAGES = {
    "conversation": "Debe ser el resumen (hash) hexadecimal de la conversación, no su id.",
    "channel": "Canal desconocido.",
    "outcome": "Resultado desconocido: started, faq_answered, case_filed, status_given o "
    "handed_off.",
}


def record_outcome(
    session: Session, conversation: str, channel: str, outcome: str, now: datetime | None = None
) -> ConversationOutcome:
    """A start opens a conversation; an outcome settles the latest one started within
    ABANDON_AFTER (a hand-off over anything, else the first outcome), or, when its start was
    never reported, opens one settled at once. The caller owns the transaction."""
    errors = {}
    if not CONVERSATION_HASH.fullmatch(conversation):
        errors["conversation"] = MESSAGES["conversation"]
    if channel not in CHANNELS:
        errors["channel"] = MESSAGES["channel"]
    if outcome not in OUTCOMES:
        errors["outcome"] = MESSAGES["outcome"]
    if errors:
        raise InvalidField(errors)
    now = now or utcnow()
    row = None if outcome == STARTED else _latest(session, conversation, now)
    if row is None:
        row = ConversationOutcome(conversation=conversation, channel=channel, started_at=now)
        session.add(row)
    if outcome != STARTED and (outcome == HANDED_OFF or row.outcome is None):
        row.outcome, row.outcome_at = outcome, now
    return row


def _latest(session: Session, conversation: str, now: datetime) -> ConversationOutcome | None:
    query = (
        select(ConversationOutcome)
        .where(
            ConversationOutcome.conversation == conversation,
            ConversationOutcome.started_at <= now,
            ConversationOutcome.started_at > now - ABANDON_AFTER,
        )
        .order_by(ConversationOutcome.started_at.desc(), ConversationOutcome.id.desc())
        .limit(1)
        .with_for_update()
    )
    return session.scalar(query)
