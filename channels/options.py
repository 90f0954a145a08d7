"""Buttons on channels without buttons: numbered options, and a reply "2" mapped back."""

from __future__ import annotations

import json
from typing import Any

from channels.messages import OPTIONS_HINT
from channels.store import ChannelStore

OPTIONS_TTL = 24 * 3600


def render(text: str, buttons: list[dict[str, Any]]) -> str:
    """The message followed by one numbered line per button."""
    lines = [f"{n}. {button.get('title', '')}" for n, button in enumerate(buttons, start=1)]
    return "\n".join([text, "", *lines, "", OPTIONS_HINT]).strip()


async def remember(store: ChannelStore, recipient: str, buttons: list[dict[str, Any]]) -> None:
    payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
    await store.put(f"options:{recipient}", json.dumps(payloads), ttl=OPTIONS_TTL)


async def resolve_reply(store: ChannelStore, sender: str, text: str) -> str:
    """The payload of the option the resident chose by number, else the text unchanged."""
    stored = await store.pop(f"options:{sender}")
    choice = text.strip().rstrip(".)")
    if not stored or not choice.isdigit():
        return text
    payloads = json.loads(stored)
    index = int(choice) - 1
    return payloads[index] if 0 <= index < len(payloads) else text
