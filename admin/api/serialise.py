"""Case JSON for the API: the fields of SPEC §6, contact data masked."""

from __future__ import annotations

from datetime import date
from typing import Any

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import business_days_left
from oirs.cases.filing import due_date_display
from oirs.labels import STATUS_LABELS, TYPE_LABELS
from oirs.models import Case, CaseEvent
from oirs.privacy.masking import mask_text


def event_json(event: CaseEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_label,
        "kind": event.kind,
        "from": event.from_status,
        "to": event.to_status,
        "note": event.note,
    }


def case_summary(case: Case, calendar: BusinessCalendar, today: date) -> dict[str, Any]:
    """What a resident may see of their case after proving who they are."""
    return {
        "folio": case.folio,
        "type": case.type,
        "type_label": TYPE_LABELS[case.type],
        "category": case.category.code if case.category else None,
        "status": case.status,
        "status_label": STATUS_LABELS.get(case.status, case.status),
        "unit": case.unit.name if case.unit else None,
        "created_at": case.created_at.isoformat(),
        "due_date": case.due_date.isoformat(),
        "due_date_display": due_date_display(case.due_date),
        "business_days_left": business_days_left(case.due_date, today, calendar),
        "last_update": case.events[-1].at.isoformat() if case.events else None,
    }


def masked_transcript(transcript: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The conversation with every e-mail, RUT and phone masked in what was said."""
    return [
        {**turn, "text": mask_text(str(turn.get("text", "")))} if "text" in turn else dict(turn)
        for turn in transcript or []
        if isinstance(turn, dict)
    ]


def case_json(case: Case, calendar: BusinessCalendar, today: date) -> dict[str, Any]:
    """A case for `read` tokens: contact data, the description and the transcript masked
    (only the bot's second-factor look-up answers about a case unmasked, and it carries no
    conversation)."""
    contact = {
        "name": case.contact_name,
        "email": mask_text(case.contact_email) if case.contact_email else None,
        "phone": mask_text(case.contact_phone) if case.contact_phone else None,
        "rut": mask_text(case.contact_rut) if case.contact_rut else None,
        "preferred_channel": case.preferred_channel,
    }
    return {
        **case_summary(case, calendar, today),
        "channel": case.channel,
        "unit_code": case.unit.code if case.unit else None,
        "description": mask_text(case.description),
        "address": case.address,
        "coordinates": (
            {"lat": case.latitude, "lon": case.longitude} if case.latitude is not None else None
        ),
        "contact": contact,
        "events": [event_json(e) for e in case.events],
        "transcript": masked_transcript(case.transcript),
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in case.attachments
        ],
    }
