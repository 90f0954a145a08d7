"""Fallback in two steps, cancelling whatever is in progress, and messages in other languages."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import NO_RUT
from actions.filing import CASE_SLOTS, case_reset_events, file_case
from actions.messages import say
from actions.reclamo import ActionAdherirCaso
from actions.validators import fold

_PENDING_SLOTS = (
    *CASE_SLOTS,
    "folio",
    "factor",
    "envio_fallido",
    "oferta_adhesion",
    "oferta_consulta",
)


def consecutive_fallbacks(events: list[dict]) -> int:
    """How many of the latest user messages in a row the NLU could not understand."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


# Words the NLU does not know but the bot itself suggested ("escriba «reintentar»").
_RETRY = re.compile(r"\b(?:reintent|intent\w* de nuevo|intent\w* otra vez|otra vez|de nuevo)")
_JOIN = re.compile(r"\b(?:adher|adhier|unirme|sumarme)")
_NEW = re.compile(r"\b(?:nuevo|otro reclamo|crear)")


class ActionFallback(Action):
    """First misunderstanding: rephrase with the main options; second: a person or a consulta."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = fold((tracker.latest_message or {}).get("text") or "")
        if tracker.get_slot("envio_fallido") and _RETRY.search(text):
            return await file_case(dispatcher, tracker)
        if tracker.get_slot("oferta_adhesion") and _JOIN.search(text):
            return await ActionAdherirCaso().run(dispatcher, tracker, domain)
        if tracker.get_slot("oferta_adhesion") and _NEW.search(text):
            return await file_case(dispatcher, tracker)
        if consecutive_fallbacks(tracker.events) >= 2:
            say(dispatcher, tracker, "ofrecer_persona_o_consulta")
            return [SlotSet("oferta_consulta", True)]
        say(dispatcher, tracker, "pedir_reformular")
        return [SlotSet("oferta_consulta", False)]


# Words of French or Haitian Creole that Spanish does not use, to add a line in French: one
# unmistakable word is enough, the others ("je", "ki", "wi") only count in pairs.
_FRENCH_OR_CREOLE_STRONG = re.compile(
    r"\b(?:bonjour|bonjou|bonsoir|bonswa|mwen|kijan|kouman|mesi|merci|tanpri|svp"
    r"|francais|franse|kreyol|ayisyen|panyol|espagnol)\b"
)
_FRENCH_OR_CREOLE_WEAK = re.compile(
    r"\b(?:je|j|vous|nou|koman|plait|pouvez|parle|pale|ede|aide|besoin|bezwen|oui|wi|ki|kote"
    r"|konnen|comprends|konprann|voudrais|vle)\b"
)


def speaks_french_or_creole(text: str) -> bool:
    """True when the message reads as French or Haitian Creole."""
    folded = fold(text)
    score = 2 * len(_FRENCH_OR_CREOLE_STRONG.findall(folded))
    return score + len(_FRENCH_OR_CREOLE_WEAK.findall(folded)) >= 2


class ActionOtroIdioma(Action):
    """A message in another language: what the service does, in Spanish, and that it is in
    Spanish, in English (and in French for French or Haitian Creole)."""

    def name(self) -> str:
        return "action_otro_idioma"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        say(dispatcher, tracker, "otro_idioma")
        if speaks_french_or_creole(text):
            say(dispatcher, tracker, "otro_idioma_frances")
        return []


class ActionCancelar(Action):
    """Stops the case in progress and forgets its data (contact data stays)."""

    def name(self) -> str:
        return "action_cancelar"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form, asked = _interrupted_question(tracker)
        text = fold((tracker.latest_message or {}).get("text") or "")
        if form in _RUT_FORMS and asked == "rut" and not _EXPLICIT_CANCEL.search(text):
            # "no lo considero necesario", read as cancelar, answers the optional RUT: the case
            # goes on without it (blind round r12: a reclamo was cancelled this way)
            say(dispatcher, tracker, "rut_declinado")
            return [SlotSet("rut", NO_RUT), ActiveLoop(form), FollowupAction(form)]
        pending = any(tracker.get_slot(slot) for slot in _PENDING_SLOTS if slot != "requested_slot")
        if not pending:
            say(dispatcher, tracker, "nada_que_cancelar")
            return []
        say(dispatcher, tracker, "cancelado")
        return [*case_reset_events(), *_status_reset()]


_RUT_FORMS = ("reclamo_form", "sugerencia_form", "felicitacion_form")
# words that cancel the case itself, not only the question asked
_EXPLICIT_CANCEL = re.compile(
    r"\b(?:cancel\w*|anul\w*|olvid\w*|ya no quiero|no quiero (?:seguir|reclamar))"
)


def _interrupted_question(tracker: Tracker) -> tuple[str | None, str | None]:
    """The form the cancel rule just closed and the question it was asking."""
    form: str | None = None
    asked: str | None = None
    closed = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "active_loop":
            if event.get("name") is None:
                closed = True
                continue
            form = event.get("name")
            break
        value = event.get("value")
        if kind == "slot" and event.get("name") == "requested_slot" and asked is None and value:
            asked = str(value)  # the latest question, before the rule reset it
    return (form, asked) if closed else (None, None)


def _status_reset() -> list[EventType]:
    return [SlotSet("folio", None), SlotSet("factor", None)]
