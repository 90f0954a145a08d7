"""Sugerencia: validation of its form (filing is the shared action_file_case)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_form import PLACELESS_THEMES, CaseFormValidation, contact_text


class ValidateSugerenciaForm(CaseFormValidation):
    """Checks each answer of the sugerencia form and handles corrections before filing."""

    case_type = "sugerencia"
    # a place named in the message goes with the case; otherwise it is asked, as optional
    opening_fields = ("direccion",)
    optional_place = True
    correctable = ("descripcion", "nombre", "contacto")

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        if tracker.slots.get("categoria") in PLACELESS_THEMES and "direccion" in slots:
            slots.remove("direccion")  # how a clerk attends is not found at a street corner
        return slots

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        return "resumen_sugerencia", {"contacto_texto": contact_text(tracker)}

    @staticmethod
    def correction_response() -> str:
        return "corregir_sugerencia"
