"""The call center's opening hours (OIRS_CALL_CENTER_HOURS, America/Santiago), read and decided
once: the phone line and the admin must agree on whether a person can answer now.

A schedule is runs of weekdays with a time window, separated by ";" or ",":
"mon-fri 08:30-13:00; mon-fri 14:00-17:30, sat 09:00-13:00". "24:00" closes at midnight;
"closed" means no one answers by phone at all. Holidays of the business calendar close the call
center on weekdays.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from oirs_rules.dates import SANTIAGO, WEEKDAYS

VARIABLE = "OIRS_CALL_CENTER_HOURS"
DEFAULT_HOURS = "mon-fri 08:30-17:30"
CLOSED = "closed"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_RE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)
_SATURDAY = 5


class Calendar(Protocol):
    """What the hours need of a business calendar (oirs_rules.calendar.BusinessCalendar)."""

    def is_business_day(self, day: date) -> bool: ...


@dataclass(frozen=True)
class Opening:
    """A run of weekdays and a time window in America/Santiago."""

    days: tuple[int, ...]
    start: time
    end: time


def parse_hours(spec: str) -> tuple[Opening, ...]:
    """Parse a schedule, e.g. "mon-fri 08:30-17:30; sat 09:00-13:00"; ValueError if malformed."""
    if spec.strip().lower() == CLOSED:
        return ()
    openings = []
    for part in filter(None, (p.strip().lower() for p in re.split(r"[;,]", spec))):
        match = HOURS_RE.match(part)
        names = {match["first"], match["last"] or "mon"} if match else {""}
        if not match or not names <= set(DAY_NAMES):
            raise ValueError(f"invalid call-center hours: {part!r}")
        first = DAY_NAMES.index(match["first"])
        last = DAY_NAMES.index(match["last"]) if match["last"] else first
        start, end = (_clock(match["start"]), _clock(match["end"]))
        if last < first or end <= start:
            raise ValueError(f"invalid call-center hours: {part!r}")
        openings.append(Opening(tuple(range(first, last + 1)), start, end))
    return tuple(openings)


def _clock(value: str) -> time:
    """A schedule time; "24:00" closes at the end of the day."""
    return time.max if value == "24:00" else time.fromisoformat(f"{value:0>5}")


@dataclass(frozen=True)
class CallCenterHours:
    """When agents answer; national, regional and communal holidays close the call center."""

    openings: tuple[Opening, ...]

    @classmethod
    def from_spec(cls, spec: str | None) -> CallCenterHours:
        """The configured schedule; an empty value is the default office hours."""
        return cls(parse_hours(spec or DEFAULT_HOURS))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CallCenterHours:
        env = os.environ if environ is None else environ
        return cls.from_spec(env.get(VARIABLE))

    def is_open(self, moment: datetime, calendar: Calendar) -> bool:
        """Whether a person can answer at `moment` (aware, or naive local time)."""
        local = _local(moment)
        if _is_holiday(local, calendar):
            return False
        now = local.time()
        return any(local.weekday() in o.days and o.start <= now < o.end for o in self.openings)

    def next_opening(self, moment: datetime, calendar: Calendar) -> datetime | None:
        """The first local moment after `moment` when agents answer (within three weeks)."""
        local = _local(moment)
        for offset in range(22):
            day = local.date() + timedelta(days=offset)
            candidates = [
                datetime.combine(day, o.start, SANTIAGO)
                for o in self.openings
                if day.weekday() in o.days
            ]
            for start in sorted(candidates):
                if start > local and not _is_holiday(start, calendar):
                    return start
        return None

    def describe(self, joiner: str = "; ") -> str | None:
        """The schedule as people read it: "de lunes a viernes, de 8:30 a 17:30 horas".

        None when no one answers by phone; the caller words that in its own channel.
        """
        if not self.openings:
            return None
        parts = []
        for o in self.openings:
            days = WEEKDAYS[o.days[0]]
            if len(o.days) > 1:
                days = f"de {WEEKDAYS[o.days[0]]} a {WEEKDAYS[o.days[-1]]}"
            parts.append(f"{days}, de {hhmm(o.start)} a {hhmm(o.end)} horas")
        return joiner.join(parts)


def _local(moment: datetime) -> datetime:
    """Santiago time; a naive moment is taken as already local."""
    return moment.replace(tzinfo=SANTIAGO) if moment.tzinfo is None else moment.astimezone(SANTIAGO)


def _is_holiday(local: datetime, calendar: Calendar) -> bool:
    """A weekday that is not a business day (weekends follow the configured openings)."""
    return local.weekday() < _SATURDAY and not calendar.is_business_day(local.date())


def hhmm(value: time) -> str:
    """A clock time as people say it: "8:30", "24:00"."""
    return "24:00" if value == time.max else f"{value.hour}:{value.minute:02d}"
