"""A loopback HTTP server standing in for api.twilio.com, api.telegram.org and the admin API
calls the channels make (uploads, ratings, and the phone line's commune, handoff, voicemail case
and attachment), recording every request at the HTTP level."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 16
VOICEMAIL_FOLIO = "CS-2026-000042"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Providers:
    """Shared state between the test and the server thread."""

    twilio_sid: str
    twilio_token: str
    telegram_token: str
    api_token: str
    requests: list[Recorded] = field(default_factory=list)
    fail_next: dict[str, int] = field(default_factory=dict)  # path fragment -> failures left
    pending_updates: list[dict[str, Any]] = field(default_factory=list)  # for getUpdates
    # the admin's answer to a rating, per channel identity (none: 404, no rating awaited)
    ratings: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def record(self, item: Recorded) -> None:
        with self.lock:
            self.requests.append(item)

    def matching(self, fragment: str, method: str = "POST") -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if fragment in r.path and r.method == method]

    def wait_for(self, fragment: str, count: int = 1, timeout: float = 20.0) -> list[Recorded]:
        """The requests whose path contains `fragment`, once at least `count` arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(fragment)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        got = self.matching(fragment)
        raise AssertionError(f"expected {count} requests to {fragment}, got {got}")

    def should_fail(self, path: str) -> bool:
        with self.lock:
            for fragment, left in self.fail_next.items():
                if fragment in path and left > 0:
                    self.fail_next[fragment] = left - 1
                    return True
        return False

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.fail_next.clear()
            self.pending_updates.clear()
            self.ratings.clear()


def make_handler(state: Providers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._reply(status, json.dumps(value).encode())

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.record(Recorded(self.command, self.path, dict(self.headers), body))
            if state.should_fail(self.path):
                self._json(503, {"code": 20503, "message": "Service Unavailable"})
                return
            for pattern, route in ROUTES:
                match = re.fullmatch(pattern, unquote(self.path.split("?")[0]))
                if match and route(self, state, match, body):
                    return
            self._json(404, {"message": "not found"})

        do_GET = do_POST = _handle

    return Handler


def _basic_ok(handler: BaseHTTPRequestHandler, state: Providers) -> bool:
    expected = base64.b64encode(f"{state.twilio_sid}:{state.twilio_token}".encode()).decode()
    return handler.headers.get("Authorization") == f"Basic {expected}"


def twilio_send(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if not _basic_ok(handler, state) or match.group(1) != state.twilio_sid:
        handler._json(401, {"code": 20003, "message": "Authenticate"})
        return True
    handler._json(201, {"sid": "SM" + "0" * 30 + str(len(state.requests) % 10), "status": "queued"})
    return True


def twilio_media(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if not _basic_ok(handler, state):
        handler._json(401, {"code": 20003, "message": "Authenticate"})
        return True
    handler._reply(200, JPEG, "image/jpeg")
    return True


def admin_upload(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if handler.headers.get("Authorization") != f"Bearer {state.api_token}":
        handler._json(401, {"error": {"code": "unauthorized", "message": "Falta un token."}})
        return True
    number = len(state.matching("/api/v1/uploads"))
    handler._json(
        201,
        {"id": f"upl_test{number}", "sha256": "0" * 64, "content_type": "image/jpeg", "size": 80},
    )
    return True


def admin_rating(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if handler.headers.get("Authorization") != f"Bearer {state.api_token}":
        handler._json(401, {"error": {"code": "unauthorized", "message": "Falta un token."}})
        return True
    answer = state.ratings.get(json.loads(body)["channel_user_id"])
    if answer is None:
        handler._json(404, {"error": {"code": "no_pending_rating", "message": "No."}})
    else:
        handler._json(201, answer)
    return True


def admin_voice(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    """The admin as the phone line sees it: the commune's name, a handoff queued, a consulta
    filed from a voicemail, its recording attached."""
    if handler.headers.get("Authorization") != f"Bearer {state.api_token}":
        handler._json(401, {"error": {"code": "unauthorized", "message": "Falta un token."}})
        return True
    path = match.group(0)
    if path == "/api/v1/commune":
        handler._json(200, {"name": "Municipalidad de Prueba"})
    elif path == "/api/v1/handoffs":
        handler._json(201, {"id": 7, "status": "queued"})
    elif path == "/api/v1/cases":
        handler._json(201, {"folio": VOICEMAIL_FOLIO})
    else:
        handler._json(201, {"attached": 1})
    return True


def twilio_recording(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if not _basic_ok(handler, state):
        handler._json(401, {"code": 20003, "message": "Authenticate"})
        return True
    handler._reply(200, MP3, "audio/mpeg")
    return True


def telegram_method(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    token, method = match.group(1), match.group(2)
    if token != state.telegram_token:
        handler._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        return True
    result: Any = True
    if method == "sendMessage":
        params = _telegram_params(handler, body)
        result = {
            "message_id": 1000 + len(state.requests),
            "date": int(time.time()),
            "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
            "text": params.get("text", ""),
        }
    elif method == "getFile":
        params = _telegram_params(handler, body)
        result = {
            "file_id": params.get("file_id"),
            "file_unique_id": "uniq1",
            "file_size": len(PNG),
            "file_path": "photos/file_1.png",
        }
    elif method == "getUpdates":
        offset = int(_telegram_params(handler, body).get("offset") or 0)
        result = [u for u in state.pending_updates if u["update_id"] >= offset]
    elif method == "getMe":
        result = {"id": 1, "is_bot": True, "first_name": "OIRS", "username": "oirs_test_bot"}
    handler._json(200, {"ok": True, "result": result})
    return True


def _telegram_params(handler: Any, body: bytes) -> dict[str, Any]:
    content_type = handler.headers.get("Content-Type", "")
    if "json" in content_type:
        return dict(json.loads(body or b"{}"))
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def telegram_file(handler: Any, state: Providers, match: re.Match[str], body: bytes) -> bool:
    if match.group(1) != state.telegram_token:
        handler._json(404, {"ok": False})
        return True
    handler._reply(200, PNG, "image/png")
    return True


ROUTES = [
    (r"/2010-04-01/Accounts/([^/]+)/Messages\.json", twilio_send),
    (r"/2010-04-01/Accounts/[^/]+/Messages/[^/]+/Media/[^/]+", twilio_media),
    (r"/api/v1/uploads", admin_upload),
    (r"/api/v1/residents/satisfaction", admin_rating),
    (r"/api/v1/(?:commune|handoffs|cases|cases/[^/]+/attachments)", admin_voice),
    (r"/2010-04-01/Accounts/[^/]+/Recordings/[^/]+\.mp3", twilio_recording),
    (r"/bot([^/]+)/(\w+)", telegram_method),
    (r"/file/bot([^/]+)/(.+)", telegram_file),
]


def start(state: Providers) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
