"""Small pieces every action needs: the API client, channel identity, dates and category names."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from oirs_rules.contact import normalise_phone
from rasa_sdk import Tracker

from actions.validators import fold
from api_client import OirsApiClient, shared_client

# Rasa input channel name -> channel name of the case API (SPEC §2)
_CHANNELS = {
    "rest": "web",
    "socketio": "web",
    "cmdline": "web",
    "telegram": "telegram",
    "twilio": "whatsapp",
    "whatsapp": "whatsapp",
    "twilio_voice": "voice",
    "voice": "voice",
}

CATEGORIES = (
    "aseo",
    "alumbrado",
    "pavimento",
    "areas_verdes",
    "ruido",
    "animales",
    "transito",
    "seguridad",
    "construccion",
    "atencion",
    "otro",
)

# Names shown to residents in read-backs; data, kept next to the codes they name.
CATEGORY_LABELS = {
    # the admin's names (oirs/seed.py), so the resident and staff read the same theme
    "aseo": "Aseo y recolección de residuos",
    "alumbrado": "Alumbrado público",
    "pavimento": "Pavimentos, veredas y baches",
    "areas_verdes": "Áreas verdes, plazas y arbolado",
    "ruido": "Ruidos molestos",
    "animales": "Animales y tenencia responsable",
    "transito": "Tránsito, semáforos y señalética",
    "seguridad": "Seguridad pública",
    "construccion": "Construcciones y obras",
    "atencion": "Atención de funcionarios",
    "otro": "Otros temas",
}

# Stems of colloquial words -> category, used when the NLU gave no `categoria` entity.
_CATEGORY_STEMS = {
    "aseo": (
        "basur",
        "camion",
        "recolec",
        "residuo",
        "escombro",
        "desecho",
        "barrid",
        "aseo",
        "microbasural",
        "cachureo",
    ),
    "alumbrado": ("luz", "luminari", "poste", "alumbrad", "foco", "ampollet", "oscur", "apagad"),
    "pavimento": ("bache", "hoyo", "vereda", "paviment", "asfalt", "socavon", "calzada", "solera"),
    "areas_verdes": (
        "plaza",
        "arbol",
        "poda",
        "pasto",
        "area verde",
        "areas verdes",
        "riego",
        "parque",
        "jardin",
    ),
    "ruido": ("ruido", "musica", "bulla", "parlante", "fiesta", "volumen"),
    "animales": (
        "perro",
        "gato",
        "animal",
        "jauria",
        "mascota",
        "roedor",
        "ratones",
        "ratas",
        "palomas",
    ),
    "transito": (
        "semaforo",
        "senaletica",
        "estaciona",
        "lomo de toro",
        "transito",
        "resalto",
        "disco pare",
        "paradero",
    ),
    "seguridad": ("delincu", "insegur", "droga", "vigilanc", "seguridad", "camara"),
    "construccion": ("construc", "obra", "demolic", "edificac", "ampliacion"),
    "atencion": (
        "funcionari",
        "atencion",
        "atendi",
        "mal trato",
        "maltrato",
        "ventanilla",
        "me trataron",
    ),
}


def api_client() -> OirsApiClient:
    """The action server's one client of the admin API (call it inside a running action)."""
    return shared_client()


def case_channel(tracker: Tracker) -> str:
    """The case API's channel for the Rasa channel this conversation came through."""
    return _CHANNELS.get(tracker.get_latest_input_channel() or "", "web")


def channel_user_id(tracker: Tracker) -> str:
    """Who is talking on their channel: the WhatsApp address, the Telegram chat, the caller.

    On the phone the conversation is one call (its CallSid) but the resident is the number they
    call from, which the voice channel puts in the message metadata: cases filed in one call
    are found again from the next.
    """
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        metadata = event.get("metadata")
        if isinstance(metadata, dict) and metadata.get("channel_user_id"):
            return str(metadata["channel_user_id"])
        break
    return tracker.sender_id


def channel_identity(tracker: Tracker) -> dict[str, str]:
    """Who is talking, as the admin API knows them: channel + identity on it + conversation."""
    return {
        "channel": case_channel(tracker),
        "channel_user_id": channel_user_id(tracker),
        "conversation_id": tracker.sender_id,
    }


_E164 = re.compile(r"\+[1-9]\d{7,14}")
# channels where staff can answer through the channel itself, by the resident's identity there
REPLY_CHANNELS = ("whatsapp", "telegram", "voice")
# the place of a case that has none (a clerk's treatment, the whole commune)
NO_PLACE = "Sin lugar específico (según el vecino)"
# the RUT slot of a resident who declined to give it (the question is optional)
NO_RUT = "no informado"


def rut_given(tracker: Tracker) -> str | None:
    """The resident's RUT, or None when they gave none or declined."""
    rut = tracker.get_slot("rut")
    return None if not rut or rut == NO_RUT else str(rut)


def channel_reply_contact(tracker: Tracker) -> dict[str, str] | None:
    """The channel as the contact ("a este mismo número"): its phone where it has one."""
    channel = case_channel(tracker)
    if channel not in REPLY_CHANNELS:
        return None
    if channel in ("whatsapp", "voice"):
        identity = channel_user_id(tracker).removeprefix("whatsapp:")
        # the provider already vouches for this number: any E.164 number will do (the
        # phonenumbers ranges reject some real mobiles, "+56 9 1234 …")
        phone = normalise_phone(identity) or (identity if _E164.fullmatch(identity) else None)
        if phone:
            return {"contacto": phone, "telefono": phone}
        return None  # a withheld caller id: there is no number to call back
    return {"contacto": channel}


def display_date(result: dict[str, Any]) -> str:
    """The due date as DD-MM-YYYY from an API answer (due_date_display, else due_date ISO)."""
    shown = result.get("due_date_display")
    if shown:
        return str(shown)
    raw = result.get("due_date")
    if not raw:
        return ""
    return date.fromisoformat(str(raw)[:10]).strftime("%d-%m-%Y")


def category_label(code: str | None) -> str:
    """Spanish name of a category code."""
    return CATEGORY_LABELS.get(code or "", code or "")


def infer_category(text: str) -> str | None:
    """Category whose colloquial stems appear most in the text, if exactly one wins."""
    folded = fold(text or "")
    scores = {
        category: sum(1 for stem in stems if stem in folded)
        for category, stems in _CATEGORY_STEMS.items()
    }
    best = max(scores.values())
    if best == 0:
        return None
    winners = [category for category, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def normalize_category(value: Any) -> str | None:
    """A valid category code from an entity value, a code typed or colloquial words."""
    text = first_value(value)
    if not text:
        return None
    code = fold(text).strip().replace(" ", "_")
    if code in CATEGORIES:
        return code
    return infer_category(text)


def first_value(value: Any) -> str | None:
    """Slots filled from several entities arrive as lists: keep the first non-empty string."""
    if isinstance(value, list):
        value = next((item for item in value if item), None)
    if value is None:
        return None
    return str(value).strip() or None
