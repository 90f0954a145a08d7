"""The call center's opening hours (OIRS_CALL_CENTER_HOURS, America/Santiago): whether a person
can answer now, and when someone will call back."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from oirs.calendar import BusinessCalendar

SANTIAGO = ZoneInfo("America/Santiago")
DEFAULT_HOURS = "mon-fri 08:30-17:30"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SPANISH = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
HOURS_RE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)
MESSAGES = {
    "hours_unknown": "sin horario de atención configurado",
    "callback_when": "a partir del {day} {date} a las {time} horas",
    "callback_soon": "apenas se reanude la atención",
}


@dataclass(frozen=True)
class Opening:
    """A run of weekdays and a time window in America/Santiago."""

    days: tuple[int, ...]
    start: time
    end: time


def parse_hours(spec: str) -> tuple[Opening, ...]:
    """Parse OIRS_CALL_CENTER_HOURS, e.g. "mon-fri 08:30-17:30; sat 09:00-13:00"."""
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
    return time.max if value == "24:00" else time.fromisoformat(f"{value:0>5}")


@dataclass(frozen=True)
class CallCenterHours:
    """When agents answer; national and communal holidays close the call center."""

    openings: tuple[Opening, ...]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CallCenterHours:
        env = os.environ if environ is None else environ
        return cls(parse_hours(env.get("OIRS_CALL_CENTER_HOURS") or DEFAULT_HOURS))

    def is_open(self, moment: datetime, calendar: BusinessCalendar) -> bool:
        local = moment.astimezone(SANTIAGO)
        if _is_holiday(local, calendar):
            return False
        now = local.time()
        return any(local.weekday() in o.days and o.start <= now < o.end for o in self.openings)

    def next_opening(self, moment: datetime, calendar: BusinessCalendar) -> datetime | None:
        """The first local moment after `moment` when agents answer (within three weeks)."""
        local = moment.astimezone(SANTIAGO)
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

    def describe(self) -> str:
        """The schedule as a resident reads it: "de lunes a viernes, de 8:30 a 17:30 horas"."""
        if not self.openings:
            return MESSAGES["hours_unknown"]
        parts = []
        for o in self.openings:
            days = DAY_SPANISH[o.days[0]]
            if len(o.days) > 1:
                days = f"de {DAY_SPANISH[o.days[0]]} a {DAY_SPANISH[o.days[-1]]}"
            parts.append(f"{days}, de {_hhmm(o.start)} a {_hhmm(o.end)} horas")
        return "; ".join(parts)


def _is_holiday(local: datetime, calendar: BusinessCalendar) -> bool:
    """A weekday that is not a business day (weekends follow the configured openings)."""
    return local.weekday() < 5 and not calendar.is_business_day(local.date())


def _hhmm(value: time) -> str:
    return "24:00" if value == time.max else f"{value.hour}:{value.minute:02d}"


def callback_phrase(opening: datetime | None) -> str:
    """When we call back, as the resident reads it: "a partir del jueves 26-11-2026 a las 8:30"."""
    if opening is None:
        return MESSAGES["callback_soon"]
    return MESSAGES["callback_when"].format(
        day=DAY_SPANISH[opening.weekday()],
        date=opening.strftime("%d-%m-%Y"),
        time=_hhmm(opening.time()),
    )
