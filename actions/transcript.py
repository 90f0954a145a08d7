"""The conversation as the admin stores it with a case or a handoff, built from tracker events."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    _TZ: Any = ZoneInfo("America/Santiago")
except ZoneInfoNotFoundError:  # pragma: no cover - only on systems without tz data
    _TZ = timezone.utc

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
    if intent == "enviar_adjunto":
        items = [a for a in metadata.get("attachments") or [] if isinstance(a, dict)]
        return _attachments_label(items)
    if intent == "compartir_ubicacion":
        place = metadata.get("location")
        if isinstance(place, dict):
            try:
                lat, lon = float(place["lat"]), float(place["lon"])
            except (KeyError, TypeError, ValueError):
                return "(compartió su ubicación)"
            return f"(compartió su ubicación: {lat:.5f}, {lon:.5f})"
        return "(compartió su ubicación)"
    if intent == "compartir_contacto":
        return "(compartió una tarjeta de contacto)"
    return _CHOICES.get(intent, text)


def _attachments_label(items: list[dict[str, Any]]) -> str:
    if not items:
        return "(envió un archivo)"
    kinds = [str(item.get("content_type") or "") for item in items]
    photos = sum(kind.startswith("image/") for kind in kinds)
    audio = sum(kind.startswith("audio/") for kind in kinds)
    others = len(kinds) - photos - audio
    parts = []
    for count, one, many in (
        (photos, "1 foto", "fotos"),
        (audio, "1 nota de voz", "notas de voz"),
        (others, "1 archivo", "archivos"),
    ):
        if count:
            parts.append(one if count == 1 else f"{count} {many}")
    return "(envió " + " y ".join(parts) + ")"


def _iso(timestamp: float | None) -> str:
    moment = datetime.fromtimestamp(timestamp, _TZ) if timestamp else datetime.now(_TZ)
    return moment.isoformat(timespec="seconds")
