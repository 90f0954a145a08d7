"""Rasa's SQL tracker store without re-reading a whole conversation on every turn.

Rasa 3.6's `SQLTrackerStore` rebuilds the tracker from the database on each message (a query
with a sub-query for the latest session, every event's JSON decoded) and, to save, counts the
stored events of the session again before inserting the new ones. On this project's SQLite
file that is about 7 ms to read and 13 ms to write a turn on the 2-core machine, against
nothing for the in-memory store of a bare bot (issue 14, `docs/bench/turns.md`).

`CachedSQLTrackerStore` keeps, per conversation, the serialised events of its latest session
and the id of the last row it knows was written for it. A retrieve asks the database only for
that conversation's highest event id (one indexed query); when it is the one remembered, no
other process wrote to the conversation since, and the tracker is rebuilt from memory, as the
in-memory store does. Otherwise (another Rasa process behind the lock store answered, the
tracker was erased, the process just started) the conversation is read from the database as
before. A save inserts only the events after those handed out by the last retrieve, without
counting the stored ones; Rasa's lock store already guarantees one turn at a time per
conversation, in one process or several. What is kept is bounded (`OIRS_TRACKER_CACHE_SIZE`
conversations, least recently used dropped first).
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

CACHE_SIZE_VARIABLE = "OIRS_TRACKER_CACHE_SIZE"
DEFAULT_CACHE_SIZE = 2000


@dataclass
class _Known:
    """A conversation as this process last read or wrote it."""

    last_id: int  # the highest row id of its events in the database
    events: list[dict[str, Any]]  # the latest session's events, serialised
    handed_out: int  # how many events the last retrieved tracker held


class CachedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that remembers the conversations it served (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size = os.environ.get(CACHE_SIZE_VARIABLE, "")
        self.cache_size = int(size) if size.strip().isdigit() else DEFAULT_CACHE_SIZE
        self._known: OrderedDict[str, _Known] = OrderedDict()

    def _last_id(self, session: Any, sender_id: str) -> int | None:
        query = session.query(sa.func.max(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == sender_id
        )
        value = query.scalar()
        return int(value) if value is not None else None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation; from memory when nobody else wrote to it."""
        with self.session_scope() as session:
            last_id = self._last_id(session, sender_id)
            known = self._known.get(sender_id)
            if known is not None and last_id is not None and known.last_id == last_id:
                self._known.move_to_end(sender_id)
                known.handed_out = len(known.events)
                return self._tracker(sender_id, known.events)
            self._known.pop(sender_id, None)
            if last_id is None:
                return None
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            events = [json.loads(row.data) for row in rows.all()]
        if not events:
            return None
        self._remember(sender_id, _Known(last_id, events, handed_out=len(events)))
        return self._tracker(sender_id, events)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events added since the tracker was handed out, and remember them."""
        known = self._known.pop(tracker.sender_id, None)
        if known is None or len(tracker.events) < known.handed_out:
            # not served by this process (or rewound): Rasa's own way, counting what is stored
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        new = [event.as_dict() for event in list(tracker.events)[known.handed_out :]]
        with self.session_scope() as session:
            rows = [self._row(tracker.sender_id, data) for data in new]
            session.add_all(rows)
            session.flush()  # the ids, read before the commit expires the rows
            last_id = max((int(row.id) for row in rows), default=known.last_id)
            session.commit()
        events = known.events[: known.handed_out] + new
        # saved again before another retrieve (the same tracker object): from its end on
        self._remember(
            tracker.sender_id, _Known(last_id, _latest_session(events), len(tracker.events))
        )

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every session (the tracker API): not remembered, so saving it is Rasa's own way."""
        self._known.pop(conversation_id, None)
        return await super().retrieve_full_tracker(conversation_id)

    def _row(self, sender_id: str, data: dict[str, Any]) -> Any:
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=data.get("event"),
            timestamp=data.get("timestamp"),
            intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _tracker(self, sender_id: str, events: list[dict[str, Any]]) -> DialogueStateTracker:
        slots = self.domain.slots if self.domain else []
        return DialogueStateTracker.from_dict(sender_id, events, slots)

    def _remember(self, sender_id: str, known: _Known) -> None:
        self._known[sender_id] = known
        self._known.move_to_end(sender_id)
        while len(self._known) > self.cache_size:
            self._known.popitem(last=False)


def _latest_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events from the last session start on, as Rasa's SQL store reads them back."""
    starts = [i for i, data in enumerate(events) if data.get("event") == SessionStarted.type_name]
    return events[starts[-1] :] if starts else events
