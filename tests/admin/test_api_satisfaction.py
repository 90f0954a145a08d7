"""The resident's rating of an answer, sent as they write it ("5 gracias!! 👍", "un 7") from
the channel identity the answer went to (issue 16: it got small talk and was not recorded)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from oirs.cases.filing import Actor, get_case, transition
from oirs.models import OutboxMessage
from oirs.outbox.replies import respond
from oirs.reporting.satisfaction import grade_to_score, parse_rating

WHATSAPP = "whatsapp:+56987654321"
RECLAMO = {
    "type": "reclamo",
    "channel": "whatsapp",
    "channel_user_id": WHATSAPP,
    "category": "alumbrado",
    "description": "La luminaria de la esquina está apagada hace una semana.",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "phone": "+56987654321"},
}
RATE = "/api/v1/residents/satisfaction"


def answered(client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]) -> str:
    """A reclamo filed on WhatsApp, answered by staff, the answer delivered."""
    folio = client.post("/api/v1/cases", json=RECLAMO, headers=auth).json["folio"]
    with sessions.begin() as session:
        case = get_case(session, folio)
        for action in ("clasificar", "derivar", "responder_unidad", "validar"):
            transition(session, case, action, Actor("OIRS"))
        message = respond(session, case, Actor("OIRS"), "Reparamos la luminaria.")
        message.status = "sent"
    return folio


def rate(client: FlaskClient, auth: dict[str, str], text: str, user: str = WHATSAPP) -> Any:
    body = {"channel": "whatsapp", "channel_user_id": user, "text": text}
    return client.post(RATE, json=body, headers=auth)


def scores(sessions: sessionmaker[Session], folio: str) -> list[int]:
    with sessions.begin() as session:
        case = get_case(session, folio)
        return [e.data["score"] for e in case.events if e.kind == "satisfaccion"]


def test_a_rating_with_thanks_after_the_answer_is_recorded_once(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    folio = answered(client, auth, sessions)
    with sessions.begin() as session:
        asked = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id.is_not(None)))
        assert asked is not None and asked.payload["ask_satisfaction"]
    recorded = rate(client, auth, "5 gracias!! 👍")
    assert recorded.status_code == 201
    assert recorded.json == {
        "folio": folio,
        "score": 5,
        "given": 5,
        "grade": False,
        "message": "Gracias, registramos su evaluación: 5.",
    }
    assert scores(sessions, folio) == [5]
    again = rate(client, auth, "5")  # already rated: the next "5" is not this answer's
    assert again.status_code == 404
    assert scores(sessions, folio) == [5]


def test_a_school_grade_is_kept_on_the_same_scale(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    folio = answered(client, auth, sessions)
    recorded = rate(client, auth, "un 7")
    assert recorded.status_code == 201
    assert recorded.json == {
        "folio": folio,
        "score": 5,
        "given": 7,
        "grade": True,
        "message": "Gracias, registramos su evaluación: nota 7, es decir 5 de 5.",
    }
    assert scores(sessions, folio) == [5]


def test_no_rating_is_taken_without_an_answer_asking_for_it_or_from_someone_else(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    folio = client.post("/api/v1/cases", json=RECLAMO, headers=auth).json["folio"]
    assert rate(client, auth, "5").status_code == 404  # filed, never answered
    folio = answered(client, auth, sessions)
    assert rate(client, auth, "5", user="whatsapp:+56911111111").status_code == 404
    assert rate(client, auth, "la luminaria 12 sigue apagada, la 14 también").status_code == 422
    assert scores(sessions, folio) == []


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("5 gracias!! 👍", 5),
        ("un 4", 4),
        ("4/5", 4),
        ("un 7", 5),
        ("nota 6", 4),
        ("le pongo nota 4", 3),
        ("5 de 7", 4),
        ("1", 1),
        ("7", 5),
    ],
)
def test_ratings_as_residents_write_them(text: str, score: int) -> None:
    rating = parse_rating(text)
    assert rating is not None and rating.score == score


@pytest.mark.parametrize(
    "text",
    ["gracias", "9", "0", "RC-2026-000123", "+56987654321", "5,5", "tengo 3 perros y 2 gatos"],
)
def test_texts_that_are_no_rating(text: str) -> None:
    assert parse_rating(text) is None


def test_grades_map_onto_the_one_to_five_scale() -> None:
    assert [grade_to_score(g) for g in range(1, 8)] == [1, 2, 2, 3, 4, 4, 5]


def test_a_number_after_the_bot_spoke_again_is_no_rating(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    """The conversation moved on after the answer (the bot asked something): "3" answers it."""
    folio = answered(client, auth, sessions)
    with sessions.begin() as session:
        asked = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id.is_not(None)))
        assert asked is not None
        asked.sent_at = datetime.now(UTC) - timedelta(hours=2)
        sent = asked.sent_at.timestamp()
    body = {"channel": "whatsapp", "channel_user_id": WHATSAPP, "text": "3"}
    later = client.post(RATE, json={**body, "bot_spoke_at": sent + 60}, headers=auth)
    assert later.status_code == 404
    earlier = client.post(RATE, json={**body, "bot_spoke_at": sent - 60}, headers=auth)
    assert earlier.status_code == 201
    assert scores(sessions, folio) == [3]
