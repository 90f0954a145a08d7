"""The statistics judge cases in SQL (oirs.reporting.stats.judged_cases and verdict); this holds
them to the plain Python definition (the one oirs.reporting.stats ran case by case before):
answered on the Chilean day of the first event into an answering status, on time when that day
is on or before the stored due date, an open case late once its due date is past; response time
and delay in business days (calendar days for datos personales). Fixed dates, both databases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from oirs_rules.dates import SANTIAGO
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import local_date
from oirs.calendar.terms import CALENDAR_DAY_TYPES
from oirs.cases.filing import (
    Actor,
    ContactData,
    NewCase,
    derive_to_unit,
    file_case,
    transition,
    workflow,
)
from oirs.models import Case
from oirs.reporting.stats import NO_VALUE, build_report, case_facts
from oirs.sai import procedure as sai

CAL = BusinessCalendar()
OIRS = Actor("Paula Rojas", role="oirs")
UNIT = Actor("Luis Soto", role="unit")
OFFICER = Actor("Jorge Muñoz", role="transparency")
TODAY = date(2026, 4, 20)  # a Monday


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A Chilean wall-clock time as the UTC instant it is stored as."""
    return datetime.combine(day, time(hour, minute), SANTIAGO).astimezone(UTC)


def file(
    session: Session,
    case_type: str,
    category: str | None,
    channel: str,
    when: datetime,
    **details: Any,
) -> Case:
    data = NewCase(
        type=case_type,
        channel=channel,
        description="Caso para comparar el veredicto en SQL y en Python",
        category=category,
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
        details=details,
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case


def answer(session: Session, case: Case, when: datetime) -> None:
    """Answer a case the way its type is answered, at `when`."""
    if case.type in ("sugerencia", "felicitacion", "datos_personales"):
        transition(session, case, "responder", OIRS, "Respuesta", now=when)
        return
    derive_to_unit(session, case, case.unit.code if case.unit else "DIMAO", OIRS)
    transition(session, case, "responder_unidad", UNIT, "Hecho", now=when - timedelta(hours=2))
    transition(session, case, "validar", OIRS, now=when - timedelta(hours=1))
    transition(session, case, "responder", OIRS, "Respuesta", now=when)


@pytest.fixture
def varied(db_session: Session) -> None:
    """Cases of every type, several units and channels, answered on time, late, exactly at
    the edges of the due day, across the end of daylight saving time, and still open."""
    with db_session.begin():
        # answered on time, and late across Good Friday (03-04)
        on_time = file(db_session, "sugerencia", "aseo", "whatsapp", local(date(2026, 3, 2)))
        answer(db_session, on_time, local(date(2026, 3, 10)))
        late = file(db_session, "sugerencia", "alumbrado", "web", local(date(2026, 3, 2)))
        answer(db_session, late, local(date(2026, 4, 15)))
        # open past its due date, and open within its term
        file(db_session, "sugerencia", "aseo", "telegram", local(date(2026, 3, 3)))
        file(db_session, "reclamo", "alumbrado", "voice", local(date(2026, 4, 15)))
        # answered at 23:30 of its due day (already the next day in UTC): on time
        last_minute = file(db_session, "felicitacion", "aseo", "web", local(date(2026, 3, 4)))
        answer(db_session, last_minute, local(last_minute.due_date, 23, 30))
        # a reclamo answered at 00:30 the day after its due date, then closed: late, and the
        # first answer counts
        just_late = file(db_session, "reclamo", "alumbrado", "presencial", local(date(2026, 3, 5)))
        answer(db_session, just_late, local(just_late.due_date + timedelta(days=1), 0, 30))
        transition(db_session, just_late, "cerrar", OIRS, now=local(date(2026, 4, 16)))
        # due on a Friday, answered on the Saturday: late by zero business days
        saturday = file(db_session, "consulta", "aseo", "email", local(date(2026, 3, 6)))
        saturday.due_date = date(2026, 3, 27)
        answer(db_session, saturday, local(date(2026, 3, 28)))
        # daylight saving time ends at 2026-04-05 03:00 UTC: 03:30 UTC is 23:30 of 04-04
        dst = file(db_session, "sugerencia", "alumbrado", "whatsapp", local(date(2026, 3, 9)))
        dst.due_date = date(2026, 4, 4)
        answer(db_session, dst, datetime(2026, 4, 5, 3, 30, tzinfo=UTC))
        # open, due today (not late yet) and due yesterday (late)
        due_today = file(db_session, "reclamo", "aseo", "web", local(date(2026, 3, 30)))
        due_today.due_date = TODAY
        due_yesterday = file(db_session, "reclamo", "aseo", "web", local(date(2026, 3, 30)))
        due_yesterday.due_date = TODAY - timedelta(days=1)
        # an SAI assigned to a unit, extended, then denied; another never assigned, still open
        request = file(db_session, "sai", None, "web", local(date(2026, 3, 2)))
        transition(db_session, request, "analizar", OFFICER, now=local(date(2026, 3, 2), 13))
        sai.assign(db_session, request, OFFICER, "DIMAO", now=local(date(2026, 3, 3)))
        sai.extend_term(
            db_session, request, OFFICER, "Información en bodega", CAL, local(date(2026, 3, 20))
        )
        sai.deny(
            db_session,
            request,
            OFFICER,
            "21_2",
            "Contiene datos personales de terceros.",
            local(date(2026, 4, 14)),
        )
        file(db_session, "sai", None, "telegram", local(date(2026, 3, 10)))
        # datos personales count calendar days: one answered, one open past its term
        rights = file(
            db_session, "datos_personales", None, "web", local(date(2026, 3, 2)), right="acceso"
        )
        answer(db_session, rights, local(date(2026, 4, 5)))
        file(db_session, "datos_personales", None, "email", local(date(2026, 3, 3)), right="acceso")
        # received at 23:30 of 31-03 (01-04 in UTC): a March case; and one from February
        # answered in March, outside a March period
        file(db_session, "sugerencia", "aseo", "web", local(date(2026, 3, 31), 23, 30))
        february = file(db_session, "sugerencia", "aseo", "web", local(date(2026, 2, 27)))
        answer(db_session, february, local(date(2026, 3, 3)))


def python_definition(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """Each case received in [start, end] judged in Python, one case at a time."""
    cases = session.scalars(select(Case).where(Case.received_on.between(start, end))).all()
    judged = []
    for case in sorted(cases, key=lambda c: c.id):
        answers = [e.at for e in case.events if e.to_status in workflow.ANSWERED_STATUSES]
        day = local_date(min(answers)) if answers else None
        calendar_days = case.type in CALENDAR_DAY_TYPES

        def days(since: date, until: date, calendar_days: bool = calendar_days) -> int:
            if calendar_days:
                return (until - since).days
            return CAL.business_days_between(since, until)

        on_time = (day <= case.due_date) if day else (False if case.due_date < TODAY else None)
        judged.append(
            {
                "folio": case.folio,
                "type": case.type,
                "channel": case.channel,
                "category": case.category.code if case.category else NO_VALUE,
                "unit": case.unit.name if case.unit else NO_VALUE,
                "month": f"{case.received_on:%Y-%m}",
                "due_date": case.due_date,
                "answered_on": day,
                "response_days": days(case.received_on, day) if day else None,
                "on_time": on_time,
                "days_late": days(case.due_date, day or TODAY) if on_time is False else None,
                "extension": case.type == "sai" and bool(case.extended),
            }
        )
    return judged


@pytest.mark.parametrize(
    "period",
    [(date(2026, 3, 1), date(2026, 4, 30)), (date(2026, 3, 1), date(2026, 3, 31))],
    ids=["march-april", "march"],
)
def test_sql_verdict_equals_the_python_definition(
    db_session: Session, varied: None, period: tuple[date, date]
) -> None:
    with db_session.begin():
        expected = python_definition(db_session, *period)
        report = build_report(db_session, *period, CAL, TODAY)
        facts = case_facts(db_session, *period, CAL, TODAY)
    # the data set reaches every verdict and edge it was built for
    verdicts = Counter(case["on_time"] for case in expected)
    assert verdicts[True] >= 3 and verdicts[False] >= 5 and verdicts[None] >= 2
    by_folio = {case["folio"]: case for case in expected}
    assert [f.folio for f in facts] == list(by_folio)
    for fact in facts:
        case = by_folio[fact.folio]
        assert (fact.answered_on, fact.response_days, fact.on_time, fact.unit) == (
            case["answered_on"],
            case["response_days"],
            case["on_time"],
            case["unit"],
        ), fact.folio
    # per unit and in total: on time, late, within term, and every response time
    units: dict[str, list[int]] = {}
    response: dict[str, list[int]] = {}
    for case in expected:
        counts = units.setdefault(case["unit"], [0, 0, 0])
        counts[{True: 0, False: 1, None: 2}[case["on_time"]]] += 1
        if case["response_days"] is not None:
            response.setdefault(case["unit"], []).append(case["response_days"])
    assert {u.unit: [u.on_time, u.late, u.pending] for u in report.units} == units
    assert {u.unit: sorted(u.response_days) for u in report.units if u.response_days} == {
        unit: sorted(days) for unit, days in response.items()
    }
    total = [sum(c[i] for c in units.values()) for i in range(3)]
    assert [report.total.on_time, report.total.late, report.total.pending] == total
    assert sorted(report.total.response_days) == sorted(d for ds in response.values() for d in ds)
    # volumes per month and dimension, cases, prórrogas
    assert report.cases == len(expected)
    for dimension in ("type", "channel", "category", "unit"):
        assert report.volumes[dimension] == Counter(
            (case["month"], case[dimension]) for case in expected
        ), dimension
    assert report.extensions == sum(case["extension"] for case in expected)
    # the late cases of each unit, and how late (to today when unanswered)
    late = {
        unit.unit: sorted((c.folio, c.due_date, c.answered_on, c.days_late) for c in unit.cases)
        for unit in report.late_units
    }
    expected_late: dict[str, list[tuple[str, date, date | None, int]]] = {}
    for case in expected:
        if case["on_time"] is False:
            expected_late.setdefault(case["unit"], []).append(
                (case["folio"], case["due_date"], case["answered_on"], case["days_late"])
            )
    assert late == {unit: sorted(rows) for unit, rows in expected_late.items()}


def test_the_edges_fall_where_the_law_puts_them(db_session: Session, varied: None) -> None:
    """The edge cases of the data set, judged by hand, so that both definitions could not
    agree on a mistake."""
    with db_session.begin():
        facts = case_facts(db_session, date(2026, 3, 1), date(2026, 4, 30), CAL, TODAY)
        report = build_report(db_session, date(2026, 3, 1), date(2026, 4, 30), CAL, TODAY)
    by_type_day = {(f.type, f.received_on, f.due_date): f for f in facts}
    felicitacion = next(f for f in facts if f.type == "felicitacion")
    assert felicitacion.answered_on == felicitacion.due_date and felicitacion.on_time is True
    dst = by_type_day["sugerencia", date(2026, 3, 9), date(2026, 4, 4)]
    assert (dst.answered_on, dst.on_time) == (date(2026, 4, 4), True)
    saturday = by_type_day["consulta", date(2026, 3, 6), date(2026, 3, 27)]
    assert (saturday.answered_on, saturday.on_time) == (date(2026, 3, 28), False)
    assert by_type_day["reclamo", date(2026, 3, 30), TODAY].on_time is None
    assert by_type_day["reclamo", date(2026, 3, 30), TODAY - timedelta(days=1)].on_time is False
    rights = next(f for f in facts if f.type == "datos_personales" and f.answered_on)
    assert rights.response_days == 34  # calendar days, 02-03 to 05-04
    assert any(f.received_on == date(2026, 3, 31) for f in facts)
    assert all(f.received_on >= date(2026, 3, 1) for f in facts)
    delays = {c.folio: c.days_late for u in report.late_units for c in u.cases}
    assert delays[saturday.folio] == 0
    assert report.extensions == 1
