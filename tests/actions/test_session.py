"""Session start keeps the commune's settings a short while instead of asking the admin on
every new conversation, and drops them as soon as the admin says they changed."""

from __future__ import annotations

import httpx
import pytest

from actions import session
from actions.estado import ActionMisCasos
from actions.session import ActionSessionStart, CommuneCache
from tests.actions.conftest import API, AdminWire, Conversation

COMMUNE_URL = f"{API}/api/v1/commune"
CHILLAN = {"name": "Chillán", "phone": "+56 42 243 3000"}
VERSION = "X-OIRS-Settings-Version"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(session, "COMMUNE", CommuneCache(ttl=60, clock=clock))
    return clock


def commune_calls(api: AdminWire) -> int:
    return sum(1 for call in api.calls if call.request.url == COMMUNE_URL)


def start(conversation: Conversation) -> dict[str, str]:
    return conversation.run(ActionSessionStart()).slots


def test_new_sessions_within_the_ttl_ask_the_admin_once(
    conversation: Conversation, api: AdminWire, clock: Clock
) -> None:
    api.get(COMMUNE_URL, json=CHILLAN, headers={VERSION: "v1"})
    assert start(conversation)["oirs_telefono"] == "+56 42 243 3000"
    clock.now += 59
    assert start(conversation)["municipalidad"] == "la Municipalidad de Chillán"
    assert commune_calls(api) == 1
    clock.now += 2
    start(conversation)
    assert commune_calls(api) == 2


def test_an_edit_in_the_admin_is_seen_at_the_next_call_of_any_kind(
    conversation: Conversation, api: AdminWire, clock: Clock
) -> None:
    api.get(COMMUNE_URL, json=CHILLAN, headers={VERSION: "v1"})
    api.get(COMMUNE_URL, json={**CHILLAN, "phone": "+56 42 200 0000"}, headers={VERSION: "v2"})
    api.get(f"{API}/api/v1/residents/cases", json={"cases": []}, headers={VERSION: "v2"})
    start(conversation)
    conversation.run(ActionMisCasos())  # another action's answer names the new version
    clock.now += 5
    assert start(conversation)["oirs_telefono"] == "+56 42 200 0000"
    assert commune_calls(api) == 2


def test_the_last_known_settings_serve_while_the_admin_is_down(
    conversation: Conversation, api: AdminWire, clock: Clock
) -> None:
    api.get(COMMUNE_URL, json=CHILLAN, headers={VERSION: "v1"})
    api.get(COMMUNE_URL, body=httpx.ConnectError("refused"))
    start(conversation)
    clock.now += 120
    assert start(conversation)["municipalidad"] == "la Municipalidad de Chillán"
    assert commune_calls(api) == 2


def test_a_hung_admin_does_not_hold_the_greeting(
    conversation: Conversation,
    api: AdminWire,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session, "COMMUNE_WAIT_SECONDS", 0.2)
    api.get(COMMUNE_URL, json=CHILLAN, delay=5.0)
    result = conversation.run(ActionSessionStart())
    assert result.seconds < 0.5
    assert conversation.slots["municipalidad"] == "la Municipalidad"  # the domain's default
    assert "automatizado" in result.text and "{" not in result.text


def test_the_cache_ttl_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api_client import seconds_from_env

    monkeypatch.setenv("OIRS_COMMUNE_CACHE_SECONDS", "15")
    assert seconds_from_env("OIRS_COMMUNE_CACHE_SECONDS", 60) == 15
    monkeypatch.setenv("OIRS_COMMUNE_CACHE_SECONDS", "un minuto")
    with pytest.raises(ValueError, match="OIRS_COMMUNE_CACHE_SECONDS"):
        seconds_from_env("OIRS_COMMUNE_CACHE_SECONDS", 60)


def test_a_new_session_sets_each_slot_once_and_only_where_it_differs_from_the_domain(
    conversation: Conversation, api: AdminWire, clock: Clock
) -> None:
    """SessionStarted resets every slot to its initial value: repeating it is only more
    events for Rasa to check, store and read back on every turn."""
    initial = {
        name: spec.get("initial_value") for name, spec in conversation.domain["slots"].items()
    }
    api.get(COMMUNE_URL, json=CHILLAN, headers={VERSION: "v1"})
    conversation.set(nombre="Ana Pérez").user("hola", intent="saludo")
    events = conversation.run(ActionSessionStart()).events
    slot_events = [event for event in events if event["event"] == "slot"]
    names = [event["name"] for event in slot_events]
    assert len(names) == len(set(names))
    assert [e for e in slot_events if e["value"] == initial.get(e["name"])] == []
    assert {"nombre", "oirs_telefono", "comuna_nombre", "municipalidad"} <= set(names)
    assert conversation.slots["oirs_telefono"] == "+56 42 243 3000"
