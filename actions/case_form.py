"""What every case form shares: contact checks, corrections before confirming, the read-back."""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import (
    SHARED_CONTACT,
    attachments_summary,
    has_contact_card,
    shared_phone,
    typed_text,
)
from actions.common import entity_values, first_value, joined
from actions.emergencia import emergency_response
from actions.messages import catalog, say
from actions.validators import (
    InvalidValue,
    clean_name,
    find_email,
    find_name,
    find_phone,
    fold,
    is_substantive,
    normalize_email,
    normalize_phone,
    normalize_rut,
    refuses,
    strip_contact_data,
)

# words that name a field in "no, la dirección es …" (folded, no accents) -> slot
FIELD_WORDS = {
    "direccion": "direccion",
    "lugar": "direccion",
    "calle": "direccion",
    "ubicacion": "direccion",
    "nombre": "nombre",
    "apellido": "nombre",
    "telefono": "contacto",
    "fono": "contacto",
    "celular": "contacto",
    "numero": "contacto",
    "correo": "contacto",
    "mail": "contacto",
    "contacto": "contacto",
    "descripcion": "descripcion",
    "problema": "descripcion",
    "detalle": "descripcion",
    "categoria": "categoria",
    "tema": "categoria",
    "tipo": "categoria",
    "rut": "rut",
    "unidad": "unidad_felicitada",
    "funcionari": "unidad_felicitada",
    "informacion": "informacion_solicitada",
    "documento": "informacion_solicitada",
    "notificacion": "sai_notificacion",
    "domicilio": "sai_notificacion",
}
_VALUE_AFTER_RE = re.compile(
    r"\b(?:es|era|seria|sería|correcta es|correcto es|son)\b\s*:?\s*(.+)$|:\s*(.+)$", re.IGNORECASE
)


_QUESTION_RE = re.compile(
    r"\?|^\s*(?:como|cuando|donde|que|cual|cuanto|cuanta|por que|quien|puedo|se puede)\b"
)
# answers that are free text: a question there is a question, not an answer
FREE_TEXT_SLOTS = ("descripcion", "informacion_solicitada", "unidad_felicitada")


class FaqAwareValidation(FormValidationAction, ABC):
    """Lets an FAQ asked in the middle of a form be answered, then the form goes on.

    Slot mappings take any text as the answer to the requested slot (the NLU often calls a
    name or an address `faq`); only when that text is not a valid answer, or is a question
    where free text was asked, the form steps aside so the FAQ rule answers it.
    """

    @abstractmethod
    def name(self) -> str:
        """validate_<form>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot")
        if slot and self.is_faq_interruption(slot, tracker, domain):
            return [SlotSet(slot, None), ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    def is_faq_interruption(self, slot: str, tracker: Tracker, domain: DomainDict) -> bool:
        """True when the latest message is an FAQ question rather than the answer asked for."""
        message = tracker.latest_message or {}
        if (message.get("intent") or {}).get("name") != "faq":
            return False
        value = tracker.slots_to_validate().get(slot)
        if value is None:
            return False
        if slot in FREE_TEXT_SLOTS:
            return bool(_QUESTION_RE.search(fold(message.get("text") or "")))
        validator = getattr(self, f"validate_{slot}", None)
        if validator is None:
            return False
        return validator(value, CollectingDispatcher(), tracker, domain).get(slot) is None


class CaseFormValidation(FaqAwareValidation, ABC):
    """Validation shared by the reclamo, sugerencia, felicitación and SAI forms."""

    case_type: ClassVar[str]
    # slots a correction may touch in this form (the read-back shows them)
    correctable: ClassVar[tuple[str, ...]] = ()
    # form-specific meaning of field words, over FIELD_WORDS
    field_aliases: ClassVar[dict[str, str]] = {}
    registry: ClassVar[dict[str, type[CaseFormValidation]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "case_type", None):
            CaseFormValidation.registry[f"{cls.case_type}_form"] = cls

    def name(self) -> str:
        return f"validate_{self.case_type}_form"

    @staticmethod
    @abstractmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        """Response name and values that read the collected case back to the resident."""

    @staticmethod
    @abstractmethod
    def correction_response() -> str:
        """Response asking which field to correct."""

    # --- what to ask -----------------------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if "contacto" in slots and (tracker.slots.get("telefono") or tracker.slots.get("email")):
            slots.remove("contacto")
        return slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always decide here which slot comes next (None ends the form)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        return SlotSet("requested_slot", missing)

    async def get_validation_events(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        extras = self.validate_contact_entities(dispatcher, tracker)
        tracker.slots.update(extras)
        events = await super().get_validation_events(dispatcher, tracker, domain)
        validated = {event["name"] for event in events}
        return [
            SlotSet(key, value) for key, value in extras.items() if key not in validated
        ] + events

    def validate_contact_entities(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Phone, e-mail and RUT tagged anywhere in the last message (never asked on their own)."""
        # Rasa hands the validation only the form's own slots: these come from the entities
        new = {
            slot: tracker.slots.get(slot)
            for slot in ("telefono", "email", "rut")
            if entity_values(tracker, slot)
        }
        checks = {
            "telefono": (normalize_phone, "telefono_invalido"),
            "email": (normalize_email, "email_invalido"),
            "rut": (normalize_rut, "rut_invalido"),
        }
        result: dict[str, Any] = {}
        for slot, (normalize, error_response) in checks.items():
            if slot not in new or new[slot] is None:
                continue
            raw = first_value(new[slot]) or ""
            try:
                result[slot] = normalize(raw)
            except InvalidValue:
                say(dispatcher, tracker, error_response, valor=raw)
                result[slot] = None
        return result

    # --- slot validators -------------------------------------------------------------------

    def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if not is_substantive(text):
            if tracker.get_slot("requested_slot") == "descripcion":
                say(dispatcher, tracker, "descripcion_corta")
            return {"descripcion": None}
        emergency = emergency_response(text)
        if emergency:
            # an emergency is never filed: numbers first, and the form asks what else to register
            say(dispatcher, tracker, emergency)
            say(dispatcher, tracker, "emergencia_despues")
            return {"descripcion": None}
        result: dict[str, Any] = {"descripcion": strip_contact_data(text)}
        result.update(self._contact_in_free_text(text, tracker))
        return result

    def validate_nombre(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _is_own_name(tracker):
            # "felicito a la señora Marta": a third person's name, not the resident's
            return {"nombre": previous_value(tracker, "nombre")}
        if refuses(typed_text(tracker)) and not entity_values(tracker, "nombre"):
            # "no quiero dar mi nombre": say why it is asked and how to stop, not "not a name"
            if tracker.get_slot("requested_slot") == "nombre":
                say(dispatcher, tracker, "nombre_rechazado")
            return {"nombre": None}
        try:
            parts = entity_values(tracker, "nombre") or value
            return {"nombre": clean_name(joined(parts, " ") or "")}
        except InvalidValue:
            say(dispatcher, tracker, "nombre_invalido")
            return {"nombre": None}

    def validate_contacto(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if text == SHARED_CONTACT:
            # the contact question answered with a contact card: its phone, checked like a typed one
            if has_contact_card(tracker):
                shared = shared_phone(tracker)
                if shared is None:
                    say(dispatcher, tracker, "contacto_sin_telefono")
                    return {"contacto": None}
                return {"contacto": shared, "telefono": shared}
            text = typed_text(tracker)  # "mi contacto es 987654321" read as sharing a card
        email, phone = find_email(text), find_phone(text)
        if not email and not phone:
            # a tagged phone or e-mail that failed its check was already explained
            if not (entity_values(tracker, "telefono") or entity_values(tracker, "email")):
                say(dispatcher, tracker, "contacto_invalido")
            return {"contacto": None}
        result: dict[str, Any] = {"contacto": email or phone}
        if email:
            result["email"] = email
        if phone:
            result["telefono"] = phone
        return result

    def validate_confirmacion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        changed = set(tracker.slots_to_validate()) - {"confirmacion", "requested_slot"}
        changed |= {
            slot for slot in ("telefono", "email", "rut", "nombre") if entity_values(tracker, slot)
        }
        field = _button_field(message)
        if field:
            return {**_clear(field), "confirmacion": None, "correccion": False}
        if changed:
            return {"confirmacion": None, "correccion": False}
        if intent == "afirmar":
            return {
                "confirmacion": "si",
                "correccion": False,
                "tipo_caso": self.case_type,
                "idempotency_key": tracker.get_slot("idempotency_key") or str(uuid.uuid4()),
            }
        correction = self._typed_correction(first_value(value) or "", dispatcher, tracker, domain)
        if correction is not None:
            return {**correction, "confirmacion": None, "correccion": False}
        return {"confirmacion": None, "correccion": True}

    # --- helpers ---------------------------------------------------------------------------

    def _contact_in_free_text(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """All-in-one messages: pick up an e-mail, phone or name the NLU did not tag."""
        found: dict[str, Any] = {}
        if not tracker.slots.get("email"):
            email = find_email(text)
            if email:
                found["email"] = email
        if not tracker.slots.get("telefono"):
            phone = find_phone(text)
            if phone:
                found["telefono"] = phone
        if not tracker.slots.get("nombre"):
            name = find_name(text)
            if name:
                found["nombre"] = name
        return found

    def _typed_correction(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any] | None:
        """Typed correction: "la dirección es X" sets it, "la dirección" asks it again."""
        folded = fold(text)
        words = {**FIELD_WORDS, **self.field_aliases}
        slot = next(
            (s for word, s in words.items() if word in folded and s in self.correctable), None
        )
        if slot is None:
            return None
        match = _VALUE_AFTER_RE.search(text)
        new_value = next((group for group in match.groups() if group), None) if match else None
        if not new_value:
            return _clear(slot)
        validator = getattr(self, f"validate_{slot}", None)
        if validator is None:
            return {slot: new_value.strip(" .")}
        return validator(new_value.strip(" ."), dispatcher, tracker, domain)


_SELF_INTRO = re.compile(r"\b(?:soy|me llamo|mi nombre|a nombre de|nombre es|nombre:)")


def _is_own_name(tracker: Tracker) -> bool:
    """A name is the resident's when asked for, or introduced as theirs ("soy", "me llamo")."""
    if tracker.get_slot("requested_slot") == "nombre":
        return True
    text = fold((tracker.latest_message or {}).get("text") or "")
    return bool(_SELF_INTRO.search(text))


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (its extraction overwrote it)."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _button_field(message: dict[str, Any]) -> str | None:
    for entity in message.get("entities") or []:
        if entity.get("entity") == "campo" and entity.get("value"):
            return str(entity["value"])
    return None


def _clear(slot: str) -> dict[str, Any]:
    """Empty a slot so the form asks it again (contact: both phone and e-mail)."""
    if slot == "contacto":
        return {"contacto": None, "telefono": None, "email": None}
    if slot == "sai_notificacion":
        return {"sai_notificacion": None, "email": None}
    return {slot: None}


class ActionAskConfirmacion(Action):
    """Reads the case back before filing, or asks which field to correct."""

    def name(self) -> str:
        return "action_ask_confirmacion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = CaseFormValidation.registry.get(tracker.active_loop_name or "")
        if form is None:
            return []
        if tracker.get_slot("correccion"):
            say(dispatcher, tracker, form.correction_response())
            return []
        response, values = form.summary(tracker)
        values.setdefault("adjuntos_texto", attachments_summary(tracker))
        say(dispatcher, tracker, response, **values)
        return []


def contact_text(tracker: Tracker) -> str:
    """How the resident will be contacted, for read-backs."""
    parts = [tracker.get_slot("email"), tracker.get_slot("telefono")]
    return " / ".join(part for part in parts if part) or "por este mismo canal"


# Slots the forms ask for; each gets an `action_ask_<slot>` that picks the form's own wording
# (`ask_<form>_<slot>` in the catalog) or the shared one (`ask_<slot>`).
ASKED_SLOTS = (
    "descripcion",
    "categoria",
    "direccion",
    "nombre",
    "contacto",
    "unidad_felicitada",
    "informacion_solicitada",
    "sai_notificacion",
    "folio",
    "factor",
)


def _ask_action(slot: str) -> type[Action]:
    class AskSlot(Action):
        __doc__ = f"Asks the resident for `{slot}` in the words of the active form."

        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> list[EventType]:
            key = f"ask_{tracker.active_loop_name}_{slot}"
            say(dispatcher, tracker, key if key in catalog() else f"ask_{slot}")
            return []

    AskSlot.__name__ = AskSlot.__qualname__ = "ActionAsk" + slot.title().replace("_", "")
    return AskSlot


ASK_ACTIONS = {slot: _ask_action(slot) for slot in ASKED_SLOTS}
