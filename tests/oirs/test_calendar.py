"""Business-day calendar: fixed dates checked by hand against the Chilean calendar."""

from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oirs.calendar.business_days import (
    KNOWN_COMUNAS,
    BusinessCalendar,
    NonBusinessDay,
    national_holidays,
    normalise_comuna,
)

NATIONAL = BusinessCalendar()


def reason(day: date, calendar: BusinessCalendar = NATIONAL) -> str | None:
    return calendar.why_not_business(day)


# --- weekends and fixed national holidays -------------------------------------------------


def test_weekends_are_not_business_days_and_say_which_day_they_are():
    assert reason(date(2024, 10, 5)) == "sábado"
    assert reason(date(2024, 10, 6)) == "domingo"
    assert NATIONAL.is_business_day(date(2024, 10, 4))
    assert NATIONAL.is_business_day(date(2024, 10, 7))


def test_a_business_day_has_no_reason():
    assert reason(date(2024, 10, 8)) is None


def test_new_years_day_is_a_holiday():
    assert reason(date(2025, 1, 1)) == "feriado: Año Nuevo"
    assert reason(date(2026, 1, 1)) == "feriado: Año Nuevo"


def test_second_of_january_is_a_holiday_only_when_new_year_falls_on_sunday():
    assert reason(date(2023, 1, 2)) == "feriado: Feriado nacional"
    assert NATIONAL.is_business_day(date(2024, 1, 2))


@pytest.mark.parametrize("year", [2020, 2024, 2025, 2026, 2027])
def test_thirty_first_of_december_is_a_business_day_despite_the_bank_holiday(year):
    day = date(year, 12, 31)
    assert day in holidays.country_holidays("CL", years=year, categories=("bank",))
    assert NATIONAL.is_business_day(day)


def test_easter_friday_is_a_holiday_and_the_thursday_before_is_not():
    assert reason(date(2024, 3, 29)) == "feriado: Viernes Santo"
    assert NATIONAL.is_business_day(date(2024, 3, 28))
    assert reason(date(2025, 4, 18)) == "feriado: Viernes Santo"
    assert NATIONAL.is_business_day(date(2025, 4, 21))  # Easter Monday is not a holiday


def test_holy_saturday_is_reported_as_saturday_because_weekends_go_first():
    assert reason(date(2025, 4, 19)) == "sábado"


def test_labour_day_navy_day_and_christmas():
    assert reason(date(2024, 5, 1)) == "feriado: Día Nacional del Trabajo"
    assert reason(date(2024, 5, 21)) == "feriado: Día de las Glorias Navales"
    assert reason(date(2024, 12, 25)) == "feriado: Navidad"
    assert reason(date(2020, 12, 8)) == "feriado: La Inmaculada Concepción"


def test_indigenous_peoples_day_follows_the_solstice():
    assert reason(date(2024, 6, 20)) == "feriado: Día Nacional de los Pueblos Indígenas"
    assert reason(date(2025, 6, 20)) == "feriado: Día Nacional de los Pueblos Indígenas"
    assert NATIONAL.is_business_day(date(2025, 6, 23))


def test_census_day_2017_was_a_holiday():
    assert reason(date(2017, 4, 19)) == "feriado: Censo Nacional de Población y Vivienda"


# --- Fiestas Patrias -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 9, 18), "feriado: Día de la Independencia"),
        (date(2024, 9, 19), "feriado: Día de las Glorias del Ejército"),
        (date(2024, 9, 20), "feriado: Fiestas Patrias"),  # Friday after Thursday 19
        (date(2021, 9, 17), "feriado: Fiestas Patrias"),  # Friday before Saturday 18
        (date(2022, 9, 16), "feriado: Feriado nacional"),  # Ley 21.521, Friday 16
        (date(2019, 9, 20), "feriado: Fiestas Patrias"),
        (date(2027, 9, 17), "feriado: Fiestas Patrias"),
    ],
)
def test_fiestas_patrias_and_their_interferiados(day, expected):
    assert reason(day) == expected


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 9, 15),  # Friday before Monday 18
        date(2023, 9, 20),  # Wednesday after Tuesday 19
        date(2025, 9, 17),  # Wednesday before Thursday 18
        date(2026, 9, 17),  # Thursday before Friday 18
        date(2022, 9, 20),  # Tuesday after Monday 19
    ],
)
def test_days_next_to_fiestas_patrias_without_interferiado_are_business_days(day):
    assert NATIONAL.is_business_day(day)


# --- holidays moved to a Monday or Friday ----------------------------------------------


def test_saint_peter_and_paul_moves_to_the_nearest_monday():
    assert reason(date(2021, 6, 28)) == "feriado: San Pedro y San Pablo"
    assert NATIONAL.is_business_day(date(2021, 6, 29))
    assert reason(date(2023, 6, 26)) == "feriado: San Pedro y San Pablo"
    assert NATIONAL.is_business_day(date(2023, 6, 29))
    assert reason(date(2026, 6, 29)) == "feriado: San Pedro y San Pablo"  # already a Monday


def test_encuentro_de_dos_mundos_moves_to_a_monday():
    assert reason(date(2023, 10, 9)) == "feriado: Día del Encuentro de dos Mundos"
    assert NATIONAL.is_business_day(date(2023, 10, 12))
    assert reason(date(2018, 10, 15)) == "feriado: Día del Encuentro de dos Mundos"
    assert NATIONAL.is_business_day(date(2018, 10, 12))  # a Friday, moved to Monday
    assert reason(date(2024, 10, 12)) == "sábado"


def test_evangelical_churches_day_moves_to_a_friday():
    evangelicas = "feriado: Día Nacional de las Iglesias Evangélicas y Protestantes"
    assert reason(date(2023, 10, 27)) == evangelicas  # Tuesday 31 -> previous Friday
    assert NATIONAL.is_business_day(date(2023, 10, 31))
    assert reason(date(2018, 11, 2)) == evangelicas  # Wednesday 31 -> next Friday
    assert NATIONAL.is_business_day(date(2018, 10, 31))
    assert reason(date(2024, 10, 31)) == evangelicas  # Thursday stays


# --- comunas ---------------------------------------------------------------------------


@pytest.mark.parametrize("comuna", ["Chillán", "Chillán Viejo", "chillan viejo", "CHILLAN-VIEJO"])
def test_twentieth_of_august_is_a_holiday_in_chillan_and_chillan_viejo(comuna):
    assert reason(date(2025, 8, 20), BusinessCalendar(comuna)) == (
        "feriado comunal: Nacimiento del Prócer de la Independencia"
    )


@pytest.mark.parametrize("comuna", ["Concepción", "San Carlos", "Bulnes", "Santiago", None])
def test_twentieth_of_august_is_a_business_day_elsewhere_even_in_nuble(comuna):
    assert BusinessCalendar(comuna).is_business_day(date(2025, 8, 20))


def test_library_nuble_subdivision_is_wrong_for_san_carlos_so_we_do_not_use_it():
    library = holidays.country_holidays("CL", subdiv="NB", years=2025)
    assert date(2025, 8, 20) in library
    assert BusinessCalendar("San Carlos").is_business_day(date(2025, 8, 20))


def test_twentieth_of_august_in_chillan_starts_with_ley_20768_in_2014():
    chillan = BusinessCalendar("Chillán")
    assert chillan.is_business_day(date(2013, 8, 20))
    assert not chillan.is_business_day(date(2014, 8, 20))


@pytest.mark.parametrize("comuna", ["Arica", "Camarones", "Putre", "General Lagos"])
def test_seventh_of_june_is_a_holiday_in_arica_y_parinacota(comuna):
    assert reason(date(2024, 6, 7), BusinessCalendar(comuna)) == (
        "feriado regional: Asalto y Toma del Morro de Arica"
    )


@pytest.mark.parametrize("comuna", ["Santiago", "Iquique", None])
def test_seventh_of_june_is_a_business_day_outside_arica_y_parinacota(comuna):
    assert BusinessCalendar(comuna).is_business_day(date(2024, 6, 7))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Chillán Viejo", "chillan viejo"),
        ("chillan viejo", "chillan viejo"),
        ("CHILLAN-VIEJO", "chillan viejo"),
        ("  Chillán   Viejo ", "chillan viejo"),
        ("General_Lagos", "general lagos"),
        ("Ñuñoa", "nunoa"),
        ("Concepción", "concepcion"),
    ],
)
def test_comuna_names_are_normalised_to_one_key(name, key):
    assert normalise_comuna(name) == key


def test_known_comunas_lists_only_comunas_with_days_of_their_own():
    assert set(KNOWN_COMUNAS) == {
        "chillan",
        "chillan viejo",
        "arica",
        "camarones",
        "putre",
        "general lagos",
    }
    assert all(key == normalise_comuna(key) for key in KNOWN_COMUNAS)


def test_unknown_comuna_is_valid_with_national_holidays_only():
    calendar = BusinessCalendar("Quinta Normal")
    assert calendar.is_business_day(date(2025, 8, 20))
    assert reason(date(2025, 9, 18), calendar) == "feriado: Día de la Independencia"


# --- days an admin adds ----------------------------------------------------------------


def test_extra_day_decreed_by_admin_is_not_a_business_day():
    calendar = BusinessCalendar(extra_days={date(2025, 3, 5): "Decreto Alcaldicio 123"})
    assert reason(date(2025, 3, 5), calendar) == "día inhábil decretado: Decreto Alcaldicio 123"
    assert NATIONAL.is_business_day(date(2025, 3, 5))


def test_extra_day_accepts_datetime_keys():
    calendar = BusinessCalendar(extra_days={datetime(2025, 3, 5, 9, 0): "corte de luz"})
    assert not calendar.is_business_day(date(2025, 3, 5))


def test_national_reason_wins_when_an_extra_day_repeats_a_holiday():
    calendar = BusinessCalendar(extra_days={date(2025, 5, 1): "repetido"})
    assert reason(date(2025, 5, 1), calendar) == "feriado: Día Nacional del Trabajo"


def test_extra_days_are_copied_so_later_changes_to_the_mapping_do_not_leak():
    extra = {date(2025, 3, 5): "uno"}
    calendar = BusinessCalendar(extra_days=extra)
    extra[date(2025, 3, 6)] = "dos"
    assert calendar.is_business_day(date(2025, 3, 6))


# --- navigation ------------------------------------------------------------------------


def test_next_business_day_is_strictly_after_the_given_day():
    assert NATIONAL.next_business_day(date(2024, 10, 7)) == date(2024, 10, 8)
    assert NATIONAL.next_business_day(date(2024, 9, 13)) == date(2024, 9, 16)
    assert NATIONAL.next_business_day(date(2024, 9, 17)) == date(2024, 9, 23)


def test_next_business_day_crosses_the_new_year():
    assert NATIONAL.next_business_day(date(2025, 12, 24)) == date(2025, 12, 26)
    assert NATIONAL.next_business_day(date(2025, 12, 30)) == date(2025, 12, 31)
    assert NATIONAL.next_business_day(date(2025, 12, 31)) == date(2026, 1, 2)


def test_business_days_between_counts_the_half_open_span():
    assert NATIONAL.business_days_between(date(2024, 10, 4), date(2024, 10, 7)) == 1
    assert NATIONAL.business_days_between(date(2024, 10, 7), date(2024, 10, 7)) == 0
    assert NATIONAL.business_days_between(date(2024, 9, 17), date(2024, 9, 23)) == 1
    assert NATIONAL.business_days_between(date(2024, 10, 7), date(2024, 10, 4)) == -1


def test_non_business_days_lists_each_day_with_its_reason():
    assert NATIONAL.non_business_days(date(2024, 9, 17), date(2024, 9, 23)) == (
        NonBusinessDay(date(2024, 9, 18), "feriado: Día de la Independencia"),
        NonBusinessDay(date(2024, 9, 19), "feriado: Día de las Glorias del Ejército"),
        NonBusinessDay(date(2024, 9, 20), "feriado: Fiestas Patrias"),
        NonBusinessDay(date(2024, 9, 21), "sábado"),
        NonBusinessDay(date(2024, 9, 22), "domingo"),
    )


def test_national_holidays_are_built_once_per_year():
    assert national_holidays(2024) is national_holidays(2024)


# --- properties ------------------------------------------------------------------------

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31))
calendars = st.sampled_from(
    [NATIONAL, BusinessCalendar("Chillán"), BusinessCalendar("Arica"), BusinessCalendar("Talca")]
)


@given(days, calendars)
def test_is_business_day_agrees_with_why_not_business(day, calendar):
    assert calendar.is_business_day(day) == (calendar.why_not_business(day) is None)


@given(days, calendars)
def test_next_business_day_skips_only_non_business_days(day, calendar):
    following = calendar.next_business_day(day)
    assert following > day
    assert calendar.is_business_day(following)
    assert calendar.business_days_between(day, following) == 1
    gap = (following - day).days
    assert all(not calendar.is_business_day(day + timedelta(days=i)) for i in range(1, gap))


@given(days, days, days, calendars)
def test_business_days_between_is_additive_and_antisymmetric(a, b, c, calendar):
    assert calendar.business_days_between(a, b) == -calendar.business_days_between(b, a)
    assert calendar.business_days_between(a, b) + calendar.business_days_between(
        b, c
    ) == calendar.business_days_between(a, c)


@given(days)
def test_a_comuna_calendar_never_has_more_business_days_than_the_national_one(day):
    if BusinessCalendar("Chillán Viejo").is_business_day(day):
        assert NATIONAL.is_business_day(day)
