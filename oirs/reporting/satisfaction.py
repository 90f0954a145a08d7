"""The resident's 1-5 rating of an answer, kept as an event so statistics can read it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.cases.filing import RESIDENT, Actor, add_event
from oirs.cases.workflow import ANSWERED_STATUSES
from oirs.errors import InvalidField, InvalidTransition
from oirs.models import Case, CaseEvent, OutboxMessage, utcnow

SCALE = range(1, 6)  # the one scale kept; school grades are mapped onto it
# how long after an answer a bare number is still read as its rating
RATING_WINDOW = timedelta(days=7)
# What the resident reads once the rating is recorded (the channels and the widget show it).
MESSAGES = {
    "recorded": "Gracias, registramos su evaluación: {score}.",
    "recorded_grade": "Gracias, registramos su evaluación: nota {given}, es decir {score} de 5.",
}


def record_satisfaction(
    case: Case, score: int, actor: Actor = RESIDENT, now: datetime | None = None
) -> CaseEvent:
    """Store the rating the resident gave after `respondido` (1 very bad .. 5 very good)."""
    if case.status not in ANSWERED_STATUSES:
        raise InvalidTransition("El caso aún no tiene una respuesta que evaluar.")
    if score not in SCALE:
        raise InvalidField({"score": "La evaluación debe ser un número del 1 al 5."})
    return add_event(case, actor, "satisfaccion", None, data={"score": score}, now=now)


# A rating in the resident's words: "5", "5 gracias!! 👍", "un 7", "nota 6", "4/5", "7 de 7".
_NUMBER = re.compile(r"(?<![\w.,/+-])(\d{1,2})(?:\s*(?:/|de)\s*(\d))?(?![\w/]|[.,]\d)")
_GRADE_WORD = re.compile(r"\b(?:nota|notita)\s*(?:un|una)?\s*$")
_WORD = re.compile(r"[^\W\d_]+")
MAX_RATING_TEXT, MAX_RATING_WORDS = 60, 8
GRADE_SCALE = range(1, 8)  # Chilean school grades, 1 to 7


@dataclass(frozen=True)
class Rating:
    """A rating as the resident gave it and as it is kept (always on the 1-5 scale)."""

    given: int
    grade: bool  # given as a school grade 1-7
    score: int


def acknowledgement(rating: Rating) -> str:
    """«Gracias, registramos su evaluación: 5.»; a school grade also says what it counts as."""
    if rating.grade:
        return MESSAGES["recorded_grade"].format(given=rating.given, score=rating.score)
    return MESSAGES["recorded"].format(score=rating.score)


def grade_to_score(grade: int) -> int:
    """A school grade 1-7 on the 1-5 scale: 7 is 5, 4 is 3, 1 is 1 (linear, rounded)."""
    return round(1 + (grade - 1) * 4 / 6)


def parse_rating(text: str) -> Rating | None:
    """The rating in a short reply, or None when it holds none or more than one number.

    Numbers 1-5 answer the 1-5 question that was asked ("un 4" too); a 6 or 7, or a number
    said as a grade ("nota 5", "5 de 7"), is a Chilean school grade, mapped to that scale."""
    text = (text or "").strip().lower()
    if not text or len(text) > MAX_RATING_TEXT or len(_WORD.findall(text)) > MAX_RATING_WORDS:
        return None
    found = list(_NUMBER.finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    given, out_of = int(match.group(1)), match.group(2)
    grade = (
        out_of == "7"
        or given in (6, 7)
        or (out_of is None and bool(_GRADE_WORD.search(text[: match.start()])))
    )
    if out_of not in (None, "5", "7") or given not in (GRADE_SCALE if grade else SCALE):
        return None
    return Rating(given, grade, grade_to_score(given) if grade else given)


def awaiting_rating(
    session: Session,
    channel: str,
    recipient: str,
    now: datetime | None = None,
    bot_spoke_at: datetime | None = None,
) -> Case | None:
    """The case whose answer, sent to this resident on this channel, asked for a rating that
    has not come yet (the latest such answer, within RATING_WINDOW).

    `bot_spoke_at`: when the bot last wrote to the resident, if the channel knows; a bot
    message after the answer means the conversation moved on, and a number now answers the
    bot (a street number, an option), not the rating question."""
    now = now or utcnow()
    recipients = {recipient, recipient.removeprefix(f"{channel}:")}
    message = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.recipient.in_(recipients),
            OutboxMessage.case_id.is_not(None),
            OutboxMessage.status == "sent",
            OutboxMessage.created_at >= now - RATING_WINDOW,
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    if message is None or not (message.payload or {}).get("ask_satisfaction"):
        return None
    if bot_spoke_at is not None and bot_spoke_at > (message.sent_at or message.created_at):
        return None
    case = session.get(Case, message.case_id)
    if case is None or case.status not in ANSWERED_STATUSES:
        return None
    rated = session.scalar(
        select(CaseEvent.id).where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind == "satisfaccion",
            CaseEvent.at >= message.created_at,
        )
    )
    return None if rated is not None else case
