"""Demo cases: a fresh development inbox shows every stage of the workflow, filed once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.calendar.terms import load_calendar
from oirs.cases.demo import DEMO, seed_demo_cases
from oirs.models import Case, OutboxMessage, ReplyTemplate


def test_demo_cases_cover_many_states_and_are_filed_only_once(db_session: Session) -> None:
    with db_session.begin():
        folios = seed_demo_cases(db_session, load_calendar(db_session, None))
    assert len(folios) == len(DEMO)
    with db_session.begin():
        assert seed_demo_cases(db_session, load_calendar(db_session, None)) == []
        statuses = set(db_session.scalars(select(Case.status)))
        assert {"ingresado", "clasificado", "derivado", "respuesta_unidad", "validado"} <= statuses
        assert "respondido" in statuses
        assert {"recibida", "en_analisis"} <= statuses
        assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert db_session.scalar(select(func.count()).select_from(ReplyTemplate)) >= 3
