"""Which term applies to a case and which calendar counts it: rows admins edit, then the law."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.models import DeadlineRule, ExtraHoliday

DEFAULT_TERMS = {
    "reclamo": 15,
    "sugerencia": 15,
    "consulta": 15,
    "felicitacion": 15,
    "sai": 20,
    "datos_personales": 30,
}
# Terms counted in calendar days, not business days: Ley 21.719 art. 11 (30 días corridos).
CALENDAR_DAY_TYPES = frozenset({"datos_personales"})
SAI_EXTENSION_DAYS = 10
SUBSANACION_DAYS = 5
THIRD_PARTY_NOTICE_DAYS = 2
THIRD_PARTY_OPPOSITION_DAYS = 3
AMPARO_DAYS = 15


def term_for(session: Session, case_type: str, category_code: str | None) -> int:
    """Business days to answer: the category rule, else the type rule, else the default."""
    rules = session.scalars(select(DeadlineRule).where(DeadlineRule.case_type == case_type)).all()
    by_category = {rule.category_code: rule.business_days for rule in rules}
    if category_code and category_code in by_category:
        return by_category[category_code]
    if None in by_category:
        return by_category[None]
    return DEFAULT_TERMS[case_type]


def load_calendar(session: Session, comuna: str | None) -> BusinessCalendar:
    """The commune's calendar plus every extra non-business day admins stored."""
    extra = {row.day: row.reason for row in session.scalars(select(ExtraHoliday))}
    return BusinessCalendar(comuna=comuna, extra_days=extra)
