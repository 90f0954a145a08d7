"""Felicitación: validation of its form (filing is the shared action_file_case)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_form import CaseFormValidation, contact_text
from actions.common import first_value
from actions.messages import say


class ValidateFelicitacionForm(CaseFormValidation):
    """Checks each answer of the felicitación form and handles corrections before filing."""

    case_type = "felicitacion"
    # a place named in the message goes with the case (never asked: the message is the point)
    opening_fields = ("direccion",)
    correctable = ("descripcion", "unidad_felicitada", "nombre", "contacto")

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        return "resumen_felicitacion", {"contacto_texto": contact_text(tracker)}

    @staticmethod
    def correction_response() -> str:
        return "corregir_felicitacion"

    async def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # "quiero felicitar a la funcionaria del CAV" is short but says it all
        text = first_value(value) or ""
        if len(text.split()) >= 4 and not text.startswith("/"):
            return await self.with_unasked_theme({"descripcion": text}, tracker)
        return await super().validate_descripcion(value, dispatcher, tracker, domain)

    def validate_unidad_felicitada(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = (first_value(value) or "").strip(" .")
        if len(text) < 3 or not any(char.isalpha() for char in text):
            say(dispatcher, tracker, "unidad_invalida")
            return {"unidad_felicitada": None}
        return {"unidad_felicitada": text}
