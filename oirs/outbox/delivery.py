"""Delivery of staff messages to residents: claim what is due, send it, record the outcome.

The caller owns transactions: claim in one, send outside any, record in another. A
claimed message is leased (next_attempt_at moves forward), so a worker that dies
mid-send releases it by simply not coming back; PostgreSQL workers skip each other's
locked rows. After the last attempt the message is `failed`, the case says so, and an
e-mail copy is queued when the resident gave an address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oirs.cases.filing import SYSTEM, add_event
from oirs.models import Attachment, Case, OutboxMessage, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
LEASE = timedelta(minutes=5)
WHATSAPP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class DeliveryFile:
    """A stored file that goes with a message (a SAI letter as PDF)."""

    filename: str
    content_type: str
    storage_key: str


@dataclass(frozen=True)
class Delivery:
    """What a sender needs, detached from the session (sending happens outside it)."""

    id: int
    channel: str
    recipient: str
    body: str
    idempotency_key: str
    attempt: int
    payload: dict[str, Any] = field(default_factory=dict)
    folio: str | None = None
    last_inbound_at: datetime | None = None
    files: tuple[DeliveryFile, ...] = ()

    def within_whatsapp_window(self, now: datetime) -> bool:
        """Free-form WhatsApp text is allowed only 24 h after the resident last wrote."""
        return self.last_inbound_at is not None and now - self.last_inbound_at < WHATSAPP_WINDOW


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4, 8… minutes, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def claim_due(session: Session, now: datetime | None = None, limit: int = 20) -> list[Delivery]:
    """Lease up to `limit` due messages to this worker (SKIP LOCKED on PostgreSQL)."""
    now = now or utcnow()
    query = (
        select(OutboxMessage)
        .where(
            or_(OutboxMessage.status == PENDING, OutboxMessage.status == SENDING),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for message in session.scalars(query).all():
        message.status = SENDING
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        claimed.append(_delivery(session, message))
    return claimed


def _delivery(session: Session, message: OutboxMessage) -> Delivery:
    case = session.get(Case, message.case_id) if message.case_id else None
    return Delivery(
        id=message.id,
        channel=message.channel,
        recipient=message.recipient,
        body=message.body,
        idempotency_key=message.idempotency_key,
        attempt=message.attempts,
        payload=dict(message.payload or {}),
        folio=case.folio if case else message.payload.get("folio"),
        last_inbound_at=last_inbound_at(message, case),
        files=_files(session, message),
    )


def _files(session: Session, message: OutboxMessage) -> tuple[DeliveryFile, ...]:
    """The attachment the payload names, if it belongs to the message's case."""
    attachment_id = (message.payload or {}).get("attachment_id")
    attachment = session.get(Attachment, attachment_id) if attachment_id else None
    if attachment is None or attachment.case_id != message.case_id:
        return ()
    return (DeliveryFile(attachment.filename, attachment.content_type, attachment.storage_key),)


def last_inbound_at(message: OutboxMessage, case: Case | None) -> datetime | None:
    """When the resident last wrote: the payload's mark, their transcript lines, the filing."""
    moments = [_parse(message.payload.get("last_inbound_at"))]
    if case is not None:
        moments.append(case.created_at)
        moments += [
            _parse(line.get("at"))
            for line in case.transcript or []
            if line.get("sender") == "resident"
        ]
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def mark_sent(
    session: Session, message_id: int, provider_id: str, now: datetime | None = None
) -> None:
    message = session.get_one(OutboxMessage, message_id)
    message.status = SENT
    message.provider_message_id = provider_id[:100]
    message.sent_at = now or utcnow()
    message.last_error = None


@dataclass(frozen=True)
class Failure:
    final: bool
    fallback_id: int | None = None


def mark_failed(
    session: Session,
    message_id: int,
    error: str,
    permanent: bool = False,
    now: datetime | None = None,
) -> Failure:
    """Schedule a retry, or give up (visible on the case) and queue the e-mail fallback."""
    now = now or utcnow()
    message = session.get_one(OutboxMessage, message_id)
    message.last_error = error[:2000]
    if not permanent and message.attempts < MAX_ATTEMPTS:
        message.status = PENDING
        message.next_attempt_at = now + retry_delay(message.attempts)
        return Failure(final=False)
    message.status = FAILED
    case = session.get(Case, message.case_id) if message.case_id else None
    fallback = _email_fallback(session, message, case, now)
    if case is not None:
        add_event(
            case,
            SYSTEM,
            "entrega_fallida",
            note=f"No se pudo entregar el mensaje por {message.channel}.",
            data={
                "outbox_id": message.id,
                "channel": message.channel,
                "attempts": message.attempts,
                "error": error[:300],
                "fallback_outbox_id": fallback.id if fallback else None,
            },
            now=now,
        )
    return Failure(final=True, fallback_id=fallback.id if fallback else None)


def _email_fallback(
    session: Session, message: OutboxMessage, case: Case | None, now: datetime
) -> OutboxMessage | None:
    if message.channel == "email" or case is None or not case.contact_email:
        return None
    key = f"{message.idempotency_key}:email"[:100]
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    fallback = OutboxMessage(
        case_id=case.id,
        channel="email",
        recipient=case.contact_email,
        body=message.body,
        payload={**(message.payload or {}), "fallback_for": message.id, "folio": case.folio},
        idempotency_key=key,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(fallback)
    session.flush()
    return fallback


def pending_for_widget(
    session: Session, session_id: str, after_id: int = 0, limit: int = 50
) -> list[OutboxMessage]:
    """Staff messages for a web-widget conversation, kept until the resident comes back."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == "web",
            OutboxMessage.recipient == session_id,
            OutboxMessage.status == SENT,
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query).all())


WINDOW_CLOSED_ERROR = "63016"  # Twilio: free-form WhatsApp message outside the 24-hour window


def provider_reported_failure(
    session: Session, provider_id: str, error_code: str, now: datetime | None = None
) -> str:
    """A message the provider accepted but could not deliver (reported later by callback).

    Outside the WhatsApp window it is sent again through the approved template; any other
    failure is final. Returns what was done: "template", "failed" or "unknown".
    """
    now = now or utcnow()
    message = session.scalar(
        select(OutboxMessage).where(OutboxMessage.provider_message_id == provider_id)
    )
    if message is None or message.status != SENT:
        return "unknown"
    payload = dict(message.payload or {})
    if error_code == WINDOW_CLOSED_ERROR and not payload.get("force_template"):
        message.payload = {**payload, "force_template": True}
        message.status = PENDING
        message.next_attempt_at = now
        message.last_error = f"provider error {error_code}"
        return "template"
    mark_failed(session, message.id, f"provider error {error_code}", permanent=True, now=now)
    return "failed"
