"""Solicitud de acceso a la información: art. 12 data only, never a RUT nor a reason."""

from __future__ import annotations

from typing import Any

from oirs_rules.places import parse_postal_address
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import typed_text
from actions.case_form import CaseFormValidation
from actions.common import first_value
from actions.messages import say
from actions.validators import find_email, has_surname, is_substantive


class ValidateSaiForm(CaseFormValidation):
    """Checks the art. 12 data of an access-to-information request before filing it."""

    case_type = "sai"
    details_slot = "informacion_solicitada"
    correctable = ("informacion_solicitada", "nombre", "sai_notificacion")
    field_aliases = {
        "correo": "sai_notificacion",
        "mail": "sai_notificacion",
        "direccion": "sai_notificacion",
        "solicit": "informacion_solicitada",
    }

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        target = tracker.get_slot("email") or tracker.get_slot("sai_notificacion")
        return "resumen_sai", {"notificacion_texto": target}

    @staticmethod
    def correction_response() -> str:
        return "corregir_sai"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if tracker.slots.get("email"):
            slots.remove("sai_notificacion")
        return slots

    def validate_contact_entities(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Only the e-mail matters here: a RUT or phone given unasked is not checked nor sent."""
        email = find_email(typed_text(tracker))
        return {"email": email} if email else {}

    def validate_informacion_solicitada(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if not is_substantive(text, min_words=2):
            if tracker.get_slot("requested_slot") == "informacion_solicitada":
                say(dispatcher, tracker, "informacion_poco_clara")
            return {"informacion_solicitada": None}
        return {"informacion_solicitada": text}

    def validate_nombre(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = super().validate_nombre(value, dispatcher, tracker, domain)
        name = result.get("nombre")
        if name and not has_surname(name):
            say(dispatcher, tracker, "nombre_completo_requerido")
            return {"nombre": None}
        return result

    def validate_sai_notificacion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = (first_value(value) or "").strip()
        email = find_email(text)
        if email:
            return {"email": email, "sai_notificacion": None}
        # "por carta a mi casa, Los Avellanos 1290": the address, without the lead-in; said on
        # the phone its number comes in words ("uno oriente ochocientos cuarenta y dos")
        postal = parse_postal_address(text)
        has_number = any(char.isdigit() for char in postal or text)
        if "@" in text or not has_number or len(text.split()) < 2:
            say(dispatcher, tracker, "sai_notificacion_invalida")
            return {"sai_notificacion": None}
        return {"sai_notificacion": postal or text}
