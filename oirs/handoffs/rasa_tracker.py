"""Rasa's tracker store, seen from the admin only to erase a resident's conversation.

Rasa's HTTP API cannot erase: `PUT /conversations/<id>/tracker/events` rebuilds the tracker, but
Rasa's SQLTrackerStore only appends the events it has not stored yet (`_additional_events`), so
the old rows stay, and there is no DELETE endpoint. The rows are therefore deleted where Rasa
keeps them, through the same URL Rasa reads (RASA_TRACKER_URL in endpoints.yml), whether Rasa is
running or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import column, create_engine, delete, inspect, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from oirs.errors import OirsError
from oirs.settings import PROJECT_ROOT

# The table of rasa.core.tracker_store.SQLTrackerStore: one row per event, keyed by sender_id.
EVENTS = table("events", column("sender_id"))


class TrackerStoreUnavailable(OirsError):
    """The tracker store could not be opened or refused the deletion: retry later."""

    code = "tracker_store_unavailable"


def engine_url(url: str) -> str:
    """The URL as this environment opens it: psycopg 3 for PostgreSQL, and a relative SQLite
    file taken from the project root, where `make run` starts Rasa."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database:
        path = Path(parsed.database)
        if not path.is_absolute():
            return str(parsed.set(database=str(PROJECT_ROOT / path)))
    return url


@dataclass(frozen=True)
class RasaTrackerStore:
    url: str

    def erase(self, sender_ids: Sequence[str]) -> int:
        """Delete every stored event of these conversations; returns how many rows went."""
        if not sender_ids:
            return 0
        url = engine_url(self.url)
        parsed = make_url(url)
        sqlite_file = parsed.drivername.startswith("sqlite") and parsed.database
        if sqlite_file and not Path(str(parsed.database)).exists():
            return 0  # Rasa never stored a conversation here
        try:
            engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise TrackerStoreUnavailable(type(exc).__name__) from exc
        try:
            with engine.begin() as conn:
                if not inspect(conn).has_table("events"):
                    return 0
                result = conn.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(sender_ids)))
                return int(result.rowcount or 0)
        except SQLAlchemyError as exc:
            raise TrackerStoreUnavailable(type(exc).__name__) from exc
        finally:
            engine.dispose()
