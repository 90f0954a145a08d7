"""Sends the catalogued Spanish messages (actions/messages.yml) with slot values filled in.

An entry may carry a `voice:` text next to its `text:`: the phone line reads messages aloud, so
wording such as "escríbame" gets a spoken variant there.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

CATALOG_PATH = Path(__file__).with_name("messages.yml")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Rasa input channels that speak the text instead of showing it (VoiceOutput, channels/voice/)..
SPOKEN_CHANNELS = frozenset({"voice", "twilio_voice"})


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, Any]]:
    """All messages by key, read once per process."""
    with CATALOG_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def is_spoken(tracker: Tracker) -> bool:
    """True when the conversation's latest message came through the phone line."""
    return (tracker.get_latest_input_channel() or "") in SPOKEN_CHANNELS


def render(key: str, values: dict[str, Any], spoken: bool = False) -> dict[str, Any]:
    """Text and buttons of a message; unknown placeholders are left visible rather than failing."""
    entry = catalog()[key]
    template = entry.get("voice", entry["text"]) if spoken else entry["text"]
    text = _PLACEHOLDER.sub(lambda m: _value(values, m.group(1), m.group(0)), template)
    message: dict[str, Any] = {"text": text}
    if entry.get("buttons"):
        message["buttons"] = [dict(button) for button in entry["buttons"]]
    return message


def say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: Any) -> None:
    """Send one catalogued message; explicit values win over slot values."""
    merged = {name: value for name, value in tracker.slots.items() if value is not None}
    merged.update(values)
    dispatcher.utter_message(**render(key, merged, spoken=is_spoken(tracker)))


def _value(values: dict[str, Any], name: str, placeholder: str) -> str:
    value = values.get(name)
    return placeholder if value is None else str(value)
