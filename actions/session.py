"""Session start: the commune's links and hours from the admin, and the first-contact notice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import api_client
from actions.messages import say
from actions.outcomes import STARTED, report_outcome
from api_client import (
    ApiError,
    OirsApiClient,
    seconds_from_env,
    settings_version,
    within,
)

logger = logging.getLogger(__name__)

# GET /api/v1/commune field -> slot used by responses (FAQ answers too)
COMMUNE_SLOTS = {
    "privacy_policy_url": "url_privacidad",
    "portal_transparencia_url": "url_transparencia",
    "transparencia_activa_url": "url_transparencia_activa",
    "sai_form_url": "url_formulario_sai",
    "oirs_hours": "oirs_horario",
    "oirs_address": "oirs_direccion",
    "phone": "oirs_telefono",
    "email": "oirs_email",
}


def municipality_name(name: str) -> str:
    """ "Chillán" -> "la Municipalidad de Chillán": responses say "de {municipalidad}"."""
    lowered = name.lower()
    if lowered.startswith(("la ", "el ")):
        return name
    if lowered.startswith(("municipalidad", "ilustre municipalidad", "i. municipalidad")):
        return f"la {name}"
    return f"la Municipalidad de {name}"


def commune_slot_events(commune: dict[str, Any]) -> list[EventType]:
    """Slots from the commune's configuration; missing values keep the domain defaults."""
    events: list[EventType] = [
        SlotSet(slot, str(commune[field]))
        for field, slot in COMMUNE_SLOTS.items()
        if commune.get(field)
    ]
    name = commune.get("name")
    if name:
        events += [
            SlotSet("comuna_nombre", str(name)),
            SlotSet("municipalidad", municipality_name(str(name))),
        ]
    return events


# the greeting does not wait longer than this for the admin (then: last known or defaults)
COMMUNE_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class _Known:
    commune: dict[str, Any]
    version: str | None
    fetched_at: float


class CommuneCache:
    """The commune's settings as the admin last gave them, kept `ttl` seconds.

    Every answer of the admin names the version of these settings
    (X-OIRS-Settings-Version), so a change made in the admin is seen at the next call the
    actions make, whichever it is; when the admin cannot answer, the last known settings
    are better than the defaults.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._known: _Known | None = None

    async def get(self, client: OirsApiClient, wait: float) -> dict[str, Any]:
        """The settings; raises ApiError only when the admin fails and none are known."""
        known = self._known
        if known is not None and self._fresh(known):
            return known.commune
        try:
            commune = await within(wait, client.commune())
        except ApiError:
            if known is None:
                raise
            logger.warning("commune_config_stale age_s=%.0f", self.clock() - known.fetched_at)
            return known.commune
        self._known = _Known(commune, settings_version(), self.clock())
        return commune

    def _fresh(self, known: _Known) -> bool:
        return self.clock() - known.fetched_at < self.ttl and settings_version() == known.version

    def clear(self) -> None:
        self._known = None


COMMUNE = CommuneCache(seconds_from_env("OIRS_COMMUNE_CACHE_SECONDS", 60.0))


class ActionSessionStart(Action):
    """Starts a session: keeps the resident's data, loads the commune, greets on first contact."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        commune_events = await _load_commune()
        events: list[EventType] = [SessionStarted()]
        events += _session_slots(tracker, domain, commune_events)
        values = {event["name"]: event["value"] for event in commune_events}
        if _is_first_contact(tracker):
            say(dispatcher, tracker, "bienvenida", **values)
            say(dispatcher, tracker, "aviso_privacidad", **values)
        else:
            say(dispatcher, tracker, "bienvenida_regreso", **values)
        events.append(ActionExecuted("action_listen"))
        report_outcome(tracker, STARTED)
        return events


async def _load_commune() -> list[EventType]:
    try:
        return commune_slot_events(await COMMUNE.get(api_client(), COMMUNE_WAIT_SECONDS))
    except ApiError as error:
        logger.warning("commune_config_unavailable error=%s", type(error).__name__)
        return []


def _session_slots(
    tracker: Tracker, domain: DomainDict, commune_events: list[EventType]
) -> list[EventType]:
    """The slots the new session starts with: the resident's data carried over, then the
    commune's settings, each set once and only where it differs from the domain's initial
    value. SessionStarted already resets every slot to that value; setting it again only
    adds events that Rasa validates, stores and reads back on every later turn (14 of the
    24 slot events of a first greeting were such no-ops)."""
    values = {
        key: value
        for key, value in tracker.slots.items()
        if value is not None and key != "requested_slot"
    }
    values.update({event["name"]: event["value"] for event in commune_events})
    slots = domain.get("slots") or {}
    return [
        SlotSet(key, value)
        for key, value in values.items()
        if key not in slots or (slots[key] or {}).get("initial_value") != value
    ]


def _is_first_contact(tracker: Tracker) -> bool:
    return not any(event.get("event") == "user" for event in tracker.events)
