"""Reclamo: validation of its form, the duplicate check (adhesión) and filing."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import filing
from actions.case_form import (
    CaseFormValidation,
    contact_text,
    previous_value,
)
from actions.channel_media import shared_media
from actions.common import (
    api_client,
    category_label,
    channel_identity,
    first_value,
    normalize_category,
)
from actions.filing import attach_shared_media, case_reset_events, contact_payload, file_case
from actions.messages import say
from actions.outcomes import CASE_FILED, report_outcome
from actions.themes import theme_of
from actions.validators import fold
from api_client import ApiError, ApiUnavailable, within

logger = logging.getLogger(__name__)


class ValidateReclamoForm(CaseFormValidation):
    """Checks each answer of the reclamo form and handles corrections before filing."""

    case_type = "reclamo"
    correctable = ("descripcion", "categoria", "direccion", "nombre", "contacto", "rut")
    opening_fields = ("direccion",)

    @staticmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        return "resumen_reclamo", {
            "categoria_label": category_label(tracker.get_slot("categoria")),
            "contacto_texto": contact_text(tracker),
        }

    @staticmethod
    def correction_response() -> str:
        return "corregir_reclamo"

    async def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = await super().validate_descripcion(value, dispatcher, tracker, domain)
        description = result.get("descripcion")
        if description and not tracker.slots.get("categoria"):
            result.update(await theme_of(description))
        return result

    async def validate_categoria(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if asked not in ("categoria", "confirmacion"):
            # The theme comes from the meaning of the description (the classifier), not from a
            # word the tagger marked: "nos tapa la luz" is not about street lighting. A word in
            # the answer to another question ("en la calle") never changes it either.
            description = tracker.slots_to_validate().get("descripcion") or tracker.get_slot(
                "descripcion"
            )
            if asked is None and description and not previous_value(tracker, "categoria"):
                return await theme_of(str(description))
            return {"categoria": previous_value(tracker, "categoria")}
        category = normalize_category(value)
        if category is None:
            suggested = tracker.get_slot("categorias_sugeridas") or []
            category = _suggested_by_text(first_value(value) or "", suggested)
        if category is None and asked == "categoria":
            say(dispatcher, tracker, "categoria_invalida")
        return {"categoria": category}


def _suggested_by_text(text: str, suggested: list[str]) -> str | None:
    """ "la primera", "1", or a suggested theme's name typed instead of pressed."""
    folded = fold(text)
    ordinals = {"1": 0, "primer": 0, "uno": 0, "2": 1, "segund": 1, "dos": 1, "3": 2, "tercer": 2}
    for word, index in ordinals.items():
        if re.search(rf"\b{word}", folded) and index < len(suggested):
            return suggested[index]
    return None


class ActionSubmitReclamo(Action):
    """Before filing, offers to join an open reclamo of the same category nearby."""

    def name(self) -> str:
        return "action_submit_reclamo"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # the resident's whole wait is filing.TIMES.wait: at most half of it for the check
        loop, wait = asyncio.get_running_loop(), filing.TIMES.wait
        started = loop.time()
        similar = await _similar_open_case(tracker, wait / 2)
        if not similar:
            return await file_case(dispatcher, tracker, wait - (loop.time() - started))
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


async def _similar_open_case(tracker: Tracker, wait: float) -> dict[str, Any] | None:
    category, address = tracker.get_slot("categoria"), tracker.get_slot("direccion")
    if not category or not address:
        return None
    try:
        cases = await within(wait, api_client().similar_cases(category, address))
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
            return await file_case(dispatcher, tracker)
        body = {"contact": contact_payload(tracker, "reclamo"), **channel_identity(tracker)}
        try:
            result = await api_client().add_adhesion(folio, body)
        except ApiUnavailable:
            say(dispatcher, tracker, "error_adhesion")
            return []
        except ApiError as error:
            logger.error("adhesion_rejected folio=%s error=%s", folio, error)
            say(dispatcher, tracker, "adhesion_no_disponible", folio=folio)
            return [SlotSet("oferta_adhesion", False), *await file_case(dispatcher, tracker)]
        # the photos the resident sent show the same problem: they go with the joined case
        await attach_shared_media(
            result.get("folio", folio), shared_media(tracker.events).upload_ids, tracker.sender_id
        )
        say(
            dispatcher,
            tracker,
            adhesion_message(result),
            folio=result.get("folio", folio),
            adhesiones=result.get("adhesions", 1),
            fecha=result.get("due_date_display"),
        )
        report_outcome(tracker, CASE_FILED)  # the reclamo is on file: joined, not repeated
        return [*case_reset_events(), SlotSet("ultimo_folio", folio)]


def adhesion_message(result: dict[str, Any]) -> str:
    """The first to join is told so; the due date is given whenever the admin sent it."""
    first = int(result.get("adhesions") or 1) <= 1
    key = "adhesion_primera" if first else "adhesion_registrada"
    return key if result.get("due_date_display") else key + "_sin_plazo"
