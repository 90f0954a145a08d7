"""The conversation as the admin stores it with a case or a handoff, built from tracker events."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    _TZ: Any = ZoneInfo("America/Santiago")
except ZoneInfoNotFoundError:  # pragma: no cover - only on systems without tz data
    _TZ = timezone.utc

_SENDERS = {"user": "resident", "bot": "bot"}
MAX_ENTRIES = 200


def build_transcript(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Resident and bot messages in order, Santiago-time ISO timestamps (newest MAX_ENTRIES)."""
    transcript = []
    for event in events:
        sender = _SENDERS.get(event.get("event", ""))
        text = (event.get("text") or "").strip()
        if not sender or not text:
            continue
        transcript.append({"at": _iso(event.get("timestamp")), "sender": sender, "text": text})
    return transcript[-MAX_ENTRIES:]


def _iso(timestamp: float | None) -> str:
    moment = datetime.fromtimestamp(timestamp, _TZ) if timestamp else datetime.now(_TZ)
    return moment.isoformat(timespec="seconds")
