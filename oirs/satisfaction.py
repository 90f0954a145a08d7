"""The resident's 1-5 rating of an answer, kept as an event so statistics can read it."""

from __future__ import annotations

from datetime import datetime

from oirs.cases import RESIDENT, Actor, add_event
from oirs.errors import InvalidField, InvalidTransition
from oirs.models import Case, CaseEvent
from oirs.workflow import ANSWERED_STATUSES

SCALE = range(1, 6)


def record_satisfaction(
    case: Case, score: int, actor: Actor = RESIDENT, now: datetime | None = None
) -> CaseEvent:
    """Store the rating the resident gave after `respondido` (1 very bad .. 5 very good)."""
    if case.status not in ANSWERED_STATUSES:
        raise InvalidTransition("El caso aún no tiene una respuesta que evaluar.")
    if score not in SCALE:
        raise InvalidField({"score": "La evaluación debe ser un número del 1 al 5."})
    return add_event(case, actor, "satisfaccion", None, data={"score": score}, now=now)
