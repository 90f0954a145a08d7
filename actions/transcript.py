"""The conversation as the admin stores it with a case or a handoff, built from tracker events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oirs_rules.dates import SANTIAGO

from actions.adjuntos import INTENT_ATTACHMENT, INTENT_CONTACT, INTENT_LOCATION, media_list
from actions.channel_media import coordinates_of

_SENDERS = {"user": "resident", "bot": "bot"}
MAX_ENTRIES = 200

# What staff read instead of the intent the channel or a button sent ("/enviar_adjunto").
_CHOICES = {
    "afirmar": "Sí",
    "negar": "No",
    "saludo": "(inició la conversación)",
    "reclamo": "(eligió: reclamo)",
    "sugerencia": "(eligió: sugerencia)",
    "felicitacion": "(eligió: felicitación)",
    "solicitud_informacion": "(eligió: solicitud de información)",
    "consultar_estado": "(eligió: estado de un caso)",
    "hablar_con_humano": "(pidió hablar con una persona)",
    "ayuda": "(pidió ayuda)",
    "cancelar": "(canceló)",
}


def build_transcript(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Resident and bot messages in order, Santiago-time ISO timestamps (newest MAX_ENTRIES)."""
    transcript = []
    for event in events:
        sender = _SENDERS.get(event.get("event", ""))
        text = (event.get("text") or "").strip()
        if not sender or not text:
            continue
        if sender == "resident" and text.startswith("/"):
            text = _describe_trigger(text, event.get("metadata") or {})
        transcript.append({"at": _iso(event.get("timestamp")), "sender": sender, "text": text})
    return transcript[-MAX_ENTRIES:]


def _describe_trigger(text: str, metadata: dict[str, Any]) -> str:
    """A button press or a channel's media-only message, told in words for the case page."""
    intent = text[1:].split("{", 1)[0].strip()
    if intent == INTENT_ATTACHMENT:
        items = [a for a in metadata.get("attachments") or [] if isinstance(a, dict)]
        if not items:
            return "(envió un archivo)"
        return "(envió " + media_list([str(a.get("content_type") or "") for a in items]) + ")"
    if intent == INTENT_LOCATION:
        coordinates = coordinates_of(metadata.get("location"))
        if coordinates is None:
            return "(compartió su ubicación)"
        return f"(compartió su ubicación: {coordinates['lat']:.5f}, {coordinates['lon']:.5f})"
    if intent == INTENT_CONTACT:
        return "(compartió una tarjeta de contacto)"
    return _CHOICES.get(intent, text)


def _iso(timestamp: float | None) -> str:
    moment = datetime.fromtimestamp(timestamp, SANTIAGO) if timestamp else datetime.now(SANTIAGO)
    return moment.isoformat(timespec="seconds")
