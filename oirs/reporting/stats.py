"""Indicators for the Secretaría Municipal, read from cases and their events (never guessed).

A case is answered on the day of its first event into an answering status; it is on time
when that day is on or before its due date; an open case past its due date counts as late.
Response time is counted in business days, as the law counts the terms.

That verdict is computed once, in SQL (judged_cases, verdict): the statistics page, its exports,
the monthly report and the reclamos map (admin/stats/map.py) all group or list its rows, so
100 000 cases never travel to Python one by one (docs/bench/map.md). The business-day counts
stay in Python (the calendar), on the few distinct (received, answered) pairs.

Containment reads how the bot reported each conversation ended (oirs/handoffs/conversations.py): one
handed to a person is not contained even if it also filed a case; one with an FAQ answered, a
case filed or a status given and no hand-off is; one that reached no outcome within
ABANDON_AFTER of its start was abandoned, and a younger one is still open.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from oirs_rules.dates import SANTIAGO
from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import local_date
from oirs.calendar.terms import CALENDAR_DAY_TYPES
from oirs.cases import workflow
from oirs.handoffs.conversations import ABANDON_AFTER, HANDED_OFF
from oirs.models import Amparo, Case, CaseEvent, Category, ConversationOutcome, Unit

DIMENSIONS = ("channel", "type", "category", "unit")
NO_VALUE = "—"
# verdict() of a case, in SQL
PENDING, ON_TIME, LATE = 0, 1, 2


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
        # int / int is correctly rounded, as statistics.mean, which is 100 times slower
        days = self.response_days
        return round(sum(days) / len(days), 1) if days else None

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
    cases: int  # received in the period
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


def local_day(session: Session, moment: ColumnElement[Any]) -> ColumnElement[date]:
    """The Chilean calendar day of a UTC instant, in SQL (as oirs.calendar.deadlines.local_date).

    PostgreSQL converts with its time-zone database; on SQLite the same Python function is
    registered on the connection."""
    if session.get_bind().dialect.name == "sqlite":
        connection: Any = session.connection().connection.driver_connection
        connection.create_function("oirs_local_day", 1, _sqlite_local_day, deterministic=True)
        return func.oirs_local_day(moment, type_=Date)
    return cast(func.timezone(SANTIAGO.key, moment), Date)


def _sqlite_local_day(stored: str | None) -> str | None:
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    return local_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def judged_cases(
    session: Session, start: date, end: date, *conditions: ColumnElement[bool]
) -> Select[Any]:
    """One row per case received in [start, end] (and meeting `conditions` on Case) with
    `answered_on`, the Chilean day of its first event into an answering status (None: open).

    Group or list it through .subquery() or .cte(), with verdict() over its columns."""
    answer = and_(CaseEvent.case_id == Case.id, CaseEvent.to_status.in_(workflow.ANSWERED_STATUSES))
    return (
        select(
            Case.id,
            Case.folio,
            Case.type,
            Case.channel,
            Case.category_id,
            Case.unit_id,
            Case.status,
            Case.received_on,
            Case.due_date,
            Case.extended,
            Case.latitude,
            Case.longitude,
            local_day(session, func.min(CaseEvent.at)).label("answered_on"),
        )
        .outerjoin(CaseEvent, answer)
        .where(Case.received_on.between(start, end), *conditions)
        .group_by(Case.id)
    )


def verdict(judged: Subquery | CTE, today: date) -> ColumnElement[int]:
    """ON_TIME: answered on or before the due date; LATE: answered after it, or still open
    with the due date before `today`; PENDING: open and within its term."""
    answered, due = judged.c.answered_on, judged.c.due_date
    return case(
        (answered <= due, ON_TIME),
        (or_(answered.is_not(None), due < today), LATE),
        else_=PENDING,
    )


def _elapsed_days(
    calendar_days: bool, received: date, answered: date, calendar: BusinessCalendar
) -> int:
    """Response time: calendar days for CALENDAR_DAY_TYPES, business days otherwise."""
    if calendar_days:
        return (answered - received).days
    return calendar.business_days_between(received, answered)


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """Category codes and unit names by id."""
    categories = {id_: code for id_, code in session.execute(select(Category.id, Category.code))}
    units = {id_: name for id_, name in session.execute(select(Unit.id, Unit.name))}
    return categories, units


def case_facts(
    session: Session, start: date, end: date, calendar: BusinessCalendar, today: date
) -> list[CaseFact]:
    """Every case received in [start, end] with when and whether it was answered on time
    (the case-level exports)."""
    judged = judged_cases(session, start, end).subquery()
    query = select(judged, verdict(judged, today).label("verdict")).order_by(judged.c.id)
    categories, units = _names(session)
    elapsed: dict[tuple[bool, date, date], int] = {}
    facts = []
    for row in session.execute(query):
        day = row.answered_on
        days = None
        if day is not None:
            key = (row.type in CALENDAR_DAY_TYPES, row.received_on, day)
            if key not in elapsed:
                elapsed[key] = _elapsed_days(*key, calendar)
            days = elapsed[key]
        facts.append(
            CaseFact(
                row.folio,
                row.type,
                row.channel,
                categories.get(row.category_id, NO_VALUE),
                units.get(row.unit_id, NO_VALUE),
                row.status,
                row.received_on,
                row.due_date,
                bool(row.extended),
                day,
                days,
                None if row.verdict == PENDING else row.verdict == ON_TIME,
            )
        )
    return facts


@dataclass
class _Counts:
    cases: int = 0
    extensions: int = 0
    volumes: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {dimension: Counter() for dimension in DIMENSIONS}
    )
    units: dict[str, UnitCompliance] = field(default_factory=dict)
    total: UnitCompliance = field(default_factory=lambda: UnitCompliance("Total"))


def _month(session: Session, day: ColumnElement[date]) -> ColumnElement[str]:
    """'2026-03' of a date, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", day)
    return func.to_char(day, "YYYY-MM")


def _case_counts(
    session: Session, start: date, end: date, calendar: BusinessCalendar, today: date
) -> _Counts:
    """Cases per month, type, channel, category, unit, verdict and prórroga, and answered cases
    per unit, kind of term, received and answered day, in one statement over one pass of the
    events (the cases, judged once, feed both groupings)."""
    judged = judged_cases(session, start, end).cte("judged")
    c = judged.c
    # grouped outside: PostgreSQL does not see two renderings of an expression with bound
    # values as one
    classified = select(
        c.id,
        _month(session, c.received_on).label("month"),
        c.type,
        c.channel,
        c.category_id,
        c.unit_id,
        verdict(judged, today).label("verdict"),
        c.extended,
    ).subquery()
    answered = (
        select(
            c.unit_id,
            c.type.in_(CALENDAR_DAY_TYPES).label("calendar_days"),
            c.received_on,
            c.answered_on,
        )
        .where(c.answered_on.is_not(None))
        .subquery()
    )
    k, a = classified.c, answered.c
    no_day = cast(null(), Date)
    counts = select(
        literal_column("1").label("part"),
        k.month,
        k.type,
        k.channel,
        k.category_id,
        k.unit_id,
        k.verdict,
        k.extended,
        null().label("calendar_days"),
        no_day.label("received_on"),
        no_day.label("answered_on"),
        func.count().label("n"),
        func.min(k.id).label("first"),
    ).group_by(k.month, k.type, k.channel, k.category_id, k.unit_id, k.verdict, k.extended)
    answers = select(
        literal_column("2"),
        *(null() for _ in range(4)),
        a.unit_id,
        null(),
        null(),
        a.calendar_days,
        a.received_on,
        a.answered_on,
        func.count(),
        null(),
    ).group_by(a.unit_id, a.calendar_days, a.received_on, a.answered_on)
    categories, unit_names = _names(session)
    rows = session.execute(union_all(counts, answers)).tuples().all()
    result = _Counts()
    # in the order of each group's first case, as values of equal count are listed
    for row in sorted((row for row in rows if row[0] == 1), key=lambda row: row[-1]):
        _, month, case_type, channel, category_id, unit_id, outcome, extended, *_, n, _ = row
        unit_name = unit_names.get(unit_id, NO_VALUE)
        unit = result.units.setdefault(unit_name, UnitCompliance(unit_name))
        values = {
            "channel": channel,
            "type": case_type,
            "category": categories.get(category_id, NO_VALUE),
            "unit": unit_name,
        }
        for dimension, value in values.items():
            result.volumes[dimension][(month, value)] += n
        name = {PENDING: "pending", ON_TIME: "on_time", LATE: "late"}[outcome]
        for target in (unit, result.total):
            setattr(target, name, getattr(target, name) + n)
        result.cases += n
        if case_type == "sai" and extended:
            result.extensions += n
    elapsed: dict[tuple[bool, date, date], int] = {}
    for row in rows:
        if row[0] != 2:
            continue
        unit_id, calendar_days, received, answered_on, n = row[5], row[8], row[9], row[10], row[11]
        key = (bool(calendar_days), received, answered_on)
        if key not in elapsed:
            elapsed[key] = _elapsed_days(*key, calendar)
        days = [elapsed[key]] * n
        result.units[unit_names.get(unit_id, NO_VALUE)].response_days.extend(days)
        result.total.response_days.extend(days)
    return result


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
    session: Session, start: date, end: date, calendar: BusinessCalendar, today: date
) -> list[UnitLateness]:
    """Units that missed deadlines with the cases received in [start, end] they let expire,
    and how late (to `today` when still unanswered), the unit with most late cases first."""
    judged = judged_cases(session, start, end).subquery()
    query = select(
        judged.c.folio, judged.c.type, judged.c.unit_id, judged.c.due_date, judged.c.answered_on
    ).where(verdict(judged, today) == LATE)
    _, units = _names(session)
    counted: dict[tuple[bool, date, date], int] = {}
    late: dict[str, list[LateCase]] = {}
    for folio, case_type, unit_id, due, answered_on in session.execute(query):
        until = answered_on or today
        calendar_days = case_type in CALENDAR_DAY_TYPES
        key = (calendar_days, due, until)
        if key not in counted:
            counted[key] = (
                (until - due).days if calendar_days else calendar.business_days_between(due, until)
            )
        late.setdefault(units.get(unit_id, NO_VALUE), []).append(
            LateCase(folio, case_type, due, answered_on, counted[key], calendar_days)
        )
    listed = [
        UnitLateness(unit, sorted(cases, key=lambda c: (-c.days_late, c.folio)))
        for unit, cases in late.items()
    ]
    return sorted(listed, key=lambda u: (-len(u.cases), u.unit))


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
    *,
    with_late_units: bool = True,
) -> Report:
    """All indicators of the cases received between start and end (inclusive), and of the
    bot's conversations started then; `now` judges abandonment (default: end of `today`).
    The list of late cases per unit (the monthly report's) is left out when not asked for."""
    counts = _case_counts(session, start, end, calendar, today)
    ratings = _ratings(session, start, end)
    now = now or _local_midnight(today + timedelta(days=1))
    return Report(
        start=start,
        end=end,
        cases=counts.cases,
        volumes=counts.volumes,
        units=sorted(counts.units.values(), key=lambda u: u.unit),
        total=counts.total,
        extensions=counts.extensions,
        amparos=_amparos(session, start, end),
        satisfaction=Counter(rating.score for rating in ratings),
        ratings=ratings,
        late_units=late_units(session, start, end, calendar, today) if with_late_units else [],
        containment=containment(session, start, end, now),
    )
