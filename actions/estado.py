"""Status of a case: by folio plus a second factor, or the list of this channel identity's cases."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import SHARED_CONTACT, has_contact_card, shared_phone, typed_text
from actions.case_form import FaqAwareValidation
from actions.common import (
    api_client,
    case_channel,
    channel_user_id,
    display_date,
    first_value,
)
from actions.messages import is_spoken, render, say
from actions.outcomes import STATUS_GIVEN, report_outcome
from actions.validators import (
    InvalidValue,
    find_bare_rut,
    find_email,
    find_phone,
    find_rut,
    normalize_folio,
    normalize_rut,
)
from api_client import ApiError, NotFound

logger = logging.getLogger(__name__)
# the factor when the case was filed from this very channel identity (no second factor asked)
FILED_FROM_HERE = "identidad_del_canal"
# channels whose identity the provider vouches for (a caller ID can be forged, a widget shared)
VOUCHED_CHANNELS = ("whatsapp", "telegram")


def verification_factor(text: str) -> str | None:
    """The RUT, e-mail or phone in the answer, normalised as the admin stores it."""
    rut = find_rut(text)
    if rut:
        try:
            return normalize_rut(rut)
        except InvalidValue:
            return None
    return find_email(text) or find_phone(text) or find_bare_rut(text)


class ValidateEstadoForm(FaqAwareValidation):
    """Checks the folio and the verification factor before looking the case up."""

    def name(self) -> str:
        return "validate_estado_form"

    async def validate_folio(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            folio = normalize_folio(first_value(value) or "")
        except InvalidValue:
            say(dispatcher, tracker, "folio_invalido")
            return {"folio": None}
        if await own_case(tracker, folio) is not None:
            return {"folio": folio, "factor": FILED_FROM_HERE}
        return {"folio": folio}

    def validate_factor(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if text == SHARED_CONTACT and not has_contact_card(tracker):
            text = typed_text(tracker)  # a typed answer read as sharing a card
        # a contact card shared when asked for the phone on file: its phone
        factor = shared_phone(tracker) if text == SHARED_CONTACT else verification_factor(text)
        if factor is None:
            say(dispatcher, tracker, "factor_invalido")
        return {"factor": factor}


class ActionConsultarEstado(Action):
    """Asks the admin for the status of the folio, verified with the second factor."""

    def name(self) -> str:
        return "action_consultar_estado"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        folio, factor = tracker.get_slot("folio"), tracker.get_slot("factor")
        reset = [SlotSet("folio", None), SlotSet("factor", None)]
        try:
            if factor == FILED_FROM_HERE:
                status = await own_case(tracker, folio, quiet=False)
            else:
                status = await api_client().status_lookup(folio, factor)
        except NotFound:
            status = None
        except ApiError as error:
            logger.warning("status_lookup_failed error=%s", type(error).__name__)
            say(dispatcher, tracker, "estado_error")
            return reset
        if status is None:
            say(dispatcher, tracker, "estado_no_encontrado")
            return reset
        say(dispatcher, tracker, "estado_caso", **status_values(status))
        report_outcome(tracker, STATUS_GIVEN)
        return reset


async def own_case(tracker: Tracker, folio: str, quiet: bool = True) -> dict[str, Any] | None:
    """The case with this folio when it was filed from this channel identity, else None.

    The identity that filed a case is a factor in itself; any other identity still gives a
    second one. `quiet`: an admin that does not answer means "ask the factor"."""
    if case_channel(tracker) not in VOUCHED_CHANNELS:
        return None
    try:
        cases = await api_client().resident_cases(case_channel(tracker), channel_user_id(tracker))
    except ApiError as error:
        if not quiet:
            raise
        logger.warning("own_case_lookup_failed error=%s", type(error).__name__)
        return None
    return next((case for case in cases if case.get("folio") == folio), None)


def status_values(status: dict[str, Any]) -> dict[str, str]:
    """Values of the status message from a status-lookup answer."""
    days = status.get("business_days_left")
    return {
        "tipo": str(status.get("type_label") or status.get("type", "")),
        "folio": str(status.get("folio", "")),
        "estado": str(status.get("status_label") or status.get("status", "")),
        "unidad": str(status.get("unit") or render("unidad_por_asignar", {})["text"]),
        "fecha": display_date(status),
        "dias_texto": render("estado_dias", {"dias": days})["text"] if days is not None else "",
    }


class ActionMisCasos(Action):
    """Lists the cases filed from this channel identity (no second factor: same identity)."""

    def name(self) -> str:
        return "action_mis_casos"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            cases = await api_client().resident_cases(case_channel(tracker), tracker.sender_id)
        except ApiError as error:
            logger.warning("resident_cases_failed error=%s", type(error).__name__)
            say(dispatcher, tracker, "estado_error")
            return []
        if not cases:
            say(dispatcher, tracker, "mis_casos_vacio")
            return []
        lines = [render("mis_casos_titulo", {})["text"]]
        lines += [render("mis_casos_linea", status_values(case))["text"] for case in cases]
        lines.append(render("mis_casos_pie", {}, spoken=is_spoken(tracker))["text"])
        dispatcher.utter_message(text="\n".join(lines))
        report_outcome(tracker, STATUS_GIVEN)
        return []
