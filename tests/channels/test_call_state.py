"""What the phone channel remembers between Twilio's webhooks, without any server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from channels.store import ChannelStore
from channels.voice.call_state import MAX_TRANSCRIPT, CallState, CallStates


def test_state_survives_a_round_trip_through_the_store_by_call_sid():
    states = CallStates(ChannelStore("voice-test"))
    state = CallState(call_sid="CA1", caller="+56987654321", municipal_number="+56223456789")
    state.asked(["¿Está todo correcto?"], [{"title": "Sí", "payload": "/afirmar", "extra": 1}])
    state.failures = 2
    state.sms_folio = "RC-2026-000123"

    async def scenario() -> tuple[CallState | None, CallState | None]:
        await states.save(state)
        return await states.load("CA1"), await states.load("CA2")

    loaded, unknown = asyncio.run(scenario())
    assert loaded == state
    assert loaded is not None and loaded.last_buttons == [{"title": "Sí", "payload": "/afirmar"}]
    assert not loaded.menu_active
    assert unknown is None


def test_transcript_is_in_santiago_time_and_bounded():
    state = CallState(call_sid="CA1")
    moment = datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)
    state.record("resident", ["hola", "  "], at=moment)
    assert state.transcript == [
        {"at": "2026-11-25T10:00:00-03:00", "sender": "resident", "text": "hola"}
    ]
    state.record("bot", [f"mensaje {n}" for n in range(MAX_TRANSCRIPT + 50)], at=moment)
    assert len(state.transcript) == MAX_TRANSCRIPT
    assert state.transcript[-1]["text"] == f"mensaje {MAX_TRANSCRIPT + 49}"


def test_memory_store_keeps_a_bounded_number_of_calls():
    states = CallStates(ChannelStore("voice-test", max_items=3))

    async def scenario() -> list[CallState | None]:
        for n in range(5):
            await states.save(CallState(call_sid=f"CA{n}"))
        return [await states.load(f"CA{n}") for n in range(5)]

    loaded = asyncio.run(scenario())
    assert [s is not None for s in loaded] == [False, False, True, True, True]


def test_unknown_fields_from_an_older_version_are_ignored():
    raw = '{"call_sid": "CA9", "failures": 1, "retired_field": true}'
    assert CallState.from_json(raw) == CallState(call_sid="CA9", failures=1)
