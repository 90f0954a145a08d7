"""Containment, satisfaction per unit and month, and the units that missed deadlines, as the
statistics compute them (fixed instants, no clock)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.errors import InvalidField
from oirs.handoffs.conversations import record_outcome
from oirs.reporting.satisfaction import grade_to_score, record_satisfaction
from oirs.reporting.stats import NO_VALUE, build_report, containment

CAL = BusinessCalendar()
OIRS = Actor("Paula Rojas", role="oirs")


def h(name: str) -> str:
    """A conversation hash as the bot sends it."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def utc(month: int, day: int, hour: int = 15, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def report(session: Session, outcomes: list[tuple[str, str, str, datetime]], now: datetime):  # type: ignore[no-untyped-def]
    with session.begin():
        for conversation, channel, outcome, at in outcomes:
            record_outcome(session, h(conversation), channel, outcome, now=at)
    with session.begin():
        return containment(session, date(2026, 3, 1), date(2026, 3, 31), now)


def test_conversations_are_resolved_handed_off_abandoned_or_still_open(
    db_session: Session,
) -> None:
    rows = report(
        db_session,
        [
            ("a", "web", "started", utc(3, 5)),
            ("a", "web", "faq_answered", utc(3, 5, 15, 2)),
            # filed a case, then asked for a person: a person was needed
            ("b", "whatsapp", "started", utc(3, 6)),
            ("b", "whatsapp", "case_filed", utc(3, 6, 15, 5)),
            ("b", "whatsapp", "handed_off", utc(3, 6, 15, 9)),
            ("c", "whatsapp", "started", utc(3, 10)),  # nothing after it: abandoned
            # the same resident back two weeks later is a new conversation
            ("a", "web", "started", utc(3, 20)),
            ("a", "web", "status_given", utc(3, 20, 15, 3)),
            # 31-03 23:00 in Chile is 01-04 02:00 UTC: a March conversation, still open
            ("d", "telegram", "started", utc(4, 1, 2)),
        ],
        now=utc(4, 1, 3),
    )
    cells = {(r.month, r.channel): r for r in rows}
    assert set(cells) == {("2026-03", "web"), ("2026-03", "whatsapp"), ("2026-03", "telegram")}
    web, whatsapp, telegram = (cells["2026-03", c] for c in ("web", "whatsapp", "telegram"))
    assert (web.resolved, web.handed_off, web.abandoned, web.ongoing) == (2, 0, 0, 0)
    assert (whatsapp.resolved, whatsapp.handed_off, whatsapp.abandoned) == (0, 1, 1)
    assert whatsapp.resolved_pct == 0.0 and web.resolved_pct == 100.0
    assert (telegram.ongoing, telegram.judged, telegram.resolved_pct) == (1, 0, None)


def test_a_conversation_belongs_to_the_month_and_day_it_started(db_session: Session) -> None:
    rows = report(
        db_session,
        [
            # started in February (Chile), answered in the first minutes of March
            ("e", "web", "started", utc(3, 1, 2, 50)),
            ("e", "web", "faq_answered", utc(3, 1, 3, 10)),
            # an outcome whose start was not reported is a conversation from then on
            ("f", "voice", "case_filed", utc(3, 15)),
            ("f", "voice", "handed_off", utc(3, 15, 15, 5)),
            # each start is a conversation; an outcome settles the latest start before it
            ("g", "web", "started", utc(3, 16)),
            ("g", "web", "started", utc(3, 17)),
            ("g", "web", "case_filed", utc(3, 17, 16)),
            # more than 24 h after its start: another conversation, the first one abandoned
            ("k", "web", "started", utc(3, 20)),
            ("k", "web", "status_given", utc(3, 21, 16)),
            # a start in April is outside the period
            ("h", "web", "started", utc(4, 1, 4)),
        ],
        now=utc(4, 10),
    )
    assert [(r.month, r.channel, r.resolved, r.handed_off, r.abandoned) for r in rows] == [
        ("2026-03", "voice", 0, 1, 0),
        ("2026-03", "web", 2, 0, 2),
    ]


def test_only_a_hash_a_known_channel_and_a_known_outcome_are_recorded(
    db_session: Session,
) -> None:
    with db_session.begin(), pytest.raises(InvalidField) as refused:
        record_outcome(db_session, "whatsapp:+56987654321", "sms", "gracias")
    assert set(refused.value.fields) == {"conversation", "channel", "outcome"}


def file(session: Session, type_: str, category: str | None, when: datetime):  # type: ignore[no-untyped-def]
    data = NewCase(
        type=type_,
        channel="whatsapp",
        description="Caso de prueba para estadísticas",
        category=category,
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case


def answered(session: Session, category: str | None, filed: datetime, answer: datetime):  # type: ignore[no-untyped-def]
    case = file(session, "sugerencia", category, filed)
    transition(session, case, "responder", OIRS, "Respuesta", now=answer)
    return case


def test_satisfaction_per_unit_that_answered_and_per_month(db_session: Session) -> None:
    with db_session.begin():
        for category, filed, score in [
            ("aseo", utc(3, 2), 5),
            ("aseo", utc(3, 3), grade_to_score(4)),  # «un 4» as a school grade: 3
            ("alumbrado", utc(4, 6), 4),
            (None, utc(4, 7), 1),  # answered by the OIRS without a unit
        ]:
            case = answered(db_session, category, filed, filed + timedelta(days=3))
            record_satisfaction(case, score, now=filed + timedelta(days=4))
        answered(db_session, "aseo", utc(4, 8), utc(4, 9))  # answered, never rated
    with db_session.begin():
        result = build_report(
            db_session, date(2026, 3, 1), date(2026, 4, 30), CAL, date(2026, 5, 4)
        )
    units = {s.label: (s.count, s.mean) for s in result.satisfaction_by("unit")}
    assert units == {
        "Dirección de Medio Ambiente, Aseo y Ornato": (2, 4.0),
        "Alumbrado Público (Dirección de Obras)": (1, 4.0),
        NO_VALUE: (1, 1.0),
    }
    months = {s.label: (s.count, s.mean, dict(s.scores)) for s in result.satisfaction_by("month")}
    assert months == {"2026-03": (2, 4.0, {5: 1, 3: 1}), "2026-04": (2, 2.5, {4: 1, 1: 1})}
    assert result.satisfaction_mean == 3.25


def test_chilean_grades_map_onto_the_one_to_five_scale() -> None:
    assert [grade_to_score(g) for g in range(7, 0, -1)] == [5, 4, 4, 3, 2, 2, 1]


def test_units_that_missed_deadlines_are_named_with_each_case_and_its_delay(
    db_session: Session,
) -> None:
    with db_session.begin():
        on_time = answered(db_session, "aseo", utc(3, 2), utc(3, 10))
        late = answered(db_session, "alumbrado", utc(3, 2), utc(4, 15))
        open_late = file(db_session, "sugerencia", "aseo", utc(3, 3))
    with db_session.begin():
        result = build_report(
            db_session, date(2026, 3, 1), date(2026, 3, 31), CAL, date(2026, 4, 20)
        )
    named = {
        u.unit: [(c.folio, c.due_date, c.answered_on, c.days_late) for c in u.cases]
        for u in result.late_units
    }
    # a sugerencia has 15 business days: due 23-03; answered 15-04: 24-03..31-03 (6), 01-04,
    # 02-04, 06-04..10-04, 13-04..15-04 (Good Friday 03-04 skipped) = 16 business days late
    assert named["Alumbrado Público (Dirección de Obras)"] == [
        (late.folio, date(2026, 3, 23), date(2026, 4, 15), 16)
    ]
    # still open on 20-04, due 24-03: 25-03..31-03 (5), 01-04..17-04 (12), 20-04 (1) = 18
    assert named["Dirección de Medio Ambiente, Aseo y Ornato"] == [
        (open_late.folio, date(2026, 3, 24), None, 18)
    ]
    assert on_time.folio not in str(named)
