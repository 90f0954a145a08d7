"""The assistant stopped waiting for a slow admin: the folio reaches the resident through
the outbox, once; and every API answer names the version of the commune's settings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin import create_app
from oirs.models import OutboxMessage
from oirs.settings import Settings

WIDGET_SESSION = "web-" + "a1b2c3d4" * 3
RECLAMO = {
    "type": "reclamo",
    "channel": "web",
    "description": "La luminaria de la esquina está apagada hace una semana",
    "category": "alumbrado",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "phone": "+56 9 8765 4321"},
    "channel_user_id": WIDGET_SESSION,
    "conversation_id": WIDGET_SESSION,
    "idempotency_key": "conv-slow-1",
}


def outbox(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def file(client: FlaskClient, auth: dict[str, str], **changes: Any) -> Any:
    return client.post("/api/v1/cases", json={**RECLAMO, **changes}, headers=auth)


def test_a_filing_the_bot_gave_up_waiting_for_sends_the_folio_once_through_the_channel(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    first = file(client, auth)  # the answer the assistant no longer waited for
    assert first.status_code == 201 and "folio_notice" not in first.json
    assert outbox(sessions) == []
    again = file(client, auth, send_folio=True)
    once_more = file(client, auth, send_folio=True)
    assert (again.status_code, again.json["folio_notice"]) == (200, "queued")
    assert once_more.json["folio"] == again.json["folio"] == first.json["folio"]
    [message] = outbox(sessions)
    assert (message.channel, message.recipient) == ("web", WIDGET_SESSION)
    assert message.idempotency_key == f"folio:{first.json['folio']}"
    assert first.json["folio"] in message.body
    assert first.json["due_date_display"] in message.body
    assert message.body.startswith("Listo: registramos su reclamo con el folio")


def test_a_first_filing_that_asks_for_the_folio_queues_it_to_the_telegram_chat(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = file(
        client,
        auth,
        type="sugerencia",
        channel="telegram",
        category=None,
        channel_user_id="987654",
        conversation_id="987654",
        idempotency_key="conv-slow-2",
        send_folio=True,
    )
    assert (response.status_code, response.json["folio_notice"]) == (201, "queued")
    [message] = outbox(sessions)
    assert (message.channel, message.recipient) == ("telegram", "987654")
    assert "registramos su sugerencia con el folio" in message.body


def test_a_case_with_no_channel_to_answer_says_so_and_queues_nothing(
    client: FlaskClient, auth: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = file(client, auth, channel_user_id="rest-tester", send_folio=True)
    assert (response.status_code, response.json["folio_notice"]) == (201, "no_route")
    assert outbox(sessions) == []


def test_send_folio_must_be_true_or_false(client: FlaskClient, auth: dict[str, str]) -> None:
    response = file(client, auth, send_folio="si")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"send_folio": "Debe ser verdadero o falso."}


def test_every_api_answer_names_the_settings_version_and_it_changes_with_them(
    app: Flask, app_settings: Settings, client: FlaskClient, auth: dict[str, str]
) -> None:
    header = "X-OIRS-Settings-Version"
    commune = client.get("/api/v1/commune", headers=auth)
    filed = file(client, auth)
    refused = client.get("/api/v1/commune")
    version = commune.headers[header]
    assert len(version) == 16
    assert filed.headers[header] == refused.headers[header] == version
    edited = replace(app_settings, commune=replace(app_settings.commune, phone="+56 2 2999 0000"))
    other = create_app(edited, TESTING=True, RATELIMIT_ENABLED=False).test_client()
    changed = other.get("/api/v1/commune", headers=auth)
    assert changed.json["phone"] == "+56 2 2999 0000"
    assert changed.headers[header] != version
