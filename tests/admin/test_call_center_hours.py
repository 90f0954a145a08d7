"""The admin answers a request for a person with the schedule and holidays the phone line uses:
the table of tests/rules/hours_cases.py (tests/channels/test_voice_hours.py asserts it too)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.admin.handoff_support import clock_fixture, request_handoff  # noqa: F401  (fixtures)
from tests.rules.hours_cases import CASES, SPEC


@pytest.fixture(name="lunch_break_hours")
def lunch_break_hours_fixture(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """OIRS_CALL_CENTER_HOURS as the operator writes it, read by the app as in production."""
    monkeypatch.setenv("OIRS_CALL_CENTER_HOURS", SPEC)
    previous = app.extensions.pop("oirs_call_center_hours", None)
    yield
    app.extensions.pop("oirs_call_center_hours", None)
    if previous is not None:
        app.extensions["oirs_call_center_hours"] = previous


@pytest.mark.parametrize(("moment", "expected", "when"), CASES, ids=[c[2] for c in CASES])
@pytest.mark.usefixtures("lunch_break_hours")
def test_the_admin_takes_calls_exactly_when_the_phone_line_is_open(
    client: FlaskClient,
    auth: dict[str, str],
    clock: list[datetime],
    moment: datetime,
    expected: bool,
    when: str,
) -> None:
    clock[0] = moment
    caller = f"+5698765{moment:%H%M}"
    status, body = request_handoff(
        client,
        auth,
        channel="voice",
        channel_user_id=caller,
        conversation_id=f"CA{moment:%Y%m%d%H%M}" + "0" * 20,
    )
    assert status == 201, body
    assert (body["status"] == "queued") is expected, when
