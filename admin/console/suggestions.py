"""Suggested replies for the resident's messages (oirs.handoffs.assist): proposed, never sent."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.filters import SANTIAGO
from admin.database import calendar, settings
from oirs.calendar.deadlines import business_days_left
from oirs.cases.resident_lookup import open_cases_of
from oirs.handoffs.assist import ReplyAssistant, ResidentCase, Suggestion, load_faq
from oirs.labels import STATUS_LABELS, TYPE_LABELS
from oirs.models import Handoff, ReplyTemplate, utcnow
from oirs.settings import PROJECT_ROOT

# The FAQ is the bot's: answers are its Rasa responses, questions its NLU examples.
FAQ_RESPONSES = PROJECT_ROOT / "bot" / "faq.yml"
FAQ_EXAMPLES = PROJECT_ROOT / "data" / "nlu" / "faq.yml"

SOURCE_LABELS = {
    "faq": "Preguntas frecuentes",
    "template": "Plantilla de respuesta",
    "case": "Caso del vecino",
}


def assistant(session: Session) -> ReplyAssistant:
    """One assistant per app, rebuilt when the active reply templates change."""
    templates = [
        {"code": t.code, "name": t.name, "body": t.body}
        for t in session.scalars(
            select(ReplyTemplate).where(ReplyTemplate.active.is_(True)).order_by(ReplyTemplate.code)
        )
    ]
    key = tuple((t["code"], t["body"]) for t in templates)
    cached: tuple[Any, ReplyAssistant] | None = current_app.extensions.get("oirs_reply_assistant")
    if cached is None or cached[0] != key:
        cached = (key, ReplyAssistant(load_faq(FAQ_RESPONSES, FAQ_EXAMPLES), templates))
        current_app.extensions["oirs_reply_assistant"] = cached
    return cached[1]


def resident_cases(session: Session, handoff: Handoff) -> list[ResidentCase]:
    cal, today = calendar(), utcnow().astimezone(SANTIAGO).date()
    return [
        ResidentCase(
            folio=c.folio,
            type_label=TYPE_LABELS.get(c.type, c.type),
            status_label=STATUS_LABELS.get(c.status, c.status),
            due_date=c.due_date,
            unit=c.unit.name if c.unit else None,
            category_label=c.category.name if c.category else None,
            business_days_left=business_days_left(c.due_date, today, cal),
        )
        for c in open_cases_of(session, handoff)
    ]


def suggestions_for(session: Session, handoff: Handoff, index: int) -> list[Suggestion]:
    """Up to three replies to the resident message at `index` of the transcript."""
    transcript = handoff.transcript or []
    if not 0 <= index < len(transcript) or transcript[index].get("sender") != "resident":
        return []
    values = {
        "nombre": str((handoff.slots or {}).get("nombre") or "vecino/a"),
        "municipalidad": settings().commune.name,
    }
    if handoff.case is not None:
        values["folio"] = handoff.case.folio
    return assistant(session).suggest(
        str(transcript[index].get("text", "")), resident_cases(session, handoff), values
    )


def last_resident_index(handoff: Handoff) -> int | None:
    for index in range(len(handoff.transcript or []) - 1, -1, -1):
        if handoff.transcript[index].get("sender") == "resident":
            return index
    return None
