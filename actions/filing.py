"""Files the confirmed case through the admin API and tells the resident the folio and due date."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from oirs_rules.masking import mask_email, mask_phone, mask_rut
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_media import shared_media
from actions.common import NO_PLACE, api_client, channel_identity, display_date, rut_given
from actions.late_filing import finish_later
from actions.messages import say
from actions.outcomes import CASE_FILED, report_outcome
from actions.transcript import build_transcript
from actions.validators import find_email
from api_client import ApiError, ApiRejected, ApiUnavailable, seconds_from_env

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilingTimes:
    """How long a resident waits for the folio before being told it will follow, and how
    long the filing is then retried in the background."""

    wait: float = 5.0
    keep_trying: float = 900.0

    @classmethod
    def from_env(cls) -> FilingTimes:
        """OIRS_FILING_WAIT_SECONDS and OIRS_FILING_RETRY_SECONDS."""
        return cls(
            wait=seconds_from_env("OIRS_FILING_WAIT_SECONDS", cls.wait),
            keep_trying=seconds_from_env("OIRS_FILING_RETRY_SECONDS", cls.keep_trying),
        )


TIMES = FilingTimes.from_env()

REGISTERED_RESPONSES = {
    "reclamo": "reclamo_registrado",
    "sugerencia": "sugerencia_registrada",
    "felicitacion": "felicitacion_registrada",
    "sai": "sai_registrada",
    "consulta": "consulta_registrada",
}

# slots of one case; contact slots (nombre, telefono, email, rut) stay for the next case
CASE_SLOTS = (
    "descripcion",
    "categoria",
    "direccion",
    "contacto",
    "confirmacion",
    "correccion",
    "tipo_caso",
    "idempotency_key",
    "caso_similar",
    "unidad_felicitada",
    "informacion_solicitada",
    "sai_notificacion",
    "categorias_sugeridas",
    "nombre_pila",
    "lugar_mencionado",
    "requested_slot",
)

# API field -> slot to ask again when the admin rejects a value
_FIELD_SLOTS = {
    "contact.rut": "rut",
    "contact.email": "email",
    "contact.phone": "telefono",
    "contact.name": "nombre",
    "address": "direccion",
    "category": "categoria",
    "description": "descripcion",
    "contact.postal_address": "sai_notificacion",
    "sai.information_requested": "informacion_solicitada",
}


def case_reset_events() -> list[EventType]:
    """Forget the case just filed or cancelled, keep who the resident is."""
    events = [SlotSet(slot, None) for slot in CASE_SLOTS]
    flags = ("envio_fallido", "oferta_adhesion", "oferta_consulta")
    return [*events, *(SlotSet(flag, False) for flag in flags)]


def contact_payload(tracker: Tracker, case_type: str) -> dict[str, str]:
    """Contact block of the case; a SAI never carries a RUT (Ley 20.285 art. 12)."""
    contact = {
        "name": tracker.get_slot("nombre"),
        "email": tracker.get_slot("email"),
        "phone": tracker.get_slot("telefono"),
        "rut": rut_given(tracker),
    }
    if case_type == "sai":
        notification = tracker.get_slot("sai_notificacion")
        if notification and find_email(notification):
            # the answer was an e-mail: it is the e-mail, never a postal address
            notification = None
        contact = {
            "name": tracker.get_slot("nombre"),
            "email": tracker.get_slot("email")
            or find_email(tracker.get_slot("sai_notificacion") or ""),
            "postal_address": notification,
        }
    return {key: value for key, value in contact.items() if value}


def addressed_body(municipality: str) -> str:
    """ "la Municipalidad de X" -> "Municipalidad de X" (the body a SAI is addressed to)."""
    name = municipality.strip()
    return name[3:] if name.lower().startswith("la ") else name


def case_payload(tracker: Tracker, case_type: str, idempotency_key: str) -> dict[str, Any]:
    """Body of POST /api/v1/cases for the case collected in this conversation."""
    payload: dict[str, Any] = {
        "type": case_type,
        "description": tracker.get_slot("descripcion"),
        "contact": contact_payload(tracker, case_type),
        "transcript": build_transcript(tracker.events),
        "idempotency_key": idempotency_key,
        **channel_identity(tracker),
    }
    if case_type in ("reclamo", "sugerencia", "felicitacion"):
        # sugerencias and felicitaciones carry a theme only when the classifier was sure of it
        payload["category"] = tracker.get_slot("categoria")
    if case_type in ("sugerencia", "felicitacion"):
        place = tracker.get_slot("direccion")  # only when the resident named one
        payload["address"] = None if place == NO_PLACE else place
    if case_type == "reclamo":
        payload["address"] = tracker.get_slot("direccion")
        payload["coordinates"] = shared_media(tracker.events).coordinates
    if case_type == "felicitacion":
        payload["description"] = (
            f"Unidad o funcionario(a) felicitado(a): {tracker.get_slot('unidad_felicitada')}. "
            f"{tracker.get_slot('descripcion')}"
        )
    if case_type == "sai":
        requested = tracker.get_slot("informacion_solicitada")
        payload["description"] = requested
        payload["sai"] = {
            "information_requested": requested,
            "body": addressed_body(tracker.get_slot("municipalidad") or ""),
        }
    return {key: value for key, value in payload.items() if value is not None}


async def file_case(
    dispatcher: CollectingDispatcher, tracker: Tracker, wait: float | None = None
) -> list[EventType]:
    """File the confirmed case once: the idempotency key survives retries until it succeeds.

    The resident waits at most `wait` seconds (TIMES.wait); after that they are told the
    folio will follow, and the filing is finished in the background.
    """
    case_type = tracker.get_slot("tipo_caso")
    if case_type not in REGISTERED_RESPONSES:
        say(dispatcher, tracker, "default")
        return []
    key = tracker.get_slot("idempotency_key") or str(uuid.uuid4())
    payload = case_payload(tracker, case_type, key)
    client = api_client()
    first_try = asyncio.ensure_future(client.file_case(payload))
    limit = TIMES.wait if wait is None else wait
    try:
        result = await asyncio.wait_for(asyncio.shield(first_try), max(limit, 0.0))
    except asyncio.TimeoutError:
        logger.warning(
            "case_filing_slow key=%s waited_s=%.1f: finishing in the background", key, limit
        )
        _finish_in_background(first_try, payload, tracker)
        return _on_its_way(dispatcher, tracker, key)
    except ApiUnavailable:
        return _kept_for_retry(dispatcher, tracker, key)
    except ApiRejected as error:
        if error.status != 422:
            logger.error("case_filing_rejected status=%s code=%s", error.status, error.code)
            return _kept_for_retry(dispatcher, tracker, key)
        return _ask_to_fix(dispatcher, tracker, error)
    logger.info(
        "case_filed folio=%s type=%s channel=%s contact=%s/%s/%s",
        result.get("folio"),
        case_type,
        payload.get("channel"),
        mask_email(tracker.get_slot("email")),
        mask_phone(tracker.get_slot("telefono")),
        mask_rut(rut_given(tracker)),
    )
    folio = str(result.get("folio", ""))
    await attach_shared_media(folio, shared_media(tracker.events).upload_ids, tracker.sender_id)
    say(
        dispatcher,
        tracker,
        REGISTERED_RESPONSES[case_type],
        folio=folio,
        fecha=display_date(result),
    )
    say(dispatcher, tracker, "como_consultar", folio=folio)
    report_outcome(tracker, CASE_FILED)
    return [*case_reset_events(), SlotSet("ultimo_folio", folio)]


def _finish_in_background(
    first_try: asyncio.Future[dict[str, Any]], payload: dict[str, Any], tracker: Tracker
) -> None:
    """The admin will send the folio; the uploads of this conversation go with the case."""
    upload_ids, sender_id = shared_media(tracker.events).upload_ids, tracker.sender_id

    async def on_filed(result: dict[str, Any]) -> None:
        await attach_shared_media(str(result.get("folio", "")), upload_ids, sender_id)
        report_outcome(tracker, CASE_FILED)

    finish_later(api_client(), first_try, payload, on_filed, TIMES.keep_trying)


async def attach_shared_media(folio: str, upload_ids: list[str], sender_id: str) -> None:
    """Link the channel's uploads to the new case; a failure is logged, the case stands.

    The uploads stay in the admin for a week, and linking is idempotent, so staff (or a later
    retry) can still attach them.
    """
    if not upload_ids:
        return
    try:
        await api_client().attach_uploads(folio, upload_ids, sender_id)
    except ApiError as error:
        logger.error(
            "attachments_not_linked folio=%s uploads=%d error=%s",
            folio,
            len(upload_ids),
            type(error).__name__,
        )


def _kept_for_retry(
    dispatcher: CollectingDispatcher, tracker: Tracker, key: str
) -> list[EventType]:
    say(dispatcher, tracker, "error_registro")
    return _retry_slots(key)


def _on_its_way(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> list[EventType]:
    """The admin is slow: the folio will come through the channel. The case stays in the
    conversation with its key, so "reintentar" shows the same folio, never a second case."""
    say(dispatcher, tracker, "registro_en_curso")
    return _retry_slots(key)


def _retry_slots(key: str) -> list[EventType]:
    return [
        SlotSet("envio_fallido", True),
        SlotSet("idempotency_key", key),
        SlotSet("oferta_adhesion", False),
    ]


def _ask_to_fix(
    dispatcher: CollectingDispatcher, tracker: Tracker, error: ApiRejected
) -> list[EventType]:
    detail = " ".join([error.message, *error.fields.values()]).strip()
    say(dispatcher, tracker, "error_datos", detalle=detail)
    events: list[EventType] = [
        SlotSet(_FIELD_SLOTS[f], None) for f in error.fields if f in _FIELD_SLOTS
    ]
    # a new attempt with different data is a new filing: new key
    return [
        *events,
        SlotSet("confirmacion", None),
        SlotSet("idempotency_key", None),
        SlotSet("envio_fallido", False),
        SlotSet("oferta_adhesion", False),
    ]


class ActionFileCase(Action):
    """Files the confirmed case (also the retry after the API was down)."""

    def name(self) -> str:
        return "action_file_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Filing always ends the bot's turn. The slots it resets change the dialogue state, and
        # after the declined adhesion offer the policies were left unsure and chose the
        # fallback ("no entendí") right after giving the folio.
        return [*await file_case(dispatcher, tracker), FollowupAction("action_listen")]
