"""Indicators for the Secretaría Municipal, read from cases and their events (never guessed).

A case is answered on the day of its first event into an answering status; it is on time
when that day is on or before its due date; an open case past its due date counts as late.
Response time is counted in business days, as the law counts the terms.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs import workflow
from oirs.calendar import BusinessCalendar
from oirs.deadlines import local_date
from oirs.models import Amparo, Case, CaseEvent, Category, Unit
from oirs.terms import CALENDAR_DAY_TYPES

DIMENSIONS = ("channel", "type", "category", "unit")
NO_VALUE = "—"


@dataclass(frozen=True)
class CaseFact:
    """One case as statistics see it: no personal data."""

    folio: str
    type: str
    channel: str
    category: str
    unit: str
    status: str
    received_on: date
    due_date: date
    extended: bool
    answered_on: date | None
    response_days: int | None
    on_time: bool | None  # None: still open and within its term


@dataclass
class UnitCompliance:
    unit: str
    on_time: int = 0
    late: int = 0
    pending: int = 0
    response_days: list[int] = field(default_factory=list)

    @property
    def on_time_pct(self) -> float | None:
        judged = self.on_time + self.late
        return round(100 * self.on_time / judged, 1) if judged else None

    @property
    def mean_days(self) -> float | None:
        return round(mean(self.response_days), 1) if self.response_days else None

    @property
    def p90_days(self) -> int | None:
        return percentile(self.response_days, 90)


@dataclass
class Report:
    start: date
    end: date
    facts: list[CaseFact]
    volumes: dict[str, Counter[tuple[str, str]]]  # dimension -> (month, value) -> count
    units: list[UnitCompliance]
    total: UnitCompliance
    extensions: int
    amparos: Counter[str]  # outcome (or "en_curso") -> count
    satisfaction: Counter[int]

    @property
    def months(self) -> list[str]:
        return sorted({month for counts in self.volumes.values() for month, _ in counts})

    @property
    def satisfaction_mean(self) -> float | None:
        total = sum(self.satisfaction.values())
        if not total:
            return None
        return round(sum(k * v for k, v in self.satisfaction.items()) / total, 2)

    def monthly(self, dimension: str) -> tuple[list[str], list[tuple[str, list[int], int]]]:
        """Values of a dimension (largest first) and, per month, the count of each and total."""
        values = [value for value, _ in self.totals(dimension)]
        counts = self.volumes[dimension]
        rows = []
        for month in self.months:
            row = [counts[(month, value)] for value in values]
            rows.append((month, row, sum(row)))
        return values, rows

    def totals(self, dimension: str) -> list[tuple[str, int]]:
        """Cases per value of a dimension over the whole period, largest first."""
        counts: Counter[str] = Counter()
        for (_month, value), n in self.volumes[dimension].items():
            counts[value] += n
        return counts.most_common()


def percentile(values: Iterable[int], pct: int) -> int | None:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(pct / 100 * len(ordered)), 1) - 1]


def _answered_days(session: Session, start: date, end: date) -> dict[int, date]:
    """Day each case of the period was first answered."""
    query = (
        select(CaseEvent.case_id, func.min(CaseEvent.at))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            Case.received_on.between(start, end),
            CaseEvent.to_status.in_(workflow.ANSWERED_STATUSES),
        )
        .group_by(CaseEvent.case_id)
    )
    return {case_id: local_date(at) for case_id, at in session.execute(query)}


def _elapsed(case_type: str, received: date, answered: date, calendar: BusinessCalendar) -> int:
    if case_type in CALENDAR_DAY_TYPES:
        return (answered - received).days
    return calendar.business_days_between(received, answered)


def case_facts(
    session: Session, start: date, end: date, calendar: BusinessCalendar, today: date
) -> list[CaseFact]:
    """Every case received in [start, end] with when and whether it was answered on time."""
    answered = _answered_days(session, start, end)
    query = (
        select(
            Case.id,
            Case.folio,
            Case.type,
            Case.channel,
            Category.code,
            Unit.name,
            Case.status,
            Case.received_on,
            Case.due_date,
            Case.extended,
        )
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .where(Case.received_on.between(start, end))
        .order_by(Case.id)
    )
    elapsed: dict[tuple[str, date, date], int] = {}
    facts = []
    for row in session.execute(query):
        case_id, folio, case_type, channel, category, unit, status, received, due, extended = row
        day = answered.get(case_id)
        days = None
        if day is not None:
            key = (case_type, received, day)
            if key not in elapsed:
                elapsed[key] = _elapsed(case_type, received, day, calendar)
            days = elapsed[key]
        on_time = (day <= due) if day is not None else (False if today > due else None)
        facts.append(
            CaseFact(
                folio,
                case_type,
                channel,
                category or NO_VALUE,
                unit or NO_VALUE,
                status,
                received,
                due,
                bool(extended),
                day,
                days,
                on_time,
            )
        )
    return facts


def _compliance(facts: list[CaseFact]) -> tuple[list[UnitCompliance], UnitCompliance]:
    units: dict[str, UnitCompliance] = {}
    total = UnitCompliance("Total")
    for fact in facts:
        unit = units.setdefault(fact.unit, UnitCompliance(fact.unit))
        for target in (unit, total):
            if fact.on_time is None:
                target.pending += 1
            elif fact.on_time:
                target.on_time += 1
            else:
                target.late += 1
            if fact.response_days is not None:
                target.response_days.append(fact.response_days)
    return sorted(units.values(), key=lambda u: u.unit), total


def _volumes(facts: list[CaseFact]) -> dict[str, Counter[tuple[str, str]]]:
    months: dict[date, str] = {}
    for fact in facts:
        if fact.received_on not in months:
            months[fact.received_on] = f"{fact.received_on:%Y-%m}"
    return {
        dimension: Counter((months[f.received_on], getattr(f, dimension)) for f in facts)
        for dimension in DIMENSIONS
    }


def _amparos(session: Session, start: date, end: date) -> Counter[str]:
    query = select(Amparo.outcome).where(Amparo.filed_on.between(start, end))
    return Counter(outcome or "en_curso" for outcome in session.scalars(query))


def _satisfaction(session: Session, start: date, end: date) -> Counter[int]:
    query = (
        select(CaseEvent.data)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "satisfaccion", Case.received_on.between(start, end))
    )
    scores: Counter[int] = Counter()
    for data in session.scalars(query):
        score = (data or {}).get("score")
        if isinstance(score, int) and 1 <= score <= 5:
            scores[score] += 1
    return scores


def build_report(
    session: Session, start: date, end: date, calendar: BusinessCalendar, today: date
) -> Report:
    """All indicators of the cases received between start and end (inclusive)."""
    facts = case_facts(session, start, end, calendar, today)
    units, total = _compliance(facts)
    return Report(
        start=start,
        end=end,
        facts=facts,
        volumes=_volumes(facts),
        units=units,
        total=total,
        extensions=sum(1 for f in facts if f.type == "sai" and f.extended),
        amparos=_amparos(session, start, end),
        satisfaction=_satisfaction(session, start, end),
    )
