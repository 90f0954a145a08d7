"""The cached SQL tracker store reads back exactly what Rasa's own SQL store would."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_runtime.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [saludo]
slots:
  nombre:
    type: text
    mappings: [{type: custom}]
responses:
  utter_saludo: [{text: hola}]
"""
)


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(tmp_path / "tracker.db")


def stores(database: str) -> tuple[CachedSQLTrackerStore, SQLTrackerStore]:
    return (
        CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=database),
        SQLTrackerStore(DOMAIN, dialect="sqlite", db=database),
    )


def start(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        slots=DOMAIN.slots,
    )


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, intent={"name": "saludo", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_saludo"))
    tracker.update(BotUttered("hola"))
    tracker.update(SlotSet("nombre", text))
    tracker.update(ActionExecuted("action_listen"))


def events(tracker: DialogueStateTracker | None) -> list[dict]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def test_turns_read_back_as_rasas_own_store_reads_them(database: str) -> None:
    cached, plain = stores(database)
    run(cached.save(start("ana")))
    for text in ("hola", "buenas", "qué tal"):
        tracker = run(cached.retrieve("ana"))
        turn(tracker, text)
        run(cached.save(tracker))
        assert events(run(cached.retrieve("ana"))) == events(run(plain.retrieve("ana")))
    assert run(cached.retrieve("ana")).get_slot("nombre") == "qué tal"
    assert len(events(run(plain.retrieve("ana")))) == 2 + 3 * 5


def test_no_event_is_written_twice_or_lost(database: str) -> None:
    cached, plain = stores(database)
    run(cached.save(start("ana")))
    tracker = run(cached.retrieve("ana"))
    turn(tracker, "uno")
    run(cached.save(tracker))
    run(cached.save(tracker))  # saved again without a new retrieve: nothing new to write
    stored = events(run(plain.retrieve_full_tracker("ana")))
    assert len(stored) == 3 + 5


def test_another_process_writing_to_the_conversation_is_seen(database: str) -> None:
    """Two Rasa processes behind the lock store: what the other one wrote is read back."""
    first, _ = stores(database)
    second, plain = stores(database)
    run(first.save(start("ana")))
    tracker = run(first.retrieve("ana"))  # remembered by the first process
    turn(tracker, "uno")
    run(first.save(tracker))
    other = run(second.retrieve("ana"))
    turn(other, "dos")
    run(second.save(other))
    again = run(first.retrieve("ana"))
    assert again.get_slot("nombre") == "dos"
    assert events(again) == events(run(plain.retrieve("ana")))
    turn(again, "tres")
    run(first.save(again))
    assert events(run(plain.retrieve("ana"))) == events(run(first.retrieve("ana")))


def test_a_new_session_reads_back_from_its_start(database: str) -> None:
    cached, plain = stores(database)
    run(cached.save(start("ana")))
    tracker = run(cached.retrieve("ana"))
    turn(tracker, "uno")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    run(cached.save(tracker))
    assert events(run(cached.retrieve("ana"))) == events(run(plain.retrieve("ana")))
    assert events(run(cached.retrieve("ana")))[0]["event"] == "session_started"


def test_an_erased_conversation_is_not_served_from_memory(database: str) -> None:
    cached, _ = stores(database)
    run(cached.save(start("ana")))
    run(cached.retrieve("ana"))
    with cached.session_scope() as session:  # the admin's anonymisation deletes the rows
        session.query(cached.SQLEvent).filter(cached.SQLEvent.sender_id == "ana").delete()
        session.commit()
    assert run(cached.retrieve("ana")) is None


def test_memory_is_bounded(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIRS_TRACKER_CACHE_SIZE", "2")
    cached, plain = stores(database)
    for sender in ("a", "b", "c"):
        run(cached.save(start(sender)))
        run(cached.retrieve(sender))
    assert list(cached._known) == ["b", "c"]
    assert events(run(cached.retrieve("a"))) == events(run(plain.retrieve("a")))


def test_the_endpoints_file_starts_the_cached_store(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa falls back to memory with only a warning when a store's module cannot be imported:
    the project's endpoints.yml must really give this store."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    for variable in ("RASA_ACTION_ENDPOINT_URL", "RASA_LOCK_STORE", "REDIS_HOST"):
        monkeypatch.setenv(variable, "x")
    for variable in ("REDIS_PORT", "REDIS_LOCK_DB"):
        monkeypatch.setenv(variable, "0")
    monkeypatch.setenv("RASA_TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("RASA_TRACKER_URL", f"sqlite:///{database}")
    config = read_endpoint_config(str(Path(__file__).parents[2] / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, CachedSQLTrackerStore)
