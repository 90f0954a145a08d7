"""Fixtures for action tests: the real domain, Rasa-shaped trackers, HTTP mocked at the wire."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import responses
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

API = "http://admin.test"
TOKEN = "bot-test-token"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "bot")).as_dict()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    """The admin API as seen on the wire; every call must be registered or the test fails."""
    monkeypatch.setenv("OIRS_API_URL", API)
    monkeypatch.setenv("OIRS_API_TOKEN", TOKEN)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


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
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self.tracker(active_loop), self.domain))
        result = Result(events, dispatcher.messages)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return result


class Result:
    def __init__(self, events: list[dict[str, Any]], messages: list[dict[str, Any]]) -> None:
        self.events = events
        self.messages = messages

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
