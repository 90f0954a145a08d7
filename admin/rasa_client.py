"""The few calls the agent console makes to Rasa's HTTP API (rasa run --enable-api --auth-token):
pause the bot while a person answers, resume it on hand-back, read what the resident wrote."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from flask import current_app
from oirs_rules.dates import SANTIAGO

from admin.database import settings

log = logging.getLogger(__name__)
SENDERS = {"user": "resident", "bot": "bot"}


class RasaUnavailable(Exception):
    """Rasa did not answer, or refused: the console shows it and the agent may retry."""


@dataclass(frozen=True)
class RasaClient:
    base_url: str
    token: str | None
    timeout: float = 3.0

    def _url(self, conversation_id: str, tail: str) -> str:
        # Rasa (Sanic) does not unquote path parameters: "whatsapp:+569…" must go as written.
        return f"{self.base_url}/conversations/{quote(conversation_id, safe=':+@=')}/{tail}"

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            reply = requests.request(
                method, url, params=self._params(), timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            log.warning("rasa unreachable method=%s error=%s", method, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        if reply.status_code >= 400:
            log.warning("rasa refused method=%s status=%s", method, reply.status_code)
            raise RasaUnavailable(f"HTTP {reply.status_code}")
        return reply.json() if reply.content else None

    def _event(self, conversation_id: str, event: str) -> None:
        url = self._url(conversation_id, "tracker/events")
        self._call("POST", url, json={"event": event})

    def pause(self, conversation_id: str) -> None:
        """The bot stops answering this conversation (Rasa keeps recording it)."""
        self._event(conversation_id, "pause")

    def resume(self, conversation_id: str) -> None:
        """The bot answers this conversation again."""
        self._event(conversation_id, "resume")

    def messages_since(
        self, conversation_id: str, after: float | None
    ) -> tuple[list[dict[str, Any]], float | None]:
        """Resident and bot messages newer than `after` (a tracker timestamp), and the newest."""
        tracker = self._call("GET", self._url(conversation_id, "tracker"))
        entries, newest = [], after
        for event in (tracker or {}).get("events") or []:
            stamp = float(event.get("timestamp") or 0)
            sender = SENDERS.get(str(event.get("event")))
            text = str(event.get("text") or "").strip()
            if not sender or not text or (after is not None and stamp <= after):
                continue
            entries.append({"at": _iso(stamp), "sender": sender, "text": text})
            newest = max(newest or stamp, stamp)
        return entries, newest


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, SANTIAGO).isoformat(timespec="seconds")


def _token(token: str | None, data_dir: Path) -> str | None:
    """RASA_AUTH_TOKEN, else the one `make run` generated into var/rasa-auth-token."""
    if token:
        return token
    stored = data_dir / "rasa-auth-token"
    return stored.read_text(encoding="utf-8").strip() or None if stored.exists() else None


def rasa_client() -> RasaClient:
    """One client per app, built from the settings on first use."""
    client: RasaClient | None = current_app.extensions.get("oirs_rasa_client")
    if client is None:
        config = settings()
        client = RasaClient(config.rasa_url, _token(config.rasa_auth_token, config.data_dir))
        current_app.extensions["oirs_rasa_client"] = client
    return client
