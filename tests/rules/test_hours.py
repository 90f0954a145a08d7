"""Call-center hours, decided once for the phone line and the admin (oirs_rules.hours)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from oirs_rules.calendar import BusinessCalendar
from oirs_rules.hours import CallCenterHours, parse_hours

CALENDAR = BusinessCalendar()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 25, 8, 29), False),  # Wednesday, before opening
        (datetime(2026, 11, 25, 8, 30), True),
        (datetime(2026, 11, 25, 17, 29), True),
        (datetime(2026, 11, 25, 17, 30), False),
        (datetime(2026, 11, 28, 10, 0), True),  # Saturday morning
        (datetime(2026, 11, 28, 13, 0), False),
        (datetime(2026, 11, 29, 10, 0), False),  # Sunday
        (datetime(2026, 12, 8, 10, 0), False),  # Tuesday, Inmaculada Concepción
    ],
)
def test_call_center_hours_follow_the_schedule_and_the_holidays(
    moment: datetime, expected: bool
) -> None:
    hours = CallCenterHours(parse_hours("mon-fri 08:30-17:30; sat 09:00-13:00"))
    assert hours.is_open(moment, CALENDAR) is expected


def test_windows_may_be_separated_by_commas_as_by_semicolons() -> None:
    assert parse_hours("mon-fri 08:30-13:00, mon-fri 14:00-17:30") == parse_hours(
        "mon-fri 08:30-13:00; mon-fri 14:00-17:30"
    )


@pytest.mark.parametrize(
    "spec",
    ["weekdays 8-17", "mon-xyz 08:00-17:00", "mon 8:00", "fri-mon 08:30-17:30", "mon 18:00-08:00"],
)
def test_malformed_hours_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(spec)


def test_closed_means_no_one_answers_and_says_no_hours() -> None:
    hours = CallCenterHours.from_spec("closed")
    assert not hours.is_open(datetime(2026, 11, 25, 11, 0), CALENDAR)
    assert hours.next_opening(datetime(2026, 11, 25, 11, 0), CALENDAR) is None
    assert hours.describe() is None


def test_an_empty_setting_is_the_default_office_hours() -> None:
    assert CallCenterHours.from_env({"OIRS_CALL_CENTER_HOURS": ""}).describe() == (
        "de lunes a viernes, de 8:30 a 17:30 horas"
    )


def test_the_next_opening_skips_a_holiday() -> None:
    hours = CallCenterHours.from_spec("mon-fri 08:30-17:30")
    opening = hours.next_opening(datetime(2026, 12, 7, 19, 0), CALENDAR)
    assert opening is not None
    assert opening.isoformat() == "2026-12-09T08:30:00-03:00"


def test_chiles_public_holidays_are_the_same_in_both_environments() -> None:
    """The bot pins an older `holidays` (Rasa's python-dateutil): it must know the same days."""
    days = [day for day in _every_day(2026) if not CALENDAR.is_business_day(day)]
    weekday_holidays = [day.isoformat() for day in days if day.weekday() < 5]
    assert weekday_holidays == [
        "2026-01-01", "2026-04-03", "2026-05-01", "2026-05-21", "2026-06-29", "2026-07-16",
        "2026-09-18", "2026-10-12", "2026-12-08", "2026-12-25",
    ]  # fmt: skip


def _every_day(year: int) -> list[date]:
    first = date(year, 1, 1).toordinal()
    return [date.fromordinal(n) for n in range(first, date(year + 1, 1, 1).toordinal())]
