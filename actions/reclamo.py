"""Reclamo: validation of its form, the duplicate check (adhesión) and filing."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import SHARED_LOCATION, shared_place, typed_text
from actions.api_client import ApiError, ApiUnavailable
from actions.case_form import CaseFormValidation, contact_text, previous_value
from actions.channel_media import shared_media
from actions.common import (
    api_client,
    best_address,
    category_label,
    channel_identity,
    entity_values,
    infer_category,
    joined,
    names_a_place,
    normalize_category,
)
from actions.filing import attach_shared_media, case_reset_events, contact_payload, file_case
from actions.messages import say

logger = logging.getLogger(__name__)


class ValidateReclamoForm(CaseFormValidation):
    """Checks each answer of the reclamo form and handles corrections before filing."""

    case_type = "reclamo"
    correctable = ("descripcion", "categoria", "direccion", "nombre", "contacto", "rut")

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        rut = tracker.get_slot("rut")
        return "resumen_reclamo", {
            "categoria_label": category_label(tracker.get_slot("categoria")),
            "contacto_texto": contact_text(tracker),
            "rut_texto": f"\n• RUT: {rut}" if rut else "",
        }

    @staticmethod
    def correction_response() -> str:
        return "corregir_reclamo"

    def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = super().validate_descripcion(value, dispatcher, tracker, domain)
        description = result.get("descripcion")
        if description and not tracker.slots.get("categoria"):
            category = infer_category(description)
            if category:
                result["categoria"] = category
        return result

    def validate_categoria(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if asked not in (None, "descripcion", "categoria"):
            # A category word in the answer to another question ("en la calle", "frente a la
            # plaza") is part of the place or the person, not the theme: the theme comes from
            # the opening message, the description or its own question (or a correction).
            return {"categoria": previous_value(tracker, "categoria")}
        category = normalize_category(value)
        if category is None and asked == "categoria":
            say(dispatcher, tracker, "categoria_invalida")
        return {"categoria": category}

    def validate_direccion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SHARED_LOCATION:
            # the address question answered with a shared place (its coordinates go to the case)
            place = shared_place(tracker)
            if place is not None:
                return {"direccion": place}
            # typed "le mando la ubicación": an address only if the message names one
            if not entity_values(tracker, "direccion"):
                say(dispatcher, tracker, "ubicacion_no_recibida")
                return {"direccion": None}
            value = typed_text(tracker)
        guesses = entity_values(tracker, "direccion") or [joined(value, ", ") or ""]
        address = best_address(guesses, typed_text(tracker)) or ""
        if len(address) < 4 or not names_a_place(address):
            if tracker.get_slot("requested_slot") == "direccion":
                say(dispatcher, tracker, "direccion_invalida")
            return {"direccion": None}
        return {"direccion": address}


class ActionSubmitReclamo(Action):
    """Before filing, offers to join an open reclamo of the same category nearby."""

    def name(self) -> str:
        return "action_submit_reclamo"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        similar = _similar_open_case(tracker)
        if not similar:
            return file_case(dispatcher, tracker)
        say(
            dispatcher,
            tracker,
            "ofrecer_adhesion",
            folio_similar=similar.get("folio"),
            categoria_label=category_label(similar.get("category")),
            direccion_similar=similar.get("address", ""),
            adhesiones=similar.get("adhesions", 0),
        )
        return [SlotSet("caso_similar", similar.get("folio")), SlotSet("oferta_adhesion", True)]


def _similar_open_case(tracker: Tracker) -> dict[str, Any] | None:
    category, address = tracker.get_slot("categoria"), tracker.get_slot("direccion")
    if not category or not address:
        return None
    try:
        cases = api_client().similar_cases(category, address)
    except ApiError as error:
        # the check only helps; filing goes on (and reports its own failure)
        logger.warning("similar_check_failed error=%s", type(error).__name__)
        return None
    return cases[0] if cases else None


class ActionAdherirCaso(Action):
    """Joins the resident to the similar open reclamo instead of filing a new one."""

    def name(self) -> str:
        return "action_adherir_caso"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        folio = tracker.get_slot("caso_similar")
        if not folio:
            return file_case(dispatcher, tracker)
        body = {"contact": contact_payload(tracker, "reclamo"), **channel_identity(tracker)}
        try:
            result = api_client().add_adhesion(folio, body)
        except ApiUnavailable:
            say(dispatcher, tracker, "error_adhesion")
            return []
        except ApiError as error:
            logger.error("adhesion_rejected folio=%s error=%s", folio, error)
            say(dispatcher, tracker, "adhesion_no_disponible", folio=folio)
            return [SlotSet("oferta_adhesion", False), *file_case(dispatcher, tracker)]
        # the photos the resident sent show the same problem: they go with the joined case
        attach_shared_media(
            result.get("folio", folio), shared_media(tracker.events).upload_ids, tracker.sender_id
        )
        say(
            dispatcher,
            tracker,
            "adhesion_registrada",
            folio=result.get("folio", folio),
            adhesiones=result.get("adhesions", 1),
        )
        return [*case_reset_events(), SlotSet("ultimo_folio", folio)]
