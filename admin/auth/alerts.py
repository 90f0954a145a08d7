"""An account under attack: one e-mail to its holder and one to each admin, through the outbox.

Queued in the login's own transaction and sent by `oirs outbox-worker`, so a slow mail server
never shows in how long a refusal takes.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import render_template
from sqlalchemy.orm import Session

from admin.auth.filters import fechahora
from admin.auth.labels import ROLE_LABELS
from admin.database import settings
from oirs.calendar.alerting import staff_emails
from oirs.models import OutboxMessage, User
from oirs.privacy.masking import mask_text

log = logging.getLogger(__name__)
ADMIN_ROLE = "admin"


def _render(template: str, **context: object) -> tuple[str, str]:
    """Mail templates carry the subject on their first line."""
    text = render_template(template, municipality=settings().commune.name, **context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def _queue(session: Session, to: str, mail: tuple[str, str], key: str, now: datetime) -> None:
    subject, body = mail
    session.add(
        OutboxMessage(
            channel="email",
            recipient=to,
            body=body,
            payload={"subject": subject},
            idempotency_key=key[:100],
            created_at=now,
            next_attempt_at=now,
        )
    )


def queue_login_alert(session: Session, user: User, now: datetime) -> int:
    """Tell the holder and every active admin (the holder once); returns how many were queued."""
    base = settings().public_url
    context = {"name": user.name, "when": fechahora(now)}
    stamp = f"login-alert:{user.id}:{now:%Y%m%dT%H%M%S%f}"
    holder = _render(
        "auth/login_alert_holder.txt", password_link=f"{base}/cuenta/contrasena", **context
    )
    _queue(session, user.email, holder, f"{stamp}:holder", now)
    admins = sorted(staff_emails(session, None, ADMIN_ROLE) - {user.email})
    if admins:
        admin = _render(
            "auth/login_alert_admin.txt",
            email=user.email,
            role=ROLE_LABELS.get(user.role, user.role),
            users_link=f"{base}/configuracion/usuarios",
            **context,
        )
        for index, to in enumerate(admins):
            _queue(session, to, admin, f"{stamp}:admin:{index}", now)
    log.warning(
        "login alert user_id=%s holder=%s admins=%d",
        user.id,
        mask_text(user.email),
        len(admins),
    )
    return 1 + len(admins)
