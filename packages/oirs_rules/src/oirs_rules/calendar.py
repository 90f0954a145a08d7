"""Chilean business-day calendar (Ley 19.880 art. 25) for one comuna.

Business days are Monday to Friday minus the PUBLIC holidays of Chile from the
`holidays` library, minus the regional/comunal days of the configured comuna
(our own table below, not the library's subdivisions), minus the extra days an
admin declares. The library's bank-only 31 December is never used.

Shared by the admin (terms, deadlines, call-center hours) and the phone line (call-center hours),
so both close on the same holidays.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from oirs_rules.dates import WEEKDAYS

# Spanish wording of the reasons; the only user-facing text of this module.
WEEKDAY_NAMES = WEEKDAYS  # a weekend day is its own reason ("sábado")
REASON_NATIONAL = "feriado: {name}"
REASON_LOCAL = "feriado {scope}: {name}"
REASON_DECREED = "día inhábil decretado: {note}"

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@dataclass(frozen=True)
class NonBusinessDay:
    """A day that does not count in a term, with the reason shown to people."""

    day: date
    reason: str


@dataclass(frozen=True)
class LocalHoliday:
    """A yearly holiday that applies only to some comunas, with its legal source."""

    month: int
    day: int
    name: str
    scope: str  # "comunal" or "regional": how the reason is worded
    since_year: int
    source: str

    def on(self, year: int) -> date | None:
        """The date of this holiday in `year`, or None before the law applies."""
        return date(year, self.month, self.day) if year >= self.since_year else None


# Ley 20.768 (D.O. 19-08-2014), artículo único: "Declárase feriado el día 20 de agosto de
# cada año para las comunas de Chillán y Chillán Viejo". The `holidays` library cites it as
# "Law 20.678" and applies it to the whole Ñuble region (subdiv NB), which is wrong: in
# Concepción, San Carlos, Bulnes... 20 August is a business day.
_PROCER = LocalHoliday(
    8, 20, "Nacimiento del Prócer de la Independencia", "comunal", 2014, "Ley 20.768"
)

# Ley 20.663 (2013): 7 de junio, "Asalto y Toma del Morro de Arica", feriado en la Región de
# Arica y Parinacota, whose comunas are Arica, Camarones, Putre and General Lagos.
_MORRO = LocalHoliday(6, 7, "Asalto y Toma del Morro de Arica", "regional", 2013, "Ley 20.663")

# Comunas with days of their own. Any other comuna is valid and has national holidays only.
KNOWN_COMUNAS: Mapping[str, tuple[LocalHoliday, ...]] = MappingProxyType(
    {
        "chillan": (_PROCER,),
        "chillan viejo": (_PROCER,),
        "arica": (_MORRO,),
        "camarones": (_MORRO,),
        "putre": (_MORRO,),
        "general lagos": (_MORRO,),
    }
)


def normalise_comuna(name: str) -> str:
    """One key per comuna whatever the accents, case, hyphens or spacing people use."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", " ", plain).strip().casefold()


@lru_cache(maxsize=256)
def national_holidays(year: int) -> Mapping[date, str]:
    """Chile's public holidays of one year, in Spanish; cached because building them is slow."""
    table = holidays.country_holidays("CL", years=year, language="es", categories=("public",))
    return MappingProxyType({day: str(name) for day, name in table.items()})


@lru_cache(maxsize=1024)
def _local_reasons(comuna_key: str, year: int) -> Mapping[date, str]:
    """Regional/comunal holidays of one comuna and year, worded as reasons."""
    reasons: dict[date, str] = {}
    for holiday in KNOWN_COMUNAS.get(comuna_key, ()):
        day = holiday.on(year)
        if day is not None:
            reasons[day] = REASON_LOCAL.format(scope=holiday.scope, name=holiday.name)
    return MappingProxyType(reasons)


def clear_holiday_caches() -> None:
    """Forget the per-year holiday tables, e.g. to measure a fresh process."""
    national_holidays.cache_clear()
    _local_reasons.cache_clear()


def _as_date(day: date) -> date:
    """Plain date of a date or datetime key, so admins can pass either."""
    return day.date() if isinstance(day, datetime) else day


class BusinessCalendar:
    """Which days count in a legal term for one comuna (Ley 19.880 art. 25)."""

    def __init__(
        self, comuna: str | None = None, extra_days: Mapping[date, str] | None = None
    ) -> None:
        self.comuna = comuna
        self._comuna_key = normalise_comuna(comuna) if comuna else ""
        self._extra = {_as_date(day): note for day, note in (extra_days or {}).items()}
        self._years: dict[int, dict[date, str]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar(comuna={self.comuna!r}, extra_days={len(self._extra)})"

    def _holiday_reasons(self, year: int) -> dict[date, str]:
        """Every weekday-independent non-business day of a year; national wins over local."""
        reasons = self._years.get(year)
        if reasons is None:
            reasons = {
                day: REASON_DECREED.format(note=note)
                for day, note in self._extra.items()
                if day.year == year
            }
            reasons.update(_local_reasons(self._comuna_key, year))
            reasons.update(
                (day, REASON_NATIONAL.format(name=name))
                for day, name in national_holidays(year).items()
            )
            self._years[year] = reasons
        return reasons

    def why_not_business(self, day: date) -> str | None:
        """The reason `day` does not count (weekend first), or None for a business day."""
        day = _as_date(day)
        weekday = day.weekday()
        if weekday >= _SATURDAY:
            return WEEKDAY_NAMES[weekday]
        return self._holiday_reasons(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """True when `day` counts in a term."""
        return self.why_not_business(day) is None

    def next_business_day(self, day: date) -> date:
        """First business day strictly after `day`."""
        candidate = _as_date(day) + _ONE_DAY
        while not self.is_business_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative (the count in (end, start]) if end < start."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.business_days_between(end, start)
        # Weekdays by arithmetic, then minus the holidays that fall on them: O(years), not O(days).
        full_weeks, remainder = divmod((end - start).days, 7)
        count = full_weeks * 5
        day = start + timedelta(days=full_weeks * 7)
        for _ in range(remainder):
            day += _ONE_DAY
            count += day.weekday() < _SATURDAY
        for year in range(start.year, end.year + 1):
            count -= sum(
                1
                for holiday in self._holiday_reasons(year)
                if start < holiday <= end and holiday.weekday() < _SATURDAY
            )
        return count

    def non_business_days(self, start: date, end: date) -> tuple[NonBusinessDay, ...]:
        """Each non-business day in [start, end] with its reason, for explanations."""
        found: list[NonBusinessDay] = []
        day = _as_date(start)
        while day <= end:
            reason = self.why_not_business(day)
            if reason is not None:
                found.append(NonBusinessDay(day, reason))
            day += _ONE_DAY
        return tuple(found)
