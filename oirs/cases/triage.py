"""OIRS triage: classifying a case may correct its category, and with it the unit.

A corrected category is also a lesson for the theme classifier (oirs.themes.store)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.cases.filing import Actor, transition
from oirs.errors import InvalidField, InvalidTransition
from oirs.models import Case, CaseEvent, Category
from oirs.themes.store import record_correction

MESSAGES = {
    "unknown_category": "La categoría no existe o está inactiva.",
    "already_classified": "El caso ya está en esa categoría: para corregirla, elija otra.",
}


def classify(
    session: Session, case: Case, actor: Actor, category_code: str | None, note: str | None = None
) -> CaseEvent:
    """Move the case to clasificado; a new category also routes it to that category's unit.

    The due date stays as told to the resident: the correction is recorded in the event."""
    data: dict[str, Any] = {}
    current = case.category.code if case.category else None
    if category_code and category_code != current:
        category = session.scalar(
            select(Category).where(Category.code == category_code, Category.active.is_(True))
        )
        if category is None:
            raise InvalidField({"category": MESSAGES["unknown_category"]})
        data = {"category": category.code, "previous_category": current}
        case.category = category
        record_correction(session, case, category, actor)
        if category.unit is not None:
            data["unit"] = category.unit.code
            case.unit = category.unit
    if case.status == "clasificado" and not data:
        # a case filed with its theme is classified already: only a correction is a step
        raise InvalidTransition(MESSAGES["already_classified"])
    return transition(session, case, "clasificar", actor, note, data)
