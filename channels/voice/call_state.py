"""What the phone channel remembers during one call, keyed by Twilio's CallSid.

Twilio calls a new webhook for every turn, possibly on another Rasa process, so the attempt
counter, the last question and the running transcript live in the shared ChannelStore
(bounded memory, or Redis when REDIS_URL is set) rather than in the process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from oirs_rules.dates import SANTIAGO

from channels.store import ChannelStore

CALL_TTL = 6 * 3600  # a call plus the late recording callbacks
MAX_TRANSCRIPT = 300


@dataclass
class CallState:
    """One call: who calls (never logged unmasked), how the dialogue goes, what is pending."""

    call_sid: str
    caller: str = ""
    municipal_number: str = ""
    failures: int = 0
    menu_active: bool = True
    last_texts: list[str] = field(default_factory=list)
    last_buttons: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, str]] = field(default_factory=list)
    sms_folio: str | None = None
    voicemail_folio: str | None = None
    pending_recording: str | None = None
    handed_off: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CallState:
        """A call as Twilio first names it: its CallSid, who calls and which number was called."""
        return cls(
            call_sid=params.get("CallSid", ""),
            caller=params.get("From", ""),
            municipal_number=params.get("To", ""),
        )

    def record(self, sender: str, texts: list[str], at: datetime | None = None) -> None:
        """Append what the resident said or the bot answered, as the admin API expects it."""
        moment = (at or datetime.now(SANTIAGO)).astimezone(SANTIAGO).isoformat(timespec="seconds")
        for text in texts:
            if text.strip():
                self.transcript.append({"at": moment, "sender": sender, "text": text.strip()})
        del self.transcript[:-MAX_TRANSCRIPT]

    def asked(self, texts: list[str], buttons: list[dict[str, Any]], menu: bool = False) -> None:
        """Remember the question just asked, to repeat it or answer its options by key."""
        self.last_texts = list(texts)
        self.last_buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
        ]
        self.menu_active = menu

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> CallState:
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class CallStates:
    """Load and save CallState objects in the channel store."""

    def __init__(self, store: ChannelStore) -> None:
        self.store = store

    @classmethod
    def from_env(cls) -> CallStates:
        return cls(ChannelStore.from_env("voice"))

    async def load(self, call_sid: str) -> CallState | None:
        raw = await self.store.get(f"call:{call_sid}")
        return CallState.from_json(raw) if raw else None

    async def current(self, params: Mapping[str, str]) -> CallState:
        """The call's state; a call we lost track of (restart, expiry) starts afresh."""
        state = await self.load(params.get("CallSid", ""))
        return state if state is not None else CallState.from_params(params)

    async def save(self, state: CallState) -> None:
        await self.store.put(f"call:{state.call_sid}", state.to_json(), ttl=CALL_TTL)
