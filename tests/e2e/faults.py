"""Helpers of the fault and scale-out tests: a loopback Twilio stand-in, our own redis-server,
a PostgreSQL database we can close to new connections, Twilio signatures, and the talk."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import requests
from sqlalchemy import func, select, text

from oirs.db import make_engine, make_session_factory
from oirs.models import Case, OutboxMessage
from tests.e2e.stack import Stack
from tests.support.app_fixtures import PG_ADMIN_URL

CONFIRM = re.compile(r"(?i)confirm|correct|resumen")
# Turns that open no form, so any Rasa process may answer any of them in any conversation
# (the scale-out test and bench/scale_out.py send them round-robin).
STATELESS_LINES = (
    "hola",
    "que horario de atencion tiene la municipalidad",
    "donde queda la oficina de partes",
    "como pido informacion publica",
    "gracias",
    "chao",
)
FOLIO = re.compile(r"RC-\d{4}-\d{6}")
RETRY_TOLD = re.compile(r"(?i)no pudimos registrar su caso")


# --- talking to the bot ------------------------------------------------------------------


def say(base_url: str, sender: str, message: str, timeout: float = 60) -> list[dict[str, Any]]:
    """One turn on Rasa's REST channel; the reply must be a JSON list."""
    reply = requests.post(
        f"{base_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=timeout,
    )
    reply.raise_for_status()
    messages: list[dict[str, Any]] = reply.json()
    return messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


RECLAMO = (
    "hace dos semanas que no pasa el camion de la basura por los aromos {number}, "
    "soy Ana Perez, mi telefono es 987654321"
)
ANSWERS = ("Ana Perez", "987654321", "ana.perez@example.cl", "Los Aromos {number}", "no")
# far-apart street numbers: a reclamo next to an open one is offered to join it instead
_NUMBERS = itertools.count(300, 400)


def next_number() -> int:
    return next(_NUMBERS)


def rest_turn(base_url: str, sender: str) -> Callable[[str], str]:
    return lambda message: texts(say(base_url, sender, message))


def reach_confirmation(turn: Callable[[str], str], number: int | None = None) -> str:
    """Tell a reclamo and answer what the form asks until the bot reads back the summary."""
    number = number or next_number()
    turn("hola")
    reply = turn(RECLAMO.format(number=number))
    return answer_until_summary(turn, reply, number)


def answer_until_summary(turn: Callable[[str], str], reply: str, number: int) -> str:
    answers = iter(answer.format(number=number) for answer in ANSWERS)
    for _ in range(len(ANSWERS)):
        if CONFIRM.search(reply):
            return reply
        reply = turn(next(answers))
    assert CONFIRM.search(reply), reply
    return reply


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def tracker(stack: Stack, sender: str, base_url: str | None = None) -> dict[str, Any]:
    """Rasa's stored conversation of `sender` (the SQL tracker store)."""
    reply = requests.get(
        f"{base_url or stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.env["RASA_AUTH_TOKEN"]},
        timeout=30,
    )
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()
    return data


def user_texts(conversation: dict[str, Any]) -> list[str]:
    return [e.get("text") or "" for e in conversation["events"] if e["event"] == "user"]


# --- the database, read directly -----------------------------------------------------------


def cases_of(stack: Stack, sender: str) -> list[Case]:
    """Every case filed for this channel identity, straight from the database."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            query = select(Case).where(Case.channel_user_id == sender)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def who_filed(stack: Stack, folio: str) -> tuple[str | None, str, str]:
    """(channel_user_id, channel, idempotency key) of a folio, to explain a failed check."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.folio == folio)).one()
            return case.channel_user_id, case.channel, str(case.idempotency_key)
    finally:
        engine.dispose()


def count(stack: Stack, model: type[Any], **where: Any) -> int:
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            query = select(func.count()).select_from(model).filter_by(**where)
            return int(session.scalar(query) or 0)
    finally:
        engine.dispose()


def outbox_row(stack: Stack, message_id: int) -> OutboxMessage:
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            row = session.get_one(OutboxMessage, message_id)
            session.expunge(row)
            return row
    finally:
        engine.dispose()


# --- processes -----------------------------------------------------------------------------


def kill_tree(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal a process and its children (gunicorn workers), as a crash would hit them."""
    signal_tree(process, sig)
    process.wait(timeout=30)


def signal_tree(process: subprocess.Popen[bytes], sig: int) -> None:
    """Send `sig` to a process and its children (SIGSTOP/SIGCONT freeze and thaw them)."""
    for pid in [process.pid, *_children(process.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(path.parent.name))
    return found


def wait_port_free(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"el puerto {port} sigue ocupado")


# --- PostgreSQL: close one database to connections, then open it again -------------------


def close_database(name: str) -> None:
    """New connections are refused and current ones are cut: the database is 'down'."""
    engine = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    finally:
        engine.dispose()


def open_database(name: str) -> None:
    engine = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        engine.dispose()


# --- Twilio --------------------------------------------------------------------------------


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by the sorted params."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class FakeTwilio:
    """Stands in for api.twilio.com on loopback: answers Messages.json with `status` and
    keeps what it accepted (201) and how many posts it refused.

    Given the account's credentials it also checks them on every call (401 otherwise, as
    Twilio does) and serves media the way Twilio does: the MediaUrl answers the account's
    Basic auth with a 307 to a pre-signed CDN URL on another origin, and the CDN refuses a
    request that still carries the Authorization header (as S3 does)."""

    def __init__(
        self, port: int, account_sid: str | None = None, auth_token: str | None = None
    ) -> None:
        self.port = port
        self.account_sid, self.auth_token = account_sid, auth_token
        self.status = 201
        self.hold = threading.Event()
        self.hold.set()
        self.accepted: list[dict[str, str]] = []
        self.refused = 0
        self.unauthorised = 0
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_fetches: list[tuple[str, bool]] = []  # (path, carried Authorization)
        self.received = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()

    def to(self, recipient: str) -> list[dict[str, str]]:
        with self._lock:
            return [m for m in self.accepted if m.get("To") == recipient]

    def add_media(self, message_sid: str, data: bytes, content_type: str) -> str:
        """Keep a medium of an inbound message; returns its MediaUrl as Twilio posts it."""
        media_sid = f"ME{uuid.uuid4().hex}"
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"
        with self._lock:
            self.media[media_sid] = (data, content_type)
        return self.base_url + path

    def _authorised(self, header: str | None) -> bool:
        if self.account_sid is None:
            return True
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {token}"

    def _answer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.received.set()
        self.hold.wait(60)
        with self._lock:
            if self.status >= 300:
                self.refused += 1
                return self.status, {"code": 20500, "message": "Service Unavailable"}
            self.accepted.append(form)
            return 201, {"sid": f"SM{uuid.uuid4().hex}", "status": "queued"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        messages = re.compile(r"/2010-04-01/Accounts/(\w+)/Messages\.json")
        media = re.compile(r"/2010-04-01/Accounts/(\w+)/Messages/\w+/Media/(ME\w+)")
        cdn = re.compile(r"/cdn/(ME\w+)")

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refuse_credentials(self, account: str) -> bool:
                authorised = fake._authorised(self.headers.get("Authorization"))
                if authorised and account == (fake.account_sid or account):
                    return False
                with fake._lock:
                    fake.unauthorised += 1
                self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                found = messages.fullmatch(self.path)
                if found is None:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                if self._refuse_credentials(found.group(1)):
                    return
                status, body = fake._answer(form)
                self._json(status, body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with fake._lock:
                    fake.media_fetches.append((path, "Authorization" in self.headers))
                found, signed = media.fullmatch(path), cdn.fullmatch(path)
                if found and not self._refuse_credentials(found.group(1)):
                    self.send_response(307)
                    self.send_header("Location", f"http://localhost:{fake.port}/cdn/{found[2]}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif signed and "Authorization" in self.headers:
                    self._json(400, {"Code": "InvalidArgument", "Message": "Only one auth"})
                elif signed and signed.group(1) in fake.media:
                    data, content_type = fake.media[signed.group(1)]
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif not found:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})

            def log_message(self, *args: Any) -> None:
                return

        return Handler
