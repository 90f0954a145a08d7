"""How much of a case's term is used up: a traffic light, days left and the explanation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import (
    Deadline,
    business_days_left,
    compute_deadline,
    elapsed_fraction,
    extend_deadline,
)
from oirs.calendar.terms import CALENDAR_DAY_TYPES, SAI_EXTENSION_DAYS
from oirs.cases import workflow
from oirs.models import Case

YELLOW_FROM = 0.5  # first alert to the unit (SPEC §3)
RED_FROM = 0.9  # escalation to the supervisor


@dataclass(frozen=True)
class DeadlineView:
    light: str  # verde, amarillo, rojo, ninguno (already answered)
    days_left: int
    fraction: float
    deadline: Deadline | None  # None for terms in calendar days (Ley 21.719 requests)
    received: date | None = None  # set with calendar-day terms, where deadline is None
    due: date | None = None

    @property
    def overdue(self) -> bool:
        return self.light != "ninguno" and self.days_left < 0


def deadline_of(case: Case, calendar: BusinessCalendar) -> Deadline:
    """The case's term recomputed from its receipt, with the SAI prórroga when granted."""
    deadline = compute_deadline(case.created_at, case.term_business_days, calendar)
    if case.extended and case.type == "sai":
        deadline = extend_deadline(deadline, SAI_EXTENSION_DAYS, calendar)
    return deadline


def light_for(fraction: float, days_left: int, open_case: bool) -> str:
    """Green below half the term, yellow until 90 %, red from 90 % or when late."""
    if not open_case:
        return "ninguno"
    if days_left < 0 or fraction >= RED_FROM:
        return "rojo"
    if fraction >= YELLOW_FROM:
        return "amarillo"
    return "verde"


def view_for(case: Case, calendar: BusinessCalendar, today: date) -> DeadlineView:
    open_case = workflow.is_open(case.status)
    if case.type in CALENDAR_DAY_TYPES:
        total = max((case.due_date - case.received_on).days, 1)
        fraction = min(max((today - case.received_on).days / total, 0.0), 1.0)
        left = (case.due_date - today).days
        light = light_for(fraction, left, open_case)
        return DeadlineView(light, left, fraction, None, case.received_on, case.due_date)
    deadline = deadline_of(case, calendar)
    fraction = elapsed_fraction(deadline, today)
    left = business_days_left(case.due_date, today, calendar)
    light = light_for(fraction, left, open_case)
    return DeadlineView(light, left, fraction, deadline, case.received_on, case.due_date)
