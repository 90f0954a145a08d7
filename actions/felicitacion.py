"""Felicitación: validation of its form (filing is the shared action_file_case)."""

from __future__ import annotations

import re
from typing import Any

from oirs_rules.text import fold
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_form import CaseFormValidation, contact_text
from actions.common import first_value
from actions.messages import say

# "felicitar a los jardineros", "agradecer al equipo de barrido de mi sector": who is thanked
_THANKED = re.compile(
    r"\b(?:felicit\w*|agradec\w*|dar las gracias|darle las gracias|darles las gracias)\s+"
    r"(?:a\s+|al\s+(?=\w)|para\s+)(?P<who>(?:la|las|los|el|al|mi|nuestra|nuestro)?\s*[^.,;:!?\n]+?)"
    r"(?=\s+(?:por|porque|pq|xq|ya que|que|quienes|q|cuando|y les|y le)\b|\s*[.,;:!?\n]|\s*$)"
)


def thanked(text: str) -> str | None:
    """Who a felicitación thanks, as the resident named them; None when it does not say."""
    match = _THANKED.search(fold(text))
    if not match:
        return None
    who = text[match.start("who") : match.end("who")].strip()
    words = fold(who).split()
    if not words or words[-1] in {"la", "el", "los", "las", "mi", "ustedes", "todos", "uds"}:
        return None  # "felicitarlos a ustedes", "felicitar a todos": nobody in particular
    return who if len(who) >= 3 else None


class ValidateFelicitacionForm(CaseFormValidation):
    """Checks each answer of the felicitación form and handles corrections before filing."""

    case_type = "felicitacion"
    # a place named in the message goes with the case; otherwise it is asked, as optional
    opening_fields = ("direccion",)
    optional_place = True
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
            result: dict[str, Any] = {"descripcion": text}
            who = thanked(text)
            if who and not tracker.get_slot("unidad_felicitada"):
                # "quiero felicitar a la Dirección de Tránsito": who is thanked is said, so it is
                # not asked (and the next message, more of the story, is not taken for it)
                result["unidad_felicitada"] = who
            return await self.with_unasked_theme(result, tracker)
        return await super().validate_descripcion(value, dispatcher, tracker, domain)

    def validate_unidad_felicitada(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = (first_value(value) or "").strip(" .")
        if len(text) < 3 or not any(char.isalpha() for char in text):
            say(dispatcher, tracker, "unidad_invalida")
            return {"unidad_felicitada": None}
        return {"unidad_felicitada": text}
