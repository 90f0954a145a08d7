"""Photos, documents, voice notes, locations and contact cards sent without words.

Our channels (channels/messages.py) send Rasa "/enviar_adjunto", "/compartir_ubicacion" or
"/compartir_contacto" when the resident sent only a medium, a place or a contact card; the data
itself travels in the message metadata. Media and the place reach the case when it is filed
(actions/channel_media.py); here the bot says what it received and where it will go.

Inside a form the form first tries the message: a shared place answers the address question and
a contact card the contact question (slot mappings give the slot a marker value, the form's
validation reads the metadata). Otherwise the form rejects, a rule runs `action_acusar_recibo`
and the form asks its question again. A resident may also *type* "le mando una foto": then
nothing arrived and the bot says how to send it (or, on the phone, that it cannot take it).
"""

from __future__ import annotations

import logging
from typing import Any

from oirs_rules.masking import mask_phone
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_media import coordinates_of, shared_media
from actions.messages import catalog, render, say
from actions.validators import InvalidValue, normalize_phone

logger = logging.getLogger(__name__)

INTENT_ATTACHMENT = "enviar_adjunto"
INTENT_LOCATION = "compartir_ubicacion"
INTENT_CONTACT = "compartir_contacto"

# Values the slot mappings (bot/reclamo.yml, bot/casos.yml, bot/estado.yml) give a slot when the
# resident answers its question with a shared place or a contact card; validation replaces them.
SHARED_LOCATION = "ubicacion_compartida"
SHARED_CONTACT = "contacto_compartido"

# forms that file a case: the media go with it (`tramite_<form>` in the catalog names it)
FILING_FORMS = ("reclamo_form", "sugerencia_form", "felicitacion_form", "sai_form", "consulta_form")
# the only case type that takes the shared place (case_payload sends coordinates for reclamos)
PLACE_FORM = "reclamo_form"


# --- what the channel put in the metadata ----------------------------------------------------


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata of the resident's latest message (the channel's attachments, place, contact)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) else {}
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def shared_place(tracker: Tracker) -> str | None:
    """The place shared in the latest message as an address line, or None if none came.

    A venue's title and address when the app sent them, else the coordinates (the case also
    gets them as its map position).
    """
    location = latest_metadata(tracker).get("location")
    coordinates = coordinates_of(location)
    if coordinates is None:
        return None
    lat, lon = coordinates["lat"], coordinates["lon"]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    named = [
        str(location.get(key) or "").strip()
        for key in ("label", "title", "address")
        if str(location.get(key) or "").strip()
    ]
    unique = list(dict.fromkeys(named))
    if unique:
        return ", ".join(unique)
    return render("ubicacion_compartida_texto", {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}"})["text"]


def has_contact_card(tracker: Tracker) -> bool:
    return isinstance(latest_metadata(tracker).get("contact"), dict)


def shared_phone(tracker: Tracker) -> str | None:
    """The phone of the contact card in the latest message, in E.164, or None if not valid."""
    contact = latest_metadata(tracker).get("contact")
    if not isinstance(contact, dict):
        return None
    raw = str(contact.get("phone") or contact.get("phone_number") or "").strip()
    if not raw:
        return None
    candidates = [raw]
    digits = "".join(char for char in raw if char.isdigit())
    if not raw.startswith("+") and len(digits) > 9:
        # Telegram sends the number with its country code but without "+" (56987654321)
        candidates.append(f"+{digits}")
    for candidate in candidates:
        try:
            return normalize_phone(candidate)
        except InvalidValue:
            continue
    logger.info("shared_contact_phone_invalid phone=%s", mask_phone(raw))
    return None


def typed_text(tracker: Tracker) -> str:
    """What the resident typed in the latest message ("" when a channel sent only a marker).

    A typed "mi contacto es 987654321" may be classified `compartir_contacto`; the slot then
    holds the marker value, and validation reads the answer from here instead.
    """
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "" if text.startswith("/") else text


def attachments_in_message(tracker: Tracker) -> list[dict[str, Any]]:
    items = latest_metadata(tracker).get("attachments")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and item.get("upload_id")]


def media_kind(content_type: str) -> str:
    """Catalog key naming a medium: foto, nota de voz, video or documento."""
    major = content_type.split("/", 1)[0].lower()
    return {"image": "adjunto_foto", "audio": "adjunto_audio", "video": "adjunto_video"}.get(
        major, "adjunto_documento"
    )


def media_noun(content_types: list[str], count: int) -> str:
    """ "foto", "fotos", "notas de voz"; "archivos" when the kinds are mixed."""
    kinds = {media_kind(kind) for kind in content_types} or {"adjunto_archivo"}
    key = kinds.pop() if len(kinds) == 1 else "adjunto_archivo"
    entry = catalog()[key]
    return str(entry["plural"] if count > 1 else entry["text"])


def media_list(content_types: list[str]) -> str:
    """ "2 fotos y 1 documento": how many media of each kind, in the order they came."""
    counts: dict[str, int] = {}
    for kind in content_types:
        counts[media_kind(kind)] = counts.get(media_kind(kind), 0) + 1
    parts = []
    for key, count in counts.items():
        entry = catalog()[key]
        parts.append(f"{count} {entry['plural'] if count > 1 else entry['text']}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " y " + parts[-1]


def attachments_summary(tracker: Tracker) -> str:
    """Read-back line for what the case will take ("\\n• Adjuntos: 2 fotos y 1 documento")."""
    media = shared_media(tracker.events)
    if not media.upload_ids:
        return ""
    return render("resumen_adjuntos", {"lista": media_list(media.content_types)})["text"]


# --- the acknowledgement ---------------------------------------------------------------------


class ActionAcusarRecibo(Action):
    """Says what arrived (photo, place, contact) and where it goes; forms then ask again."""

    def name(self) -> str:
        return "action_acusar_recibo"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        form = tracker.active_loop_name
        if intent == INTENT_LOCATION:
            return self.place(dispatcher, tracker, form)
        if intent == INTENT_CONTACT:
            return self.contact(dispatcher, tracker, form)
        return self.media(dispatcher, tracker, form)

    @staticmethod
    def media(
        dispatcher: CollectingDispatcher, tracker: Tracker, form: str | None
    ) -> list[EventType]:
        items = attachments_in_message(tracker)
        if not items:
            say(dispatcher, tracker, "adjunto_no_recibido")
            return []
        count = len(items)
        noun = media_noun([str(item.get("content_type") or "") for item in items], count)
        key = "adjunto_recibido"
        values: dict[str, Any] = {"medio": noun, "cantidad": count}
        if form in FILING_FORMS:
            key = "adjunto_recibido_tramite"
            values["tramite"] = render(f"tramite_{form}", {})["text"]
        elif form:
            key = "adjunto_guardado"
        say(dispatcher, tracker, f"{key}_varios" if count > 1 else key, **values)
        return []

    @staticmethod
    def place(
        dispatcher: CollectingDispatcher, tracker: Tracker, form: str | None
    ) -> list[EventType]:
        place = shared_place(tracker)
        if place is None:
            say(dispatcher, tracker, "ubicacion_no_recibida")
            return []
        events: list[EventType] = []
        if form in (None, PLACE_FORM) and not tracker.get_slot("direccion"):
            # the reclamo then does not ask where it happens (the read-back still shows it)
            events.append(SlotSet("direccion", place))
        if form is None:
            say(dispatcher, tracker, "ubicacion_recibida")
        elif form == PLACE_FORM:
            say(dispatcher, tracker, "ubicacion_recibida_reclamo")
        elif form in FILING_FORMS:
            tramite = render(f"tramite_{form}", {})["text"]
            say(dispatcher, tracker, "ubicacion_sin_uso", tramite=tramite)
        else:
            say(dispatcher, tracker, "ubicacion_guardada")
        return events

    @staticmethod
    def contact(
        dispatcher: CollectingDispatcher, tracker: Tracker, form: str | None
    ) -> list[EventType]:
        if not has_contact_card(tracker):
            say(dispatcher, tracker, "contacto_no_recibido")
            return []
        phone = shared_phone(tracker)
        if phone is None:
            say(dispatcher, tracker, "contacto_sin_telefono")
            return []
        if form == "sai_form":
            # Ley 20.285 answers go to an e-mail or a postal address, never to a phone
            say(dispatcher, tracker, "contacto_recibido_sai", telefono=phone)
            return []
        key = "contacto_recibido_tramite" if form else "contacto_recibido"
        say(dispatcher, tracker, key, telefono=phone)
        return [SlotSet("telefono", phone)]
