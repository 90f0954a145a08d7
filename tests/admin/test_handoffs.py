"""Warm transfer: POST/GET /api/v1/handoffs, the queue, opening hours with a fixed clock, the
consulta filed out of hours, taking, agent turns in the transcripts and the outbox, hand-back,
and the bot paused and resumed through a loopback stand-in for Rasa's HTTP API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.rasa_client import RasaClient
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, get_case
from oirs.cases.resident_lookup import open_cases_of, prefill_case, search_residents
from oirs.errors import InvalidField
from oirs.handoffs.call_center import parse_hours
from oirs.handoffs.queue import (
    HandoffConflict,
    NewHandoff,
    agent_reply,
    file_case_for_resident,
    get_handoff,
    hand_back,
    open_handoff,
    take,
)
from oirs.models import Case, Handoff, OutboxMessage
from tests.admin.handoff_support import (  # noqa: F401  (fixtures)
    AFTER_HOURS,
    HOURS,
    IN_HOURS,
    RASA_TOKEN,
    WHATSAPP_HANDOFF,
    FakeRasa,
    clock_fixture,
    hours_fixture,
    rasa_fixture,
    request_handoff,
)
from tests.admin.staff import csrf, login, make_user, new_case

CAL = BusinessCalendar()
SANTIAGO_EVENING = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # Friday 19:00 local
AGENT = Actor("Ana Agente", None, "agent")


def queued(session: Session, when: datetime = IN_HOURS, **changes: object) -> Handoff:
    data = {**WHATSAPP_HANDOFF, **changes}
    with session.begin():
        outcome = open_handoff(
            session,
            NewHandoff(
                channel=str(data["channel"]),
                conversation_id=str(data["conversation_id"]),
                channel_user_id=str(data["channel_user_id"]),
                transcript=list(data["transcript"]),  # type: ignore[call-overload]
                intent=str(data["intent"]),
                reason=str(data["reason"]),
                slots=dict(data["slots"]),  # type: ignore[call-overload]
            ),
            HOURS,
            CAL,
            when,
        )
    return outcome.handoff


def agent(session: Session, email: str = "agent@prueba.cl") -> Actor:
    user = make_user(session, "agent", email=email)
    return Actor(user.name, user.id, "agent")


# --- opening hours (pure) -------------------------------------------------------------------


def test_hours_are_open_on_weekdays_inside_the_window_only() -> None:
    assert HOURS.is_open(IN_HOURS, CAL)
    assert not HOURS.is_open(AFTER_HOURS, CAL)
    assert not HOURS.is_open(datetime(2026, 11, 28, 14, 0, tzinfo=UTC), CAL)  # Saturday
    assert HOURS.describe() == "de lunes a viernes, de 8:30 a 17:30 horas"


def test_next_opening_skips_the_weekend_and_national_holidays() -> None:
    friday_evening = HOURS.next_opening(SANTIAGO_EVENING, CAL)
    assert friday_evening is not None
    assert friday_evening.isoformat() == "2026-11-30T08:30:00-03:00"
    # Monday 07-12-2026 evening: Tuesday 8 December (Inmaculada Concepción) is closed.
    monday = HOURS.next_opening(datetime(2026, 12, 7, 22, 0, tzinfo=UTC), CAL)
    assert monday is not None
    assert monday.date().isoformat() == "2026-12-09"
    assert not HOURS.is_open(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), CAL)


def test_call_center_hours_reject_a_malformed_schedule() -> None:
    with pytest.raises(ValueError):
        parse_hours("lunes a viernes")
    with pytest.raises(ValueError):
        parse_hours("fri-mon 08:30-17:30")
    assert [o.days for o in parse_hours("mon-fri 08:30-17:30; sat 09:00-13:00")] == [
        (0, 1, 2, 3, 4),
        (5,),
    ]


# --- the API ----------------------------------------------------------------------------------


def test_handoff_in_hours_is_queued_and_the_resident_told_their_place(
    client: FlaskClient, auth: dict[str, str], hours: object, clock: list[datetime]
) -> None:
    status, first = request_handoff(client, auth)
    assert status == 201
    assert first["status"] == "queued"
    assert "siguiente en la fila" in first["message"]
    assert "folio" not in first
    status, second = request_handoff(
        client, auth, channel="telegram", channel_user_id="555", conversation_id="555"
    )
    assert status == 201
    assert "Hay 1 persona antes que usted" in second["message"]
    _, third = request_handoff(client, auth, channel="web", conversation_id="web-" + "x" * 20)
    assert "Hay 2 personas antes que usted" in third["message"]
    state = client.get(f"/api/v1/handoffs/{second['id']}", headers=auth).json
    assert state["status"] == "queued"
    assert state["queue_position"] == 2
    assert state["agent_active"] is False


def test_handoff_out_of_hours_files_a_consulta_and_says_when_we_call_back(
    client: FlaskClient,
    auth: dict[str, str],
    hours: object,
    clock: list[datetime],
    db_session: Session,
) -> None:
    clock[0] = AFTER_HOURS
    status, body = request_handoff(client, auth)
    assert status == 201
    assert body["status"] == "after_hours"
    assert body["folio"].startswith("CS-2026-")
    assert body["folio"] in body["message"]
    assert "jueves 26-11-2026 a las 8:30 horas" in body["message"]
    assert "de lunes a viernes, de 8:30 a 17:30 horas" in body["message"]
    with db_session.begin():
        case = get_case(db_session, body["folio"])
        assert case.type == "consulta"
        assert case.channel == "whatsapp"
        assert case.contact_phone == "+56987654321"
        assert case.contact_name == "María González"
        assert case.transcript[-1]["text"].startswith("quiero hablar con un funcionario")
        assert "camión de la basura" in case.description
    state = client.get(f"/api/v1/handoffs/{body['id']}", headers=auth).json
    assert state["status"] == "after_hours"
    assert state["folio"] == body["folio"]


def test_a_conversation_already_waiting_is_not_queued_twice(
    client: FlaskClient, auth: dict[str, str], hours: object, clock: list[datetime]
) -> None:
    _, first = request_handoff(client, auth)
    longer = [*WHATSAPP_HANDOFF["transcript"], {"at": "", "sender": "resident", "text": "¿hola?"}]  # type: ignore[misc]
    status, again = request_handoff(client, auth, transcript=longer)
    assert status == 200
    assert again["id"] == first["id"]


def test_handoff_api_needs_a_token_and_valid_fields(
    client: FlaskClient, auth: dict[str, str], hours: object, clock: list[datetime]
) -> None:
    assert client.post("/api/v1/handoffs", json=WHATSAPP_HANDOFF).status_code == 401
    status, body = request_handoff(client, auth, channel="fax")
    assert status == 422
    assert body["error"]["fields"]["channel"]
    status, body = request_handoff(client, auth, transcript="hola")
    assert status == 422
    assert "transcript" in body["error"]["fields"]
    response = client.get("/api/v1/handoffs/999999", headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "handoff_not_found"


# --- the agent's work (domain) ----------------------------------------------------------------


def test_only_one_agent_takes_a_conversation(db_session: Session) -> None:
    handoff = queued(db_session)
    first, second = agent(db_session), agent(db_session, "otra@prueba.cl")
    with db_session.begin():
        take(db_session, get_handoff(db_session, handoff.id), first)
    with pytest.raises(HandoffConflict), db_session.begin():
        take(db_session, get_handoff(db_session, handoff.id), second)
    with db_session.begin():
        row = get_handoff(db_session, handoff.id)
        assert (row.status, row.agent_label) == ("taken", first.label)


def test_asking_again_while_an_agent_answers_says_so(db_session: Session) -> None:
    handoff = queued(db_session)
    actor = agent(db_session)
    with db_session.begin():
        take(db_session, get_handoff(db_session, handoff.id), actor)
    with db_session.begin():
        again = open_handoff(
            db_session,
            NewHandoff(channel="whatsapp", conversation_id="whatsapp:+56987654321"),
            HOURS,
            CAL,
            IN_HOURS,
        )
    assert (again.handoff.id, again.created) == (handoff.id, False)
    assert "ya le está atendiendo" in again.message


def test_many_agents_taking_at_once_leave_exactly_one_in_charge(
    db_session: Session, sessions: sessionmaker[Session]
) -> None:
    handoff = queued(db_session)
    actors = [agent(db_session, f"agente{n}@prueba.cl") for n in range(6)]
    barrier = threading.Barrier(len(actors))
    outcomes: list[str] = []

    def try_take(actor: Actor) -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                take(session, get_handoff(session, handoff.id), actor)
            outcomes.append("taken")
        except HandoffConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=try_take, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["taken"]


def test_agent_turns_go_to_the_outbox_once_and_into_both_transcripts(db_session: Session) -> None:
    handoff = queued(db_session)
    actor = agent(db_session)
    with db_session.begin():
        row = get_handoff(db_session, handoff.id)
        take(db_session, row, actor)
        first = agent_reply(db_session, row, actor, "Buenos días, soy Ana.", "a" * 32)
        again = agent_reply(db_session, row, actor, "Buenos días, soy Ana.", "a" * 32)
        assert again.id == first.id
        assert (first.channel, first.recipient) == ("whatsapp", "whatsapp:+56987654321")
        assert first.payload["kind"] == "handoff_reply"
        # handed off at 11:00 local, right after the resident wrote: WhatsApp's window counts
        assert first.payload["last_inbound_at"] == "2026-11-25T11:00:00-03:00"
        data = NewCase(type="reclamo", channel="web", description="Camión no pasa", category="aseo")
        case = file_case_for_resident(db_session, row, data, CAL, actor)
        assert case.channel == "whatsapp"
        assert case.transcript[-1]["text"] == "Buenos días, soy Ana."
        second = agent_reply(db_session, row, actor, "Su folio es " + case.folio, "b" * 32)
        assert second.case_id == case.id
        folio = case.folio
    db_session.expire_all()
    with db_session.begin():
        case = get_case(db_session, folio)
        agent_lines = [t for t in case.transcript if t["sender"] == "agent"]
        assert [t["text"] for t in agent_lines] == ["Buenos días, soy Ana.", f"Su folio es {folio}"]
        assert agent_lines[0]["agent"] == actor.label
        messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.body for m in messages] == ["Buenos días, soy Ana.", f"Su folio es {folio}"]
        row = get_handoff(db_session, handoff.id)
        assert sum(t["sender"] == "agent" for t in row.transcript) == 2


def test_widget_replies_go_to_the_browser_session_and_calls_get_none(db_session: Session) -> None:
    session_id = "web-" + "k" * 24
    web = queued(db_session, channel="web", channel_user_id=session_id, conversation_id=session_id)
    call = queued(db_session, channel="voice", channel_user_id="+56987654321", conversation_id="C")
    actor = agent(db_session)
    with db_session.begin():
        row = get_handoff(db_session, web.id)
        take(db_session, row, actor)
        message = agent_reply(db_session, row, actor, "Hola, le atiende Ana.", "9" * 32)
        assert (message.channel, message.recipient) == ("web", session_id)
        phone = get_handoff(db_session, call.id)
        take(db_session, phone, actor)
        with pytest.raises(InvalidField):
            agent_reply(db_session, phone, actor, "hola", "8" * 32)


def test_an_empty_reply_or_someone_elses_conversation_is_refused(db_session: Session) -> None:
    handoff = queued(db_session)
    owner, other = agent(db_session), agent(db_session, "otra@prueba.cl")
    with db_session.begin():
        row = get_handoff(db_session, handoff.id)
        with pytest.raises(HandoffConflict):
            agent_reply(db_session, row, owner, "hola", "c" * 32)  # not taken yet
        take(db_session, row, owner)
        with pytest.raises(InvalidField):
            agent_reply(db_session, row, owner, "   ", "d" * 32)
        with pytest.raises(HandoffConflict):
            agent_reply(db_session, row, other, "hola", "e" * 32)
    with db_session.begin():
        assert db_session.scalars(select(OutboxMessage)).all() == []


def test_hand_back_ends_the_handoff_and_the_bot_can_see_it(
    client: FlaskClient, auth: dict[str, str], db_session: Session
) -> None:
    handoff = queued(db_session)
    actor = agent(db_session)
    with db_session.begin():
        take(db_session, get_handoff(db_session, handoff.id), actor)
    state = client.get(f"/api/v1/handoffs/{handoff.id}", headers=auth).json
    assert state["agent_active"] is True
    assert state["agent"] == actor.label
    with db_session.begin():
        hand_back(db_session, get_handoff(db_session, handoff.id), actor)
    state = client.get(f"/api/v1/handoffs/{handoff.id}", headers=auth).json
    assert (state["status"], state["agent_active"]) == ("returned", False)
    query = {"channel": "whatsapp", "conversation_id": "whatsapp:+56987654321"}
    by_conversation = client.get("/api/v1/handoffs", query_string=query, headers=auth)
    assert by_conversation.json["id"] == handoff.id
    query["conversation_id"] = "otra"
    assert client.get("/api/v1/handoffs", query_string=query, headers=auth).status_code == 404
    with pytest.raises(HandoffConflict), db_session.begin():
        hand_back(db_session, get_handoff(db_session, handoff.id), actor)


def test_resident_cases_found_by_channel_identity_phone_rut_or_folio(db_session: Session) -> None:
    mine = new_case(db_session, CAL, channel="whatsapp", channel_user_id="whatsapp:+56987654321")
    by_phone = new_case(
        db_session,
        CAL,
        channel="web",
        contact=ContactData(name="María", phone="+56 9 8765 4321", rut="12.345.678-5"),
    )
    new_case(db_session, CAL, channel="web", contact=ContactData(phone="+56 2 2345 6789"))
    handoff = queued(db_session)
    with db_session.begin():
        found = {c.folio for c in open_cases_of(db_session, get_handoff(db_session, handoff.id))}
        assert found == {mine.folio, by_phone.folio}
        assert {c.folio for c in search_residents(db_session, "12345678-5")} == {
            mine.folio,
            by_phone.folio,
        }
        assert [c.folio for c in search_residents(db_session, "987654321")] == [
            by_phone.folio,
            mine.folio,
        ]
        loose = by_phone.folio.lower().replace("-", " ")
        assert [c.folio for c in search_residents(db_session, loose)] == [by_phone.folio]
        assert search_residents(db_session, "nada que ver") == []


def test_case_form_is_prefilled_from_what_the_conversation_extracted(db_session: Session) -> None:
    handoff = queued(db_session, intent="reclamo")
    with db_session.begin():
        values = prefill_case(get_handoff(db_session, handoff.id))
    assert values["type"] == "reclamo"
    assert values["category"] == "aseo"
    assert values["address"] == "Los Aromos 123"
    assert values["name"] == "María González"
    assert values["phone"] == "+56987654321"


# --- Rasa paused and resumed from the console -------------------------------------------------


def console_agent(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "agent")
    assert login(client, "agent@prueba.cl").status_code == 302


def test_taking_pauses_the_bot_and_handing_back_resumes_it(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    console_agent(client, db_session)
    token = csrf(client, "/consola/")
    response = client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    assert response.status_code == 303
    conversation = "/conversations/whatsapp:+56987654321/tracker/events"  # as Rasa reads it
    assert rasa.posted_events() == [(conversation, {"event": "pause"})]
    assert all(f"token={RASA_TOKEN}" in r["path"] for r in rasa.requests)
    page = client.get(f"/consola/{handoff.id}").get_data(as_text=True)
    assert "en pausa" in page
    response = client.post(f"/consola/{handoff.id}/devolver", data={"csrf_token": token})
    assert response.status_code == 303
    assert rasa.posted_events()[-1] == (conversation, {"event": "resume"})
    db_session.expire_all()
    with db_session.begin():
        assert get_handoff(db_session, handoff.id).status == "returned"


def test_unreachable_rasa_is_shown_to_the_agent_and_the_take_is_kept(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    handoff = queued(db_session)
    console_agent(client, db_session)
    previous = app.extensions.get("oirs_rasa_client")
    app.extensions["oirs_rasa_client"] = RasaClient("http://127.0.0.1:9", None, timeout=0.5)
    try:
        token = csrf(client, "/consola/")
        client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
        page = client.get(f"/consola/{handoff.id}").get_data(as_text=True)
    finally:
        app.extensions["oirs_rasa_client"] = previous
    assert "No se pudo pausar el asistente automático" in page
    assert "Reintentar pausa" in page
    assert "No se pudo leer la conversación desde el asistente" in page
    db_session.expire_all()
    with db_session.begin():
        row = get_handoff(db_session, handoff.id)
        assert (row.status, row.bot_paused) == ("taken", False)
        assert row.bot_error


def test_what_the_resident_writes_while_paused_is_copied_from_rasa_once(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    console_agent(client, db_session)
    later = IN_HOURS.timestamp() + 60
    rasa.events = [
        {"event": "user", "timestamp": IN_HOURS.timestamp() - 5, "text": "antes de derivar"},
        {"event": "user", "timestamp": later, "text": "¿sigue ahí? mi reclamo no avanza"},
        {"event": "action", "timestamp": later + 1, "name": "action_listen"},
    ]
    token = csrf(client, "/consola/")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    client.get(f"/consola/{handoff.id}")
    client.get(f"/consola/{handoff.id}")
    db_session.expire_all()
    with db_session.begin():
        texts = [t["text"] for t in get_handoff(db_session, handoff.id).transcript]
    assert texts.count("¿sigue ahí? mi reclamo no avanza") == 1
    assert "antes de derivar" not in texts


def test_outbox_message_from_the_console_reply_form(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    console_agent(client, db_session)
    token = csrf(client, "/consola/")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    form = {"csrf_token": token, "clave": "f" * 32, "body": "Hola, le atiende Ana."}
    assert client.post(f"/consola/{handoff.id}/responder", data=form).status_code == 303
    assert client.post(f"/consola/{handoff.id}/responder", data=form).status_code == 303
    with db_session.begin():
        messages = db_session.scalars(select(OutboxMessage)).all()
        assert [(m.channel, m.recipient, m.body) for m in messages] == [
            ("whatsapp", "whatsapp:+56987654321", "Hola, le atiende Ana.")
        ]
        assert messages[0].idempotency_key == f"handoff:{handoff.id}:{'f' * 32}"


def test_agent_files_a_case_from_the_console_with_the_conversation(
    client: FlaskClient, db_session: Session, rasa: FakeRasa
) -> None:
    handoff = queued(db_session)
    console_agent(client, db_session)
    token = csrf(client, "/consola/")
    client.post(f"/consola/{handoff.id}/tomar", data={"csrf_token": token})
    form = {
        "csrf_token": token,
        "clave": "1" * 32,
        "type": "reclamo",
        "category": "aseo",
        "description": "El camión de la basura no pasa hace dos semanas",
        "address": "Los Aromos 123",
        "name": "María González",
        "phone": "+56987654321",
        "rut": "12.345.678-0",
    }
    response = client.post(f"/consola/{handoff.id}/caso", data=form)
    assert response.status_code == 400
    assert "El RUT no es válido" in response.get_data(as_text=True)
    response = client.post(f"/consola/{handoff.id}/caso", data={**form, "rut": "12.345.678-5"})
    assert response.status_code == 303
    db_session.expire_all()
    with db_session.begin():
        case = db_session.scalars(select(Case).where(Case.type == "reclamo")).one()
        assert case.channel == "whatsapp"
        assert case.events[0].actor_label == "Persona agent"
        assert case.transcript[0]["text"] == "hola"
        assert get_handoff(db_session, handoff.id).case_id == case.id
