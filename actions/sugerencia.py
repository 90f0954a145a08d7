"""Sugerencia: validation of its form (filing is the shared action_file_case)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.case_form import CaseFormValidation, contact_text


class ValidateSugerenciaForm(CaseFormValidation):
    """Checks each answer of the sugerencia form and handles corrections before filing."""

    case_type = "sugerencia"
    # a place named in the message goes with the case; otherwise it is asked, as optional
    opening_fields = ("direccion",)
    optional_place = True
    correctable = ("descripcion", "nombre", "contacto")

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        return "resumen_sugerencia", {"contacto_texto": contact_text(tracker)}

    @staticmethod
    def correction_response() -> str:
        return "corregir_sugerencia"
