"""Data the resident gives before saying what they want ("soy Ana Pérez Soto", "mi fono es
9 8765 4321", "Los Aromos 123"): kept for the case that follows, and the options shown.

Outside a form no rule handled `informar`: the RulePolicy's fallback answered "no le entendí"
and, as nothing predicted listening after it, repeated itself ten times and left the
conversation silent (blind round r12: five reclamos never filed after "soy <nombre>").
"""

from __future__ import annotations

from typing import Any

from oirs_rules import contact as contact_rules
from oirs_rules.names import find_name, parse_name
from oirs_rules.places import find_place, is_precise
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import typed_text
from actions.case_form import name_slots
from actions.core import ActionFallback
from actions.messages import say


def loose_values(text: str, tracker: Tracker) -> dict[str, Any]:
    """Name, contact data, RUT and place in a message sent before any case was started."""
    found: dict[str, Any] = {}
    name = find_name(text)
    if name is None and not any(ch.isdigit() for ch in text) and len(text.split()) <= 5:
        name = parse_name(text)  # "Ana Pérez Soto" sent alone
    if name:
        found.update(name_slots(tracker, name))  # a first name alone: the form asks the surnames
    phones = contact_rules.find_phones(text)
    if phones:
        found["telefono"] = contact_rules.meant(phones, text)
    emails = contact_rules.find_emails(text)
    if emails:
        found["email"] = contact_rules.meant(emails, text)
    ruts = contact_rules.find_ruts(text)
    if ruts:
        found["rut"] = contact_rules.format_rut(ruts[0])
    place = find_place(text)
    if place and is_precise(place) and not tracker.get_slot("direccion"):
        found["direccion"] = place
    return found


class ActionDatosSueltos(Action):
    """`informar` with no form running: what it holds is kept, and the resident is asked what
    they need; a message with nothing readable is a misunderstanding (the usual fallback)."""

    def name(self) -> str:
        return "action_datos_sueltos"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = typed_text(tracker) or (tracker.latest_message or {}).get("text") or ""
        found = loose_values(text, tracker)
        if not found:
            return await ActionFallback().run(dispatcher, tracker, domain)
        first = (found.get("nombre") or found.get("nombre_pila") or "").split(" ")[0]
        say(dispatcher, tracker, "datos_sueltos_nombre" if first else "datos_sueltos", nombre=first)
        return [SlotSet(slot, value) for slot, value in found.items()]
