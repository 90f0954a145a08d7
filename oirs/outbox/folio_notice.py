"""The folio sent through the resident's channel when the assistant could not wait for it.

A resident who confirmed a case while the admin was slow was told that the folio would
follow; the assistant then files the case again with the same idempotency key, asking for
this notice. It goes out through the outbox like a staff reply, once per case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.cases.filing import due_date_display
from oirs.labels import TYPE_LABELS
from oirs.models import Case, OutboxMessage, utcnow
from oirs.outbox.replies import NoReplyRoute, reply_route

# The only user-facing text of this module.
MESSAGES = {
    "filed": (
        "Listo: registramos su {tipo} con el folio {folio}. Plazo de respuesta: hasta el "
        "{fecha}. Con ese folio puede consultar cómo va su caso."
    ),
}


def folio_notice_text(case: Case) -> str:
    """What the resident reads: the type of case, its folio and its due date."""
    label = TYPE_LABELS.get(case.type, case.type)
    return MESSAGES["filed"].format(
        tipo=label[:1].lower() + label[1:],
        folio=case.folio,
        fecha=due_date_display(case.due_date),
    )


def queue_folio_notice(
    session: Session, case: Case, now: datetime | None = None
) -> OutboxMessage | None:
    """Queue the folio for the resident once, however often it is asked; None when the case
    has no channel to reach them (no conversation to answer, no e-mail)."""
    key = f"folio:{case.folio}"
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    try:
        channel, recipient = reply_route(case)
    except NoReplyRoute:
        return None
    now = now or utcnow()
    message = OutboxMessage(
        case_id=case.id,
        channel=channel,
        recipient=recipient,
        body=folio_notice_text(case),
        payload={"kind": "folio", "folio": case.folio},
        idempotency_key=key,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message
