"""Fixtures for action tests: the real domain, Rasa-shaped trackers, HTTP mocked at the wire."""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import api_client
from actions import late_filing, session, themes
from api_client import OirsApiClient, Retry

API = "http://admin.test"
TOKEN = "bot-test-token"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "bot")).as_dict()


@dataclass(frozen=True)
class SentRequest:
    """A request as the admin received it."""

    method: str
    url: str
    headers: httpx.Headers
    body: bytes
    params: dict[str, str]


@dataclass(frozen=True)
class Call:
    request: SentRequest


class AdminWire:
    """The admin API on the wire, for the actions' httpx client: answers are registered per
    method and URL (query string ignored) and given in order, the last one repeating; a call
    nobody registered finds no server (httpx.ConnectError)."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.transport = httpx.MockTransport(self._answer)

    def add(
        self,
        method: str,
        url: str,
        json: Any = None,
        status: int = 200,
        body: str | bytes | Exception | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Register an answer; `delay` seconds pass before it comes (a slow admin)."""
        answer = {
            "json": json,
            "status": status,
            "body": body,
            "headers": headers or {},
            "delay": delay,
        }
        self.answers.setdefault((method, url), []).append(answer)

    def get(self, url: str, **answer: Any) -> None:
        self.add("GET", url, **answer)

    def post(self, url: str, **answer: Any) -> None:
        self.add("POST", url, **answer)

    def replace(self, method: str, url: str, **answer: Any) -> None:
        self.answers.pop((method, url), None)
        self.add(method, url, **answer)

    def client(self) -> OirsApiClient:
        """A client of this wire, with the retries of production but no pauses."""
        return OirsApiClient(API, TOKEN, retry=Retry(backoff=0.0), transport=self.transport)

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None))
        sent = SentRequest(
            request.method,
            str(request.url),
            request.headers,
            request.content,
            dict(request.url.params),
        )
        self.calls.append(Call(sent))
        queued = self.answers.get((request.method, url))
        if not queued:
            raise httpx.ConnectError("nothing registered for this call", request=request)
        answer = queued.pop(0) if len(queued) > 1 else queued[0]
        await asyncio.sleep(answer["delay"])
        body = answer["body"]
        if isinstance(body, Exception):
            raise body
        if answer["json"] is not None:
            content = jsonlib.dumps(answer["json"]).encode()
            headers = {"Content-Type": "application/json", **answer["headers"]}
            return httpx.Response(answer["status"], content=content, headers=headers)
        return httpx.Response(answer["status"], content=body or b"", headers=answer["headers"])


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[AdminWire]:
    """The admin API as seen on the wire; a call nobody registered fails to connect."""
    monkeypatch.setenv("OIRS_API_URL", API)
    monkeypatch.setenv("OIRS_API_TOKEN", TOKEN)
    wire = AdminWire()
    previous = api_client.use_client_factory(wire.client)
    session.COMMUNE.clear()
    themes.forget_answers()
    try:
        yield wire
    finally:
        api_client.use_client_factory(previous)
        session.COMMUNE.clear()
        themes.forget_answers()


class Conversation:
    """Builds trackers the way Rasa sends them to the action server."""

    def __init__(self, domain: dict[str, Any]) -> None:
        self.domain = domain
        self.slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
        self.events: list[dict[str, Any]] = []
        self.channel = "telegram"
        self.sender = "tg-12345"
        self.clock = 1_764_064_800.0  # 2025-11-25 10:00 UTC

    def user(
        self,
        text: str,
        intent: str = "informar",
        entities: dict[str, str] | list[tuple[str, str]] | None = None,
        new_slots: dict[str, Any] | None = None,
    ) -> Conversation:
        """A user message, plus the slots Rasa's extraction set from it."""
        self.clock += 5
        pairs = entities.items() if isinstance(entities, dict) else (entities or [])
        ents = [{"entity": k, "value": v} for k, v in pairs]
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": ents}
        self.events.append(
            {
                "event": "user",
                "timestamp": self.clock,
                "text": text,
                "parse_data": parse,
                "input_channel": self.channel,
            }
        )
        for name, value in (new_slots or {}).items():
            self.events.append(
                {"event": "slot", "timestamp": self.clock, "name": name, "value": value}
            )
            self.slots[name] = value
        return self

    def bot(self, text: str) -> Conversation:
        self.clock += 1
        self.events.append({"event": "bot", "timestamp": self.clock, "text": text})
        return self

    def set(self, **slots: Any) -> Conversation:
        self.slots.update(slots)
        return self

    def tracker(self, active_loop: str | None = None) -> Tracker:
        latest = next((e["parse_data"] for e in reversed(self.events) if e["event"] == "user"), {})
        events = self._as_form_sees_them(active_loop) if active_loop else list(self.events)
        return Tracker(
            self.sender,
            dict(self.slots),
            latest,
            events,
            False,
            None,
            {"name": active_loop} if active_loop else {},
            "action_listen",
        )

    def _as_form_sees_them(self, form: str) -> list[dict[str, Any]]:
        """What Rasa sends to validate_<form>: the events, the form marker, then only the
        slots of this message that the form requires or requested (Rasa's candidates)."""
        required = set(self.domain["forms"].get(form, {}).get("required_slots", []))
        required.add(self.slots.get("requested_slot"))
        users = [i for i, e in enumerate(self.events) if e["event"] == "user"]
        extracted = (
            [e for e in self.events[users[-1] + 1 :] if e["event"] == "slot"] if users else []
        )
        marker = [
            {"event": "slot", "name": "requested_slot", "value": self.slots.get("requested_slot")},
            {"event": "action", "name": form},
        ]
        candidates = [dict(e) for e in extracted if e["name"] in required]
        return list(self.events) + marker + candidates

    def run(self, action: Action, active_loop: str | None = None) -> Result:
        """Run the action as the action server would; what it left to finish in the
        background (a late filing) finishes too before this returns."""
        dispatcher = CollectingDispatcher()

        async def turn() -> tuple[list[dict[str, Any]], float]:
            started = time.perf_counter()
            events = await action.run(dispatcher, self.tracker(active_loop), self.domain)
            waited = time.perf_counter() - started
            await late_filing.wait_running()
            return events, waited

        events, waited = asyncio.run(turn())
        result = Result(events, dispatcher.messages, waited)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return result


class Result:
    def __init__(
        self, events: list[dict[str, Any]], messages: list[dict[str, Any]], seconds: float = 0.0
    ) -> None:
        self.events = events
        self.messages = messages
        self.seconds = seconds  # how long the resident waited for the answer

    @property
    def slots(self) -> dict[str, Any]:
        """Slot values the action set (last one wins)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.messages for b in (m.get("buttons") or [])]


@pytest.fixture
def conversation(domain: dict[str, Any]) -> Conversation:
    return Conversation(domain)
