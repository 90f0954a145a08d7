"""Daily digests: what each unit owes and, for the Secretaría Municipal, who is late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import business_days_left
from oirs.calendar.terms import CALENDAR_DAY_TYPES
from oirs.cases import workflow
from oirs.models import Case, Unit

SOON = 3  # business days left that count as "vence pronto"


@dataclass(frozen=True)
class DigestRow:
    folio: str
    type: str
    status: str
    due_date: date
    days_left: int


@dataclass
class UnitDigest:
    unit: Unit
    open_count: int = 0
    rows: list[DigestRow] = field(default_factory=list)  # overdue or due soon, most urgent first

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.days_left < 0)

    @property
    def due_soon(self) -> int:
        return sum(1 for r in self.rows if 0 <= r.days_left <= SOON)


def unit_digests(session: Session, calendar: BusinessCalendar, today: date) -> list[UnitDigest]:
    """Per unit, its open cases that are overdue or due within SOON business days."""
    query = (
        select(Case.folio, Case.type, Case.status, Case.due_date, Case.unit_id)
        .where(Case.status.not_in(workflow.ANSWERED_STATUSES), Case.unit_id.is_not(None))
        .order_by(Case.due_date, Case.id)
    )
    units = {u.id: u for u in session.scalars(select(Unit))}
    digests: dict[int, UnitDigest] = {}
    left: dict[date, int] = {}
    for folio, case_type, status, due, unit_id in session.execute(query):
        digest = digests.setdefault(unit_id, UnitDigest(units[unit_id]))
        digest.open_count += 1
        if case_type in CALENDAR_DAY_TYPES:
            days = (due - today).days
        else:
            if due not in left:
                left[due] = business_days_left(due, today, calendar)
            days = left[due]
        if days <= SOON:
            digest.rows.append(DigestRow(folio, case_type, status, due, days))
    return sorted(digests.values(), key=lambda d: (-d.overdue, -d.due_soon, d.unit.name))
