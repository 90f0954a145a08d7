"""One round of the outbox worker: claim, send outside the transaction, record."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from admin.senders import DeliveryError, Sender
from oirs.models import utcnow
from oirs.outbox.delivery import Delivery, claim_due, mark_failed, mark_sent
from oirs.privacy.masking import mask_text

log = logging.getLogger(__name__)


@dataclass
class RoundResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_due(
    sessions: sessionmaker[Session],
    senders: Mapping[str, Sender],
    clock: Callable[[], datetime] = utcnow,
    batch: int = 20,
) -> RoundResult:
    """Deliver what is due now; a provider that is down only delays its messages."""
    with sessions.begin() as session:
        claimed = claim_due(session, clock(), batch)
    result = RoundResult()
    for delivery in claimed:
        _deliver(sessions, senders, delivery, clock, result)
    return result


def _deliver(
    sessions: sessionmaker[Session],
    senders: Mapping[str, Sender],
    delivery: Delivery,
    clock: Callable[[], datetime],
    result: RoundResult,
) -> None:
    sender = senders.get(delivery.channel)
    try:
        if sender is None:
            raise DeliveryError(f"channel {delivery.channel} is not configured", permanent=True)
        provider_id = sender.send(delivery, clock())
    except DeliveryError as exc:
        with sessions.begin() as session:
            failure = mark_failed(session, delivery.id, str(exc), exc.permanent, clock())
        log.warning(
            "outbox event=%s id=%s channel=%s to=%s attempt=%d fallback=%s error=%s",
            "failed" if failure.final else "retry",
            delivery.id,
            delivery.channel,
            mask_text(delivery.recipient),
            delivery.attempt,
            failure.fallback_id,
            mask_text(str(exc)),
        )
        if failure.final:
            result.failed += 1
        else:
            result.retried += 1
        return
    with sessions.begin() as session:
        mark_sent(session, delivery.id, provider_id, clock())
    log.info(
        "outbox event=sent id=%s channel=%s to=%s attempt=%d",
        delivery.id,
        delivery.channel,
        mask_text(delivery.recipient),
        delivery.attempt,
    )
    result.sent += 1
