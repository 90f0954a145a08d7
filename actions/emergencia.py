"""Emergencies are never filed: the resident gets the right emergency number first."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import say
from actions.validators import fold

# Ordered: the first kind whose word stems appear decides the response (violence before crime,
# because "me está golpeando" is both and 1455/149 must come first). Stems match word starts.
_KINDS = (
    (
        "emergencia_violencia",
        r"violencia|golpe|me pega|le pega|nos pega|agred|abus|amenaz|femicid|maltrat",
    ),
    (
        "emergencia_incendio",
        r"incendi|fuego|se quema|quemando|llamas\b|humo\b|explosi|fuga de gas|olor a gas",
    ),
    (
        "emergencia_medica",
        r"infarto|desmay|inconscient|no respira|herid|sangr|ambulancia|convulsi|atropell"
        r"|accidente|paro cardiaco",
    ),
    (
        "emergencia_delito",
        r"robo\b|robando|asalt|disparo|balazo|balacera|ladron|portonazo|turbazo|encerrona|secuestr|pistola|cuchillo|armado",
    ),
)
_PATTERNS = tuple((response, re.compile(r"\b(?:" + stems + ")")) for response, stems in _KINDS)
# Words that make an emergency description urgent now, not a past problem to complain about.
_NOW = re.compile(
    r"\b(?:ahora|en este momento|urgente|auxilio|rapido|esta pasando|me esta|nos esta|estan)\b"
)

GENERAL = "emergencia_general"


def emergency_kind(text: str) -> str | None:
    """The emergency response that fits the text, or None when no emergency word appears."""
    folded = fold(text or "")
    return next((response for response, pattern in _PATTERNS if pattern.search(folded)), None)


_HAPPENING = re.compile(r"\b(?:hay|esta|estan) (?:un|una|alguien|gente|personas?)\b")


def emergency_response(text: str) -> str | None:
    """Response to give first when a case description reads like an emergency happening now.

    Medical words always count; other kinds only when the text says it is happening
    ("ahora", "hay un incendio"), so "se robaron el cable hace dos meses" stays a reclamo.
    """
    folded = fold(text or "")
    kind = emergency_kind(text)
    if not kind:
        return None
    if kind == "emergencia_medica" or _NOW.search(folded) or _HAPPENING.search(folded):
        return kind
    return None


class ActionEmergencia(Action):
    """Gives the emergency numbers that fit (131, 132, 133, 1455, 149) and files nothing."""

    def name(self) -> str:
        return "action_emergencia"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        say(dispatcher, tracker, emergency_kind(text) or GENERAL)
        say(dispatcher, tracker, "emergencia_despues")
        return []
