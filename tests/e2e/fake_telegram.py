"""A loopback stand-in for api.telegram.org: the Bot API methods our channel and the outbox
worker call, answered in the real Bot API JSON shapes, and file downloads by file_path."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "OIRS", "username": "oirs_muni_bot"}
METHOD = re.compile(r"/bot([^/]+)/(\w+)")
FILE = re.compile(r"/file/bot([^/]+)/(.+)")


class FakeTelegram:
    """Keeps every Bot API call (method, params) and the files residents "uploaded"."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.downloads: list[str] = []
        self._sent: dict[int, dict[str, Any]] = {}  # message_id -> Message
        self._next_id = 5000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_file(self, data: bytes, file_path: str) -> tuple[str, str]:
        """A file Telegram holds for the bot; returns (file_id, file_unique_id)."""
        file_id = "AgACAgEAAxkBAAI" + uuid.uuid4().hex
        with self._lock:
            self.files[file_id] = (file_path, data)
        return file_id, "AQAD" + uuid.uuid4().hex[:12]

    def called(self, method: str, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Parameters of each call of `method` (to `chat_id`, when given), in order."""
        with self._lock:
            found = [params for name, params in self.calls if name == method]
        return [p for p in found if chat_id is None or str(p.get("chat_id")) == str(chat_id)]

    def messages_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        """The Message objects the bot sent to `chat_id`, as they are now (edits applied)."""
        with self._lock:
            return [dict(m) for m in self._sent.values() if str(m["chat"]["id"]) == str(chat_id)]

    # --- the Bot API ---------------------------------------------------------------------

    def _method(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((name, params))
        if name == "getMe":
            return 200, {"ok": True, "result": {**BOT_USER, "can_join_groups": True}}
        if name in ("sendMessage", "sendPhoto", "sendDocument"):
            return 200, {"ok": True, "result": self._message(params)}
        if name == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        if name == "editMessageReplyMarkup":
            with self._lock:
                message = self._sent.get(int(params.get("message_id") or 0))
                if message is None:
                    return 400, _error(400, "Bad Request: message to edit not found")
                if "reply_markup" not in message:
                    return 400, _error(400, "Bad Request: message is not modified")
                message.pop("reply_markup")
                message["edit_date"] = int(time.time())
                return 200, {"ok": True, "result": dict(message)}
        if name == "getFile":
            with self._lock:
                found = self.files.get(str(params.get("file_id")))
            if found is None:
                return 400, _error(400, "Bad Request: invalid file_id")
            file_path, data = found
            result = {
                "file_id": params["file_id"],
                "file_unique_id": "AQAD" + str(params["file_id"])[-12:],
                "file_size": len(data),
                "file_path": file_path,
            }
            return 200, {"ok": True, "result": result}
        return 404, _error(404, "Not Found: method not found")

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        with self._lock:
            self._next_id += 1
            message: dict[str, Any] = {
                "message_id": self._next_id,
                "from": BOT_USER,
                "chat": {"id": chat_id, "first_name": "Vecina", "type": "private"},
                "date": int(time.time()),
            }
            if "text" in params:
                message["text"] = params["text"]
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            self._sent[self._next_id] = message
            return dict(message)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, value: dict[str, Any]) -> None:
                self._reply(status, json.dumps(value).encode(), "application/json")

            def _params(self) -> dict[str, Any]:
                """Form fields (python-telegram-bot, JSON-encoded values) or a JSON body."""
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if "json" in self.headers.get("Content-Type", ""):
                    return dict(json.loads(body or "{}"))
                params: dict[str, Any] = dict(parse_qsl(body, keep_blank_values=True))
                for key in ("reply_markup", "allowed_updates"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                return params

            def _call(self) -> None:
                path = unquote(self.path.split("?")[0])
                method, download = METHOD.fullmatch(path), FILE.fullmatch(path)
                if method and method.group(1) == fake.token:
                    status, body = fake._method(method.group(2), self._params())
                    self._json(status, body)
                elif method:
                    self._json(401, _error(401, "Unauthorized"))
                elif download and download.group(1) == fake.token:
                    wanted = download.group(2)
                    with fake._lock:
                        fake.downloads.append(wanted)
                        data = [d for p, d in fake.files.values() if p == wanted]
                    if data:
                        self._reply(200, data[0], "application/octet-stream")
                    else:
                        self._json(404, _error(404, "Not Found"))
                else:
                    self._json(404, _error(404, "Not Found"))

            do_GET = do_POST = _call

            def log_message(self, *args: Any) -> None:
                return

        return Handler


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}
