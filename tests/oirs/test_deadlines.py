"""Deadline engine: due dates, prórroga, days left and alerts, with dates checked by hand."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oirs.calendar.business_days import BusinessCalendar, NonBusinessDay
from oirs.calendar.deadlines import (
    ALERT_THRESHOLDS,
    ExtensionNotAllowed,
    InvalidTerm,
    alert_dates,
    business_days_left,
    calendar_days_cap_ok,
    can_extend,
    compute_deadline,
    elapsed_fraction,
    extend_deadline,
)

NATIONAL = BusinessCalendar()


def due(received: date | datetime, days: int, calendar: BusinessCalendar = NATIONAL) -> date:
    return compute_deadline(received, days, calendar).due


# --- known answers ---------------------------------------------------------------------


def test_sai_received_on_sunday_is_due_on_28_october_2024():
    deadline = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    assert deadline.deemed_received == date(2024, 9, 30)
    assert deadline.counted[0] == date(2024, 10, 1)
    assert deadline.due == date(2024, 10, 28)


def test_sai_received_12_november_2020_skips_immaculate_conception():
    deadline = compute_deadline(date(2020, 11, 12), 20, NATIONAL)
    assert deadline.due == date(2020, 12, 11)
    assert NonBusinessDay(date(2020, 12, 8), "feriado: La Inmaculada Concepción") in (
        deadline.skipped
    )


def test_counting_starts_the_day_after_a_business_day_receipt():
    deadline = compute_deadline(date(2024, 10, 7), 1, NATIONAL)
    assert deadline.deemed_received == date(2024, 10, 7)
    assert deadline.due == date(2024, 10, 8)


def test_saturday_receipt_is_deemed_monday_so_day_one_is_tuesday():
    deadline = compute_deadline(date(2024, 10, 5), 1, NATIONAL)
    assert deadline.deemed_received == date(2024, 10, 7)
    assert deadline.due == date(2024, 10, 8)


def test_receipt_on_independence_day_is_deemed_the_next_monday():
    deadline = compute_deadline(date(2024, 9, 18), 5, NATIONAL)
    assert deadline.deemed_received == date(2024, 9, 23)
    assert deadline.due == date(2024, 9, 30)


def test_reclamo_of_15_days_across_fiestas_patrias_2024():
    deadline = compute_deadline(date(2024, 9, 13), 15, NATIONAL)
    assert deadline.due == date(2024, 10, 9)
    assert [item.day for item in deadline.skipped[:3]] == [
        date(2024, 9, 14),
        date(2024, 9, 15),
        date(2024, 9, 18),
    ]


def test_term_across_easter_skips_good_friday():
    assert due(date(2024, 3, 27), 3) == date(2024, 4, 2)


def test_term_across_new_year_counts_31_december_and_skips_1_january():
    assert due(date(2025, 12, 22), 5) == date(2025, 12, 30)
    assert due(date(2025, 12, 22), 6) == date(2025, 12, 31)
    assert due(date(2025, 12, 22), 7) == date(2026, 1, 2)


def test_term_across_moved_saint_peter_and_paul_2023():
    # Monday 26 June 2023 is the holiday; Thursday 29 June counts.
    deadline = compute_deadline(date(2023, 6, 23), 4, NATIONAL)
    assert deadline.counted == (
        date(2023, 6, 27),
        date(2023, 6, 28),
        date(2023, 6, 29),
        date(2023, 6, 30),
    )


def test_term_across_moved_evangelical_day_2023():
    # Friday 27 October 2023 is the holiday; Tuesday 31 October counts; 1 November does not.
    deadline = compute_deadline(date(2023, 10, 26), 3, NATIONAL)
    assert deadline.counted == (date(2023, 10, 30), date(2023, 10, 31), date(2023, 11, 2))


def test_twentieth_of_august_delays_the_due_date_in_chillan_but_not_in_concepcion():
    assert due(date(2025, 8, 18), 5, BusinessCalendar("Chillán")) == date(2025, 8, 26)
    assert due(date(2025, 8, 18), 5, BusinessCalendar("Chillán Viejo")) == date(2025, 8, 26)
    assert due(date(2025, 8, 18), 5, BusinessCalendar("Concepción")) == date(2025, 8, 25)
    assert due(date(2025, 8, 18), 5, BusinessCalendar("San Carlos")) == date(2025, 8, 25)


def test_seventh_of_june_delays_the_due_date_in_arica_but_not_in_santiago():
    assert due(date(2024, 6, 5), 3, BusinessCalendar("Arica")) == date(2024, 6, 11)
    assert due(date(2024, 6, 5), 3, BusinessCalendar("Santiago")) == date(2024, 6, 10)


def test_day_decreed_by_admin_delays_the_due_date():
    decreed = BusinessCalendar(extra_days={date(2025, 3, 5): "emergencia comunal"})
    assert due(date(2025, 3, 3), 5, decreed) == date(2025, 3, 11)
    assert due(date(2025, 3, 3), 5, NATIONAL) == date(2025, 3, 10)


def test_zero_or_negative_terms_are_refused():
    with pytest.raises(InvalidTerm):
        compute_deadline(date(2025, 3, 3), 0, NATIONAL)
    assert issubclass(InvalidTerm, ValueError)


# --- datetimes -------------------------------------------------------------------------


def test_aware_datetime_is_read_in_santiago_time():
    # 01:30 UTC on Saturday 5 October is 22:30 on Friday 4 October in Santiago.
    received = datetime(2024, 10, 5, 1, 30, tzinfo=timezone.utc)
    deadline = compute_deadline(received, 1, NATIONAL)
    assert deadline.received == received
    assert deadline.deemed_received == date(2024, 10, 4)
    assert deadline.due == date(2024, 10, 7)


def test_naive_datetime_is_taken_as_santiago_local_time():
    deadline = compute_deadline(datetime(2024, 10, 4, 23, 59), 1, NATIONAL)
    assert deadline.due == date(2024, 10, 7)


# --- SAI prórroga ----------------------------------------------------------------------


def test_sai_extension_adds_ten_business_days_from_the_original_due_date():
    original = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    extended = extend_deadline(original, 10, NATIONAL)
    # 31 October and 1 November 2024 are holidays.
    assert extended.due == date(2024, 11, 13)
    assert extended.business_days == 30
    assert extended.extension_days == 10
    assert extended.original_due == date(2024, 10, 28)
    assert len(extended.counted) == 30
    assert extended.deemed_received == original.deemed_received


def test_sai_extension_is_allowed_only_once():
    extended = extend_deadline(compute_deadline(date(2024, 9, 29), 20, NATIONAL), 10, NATIONAL)
    with pytest.raises(ExtensionNotAllowed):
        extend_deadline(extended, 10, NATIONAL)


def test_sai_extension_must_be_notified_before_expiry():
    deadline = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    assert can_extend(deadline, date(2024, 10, 25))
    assert can_extend(deadline, date(2024, 10, 28))  # on the due day: still before expiry
    assert not can_extend(deadline, date(2024, 10, 29))


def test_an_extended_term_cannot_be_extended_again_even_in_time():
    extended = extend_deadline(compute_deadline(date(2024, 9, 29), 20, NATIONAL), 10, NATIONAL)
    assert not can_extend(extended, date(2024, 10, 1))


# --- days left, elapsed share and alerts -----------------------------------------------


def test_business_days_left_is_zero_on_the_due_day_and_negative_when_late():
    term_due = date(2024, 10, 28)
    assert business_days_left(term_due, date(2024, 10, 25), NATIONAL) == 1
    assert business_days_left(term_due, date(2024, 10, 26), NATIONAL) == 1
    assert business_days_left(term_due, date(2024, 10, 28), NATIONAL) == 0
    assert business_days_left(term_due, date(2024, 10, 29), NATIONAL) == -1
    # 31 October and 1 November are holidays: 29, 30 October and 4 November are late days.
    assert business_days_left(term_due, date(2024, 11, 4), NATIONAL) == -3


def test_elapsed_fraction_grows_with_counted_days_and_stops_at_one():
    deadline = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    assert elapsed_fraction(deadline, date(2024, 9, 20)) == 0.0
    assert elapsed_fraction(deadline, date(2024, 9, 30)) == 0.0
    assert elapsed_fraction(deadline, date(2024, 10, 1)) == 0.05
    assert elapsed_fraction(deadline, date(2024, 10, 14)) == 0.5
    assert elapsed_fraction(deadline, date(2024, 10, 28)) == 1.0
    assert elapsed_fraction(deadline, date(2024, 11, 15)) == 1.0


def test_alert_dates_of_a_20_day_sai():
    deadline = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    assert alert_dates(deadline) == {
        0.5: date(2024, 10, 14),
        0.75: date(2024, 10, 21),
        0.9: date(2024, 10, 24),
        1.0: date(2024, 10, 28),
    }


def test_alert_dates_of_a_15_day_reclamo_round_up_to_whole_days():
    deadline = compute_deadline(date(2024, 9, 13), 15, NATIONAL)
    assert alert_dates(deadline) == {
        0.5: date(2024, 9, 30),  # day 8 of 15
        0.75: date(2024, 10, 4),  # day 12
        0.9: date(2024, 10, 8),  # day 14
        1.0: date(2024, 10, 9),
    }


def test_alert_thresholds_follow_the_spec():
    assert ALERT_THRESHOLDS == (0.5, 0.75, 0.9, 1.0)


# --- 30 calendar day cap ---------------------------------------------------------------


def test_fifteen_business_days_fit_in_thirty_calendar_days():
    assert calendar_days_cap_ok(date(2024, 9, 13), due(date(2024, 9, 13), 15))


def test_twenty_business_days_across_fiestas_patrias_break_the_thirty_day_cap():
    term_due = due(date(2024, 9, 13), 20)
    assert term_due == date(2024, 10, 16)
    assert not calendar_days_cap_ok(date(2024, 9, 13), term_due)


def test_calendar_day_cap_boundary():
    assert calendar_days_cap_ok(date(2025, 3, 1), date(2025, 3, 31))
    assert not calendar_days_cap_ok(date(2025, 3, 1), date(2025, 4, 1))
    assert calendar_days_cap_ok(date(2025, 3, 1), date(2025, 3, 11), cap_days=10)


# --- explanations ----------------------------------------------------------------------


def test_explain_says_when_a_sunday_receipt_is_deemed_received():
    lines = compute_deadline(date(2024, 9, 29), 20, NATIONAL).explain()
    text = "\n".join(lines)
    assert "domingo 29-09-2024" in text
    assert "se entiende recibida el lunes 30-09-2024" in text
    assert "Ley 19.880" in text
    assert "Día 1 del plazo: martes 01-10-2024" in text
    assert "Vence el lunes 28-10-2024." in lines
    assert "2024-" not in text


def test_explain_names_each_skipped_holiday_and_why():
    lines = compute_deadline(date(2020, 11, 12), 20, NATIONAL).explain()
    assert "- martes 08-12-2020 (feriado: La Inmaculada Concepción)" in lines
    assert "- sábado 14-11-2020" in lines
    assert "Días no hábiles omitidos (9):" in lines


def test_explain_names_the_comunal_holiday():
    lines = compute_deadline(date(2025, 8, 18), 5, BusinessCalendar("Chillán")).explain()
    assert (
        "- miércoles 20-08-2025 (feriado comunal: Nacimiento del Prócer de la Independencia)"
        in lines
    )


def test_explain_mentions_the_prorroga_and_the_holidays_it_skipped():
    original = compute_deadline(date(2024, 9, 29), 20, NATIONAL)
    lines = extend_deadline(original, 10, NATIONAL).explain()
    text = "\n".join(lines)
    assert "prórroga de 10 días hábiles contada desde el lunes 28-10-2024" in text
    assert "Plazo: 30 días hábiles" in text
    assert "Iglesias Evangélicas" in text
    assert "Vence el miércoles 13-11-2024." in lines


def test_explain_says_so_when_nothing_was_skipped():
    lines = compute_deadline(date(2024, 10, 7), 2, NATIONAL).explain()
    assert "No hubo días no hábiles dentro del plazo." in lines


# --- properties ------------------------------------------------------------------------

received_days = st.dates(min_value=date(2015, 1, 1), max_value=date(2031, 12, 31))
terms = st.integers(min_value=1, max_value=60)
calendars = st.sampled_from(
    [NATIONAL, BusinessCalendar("Chillán"), BusinessCalendar("Putre"), BusinessCalendar("Lota")]
)


@given(received_days, terms, calendars)
def test_due_is_a_business_day_after_n_counted_business_days(received, days, calendar):
    deadline = compute_deadline(received, days, calendar)
    assert calendar.is_business_day(deadline.due)
    assert len(deadline.counted) == days
    assert deadline.counted[-1] == deadline.due
    assert deadline.counted[0] > deadline.deemed_received >= received
    assert all(calendar.is_business_day(day) for day in deadline.counted)
    assert list(deadline.counted) == sorted(set(deadline.counted))
    assert business_days_left(deadline.due, deadline.deemed_received, calendar) == days


@given(received_days, terms, calendars)
def test_every_calendar_day_after_receipt_is_counted_skipped_or_the_deemed_receipt(
    received, days, calendar
):
    deadline = compute_deadline(received, days, calendar)
    span = {received + timedelta(days=i) for i in range(1, (deadline.due - received).days + 1)}
    skipped = {item.day for item in deadline.skipped}
    deemed = {deadline.deemed_received} - {received}
    assert skipped.isdisjoint(deadline.counted)
    assert span == skipped | set(deadline.counted) | deemed
    assert all(calendar.why_not_business(item.day) == item.reason for item in deadline.skipped)


@given(received_days, terms, calendars)
def test_due_date_grows_strictly_with_the_term(received, days, calendar):
    assert due(received, days + 1, calendar) > due(received, days, calendar)


@given(received_days, terms, st.integers(min_value=1, max_value=15), calendars)
def test_extension_equals_a_single_longer_term(received, days, extra, calendar):
    extended = extend_deadline(compute_deadline(received, days, calendar), extra, calendar)
    longer = compute_deadline(received, days + extra, calendar)
    assert extended.due == longer.due
    assert extended.counted == longer.counted
    assert extended.skipped == longer.skipped


@given(received_days, terms, calendars)
def test_each_alert_date_is_the_first_day_its_threshold_is_reached(received, days, calendar):
    deadline = compute_deadline(received, days, calendar)
    alerts = alert_dates(deadline)
    assert alerts[1.0] == deadline.due
    assert list(alerts.values()) == sorted(alerts.values())
    for threshold, day in alerts.items():
        assert elapsed_fraction(deadline, day) >= threshold
        assert elapsed_fraction(deadline, day - timedelta(days=1)) < threshold


@given(received_days, terms, calendars)
def test_explain_lists_every_skipped_day(received, days, calendar):
    deadline = compute_deadline(received, days, calendar)
    text = "\n".join(deadline.explain())
    for item in deadline.skipped:
        assert item.day.strftime("%d-%m-%Y") in text
    assert deadline.due.strftime("%d-%m-%Y") in text
