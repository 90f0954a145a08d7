"""Deadline alerts of open cases: which are due today, who gets them, and the record of each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from oirs.calendar.alerts import RESPONSIBLE, Alert, calendar_day_alert_dates, due_alerts, runs_for
from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import alert_dates
from oirs.calendar.terms import CALENDAR_DAY_TYPES
from oirs.cases import workflow
from oirs.models import Case, SentAlert, Unit, User
from oirs.sai.procedure import case_deadline

# Terms are at most 30 business days (SAI with prórroga): their 50% falls well inside this.
LOOKAHEAD = timedelta(days=45)
LOOKBACK = timedelta(days=30)
OIRS_UNIT = {"sai": "TRANSP"}
OIRS_ROLE = {"sai": "transparency"}
SUPERVISOR_UNIT = "ADMIN"


@dataclass(frozen=True)
class CaseAlerts:
    """The alerts one case raises today, already recorded as sent."""

    case: Case
    alerts: tuple[Alert, ...]
    recipients: dict[str, tuple[str, ...]]  # audience -> e-mail addresses


def _candidates(session: Session, today: date) -> list[Case]:
    query = (
        select(Case)
        .where(
            Case.status.not_in(workflow.ANSWERED_STATUSES),
            Case.due_date <= today + LOOKAHEAD,
            Case.due_date >= today - LOOKBACK,
        )
        .options(joinedload(Case.unit))
        .order_by(Case.due_date, Case.id)
    )
    return [c for c in session.scalars(query) if runs_for(c.status, workflow.is_open(c.status))]


def _sent(session: Session, cases: list[Case]) -> dict[tuple[int, date], set[str]]:
    sent: dict[tuple[int, date], set[str]] = defaultdict(set)
    ids = [c.id for c in cases]
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(SentAlert.case_id, SentAlert.due_date, SentAlert.kind).where(
                SentAlert.case_id.in_(ids[start : start + 500])
            )
        )
        for case_id, due, kind in rows:
            sent[(case_id, due)].add(kind)
    return sent


def staff_emails(session: Session, unit_code: str | None, role: str | None) -> set[str]:
    """A unit's shared mailbox and the active staff of that role (in that unit, if any)."""
    found: set[str] = set()
    unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit is not None and unit.email:
        found.add(unit.email)
    if role is not None:
        query = select(User.email).where(User.active.is_(True), User.role == role)
        if role == "unit" and unit is not None:
            query = query.where(User.unit_id == unit.id)
        found.update(session.scalars(query))
    return found


def recipients(session: Session, case: Case, audience: str) -> tuple[str, ...]:
    """Responsible: the case's unit and the OIRS (Transparencia for SAI); or the supervisors."""
    if audience != RESPONSIBLE:
        return tuple(sorted(staff_emails(session, SUPERVISOR_UNIT, "supervisor")))
    found = staff_emails(
        session, OIRS_UNIT.get(case.type, "OIRS"), OIRS_ROLE.get(case.type, "oirs")
    )
    if case.unit is not None:
        found |= staff_emails(session, case.unit.code, "unit")
    return tuple(sorted(found))


def threshold_dates(case: Case, calendar: BusinessCalendar) -> dict[float, date]:
    """When each share of the case's current term is reached."""
    if case.type in CALENDAR_DAY_TYPES:
        return calendar_day_alert_dates(case.received_on, case.due_date)
    return alert_dates(case_deadline(case, calendar))


def collect_alerts(session: Session, calendar: BusinessCalendar, today: date) -> list[CaseAlerts]:
    """Every alert due today, recorded in the caller's transaction so it is sent once."""
    cases = _candidates(session, today)
    sent = _sent(session, cases)
    result = []
    for case in cases:
        alerts = due_alerts(threshold_dates(case, calendar), today, sent[(case.id, case.due_date)])
        if not alerts:
            continue
        audiences = {a.audience for a in alerts if a.notify}
        to = {audience: recipients(session, case, audience) for audience in audiences}
        for alert in alerts:
            session.add(
                SentAlert(
                    case_id=case.id,
                    kind=alert.kind,
                    due_date=case.due_date,
                    notified=alert.notify,
                    recipients=list(to.get(alert.audience, ())) if alert.notify else [],
                )
            )
        result.append(CaseAlerts(case, tuple(a for a in alerts if a.notify), to))
    session.flush()
    return result
