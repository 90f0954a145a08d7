"""Long-lived requests (agent console streams, widget relays waiting on Rasa) hold at most a
few of a worker's threads: with all of theirs taken, the API and the pages are still served at
once, a widget message is refused with Retry-After (the widget retries it) and a console stream
becomes one poll (the browser reconnects)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from admin import create_app
from oirs.settings import PROJECT_ROOT, Settings
from tests.admin.test_console import as_role, events, queued
from tests.support.app_fixtures import migrate

RASA_SECONDS = 4.0  # how long the stand-in Rasa takes to answer each message
THREADS, RELAY_SLOTS, STREAM_SLOTS = 4, 2, 1
PROMPT = 1.5  # seconds: an answer that did not wait for a long request to end


def start_slow_rasa() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(RASA_SECONDS)
            data = json.dumps([{"recipient_id": "x", "text": "Hola, ¿en qué le ayudo?"}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def small_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The admin under gunicorn's gthread worker with 4 threads, 2 of them for widget relays."""
    rasa = start_slow_rasa()
    data_dir = tmp_path_factory.mktemp("long-requests")
    url = f"sqlite:///{data_dir / 'oirs.db'}"
    migrate(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIRS_", "DATABASE_"))}
    env.update(
        DATABASE_URL=url,
        OIRS_DATA_DIR=str(data_dir),
        OIRS_RASA_URL=f"http://127.0.0.1:{rasa.server_address[1]}",
        OIRS_ADMIN_RELAY_SLOTS=str(RELAY_SLOTS),
        OIRS_ADMIN_STREAM_SLOTS=str(STREAM_SLOTS),
    )
    port = free_port()
    command = [
        str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn"),
        *("--worker-class", "gthread", "--workers", "1", "--threads", str(THREADS)),
        *("--bind", f"127.0.0.1:{port}", "admin:create_app()"),
    ]
    log = open(data_dir / "admin.log", "wb")  # noqa: SIM115 (closed below)
    admin = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                assert admin.poll() is None and time.monotonic() < deadline, "admin did not start"
                time.sleep(0.3)
        yield base
    finally:
        admin.terminate()
        admin.wait(timeout=20)
        log.close()
        rasa.shutdown()


def test_with_every_relay_slot_held_the_api_is_served_at_once(small_admin: str) -> None:
    answers: list[tuple[int, str | None, dict[str, Any], float]] = []

    def relay(n: int) -> None:
        started = time.monotonic()
        reply = requests.post(
            f"{small_admin}/widget/api/messages",
            json={"session": f"web-lentitud-{n:012d}", "text": "hola"},
            timeout=30,
        )
        took = time.monotonic() - started
        answers.append((reply.status_code, reply.headers.get("Retry-After"), reply.json(), took))

    relays = [threading.Thread(target=relay, args=(n,)) for n in range(THREADS)]
    for thread in relays:
        thread.start()
    time.sleep(0.8)  # every relay has reached the admin; Rasa holds the ones let through
    started = time.monotonic()
    api = requests.get(f"{small_admin}/api/v1/openapi.json", timeout=30)
    api_took = time.monotonic() - started
    page = requests.get(f"{small_admin}/ingresar", timeout=30)
    page_took = time.monotonic() - started
    for thread in relays:
        thread.join()
    assert api.status_code == 200 and page.status_code == 200
    assert api_took < PROMPT and page_took < PROMPT, (api_took, page_took)
    assert sorted(a[0] for a in answers) == [200] * RELAY_SLOTS + [503] * (THREADS - RELAY_SLOTS)
    for status, retry_after, body, took in answers:
        if status == 503:
            assert retry_after and int(retry_after) > 0
            assert body["error"]["code"] == "bot_busy"
            assert "unos segundos" in body["error"]["message"]
            assert took < PROMPT  # refused at once, not after waiting for a thread
        else:
            assert body["messages"][0]["text"].startswith("Hola")


@pytest.fixture
def one_stream_slot(app_settings: Settings) -> Flask:
    return create_app(
        app_settings,
        TESTING=True,
        RATELIMIT_ENABLED=False,
        CONSOLE_STREAM_SECONDS=STREAM_SECONDS,
        CONSOLE_STREAM_SLOTS=1,
    )


STREAM_SECONDS = 2


def stream(client: FlaskClient) -> str:
    """The queue stream as a threaded server sends it; closed at the end, as servers do."""
    with client.get("/consola/cola/eventos", environ_overrides={"wsgi.multithread": True}) as r:
        assert r.status_code == 200
        return r.get_data(as_text=True)


def test_a_console_stream_beyond_its_slots_answers_one_poll_and_the_browser_reconnects(
    one_stream_slot: Flask, db_session: Session
) -> None:
    queued(db_session)
    first, second = one_stream_slot.test_client(), one_stream_slot.test_client()
    as_role(first, db_session, "agent")
    # the same agent in a second tab
    second.set_cookie("session", first.get_cookie("session").value)  # type: ignore[union-attr]
    held: list[str] = []
    tab = threading.Thread(target=lambda: held.append(stream(first)))
    tab.start()
    time.sleep(0.5)  # the first tab's stream is open and holds the only slot
    started = time.monotonic()
    text = stream(second)
    took = time.monotonic() - started
    tab.join()
    assert took < 1.5, took
    assert text.startswith("retry: 3000")
    assert [e["event"] for e in events(text)] == ["cola"]
    assert held[0].startswith("retry: 2000")  # the first tab had a long stream
    # the slot came back when that stream ended
    started = time.monotonic()
    again = stream(second)
    assert again.startswith("retry: 2000") and time.monotonic() - started >= STREAM_SECONDS
