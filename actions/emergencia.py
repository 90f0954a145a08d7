"""Emergencies are never filed: the resident gets the right emergency number first."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import say
from actions.outcomes import FAQ_ANSWERED, report_outcome
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
    r"\b(?:ahora|en este momento|urgente|auxilio|rapido|esta pasando|me esta|nos esta|estan"
    r"|se esta|se estan|le esta|le estan)\b"
)
# Said outright, these win over any past marker: "ayer hubo balazos y ahora estan disparando".
_NOW_EXPLICIT = re.compile(
    r"\b(?:ahora|ahorita|en este momento|en este instante|justo ahora|esta pasando"
    r"|esta ocurriendo|estan pasando|acaba(?:n)? de|urgente|auxilio|socorro)\b"
)
# A time that has passed: "ayer", "la semana pasada", "hace 3 dias", "el otro dia".
_PAST = re.compile(
    r"\b(?:ayer|anteayer|antier|anoche|antenoche|el otro dia|la otra vez|la otra noche"
    r"|(?:la|el) (?:semana|mes|ano|fin de semana|verano|invierno) pasad[oa]"
    r"|(?:el|este) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)(?: pasado)?"
    r"|hace (?:(?:un|una|unos|unas|dos|tres|cuatro|cinco|varios|varias|muchos|muchas|harto"
    r"|hartos|caleta de|como|mas de|\d+) )?(?:\w+ )?(?:dias?|semanas?|mes|meses|anos?|ratos?"
    r"|tiempo))\b"
)
# Weaker signs of a past event or a near miss: "hubo un incendio", "casi me atropellan".
# "casi no respira" is not a near miss, it is someone in danger.
_PAST_WEAK = re.compile(r"\b(?:hubo|habia|paso que|casi(?! no\b))\b")
_HAPPENING = re.compile(
    r"\b(?:hay|esta|estan) (?:un|una|alguien|gente|personas?|mucho|fuego|humo|llamas)\b"
)

GENERAL = "emergencia_general"


def emergency_kind(text: str) -> str | None:
    """The emergency response that fits the text, or None when no emergency word appears."""
    folded = fold(text or "")
    return next((response for response, pattern in _PATTERNS if pattern.search(folded)), None)


def is_past_event(text: str) -> bool:
    """True when the text tells of something that already happened and is not going on now."""
    folded = fold(text or "")
    if _NOW_EXPLICIT.search(folded):
        return False
    if _PAST.search(folded):
        return True
    if _NOW.search(folded) or _HAPPENING.search(folded):
        return False
    return bool(_PAST_WEAK.search(folded))


def emergency_response(text: str) -> str | None:
    """Response to give first when a case description reads like an emergency happening now.

    Something that already happened ("casi me atropellan la semana pasada", "hace días hubo un
    incendio y nadie limpió") is a reclamo, not an emergency. Otherwise medical words always
    count and other kinds only when the text says it is happening ("ahora", "hay un incendio"),
    so "se robaron el cable hace dos meses" stays a reclamo.
    """
    folded = fold(text or "")
    kind = emergency_kind(text)
    if not kind:
        return None
    if _NOW_EXPLICIT.search(folded):
        return kind
    if is_past_event(text):
        return None
    if kind == "emergencia_medica" or _NOW.search(folded) or _HAPPENING.search(folded):
        return kind
    return None


class ActionEmergencia(Action):
    """Gives the emergency numbers that fit (131, 132, 133, 1455, 149) and files nothing.

    A danger told in the past gets the numbers in one line and the offer of a reclamo instead.
    """

    def name(self) -> str:
        return "action_emergencia"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        kind = emergency_kind(text)
        if kind and is_past_event(text):
            # "casi me atropellan la semana pasada": the numbers in one line, then a reclamo
            say(dispatcher, tracker, "emergencia_pasada")
            return []
        say(dispatcher, tracker, kind or GENERAL)
        say(dispatcher, tracker, "emergencia_despues")
        report_outcome(tracker, FAQ_ANSWERED)  # the numbers are the answer, as for a FAQ
        return []
