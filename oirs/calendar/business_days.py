"""The business-day calendar (Ley 19.880 art. 25), as the core names it.

It lives in the shared package `oirs_rules.calendar` because the phone line needs the same
holidays to decide whether the call center is open; the core imports it from here.
"""

from oirs_rules.calendar import (
    KNOWN_COMUNAS,
    REASON_DECREED,
    REASON_LOCAL,
    REASON_NATIONAL,
    WEEKDAY_NAMES,
    BusinessCalendar,
    LocalHoliday,
    NonBusinessDay,
    clear_holiday_caches,
    national_holidays,
    normalise_comuna,
)

__all__ = [
    "KNOWN_COMUNAS",
    "REASON_DECREED",
    "REASON_LOCAL",
    "REASON_NATIONAL",
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "LocalHoliday",
    "NonBusinessDay",
    "clear_holiday_caches",
    "national_holidays",
    "normalise_comuna",
]
