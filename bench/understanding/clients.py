"""HTTP to Rasa and the admin, every request with a timeout; 429 waits and retries (bounded)."""

from __future__ import annotations

import time
from typing import Any

import requests

TIMEOUT = (5, 60)  # connect, read (seconds)
RETRIES_429 = 4
MAX_WAIT_S = 30.0


class RouteMissing(RuntimeError):
    """The admin answered 404 for a route (not deployed yet)."""


class CaseUnreadable(RuntimeError):
    """GET /api/v1/cases/<folio> did not return the case."""


def _send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request; on 429 wait what Retry-After says (at most 30 s) and try again a few times."""
    for attempt in range(RETRIES_429 + 1):
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
        if response.status_code != 429 or attempt == RETRIES_429:
            return response
        try:
            wait = float(response.headers.get("Retry-After", "2"))
        except ValueError:
            wait = 2.0
        time.sleep(min(max(wait, 1.0), MAX_WAIT_S))
    raise AssertionError("unreachable")


class RasaClient:
    """Rasa's HTTP API (needs --enable-api; `token` is its --auth-token) and REST channel."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.params = {"token": token} if token else {}
        self.session = requests.Session()

    def parse(self, text: str) -> dict[str, Any]:
        response = _send(
            self.session, "POST", f"{self.url}/model/parse", params=self.params, json={"text": text}
        )
        response.raise_for_status()
        return dict(response.json())

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = _send(
            self.session,
            "POST",
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self, sender: str, events: str = "NONE") -> dict[str, Any]:
        """The conversation's state; `events` as Rasa's include_events (NONE, AFTER_RESTART…)."""
        response = _send(
            self.session,
            "GET",
            f"{self.url}/conversations/{sender}/tracker",
            params={**self.params, "include_events": events},
        )
        response.raise_for_status()
        return dict(response.json())


class AdminClient:
    """The admin's API with a Bearer token (`oirs create-token`)."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def classify(self, text: str) -> dict[str, Any]:
        response = _send(self.session, "POST", f"{self.url}/api/v1/classify", json={"text": text})
        if response.status_code == 404:
            raise RouteMissing("POST /api/v1/classify responde 404: la ruta aún no existe")
        response.raise_for_status()
        return dict(response.json())

    def case(self, folio: str) -> dict[str, Any]:
        response = _send(self.session, "GET", f"{self.url}/api/v1/cases/{folio}")
        if response.status_code != 200:
            raise CaseUnreadable(f"GET /api/v1/cases/{folio} respondió {response.status_code}")
        return dict(response.json())


class ContactReader:
    """The unmasked contact of a case, straight from the admin database the bench started.

    The API masks phone, e-mail and RUT on purpose (Ley 21.719), which leaves too little to
    compare (the last two digits of a phone); the benchmark's own database is read instead.
    """

    def __init__(self, database_url: str) -> None:
        from oirs.db import make_engine, make_session_factory

        self.engine = make_engine(database_url)
        self.sessions = make_session_factory(self.engine)

    def __call__(self, folio: str) -> dict[str, Any] | None:
        from sqlalchemy import select

        from oirs.models import Case

        with self.sessions() as session, session.begin():
            case = session.scalar(select(Case).where(Case.folio == folio))
            if case is None:
                return None
            return {
                "phone": case.contact_phone,
                "email": case.contact_email,
                "postal_address": case.contact_postal_address,
                "rut": case.contact_rut,
                "channel_user_id": case.channel_user_id,
            }

    def close(self) -> None:
        self.engine.dispose()
