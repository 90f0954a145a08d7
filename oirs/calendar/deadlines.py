"""Legal terms in business days: due dates, the SAI prórroga, days left and alert dates.

Counting rules (Ley 19.880 art. 25, SPEC §3): day 1 is the business day after receipt;
something received on a non-business day is deemed received on the next business day,
so day 1 is the business day after that one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fractions import Fraction

from oirs_rules.dates import SANTIAGO

from oirs.calendar.business_days import WEEKDAY_NAMES, BusinessCalendar, NonBusinessDay

ALERT_THRESHOLDS = (0.5, 0.75, 0.9, 1.0)

# Spanish wording of Deadline.explain(); the only user-facing text of this module.
MESSAGES = {
    "received": "Recibida el {received}.",
    "deemed": (
        "Como el {received} no es día hábil, se entiende recibida el {deemed}, "
        "primer día hábil siguiente (Ley 19.880, art. 25)."
    ),
    "term": "Plazo: {days} días hábiles, contados desde el día hábil siguiente a la recepción.",
    "extension": "Incluye una prórroga de {days} días hábiles contada desde el {previous_due}.",
    "first_day": "Día 1 del plazo: {first}; día {days}: {due}.",
    "due": "Vence el {due}.",
    "skipped_header": "Días no hábiles omitidos ({count}):",
    "skipped_none": "No hubo días no hábiles dentro del plazo.",
    "skipped_item": "- {day}",
    "with_reason": "{day} ({reason})",
}


class InvalidTerm(ValueError):
    """A term must be a positive number of business days."""


class ExtensionNotAllowed(ValueError):
    """Ley 20.285 art. 14 allows a single prórroga of an SAI term."""


def format_day(day: date) -> str:
    """How people read a date: weekday and DD-MM-YYYY."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day:%d-%m-%Y}"


def describe_non_business(day: date, reason: str) -> str:
    """A non-business day and why; a weekend's weekday name is already its reason."""
    if reason == WEEKDAY_NAMES[day.weekday()]:
        return format_day(day)
    return MESSAGES["with_reason"].format(day=format_day(day), reason=reason)


@dataclass(frozen=True)
class Deadline:
    """A computed due date that can explain itself, day by day."""

    received: date | datetime
    deemed_received: date
    business_days: int
    due: date
    counted: tuple[date, ...]
    skipped: tuple[NonBusinessDay, ...]
    received_reason: str | None = None  # why the receipt day was not a business day
    extension_days: int = 0  # business days added by a prórroga (already in business_days)
    original_due: date | None = None  # due date before the prórroga

    @property
    def received_day(self) -> date:
        """The calendar day of receipt in America/Santiago."""
        return local_date(self.received)

    def explain(self) -> list[str]:
        """Spanish lines saying how the due date was reached, naming every skipped day."""
        lines = [MESSAGES["received"].format(received=format_day(self.received_day))]
        if self.received_reason is not None:
            lines.append(
                MESSAGES["deemed"].format(
                    received=describe_non_business(self.received_day, self.received_reason),
                    deemed=format_day(self.deemed_received),
                )
            )
        lines.append(MESSAGES["term"].format(days=self.business_days))
        if self.extension_days and self.original_due is not None:
            lines.append(
                MESSAGES["extension"].format(
                    days=self.extension_days, previous_due=format_day(self.original_due)
                )
            )
        lines.append(
            MESSAGES["first_day"].format(
                first=format_day(self.counted[0]), days=self.business_days, due=format_day(self.due)
            )
        )
        lines.append(MESSAGES["due"].format(due=format_day(self.due)))
        if not self.skipped:
            lines.append(MESSAGES["skipped_none"])
            return lines
        lines.append(MESSAGES["skipped_header"].format(count=len(self.skipped)))
        lines.extend(
            MESSAGES["skipped_item"].format(day=describe_non_business(item.day, item.reason))
            for item in self.skipped
        )
        return lines


def local_date(moment: date | datetime) -> date:
    """Calendar day in Chile: aware datetimes are converted, naive ones are taken as local."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is not None:
        moment = moment.astimezone(SANTIAGO)
    return moment.date()


def _count(
    after: date, business_days: int, calendar: BusinessCalendar
) -> tuple[tuple[date, ...], tuple[NonBusinessDay, ...]]:
    """The next `business_days` business days after `after`, and the days skipped on the way."""
    counted: list[date] = []
    skipped: list[NonBusinessDay] = []
    day = after
    while len(counted) < business_days:
        day += timedelta(days=1)
        reason = calendar.why_not_business(day)
        if reason is None:
            counted.append(day)
        else:
            skipped.append(NonBusinessDay(day, reason))
    return tuple(counted), tuple(skipped)


def _check_term(business_days: int) -> None:
    """Refuse zero or negative terms: they have no due date."""
    if business_days < 1:
        raise InvalidTerm(f"term must be at least 1 business day, got {business_days}")


def compute_deadline(
    received: date | datetime, business_days: int, calendar: BusinessCalendar
) -> Deadline:
    """Due date of a term of `business_days` for something received at `received`."""
    _check_term(business_days)
    day = local_date(received)
    reason = calendar.why_not_business(day)
    deemed = day if reason is None else calendar.next_business_day(day)
    counted, skipped = _count(deemed, business_days, calendar)
    between = calendar.non_business_days(day + timedelta(days=1), deemed)
    return Deadline(
        received=received,
        deemed_received=deemed,
        business_days=business_days,
        due=counted[-1],
        counted=counted,
        skipped=between + skipped,
        received_reason=reason,
    )


def extend_deadline(
    deadline: Deadline, extra_business_days: int, calendar: BusinessCalendar
) -> Deadline:
    """SAI prórroga (Ley 20.285 art. 14): extra business days counted from the original due."""
    _check_term(extra_business_days)
    if deadline.extension_days:
        raise ExtensionNotAllowed("the term was already extended once")
    counted, skipped = _count(deadline.due, extra_business_days, calendar)
    return replace(
        deadline,
        business_days=deadline.business_days + extra_business_days,
        due=counted[-1],
        counted=deadline.counted + counted,
        skipped=deadline.skipped + skipped,
        extension_days=extra_business_days,
        original_due=deadline.due,
    )


def can_extend(deadline: Deadline, today: date) -> bool:
    """A prórroga must be notified before the term expires, i.e. on or before the due day.

    The term runs until the end of its last day, so notice given on the due day itself is
    still "antes del vencimiento"; from the next day on it is late. Only one prórroga.
    """
    return not deadline.extension_days and local_date(today) <= deadline.due


def business_days_left(due: date, today: date, calendar: BusinessCalendar) -> int:
    """Business days from today to due: 0 on the due day, negative business days when late."""
    return calendar.business_days_between(local_date(today), due)


def elapsed_fraction(deadline: Deadline, today: date) -> float:
    """Share of the term's business days already used up (0.0 to 1.0, 1.0 from the due day)."""
    today = local_date(today)
    used = sum(1 for day in deadline.counted if day <= today)
    return used / deadline.business_days


def alert_dates(deadline: Deadline) -> dict[float, date]:
    """The business day on which each share of ALERT_THRESHOLDS is first reached."""
    total = deadline.business_days
    dates: dict[float, date] = {}
    for threshold in ALERT_THRESHOLDS:
        needed = math.ceil(Fraction(threshold).limit_denominator(1000) * total)
        dates[threshold] = deadline.counted[max(needed, 1) - 1]
    return dates


def calendar_days_cap_ok(received: date, due: date, cap_days: int = 30) -> bool:
    """Reclamo terms may not exceed 30 calendar days (Ordenanza de Participación)."""
    return (due - local_date(received)).days <= cap_days
