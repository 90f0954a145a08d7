"""What the running Rasa agent knows about a call: the caller's intent, the folio filed, a handoff.

The phone channel reads the agent of the Rasa server it is mounted in (request.app.ctx.agent);
without one (tests, a server still loading) it knows nothing and goes on.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic.request import Request

BOT_HANDOFF_ACTION = "action_handoff"
FILED_FOLIO_SLOT = "ultimo_folio"
HANDOFF_INTENT = "hablar_con_humano"


async def wants_person(request: Request, speech: str, min_confidence: float) -> bool:
    """Whether the caller asked for a person: the phone channel transfers them itself."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return False
    parsed = await agent.parse_message(speech)
    intent = parsed.get("intent") or {}
    return bool(
        intent.get("name") == HANDOFF_INTENT
        and float(intent.get("confidence") or 0) >= min_confidence
    )


async def tracker(request: Request, call_sid: str) -> Any:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    return await agent.tracker_store.retrieve(call_sid)


async def last_filed(request: Request, call_sid: str) -> str | None:
    """The folio of the last case the bot filed in this call (slot ultimo_folio)."""
    found = await tracker(request, call_sid)
    value = found.get_slot(FILED_FOLIO_SLOT) if found is not None else None
    return str(value) if value else None


async def bot_handed_off(request: Request, call_sid: str) -> bool:
    """Whether the bot itself ran its handoff action (and so already told the admin)."""
    found = await tracker(request, call_sid)
    if found is None:
        return False
    for event in reversed(found.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == BOT_HANDOFF_ACTION:
            return True
    return False
