"""The admin runs anonymisation to the end: the retention job erases the conversation in the
tracker store named by RASA_TRACKER_URL, and an anonymisation left incomplete is retried from the
case page («Reintentar anonimización») or by the next run."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import admin.anonymisation
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import get_case
from oirs.handoffs.rasa_tracker import RasaTrackerStore
from oirs.privacy.rights import PENDING
from tests.admin.staff import csrf, login, make_user, move, new_case

SENDER = "whatsapp:+56987654321"
RETRY_BUTTON = "reintentar-anonimizacion"


def _tracker(path: Path) -> RasaTrackerStore:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        conn.execute("INSERT INTO events (sender_id, data) VALUES (?, '{}')", (SENDER,))
    return RasaTrackerStore(f"sqlite:///{path}")


def _senders(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT sender_id FROM events")]


def _old_closed_case(db_session: Session) -> str:
    case = new_case(
        db_session,
        BusinessCalendar(),
        when=datetime(2019, 3, 4, 15, tzinfo=UTC),
        channel_user_id=SENDER,
        conversation_id=SENDER,
    )
    move(db_session, case, "clasificar", "derivar", "responder_unidad", "validar", "responder")
    return case.folio


def test_the_retention_job_erases_the_conversation_in_the_tracker_store(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin.jobs import run_anonymise

    store = _tracker(tmp_path / "tracker.db")
    monkeypatch.setattr(admin.anonymisation, "tracker_store", lambda: store)
    folio = _old_closed_case(db_session)
    with app.app_context():
        assert run_anonymise(now=datetime(2026, 11, 25, 12, tzinfo=UTC)) == [folio]
    assert _senders(tmp_path / "tracker.db") == []
    with db_session.begin():
        case = get_case(db_session, folio)
        assert case.events[-1].kind == "anonymisation_completed"
        assert PENDING not in case.details


def test_staff_retry_an_anonymisation_the_tracker_store_refused(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from admin.jobs import run_anonymise

    down = RasaTrackerStore("postgresql://nadie@127.0.0.1:1/rasa")
    monkeypatch.setattr(admin.anonymisation, "tracker_store", lambda: down)
    folio = _old_closed_case(db_session)
    with app.app_context():
        run_anonymise(now=datetime(2026, 11, 25, 12, tzinfo=UTC))
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    page = client.get(f"/casos/{folio}").get_data(as_text=True)
    assert RETRY_BUTTON in page

    store = _tracker(tmp_path / "tracker.db")
    monkeypatch.setattr(admin.anonymisation, "tracker_store", lambda: store)
    token = csrf(client, f"/casos/{folio}")
    answer = client.post(
        f"/datos-personales/{folio}/reintentar-anonimizacion", data={"csrf_token": token}
    )
    assert answer.status_code == 303
    assert _senders(tmp_path / "tracker.db") == []
    page = client.get(f"/casos/{folio}").get_data(as_text=True)
    assert RETRY_BUTTON not in page
    with db_session.begin():
        kinds = [event.kind for event in get_case(db_session, folio).events]
    assert kinds[-3:] == ["anonymised", "anonymisation_incomplete", "anonymisation_completed"]
