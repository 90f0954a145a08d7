"""Residents' turns do not stall each other: the action server runs every conversation on
one event loop, so an action waiting for a slow admin must leave the loop to the others.

The admin here is a real HTTP server on a loopback port (the actions' own client, not a
mock, talks to it), slow only on the status look-up.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.estado import ActionConsultarEstado, ActionMisCasos
from api_client import shared_client
from tests.actions.conftest import Conversation

SLOW = 1.0


class SlowAdmin(BaseHTTPRequestHandler):
    """The status look-up takes SLOW seconds; the list of a resident's cases is instant."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(SLOW)
        self._json({"folio": "RC-2026-000042", "status": "ingresado", "due_date": "2026-12-16"})

    def do_GET(self) -> None:
        self._json({"cases": []})

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slow_admin(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowAdmin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("OIRS_API_URL", url)
    monkeypatch.setenv("OIRS_API_TOKEN", "bot-test-token")
    yield url
    server.shutdown()
    server.server_close()


def test_a_slow_admin_for_one_resident_does_not_delay_another_residents_turn(
    slow_admin: str, domain: dict[str, Any]
) -> None:
    waiting = Conversation(domain).set(folio="RC-2026-000042", factor="+56987654321")
    waiting.sender = "tg-waiting"
    other = Conversation(domain)
    other.sender = "tg-other"

    async def timed(conversation: Conversation, action: Any) -> float:
        started = time.perf_counter()
        await action.run(CollectingDispatcher(), conversation.tracker(), domain)
        return time.perf_counter() - started

    async def both() -> tuple[float, float]:
        started = time.perf_counter()
        slow = asyncio.ensure_future(timed(waiting, ActionConsultarEstado()))
        # the second resident writes 50 ms later; their wait counts from then, whenever the
        # loop gets round to their turn
        await asyncio.sleep(0.05)
        await timed(other, ActionMisCasos())
        fast = time.perf_counter() - (started + 0.05)
        slow_seconds = await slow
        await shared_client().aclose()
        return slow_seconds, fast

    slow_seconds, fast_seconds = asyncio.run(both())
    assert slow_seconds >= SLOW
    assert fast_seconds < 0.3, f"the second resident waited {fast_seconds:.2f} s"
