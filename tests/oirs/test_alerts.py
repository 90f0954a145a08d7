"""Deadline alerts at 50/75/90/100% of the term, escalation at 90% and expiry, each once."""

from __future__ import annotations

from datetime import date

from oirs.calendar.alerts import calendar_day_alert_dates, due_alerts, runs_for
from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import alert_dates, compute_deadline

CAL = BusinessCalendar()
# Received Monday 02-03-2026, 20 business days: day 10 is 16-03, day 15 is 23-03,
# day 18 is 26-03 and day 20 (the due day) is 30-03.
TERM = alert_dates(compute_deadline(date(2026, 3, 2), 20, CAL))


def kinds(today: date, sent: set[str] | None = None) -> dict[str, bool]:
    return {a.kind: a.notify for a in due_alerts(TERM, today, sent or set())}


def test_no_alert_before_half_the_term() -> None:
    assert kinds(date(2026, 3, 13)) == {}


def test_half_the_term_alerts_the_responsible_unit() -> None:
    (alert,) = due_alerts(TERM, date(2026, 3, 16), set())
    assert (alert.kind, alert.audience, alert.reached_on) == (
        "plazo_50",
        "responsible",
        date(2026, 3, 16),
    )


def test_ninety_percent_alerts_and_escalates_to_the_supervisor() -> None:
    assert kinds(date(2026, 3, 26), {"plazo_50", "plazo_75"}) == {
        "plazo_90": True,
        "escalamiento_90": True,
    }


def test_expiry_alerts_and_escalates_on_the_due_day() -> None:
    sent = {"plazo_50", "plazo_75", "plazo_90", "escalamiento_90"}
    assert kinds(date(2026, 3, 27), sent) == {}
    assert kinds(date(2026, 3, 30), sent) == {"plazo_100": True, "escalamiento_100": True}


def test_an_alert_already_sent_is_not_sent_again() -> None:
    assert kinds(date(2026, 3, 17), {"plazo_50"}) == {}


def test_after_a_gap_only_the_highest_threshold_is_notified() -> None:
    assert kinds(date(2026, 3, 24)) == {"plazo_50": False, "plazo_75": True}


def test_no_alerts_while_waiting_for_the_resident_or_after_the_answer() -> None:
    assert not runs_for("subsanacion", is_open=True)
    assert not runs_for("respondido", is_open=False)
    assert runs_for("asignada", is_open=True)


def test_calendar_day_terms_alert_by_calendar_days() -> None:
    # Ley 21.719: 30 días corridos from 02-03-2026, due 01-04-2026; half is 17-03.
    reached = calendar_day_alert_dates(date(2026, 3, 2), date(2026, 4, 1))
    assert reached[0.5] == date(2026, 3, 17)
    assert reached[1.0] == date(2026, 4, 1)
    assert [a.kind for a in due_alerts(reached, date(2026, 3, 17), set())] == ["plazo_50"]
