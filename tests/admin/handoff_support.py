"""Shared pieces of the handoff and console tests: a loopback stand-in for Rasa's HTTP API,
fixed clocks, and the app wired to both."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from admin.rasa_client import RasaClient
from oirs.calendar.business_days import BusinessCalendar
from oirs.handoffs.call_center import CallCenterHours, parse_hours
from oirs.handoffs.queue import NewHandoff, open_handoff

# Wednesday 25-11-2026, 11:00 and 20:00 in Santiago (UTC-3 in summer).
IN_HOURS = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
AFTER_HOURS = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
HOURS = CallCenterHours(parse_hours("mon-fri 08:30-17:30"))
RASA_TOKEN = "rasa-test-token"

WHATSAPP_HANDOFF = {
    "channel": "whatsapp",
    "channel_user_id": "whatsapp:+56987654321",
    "conversation_id": "whatsapp:+56987654321",
    "transcript": [
        {"at": "2026-11-25T10:58:00-03:00", "sender": "resident", "text": "hola"},
        {"at": "2026-11-25T10:58:01-03:00", "sender": "bot", "text": "¿En qué le ayudo?"},
        {
            "at": "2026-11-25T10:59:00-03:00",
            "sender": "resident",
            "text": "quiero hablar con un funcionario por el camión de la basura",
        },
    ],
    "intent": "hablar_con_humano",
    "reason": "solicitado",
    "slots": {"nombre": "María González", "categoria": "aseo", "direccion": "Los Aromos 123"},
}


def file_after_hours_callback(session: Session, channel_user_id: str) -> tuple[str, int]:
    """A WhatsApp resident asks for a person at 20:00 (AFTER_HOURS): the consulta filed for the
    call-back, as (folio, handoff id)."""
    outcome = open_handoff(
        session,
        NewHandoff(
            channel="whatsapp",
            conversation_id=channel_user_id,
            channel_user_id=channel_user_id,
            transcript=[{"at": "", "sender": "resident", "text": "quiero hablar con alguien"}],
            reason="solicitado",
        ),
        HOURS,
        BusinessCalendar(),
        AFTER_HOURS,
    )
    assert outcome.folio, "an out-of-hours request files a consulta"
    return outcome.folio, outcome.handoff.id


class FakeRasa:
    """Records every request; answers tracker reads with `events`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, body: Any) -> None:
                fake.requests.append({"method": self.command, "path": self.path, "body": body})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._record(json.loads(self.rfile.read(length) or b"null"))
                self._answer({"events": []})

            def do_GET(self) -> None:
                self._record(None)
                self._answer({"sender_id": "x", "events": fake.events})

            def _answer(self, body: Any) -> None:
                if f"token={RASA_TOKEN}" not in self.path:
                    self.send_response(401)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def posted_events(self) -> list[tuple[str, Any]]:
        return [
            (r["path"].split("?")[0], r["body"]) for r in self.requests if r["method"] == "POST"
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(name="rasa")
def rasa_fixture(app: Flask) -> Iterator[FakeRasa]:
    """A loopback Rasa the app talks to for this test."""
    fake = FakeRasa()
    previous = app.extensions.get("oirs_rasa_client")
    app.extensions["oirs_rasa_client"] = RasaClient(fake.url, RASA_TOKEN, timeout=2.0)
    yield fake
    app.extensions["oirs_rasa_client"] = previous
    fake.close()


@pytest.fixture(name="hours")
def hours_fixture(app: Flask) -> Iterator[CallCenterHours]:
    previous = app.extensions.get("oirs_call_center_hours")
    app.extensions["oirs_call_center_hours"] = HOURS
    yield HOURS
    app.extensions["oirs_call_center_hours"] = previous


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The API's clock, fixed at the first item (tests may replace it)."""
    import admin.api.handoffs as api

    moments = [IN_HOURS]
    monkeypatch.setattr(api, "clock", lambda: moments[0])
    return moments


def request_handoff(
    client: FlaskClient, auth: dict[str, str], **changes: Any
) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/handoffs", json={**WHATSAPP_HANDOFF, **changes}, headers=auth)
    return response.status_code, response.json or {}
