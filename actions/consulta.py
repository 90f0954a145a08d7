"""Consulta: a question for staff when the assistant could not help (filed as type consulta)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_form import CaseFormValidation, contact_text


class ValidateConsultaForm(CaseFormValidation):
    """Checks each answer of the consulta form and handles corrections before filing."""

    case_type = "consulta"
    correctable = ("descripcion", "nombre", "contacto")

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        return "resumen_consulta", {"contacto_texto": contact_text(tracker)}

    @staticmethod
    def correction_response() -> str:
        return "corregir_consulta"

    async def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # the offer was taken: the next fallback starts afresh
        return {
            **await super().validate_descripcion(value, dispatcher, tracker, domain),
            "oferta_consulta": False,
        }

    async def is_faq_interruption(self, slot: str, tracker: Tracker, domain: DomainDict) -> bool:
        # the consulta itself is a question the FAQ could not answer: take it as written
        if slot == "descripcion":
            return False
        return await super().is_faq_interruption(slot, tracker, domain)
