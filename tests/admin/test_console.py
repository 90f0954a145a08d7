"""The agent console over the Flask test client: who may use it, the live queue and conversation
streams, suggestions that are only proposals, and replies that need the agent's own POST."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.handoffs.queue import NewHandoff, get_handoff, open_handoff
from oirs.models import Case, CaseEvent, CaseView, Handoff, OutboxMessage
from tests.admin.handoff_support import (  # noqa: F401  (fixtures)
    AFTER_HOURS,
    HOURS,
    IN_HOURS,
    WHATSAPP_HANDOFF,
    FakeRasa,
    rasa_fixture,
)
from tests.admin.staff import csrf, login, make_user

CAL = BusinessCalendar()
QUESTION = "¿cuánto se demora la municipalidad en responder una solicitud de transparencia?"


def queued(session: Session, last_text: str = QUESTION) -> Handoff:
    question = {"at": "", "sender": "resident", "text": last_text}
    transcript = [*WHATSAPP_HANDOFF["transcript"], question]  # type: ignore[misc]
    with session.begin():
        return open_handoff(
            session,
            NewHandoff(
                channel="whatsapp",
                conversation_id="whatsapp:+56987654321",
                channel_user_id="whatsapp:+56987654321",
                transcript=transcript,
                intent="hablar_con_humano",
                reason="no_entendido",
            ),
            HOURS,
            CAL,
            IN_HOURS,
        ).handoff


def as_role(client: FlaskClient, db_session: Session, role: str) -> FlaskClient:
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    return client


def events(body: str) -> list[dict[str, str]]:
    """Parse a text/event-stream body into events with their joined data lines."""
    parsed = []
    for block in body.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, _, value = line.partition(": ")
            fields[key] = fields[key] + "\n" + value if key in fields else value
        if "event" in fields:
            parsed.append(fields)
    return parsed


@pytest.fixture
def short_streams(app: Flask) -> Iterator[None]:
    """Streams that answer one poll and end, so the test client can read them whole."""
    previous = app.config.get("CONSOLE_STREAM_SECONDS")
    app.config["CONSOLE_STREAM_SECONDS"] = 0
    yield
    app.config["CONSOLE_STREAM_SECONDS"] = previous if previous is not None else 30


@pytest.mark.parametrize("role", ["agent", "oirs", "admin"])
def test_agents_oirs_and_admins_open_the_console(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    as_role(client, db_session, role)
    page = client.get("/consola/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Consola de atención" in html
    assert '<noscript><meta http-equiv="refresh"' in html  # the queue refreshes without JS


@pytest.mark.parametrize("role", ["unit", "transparency", "supervisor"])
def test_other_roles_are_kept_out_of_the_console(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, role)
    assert client.get("/consola/").status_code == 403
    assert client.get(f"/consola/{handoff.id}").status_code == 403
    assert client.get("/consola/cola/eventos").status_code == 403


def test_the_console_needs_a_login(client: FlaskClient, clean_db: object) -> None:
    response = client.get("/consola/")
    assert response.status_code == 302
    assert "/ingresar" in response.headers["Location"]


def test_queue_stream_sends_the_waiting_conversation(
    client: FlaskClient, db_session: Session, short_streams: None
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    response = client.get("/consola/cola/eventos")
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    sent = events(response.get_data(as_text=True))
    assert [e["event"] for e in sent] == ["cola"]
    assert f'data-handoff="{handoff.id}"' in sent[0]["data"]
    assert "Tomar conversación" in sent[0]["data"]
    assert "transparencia" in sent[0]["data"]


def test_a_single_threaded_worker_is_never_held_by_a_stream(
    client: FlaskClient, db_session: Session, app: Flask
) -> None:
    queued(db_session)
    as_role(client, db_session, "agent")
    assert app.config.get("CONSOLE_STREAM_SECONDS", 30) > 0
    body = client.get("/consola/cola/eventos").get_data(as_text=True)  # one poll, then closed
    assert body.startswith("retry: 3000")
    assert [e["event"] for e in events(body)] == ["cola"]


def test_a_threaded_server_keeps_the_stream_open_for_a_bounded_time(
    client: FlaskClient, db_session: Session, app: Flask
) -> None:
    queued(db_session)
    as_role(client, db_session, "agent")
    app.config["CONSOLE_STREAM_SECONDS"] = 1
    try:
        response = client.get("/consola/cola/eventos", environ_overrides={"wsgi.multithread": True})
        body = response.get_data(as_text=True)
    finally:
        app.config["CONSOLE_STREAM_SECONDS"] = 30
    assert body.startswith("retry: 2000")
    sent = [e["event"] for e in events(body)]
    assert sent in (["cola"], ["cola", "cola"])  # unchanged: once (twice if a minute turned)


def test_conversation_stream_resumes_after_the_last_event_id(
    client: FlaskClient, db_session: Session, short_streams: None, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": csrf(client, "/consola/")})
    body = client.get(f"/consola/{handoff.id}/eventos?desde=0").get_data(as_text=True)
    sent = [e for e in events(body) if e["event"] == "mensaje"]
    assert [e["id"] for e in sent] == ["0", "1", "2", "3"]
    assert json.loads(sent[3]["data"])["sender"] == "resident"
    again = client.get(f"/consola/{handoff.id}/eventos", headers={"Last-Event-ID": "2"})
    resumed = [e for e in events(again.get_data(as_text=True)) if e["event"] == "mensaje"]
    assert [e["id"] for e in resumed] == ["3"]


def test_conversation_stream_tells_when_another_agent_takes_it(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    from oirs.cases.filing import Actor
    from oirs.handoffs.queue import take

    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    app.config["CONSOLE_STREAM_SECONDS"] = 3
    try:
        response = client.get(
            f"/consola/{handoff.id}/eventos?desde=3",
            buffered=False,
            environ_overrides={"wsgi.multithread": True},
        )
        chunks = iter(response.response)
        assert next(chunks).startswith(b"retry: 2000")
        assert b"event: mensaje" in next(chunks)  # the first poll is done
        with db_session.begin():
            take(db_session, get_handoff(db_session, handoff.id), Actor("Otra", None, "agent"))
        body = b"".join(chunks).decode()
    finally:
        app.config["CONSOLE_STREAM_SECONDS"] = 30
    changes = [json.loads(e["data"]) for e in events(body) if e["event"] == "estado"]
    assert changes == [{"status": "taken", "label": "En atención"}]


def test_suggestions_are_shown_with_their_source_and_never_sent(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": csrf(client, "/consola/")})
    page = client.get(f"/consola/{handoff.id}").get_data(as_text=True)
    assert "Usar esta respuesta" in page
    assert "Preguntas frecuentes" in page
    found = client.get(f"/consola/{handoff.id}/sugerencias/3").json
    assert 1 <= len(found["suggestions"]) <= 3
    assert found["suggestions"][0]["key"] == "faq/plazo_transparencia"
    assert all(s["source_label"] for s in found["suggestions"])
    assert client.get(f"/consola/{handoff.id}/sugerencias/1").json["suggestions"] == []  # bot line
    with db_session.begin():
        assert db_session.scalars(select(OutboxMessage)).all() == []


def test_a_queued_conversation_shows_no_reply_form_until_taken(
    client: FlaskClient, db_session: Session
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    page = client.get(f"/consola/{handoff.id}").get_data(as_text=True)
    assert "Tomar conversación" in page
    assert 'id="form-responder"' not in page
    assert client.get(f"/consola/{handoff.id}/sugerencias/3").json["suggestions"] == []


def test_replying_needs_a_post_with_a_csrf_token(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    token = csrf(client, "/consola/")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    form = {"clave": "a" * 32, "body": "Hola, le atiende Ana."}
    assert client.get(f"/consola/{handoff.id}/responder").status_code == 405
    assert client.post(f"/consola/{handoff.id}/responder", data=form).status_code == 400
    assert client.post(f"/consola/{handoff.id}/tomar", data={}).status_code == 400
    bad_key = {**form, "clave": "x", "csrf_token": token}
    assert client.post(f"/consola/{handoff.id}/responder", data=bad_key).status_code == 400
    with db_session.begin():
        assert db_session.scalars(select(OutboxMessage)).all() == []
    response = client.post(f"/consola/{handoff.id}/responder", data={**form, "csrf_token": token})
    assert response.status_code == 303
    with db_session.begin():
        assert len(db_session.scalars(select(OutboxMessage)).all()) == 1


def test_an_agent_cannot_answer_a_conversation_another_agent_took(
    client: FlaskClient, app: Flask, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    as_role(client, db_session, "agent")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": csrf(client, "/consola/")})
    other = app.test_client()
    make_user(db_session, "agent", email="otra@prueba.cl")
    login(other, "otra@prueba.cl")
    token = csrf(other, "/consola/")
    form = {"csrf_token": token, "clave": "b" * 32, "body": "hola"}
    page = other.get(f"/consola/{handoff.id}").get_data(as_text=True)
    assert 'id="form-responder"' not in page
    response = other.post(f"/consola/{handoff.id}/responder", data=form, follow_redirects=True)
    assert "a cargo de otra persona" in response.get_data(as_text=True)
    taken = other.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    assert taken.status_code == 303
    db_session.expire_all()
    with db_session.begin():
        assert get_handoff(db_session, handoff.id).agent_label == "Persona agent"
        assert db_session.scalars(select(OutboxMessage)).all() == []


def test_search_finds_a_resident_by_folio_with_masked_contact_for_agents(
    client: FlaskClient, db_session: Session
) -> None:
    from tests.admin.staff import new_case

    case = new_case(db_session, CAL)
    as_role(client, db_session, "agent")
    page = client.get("/consola/buscar", query_string={"q": case.folio}).get_data(as_text=True)
    assert case.folio in page
    assert "+56987654321" not in page
    assert "12.345.678-5" not in page
    page = client.get("/consola/buscar", query_string={"q": "+56 9 8765 4321"})
    assert case.folio in page.get_data(as_text=True)


def test_full_contact_data_shown_in_the_console_is_logged_as_seen(
    client: FlaskClient, db_session: Session
) -> None:
    from oirs.models import CaseView
    from tests.admin.staff import new_case

    case = new_case(db_session, CAL)
    as_role(client, db_session, "oirs")
    page = client.get("/consola/buscar", query_string={"q": case.folio}).get_data(as_text=True)
    assert "+56987654321" in page
    with db_session.begin():
        views = db_session.scalars(select(CaseView).where(CaseView.case_id == case.id)).all()
        assert [v.what for v in views] == ["contacto (consola)"]


def test_out_of_hours_callbacks_wait_in_the_console_until_marked_done(
    client: FlaskClient, db_session: Session, short_streams: None
) -> None:
    """Issue 16: the consulta filed out of hours shows at opening, with its folio, the hour
    asked and the phone masked, until an agent marks the call-back done."""
    with db_session.begin():
        outcome = open_handoff(
            db_session,
            NewHandoff(
                channel="whatsapp",
                conversation_id="whatsapp:+56987654321",
                channel_user_id="whatsapp:+56987654321",
                transcript=list(WHATSAPP_HANDOFF["transcript"]),  # type: ignore[call-overload]
                intent="hablar_con_humano",
                reason="solicitado",
            ),
            HOURS,
            CAL,
            AFTER_HOURS,
        )
        folio, handoff_id = outcome.folio, outcome.handoff.id
    assert folio
    as_role(client, db_session, "agent")
    html = client.get("/consola/").get_data(as_text=True)
    assert "Llamadas pendientes de devolver (1)" in html
    row = html[html.index(f'data-callback="{handoff_id}"') :]
    row = row[: row.index("</tr>")]
    assert folio in row
    assert "25-11-2026 20:00" in row  # the hour of the request, local time
    assert "987654321" not in row and "+** *** *** 21" in row
    [live] = events(client.get("/consola/cola/eventos").get_data(as_text=True))
    assert f'data-callback="{handoff_id}"' in live["data"]  # an open console sees it too
    # the number itself only where the agent calls back from, and that view is logged
    call = client.get(f"/consola/{handoff_id}/llamar").get_data(as_text=True)
    assert 'href="tel:+56987654321"' in call and folio in call
    with db_session.begin():
        seen = db_session.scalars(select(CaseView.what).join(Case).where(Case.folio == folio)).all()
        assert "teléfono para devolver la llamada" in seen
    token = csrf(client, "/consola/")
    done = client.post(f"/consola/{handoff_id}/devuelta", data={"csrf_token": token})
    assert done.status_code == 303
    html = client.get("/consola/").get_data(as_text=True)
    assert "Llamadas pendientes de devolver (0)" in html
    assert f'data-callback="{handoff_id}"' not in html
    with db_session.begin():
        kinds = db_session.scalars(
            select(CaseEvent.kind).join(Case).where(Case.folio == folio).order_by(CaseEvent.id)
        ).all()
        assert kinds[-1] == "llamada_devuelta"
    again = client.post(f"/consola/{handoff_id}/devuelta", data={"csrf_token": token})
    assert again.status_code == 303  # a second press is refused with a message, not an error
    assert client.get(f"/consola/{handoff_id}/llamar").status_code == 404  # done: no number
