"""The phone line decides whether agents answer with the admin's rules: the same schedule syntax
(',' and ';'), the same holidays (tests/rules/hours_cases.py; the admin asserts the same table)."""

from __future__ import annotations

from datetime import datetime

import pytest

from channels.voice import VoiceInput
from tests.rules.hours_cases import CASES, SPEC


def phone_line(hours: str) -> VoiceInput:
    values = {"auth_token": "token", "public_url": "https://oirs.example.cl", "hours": hours}
    channel = VoiceInput.configured(values)
    assert isinstance(channel, VoiceInput)
    return channel


@pytest.mark.parametrize(("moment", "expected", "when"), CASES, ids=[c[2] for c in CASES])
def test_the_phone_line_is_open_exactly_when_the_admin_is(
    moment: datetime, expected: bool, when: str
) -> None:
    assert phone_line(SPEC).handoff.is_open(moment) is expected, when


@pytest.mark.parametrize("hours", ["mon-fri 17:30-08:30", "fri-mon 08:30-17:30", "mon 8:00"])
def test_a_schedule_the_admin_refuses_stops_the_phone_line_too(hours: str) -> None:
    with pytest.raises(ValueError):
        phone_line(hours)
