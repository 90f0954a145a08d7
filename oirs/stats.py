"""Indicators for the Secretaría Municipal, read from cases and their events (never guessed).

A case is answered on the day of its first event into an answering status; it is on time
when that day is on or before its due date; an open case past its due date counts as late.
Response time is counted in business days, as the law counts the terms.

Containment reads how the bot reported each conversation ended (oirs/conversations.py): one
handed to a person is not contained even if it also filed a case; one with an FAQ answered, a
case filed or a status given and no hand-off is; one that reached no outcome within
ABANDON_AFTER of its start was abandoned, and a younger one is still open.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean

from oirs_rules.dates import SANTIAGO
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from oirs import workflow
from oirs.calendar import BusinessCalendar
from oirs.conversations import ABANDON_AFTER, HANDED_OFF
from oirs.deadlines import local_date
from oirs.models import Amparo, Case, CaseEvent, Category, ConversationOutcome, Unit
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


@dataclass(frozen=True)
class LateCase:
    """A case answered after its due date, or still open past it (no personal data)."""

    folio: str
    type: str
    due_date: date
    answered_on: date | None
    days_late: int  # business days (calendar days for CALENDAR_DAY_TYPES) past the due date
    calendar_days: bool


@dataclass(frozen=True)
class UnitLateness:
    """A unit that missed deadlines, with the cases it missed, most late first."""

    unit: str
    cases: list[LateCase]


@dataclass
class Containment:
    """Conversations of one month and channel, by how they ended."""

    month: str
    channel: str
    resolved: int = 0
    handed_off: int = 0
    abandoned: int = 0
    ongoing: int = 0  # started less than ABANDON_AFTER ago with no outcome yet: not judged

    @property
    def judged(self) -> int:
        return self.resolved + self.handed_off + self.abandoned

    @property
    def resolved_pct(self) -> float | None:
        return round(100 * self.resolved / self.judged, 1) if self.judged else None

    def add(self, other: Containment) -> None:
        self.resolved += other.resolved
        self.handed_off += other.handed_off
        self.abandoned += other.abandoned
        self.ongoing += other.ongoing


@dataclass
class Satisfaction:
    """Ratings (1-5) of the answers of one unit or one month."""

    label: str
    scores: Counter[int] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.scores.values())

    @property
    def mean(self) -> float | None:
        if not self.count:
            return None
        return round(sum(k * v for k, v in self.scores.items()) / self.count, 2)


@dataclass(frozen=True)
class RatingFact:
    month: str  # month the rated case was received
    unit: str  # the unit that answered it (NO_VALUE: answered by the OIRS itself)
    score: int


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
    ratings: list[RatingFact] = field(default_factory=list)
    late_units: list[UnitLateness] = field(default_factory=list)
    containment: list[Containment] = field(default_factory=list)  # by month, then channel

    @property
    def months(self) -> list[str]:
        return sorted({month for counts in self.volumes.values() for month, _ in counts})

    @property
    def satisfaction_mean(self) -> float | None:
        total = sum(self.satisfaction.values())
        if not total:
            return None
        return round(sum(k * v for k, v in self.satisfaction.items()) / total, 2)

    @property
    def containment_total(self) -> Containment:
        total = Containment("Total", "Total")
        for row in self.containment:
            total.add(row)
        return total

    def containment_by_channel(self) -> list[Containment]:
        """The whole period's conversations per channel, most first."""
        channels: dict[str, Containment] = {}
        for row in self.containment:
            channels.setdefault(row.channel, Containment("Total", row.channel)).add(row)
        return sorted(channels.values(), key=lambda c: (-(c.judged + c.ongoing), c.channel))

    def satisfaction_by(self, dimension: str) -> list[Satisfaction]:
        """Ratings per unit (by name) or per month (in order); dimension: "unit" or "month"."""
        groups: dict[str, Satisfaction] = {}
        for rating in self.ratings:
            label = getattr(rating, dimension)
            groups.setdefault(label, Satisfaction(label)).scores[rating.score] += 1
        return sorted(groups.values(), key=lambda g: g.label)

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


def _ratings(session: Session, start: date, end: date) -> list[RatingFact]:
    """Every rating of a case received in the period, with the unit that answered it."""
    query = (
        select(CaseEvent.data, Case.received_on, Unit.name)
        .join(Case, Case.id == CaseEvent.case_id)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .where(CaseEvent.kind == "satisfaccion", Case.received_on.between(start, end))
        .order_by(CaseEvent.id)
    )
    ratings = []
    for data, received, unit in session.execute(query):
        score = (data or {}).get("score")
        if isinstance(score, int) and 1 <= score <= 5:
            ratings.append(RatingFact(f"{received:%Y-%m}", unit or NO_VALUE, score))
    return ratings


def late_units(
    facts: Iterable[CaseFact], calendar: BusinessCalendar, today: date
) -> list[UnitLateness]:
    """Units that missed deadlines, each with its late cases and how late (to `today` when
    still unanswered), the unit with most late cases first."""
    late: dict[str, list[LateCase]] = {}
    for fact in facts:
        if fact.on_time is not False:
            continue
        until = fact.answered_on or today
        calendar_days = fact.type in CALENDAR_DAY_TYPES
        days = (
            (until - fact.due_date).days
            if calendar_days
            else calendar.business_days_between(fact.due_date, until)
        )
        late.setdefault(fact.unit, []).append(
            LateCase(fact.folio, fact.type, fact.due_date, fact.answered_on, days, calendar_days)
        )
    units = [
        UnitLateness(unit, sorted(cases, key=lambda c: (-c.days_late, c.folio)))
        for unit, cases in late.items()
    ]
    return sorted(units, key=lambda u: (-len(u.cases), u.unit))


HANDED, RESOLVED_STATE, ABANDONED, ONGOING = "handed_off", "resolved", "abandoned", "ongoing"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), SANTIAGO)


def _months(start: date, end: date) -> list[tuple[str, datetime]]:
    """Each month of [start, end] and the instant the next one begins in Chile (the last one
    ends with `end`)."""
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        bound = min(following, end + timedelta(days=1))
        months.append((f"{first:%Y-%m}", _local_midnight(bound)))
        first = following
    return months


def containment(session: Session, start: date, end: date, now: datetime) -> list[Containment]:
    """Conversations started in [start, end] (Chilean days) per month and channel, by how they
    ended; counted in the database (one row per month, channel and state comes back)."""
    months = _months(start, end)
    lower, upper = _local_midnight(start), months[-1][1]
    c = ConversationOutcome
    month = case(*[(c.started_at < bound, index) for index, (_, bound) in enumerate(months)])
    state = case(
        (c.outcome == HANDED_OFF, HANDED),
        (c.outcome.is_not(None), RESOLVED_STATE),
        (c.started_at <= now - ABANDON_AFTER, ABANDONED),
        else_=ONGOING,
    )
    # grouped outside: PostgreSQL does not see two renderings of a CASE with bound values as
    # one expression
    classified = (
        select(month.label("month"), c.channel, state.label("state"))
        .where(c.started_at >= lower, c.started_at < upper)
        .subquery()
    )
    query = select(
        classified.c.month, classified.c.channel, classified.c.state, func.count()
    ).group_by(classified.c.month, classified.c.channel, classified.c.state)
    cells: dict[tuple[str, str], Containment] = {}
    fields = {HANDED: "handed_off", RESOLVED_STATE: "resolved", ABANDONED: "abandoned"}
    for index, channel, state_name, count in session.execute(query):
        label = months[index][0]
        cell = cells.setdefault((label, channel), Containment(label, channel))
        name = fields.get(state_name, "ongoing")
        setattr(cell, name, getattr(cell, name) + count)
    return [cells[key] for key in sorted(cells)]


def build_report(
    session: Session,
    start: date,
    end: date,
    calendar: BusinessCalendar,
    today: date,
    now: datetime | None = None,
) -> Report:
    """All indicators of the cases received between start and end (inclusive), and of the
    bot's conversations started then; `now` judges abandonment (default: end of `today`)."""
    facts = case_facts(session, start, end, calendar, today)
    units, total = _compliance(facts)
    ratings = _ratings(session, start, end)
    now = now or _local_midnight(today + timedelta(days=1))
    return Report(
        start=start,
        end=end,
        facts=facts,
        volumes=_volumes(facts),
        units=units,
        total=total,
        extensions=sum(1 for f in facts if f.type == "sai" and f.extended),
        amparos=_amparos(session, start, end),
        satisfaction=Counter(rating.score for rating in ratings),
        ratings=ratings,
        late_units=late_units(facts, calendar, today),
        containment=containment(session, start, end, now),
    )
