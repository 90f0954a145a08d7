"""Who may open a case, what contact data they see, and the record of who saw it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.filters import SANTIAGO, fechahora
from admin.auth.users import StaffUser
from oirs.cases.filing import get_case
from oirs.errors import CaseNotFound
from oirs.models import Case, CaseView
from oirs.privacy.contact import format_rut
from oirs.privacy.masking import mask_text


@dataclass(frozen=True)
class ContactView:
    name: str | None
    rut: str | None
    email: str | None
    phone: str | None
    postal_address: str | None
    masked: bool


def load_case(session: Session, folio: str, user: StaffUser, lock: bool = False) -> Case:
    """The case, or 404; 403 when a unit responder opens another unit's case.

    `lock` holds the row until commit, so two people acting at once take turns and the
    second one sees the state the first one left (PostgreSQL; SQLite already serialises)."""
    try:
        case = get_case(session, folio)
    except CaseNotFound:
        abort(404)
    if user.role == "unit" and case.unit_id != user.unit_id:
        abort(403)
    if lock:
        session.refresh(case, with_for_update=True)
    return case


def contact_view(case: Case, full: bool) -> ContactView:
    """Full contact data for roles that need it; masked RUT, phone and e-mail otherwise."""

    def shown(value: str | None) -> str | None:
        return value if full or value is None else mask_text(value)

    return ContactView(
        name=case.contact_name,
        rut=format_rut(case.contact_rut) if full and case.contact_rut else shown(case.contact_rut),
        email=shown(case.contact_email),
        phone=shown(case.contact_phone),
        postal_address=case.contact_postal_address if full else None,
        masked=not full,
    )


def record_view(
    session: Session,
    case: Case,
    user: StaffUser,
    what: str,
    now: datetime | None = None,
    every_time: bool = False,
) -> None:
    """Log that `user` saw personal data of `case` (Ley 21.719: who saw what), once a day.

    Reloading the page the same (Chilean) day adds nothing: the log says who saw the data and
    on which days, not how often the browser asked for it. `every_time` is for acts that hand
    the data over (an export), each of which is its own disclosure."""
    now = now or datetime.now(UTC)
    if every_time:
        session.add(
            CaseView(case_id=case.id, user_id=user.id, user_label=user.name, what=what, at=now)
        )
        return
    start = datetime.combine(now.astimezone(SANTIAGO).date(), datetime.min.time(), SANTIAGO)
    seen = session.scalar(
        select(CaseView.id).where(
            CaseView.case_id == case.id,
            CaseView.user_id == user.id,
            CaseView.what == what,
            CaseView.at >= start.astimezone(UTC),
            CaseView.at < (start + timedelta(days=1)).astimezone(UTC),
        )
    )
    if seen is None:
        session.add(
            CaseView(case_id=case.id, user_id=user.id, user_label=user.name, what=what, at=now)
        )


def transcript_view(case: Case, full: bool) -> list[dict[str, str]]:
    """The conversation that produced the case, with personal data masked when needed."""
    lines = []
    for item in case.transcript or []:
        text = str(item.get("text", ""))
        lines.append(
            {
                "at": local_time(item.get("at")),
                "sender": str(item.get("sender", "")),
                "text": text if full else mask_text(text),
            }
        )
    return lines


def local_time(value: Any) -> str:
    """A transcript timestamp (ISO text or epoch seconds) as Chilean local date and time."""
    when: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value.strip():
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        if when.tzinfo is None:
            when = when.replace(tzinfo=SANTIAGO)
    return fechahora(when) if when is not None else ""
