"""The adaptive simulated resident: answers whatever the bot asks, from a persona.

It reads the question from Rasa's tracker (`active_loop`, `requested_slot`) and from the reply
(text and buttons), never from a fixed order, so a bot that asks in another order, asks again
or skips a question it already knows is met as a resident would meet it. Pure: `decide` takes
what the bot showed and returns the next message; the runner does the HTTP.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oirs_rules.folio import FOLIO_RE

from .compare import category_code, fold, normalize, type_code

CANCEL = re.compile(r"cancel|salir|terminar|/despedida|/negar_todo")
TYPE_WORDS = {
    "reclamo": ("reclamo",),
    "sugerencia": ("sugerencia", "idea"),
    "felicitacion": ("felicit",),
    "sai": (
        "solicitud de informacion",
        "solicitud_informacion",
        "informacion publica",
        "transparencia",
        "acceso a la informacion",
    ),
    "consulta": ("consulta", "pregunta"),
}
UNIT_CUE = re.compile(
    r"\b(?:del|de la|de los|en el|en la)\s+"
    r"((?:departamento|direccion|oficina|centro|unidad|seccion|cesfam|consultorio|biblioteca|"
    r"dideco|dimao|dom|cav|oirs|registro|juzgado|aseo|transito|municipalidad|muni)\b"
    r"[^,.;:!?\n]{0,50})"
)
UNIT_STOP = re.compile(r"\s+(?:que|porque|por|cuando|y me|me|hoy|ayer|el dia)\b.*$")
ASKED_LIMIT = 3  # the same question asked more often than this (plus name pieces) is a loop

REFUSE_RUT = "prefiero no darlo"
NO_ADHESION = "no, prefiero un caso nuevo"
YES = "sí"
UNIT_FALLBACK = "la unidad de la que le hablé"


@dataclass(frozen=True)
class Persona:
    """One conversation of the set: what the resident says and what the case must hold."""

    id: str
    channel: str
    opening: list[str]
    answers: dict[str, Any]
    gold: dict[str, Any]

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> Persona:
        opening = line["opening"]
        return cls(
            id=str(line.get("id") or line.get("_line")),
            channel=str(line.get("channel") or "web"),
            opening=[opening] if isinstance(opening, str) else [str(m) for m in opening],
            answers=dict(line.get("answers") or {}),
            gold=dict(line.get("gold") or {}),
        )

    def name_pieces(self) -> list[str]:
        pieces = self.answers.get("nombre") or []
        return [pieces] if isinstance(pieces, str) else [str(p) for p in pieces if p]


@dataclass(frozen=True)
class BotTurn:
    """What the resident can see of the bot after a message: the reply and the form's state."""

    texts: list[str]
    buttons: list[dict[str, str]]
    active_loop: str | None = None
    requested_slot: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_reply(cls, reply: Sequence[Mapping[str, Any]], tracker: Mapping[str, Any]) -> BotTurn:
        """From the channel's messages (REST's shape: text, buttons) and Rasa's tracker JSON."""
        texts = [str(m["text"]) for m in reply if m.get("text")]
        buttons = [
            {
                "title": str(b.get("title") or ""),
                "payload": str(b.get("payload") or ""),
                # WhatsApp: what the resident types to choose it (the option's number)
                **({"option": str(b["option"])} if b.get("option") else {}),
            }
            for m in reply
            for b in m.get("buttons") or []
        ]
        slots = tracker.get("slots") or {}
        loop = (tracker.get("active_loop") or {}).get("name")
        return cls(texts, buttons, loop, slots.get("requested_slot") if loop else None, slots)


@dataclass(frozen=True)
class Move:
    """The resident's next message, or why the conversation stops (text None)."""

    text: str | None
    why: str
    stop: str | None = None
    improvised: bool = False  # a button picked without the persona knowing what it means
    button: Mapping[str, str] | None = None  # pressed, not typed: the channel says how


@dataclass
class Memory:
    """What the resident keeps between turns."""

    name_used: int = 0
    asked: Counter[str] = field(default_factory=Counter)
    description_resent: bool = False
    improvised: list[str] = field(default_factory=list)


def find_folio(texts: Sequence[str]) -> str | None:
    """The folio the bot gave as filed; one named in an offer to join a case does not count."""
    for text in texts:
        if is_adhesion_offer(text):
            continue
        match = FOLIO_RE.search(text)
        if match:
            return match.group(0)
    return None


def is_adhesion_offer(text: str) -> bool:
    folded = fold(text)
    return "adherir" in folded and "?" in text


def is_cancel(button: Mapping[str, str]) -> bool:
    return bool(CANCEL.search(fold(f"{button.get('title', '')} {button.get('payload', '')}")))


def category_button(
    buttons: Sequence[Mapping[str, str]], code: str, name: str | None
) -> Mapping[str, str] | None:
    """The button that means this category: its code in the payload, else its name as title."""
    quoted = re.compile(rf"[\"']{re.escape(code)}[\"']|[=:/]\s*{re.escape(code)}\b")
    for button in buttons:
        if quoted.search(button.get("payload", "")):
            return button
    wanted = {normalize(code.replace("_", " ")), normalize(name)} - {None}
    for button in buttons:
        if normalize(button.get("title")) in wanted:
            return button
    return None


def type_button(buttons: Sequence[Mapping[str, str]], case_type: str) -> Mapping[str, str] | None:
    """The button that starts this case type (a menu), if one says so."""
    words = TYPE_WORDS.get(case_type, (case_type,))
    for button in buttons:
        label = fold(f"{button.get('title', '')} {button.get('payload', '')}")
        if any(word in label for word in words) and not is_cancel(button):
            return button
    return None


def unit_from(opening: Sequence[str]) -> str:
    """The praised unit as the opening names it ('del CAV', 'de la oficina de …')."""
    for message in opening:
        match = UNIT_CUE.search(fold(message))
        if match:
            unit = UNIT_STOP.sub("", match.group(1)).strip()
            if unit:
                return unit
    return UNIT_FALLBACK


class SimulatedResident:
    """Answers the bot from a persona; `decide` is called once per bot turn."""

    def __init__(self, persona: Persona, category_names: Mapping[str, str]) -> None:
        self.persona = persona
        self.names = category_names
        self.memory = Memory()

    def decide(self, turn: BotTurn) -> Move:
        """The next message for what the bot just showed."""
        if any(is_adhesion_offer(text) for text in turn.texts):
            return Move(NO_ADHESION, "oferta de adhesión")
        slot = turn.requested_slot
        if slot:
            self.memory.asked[slot] += 1
            extra = len(self.persona.name_pieces()) if slot == "nombre" else 0
            if self.memory.asked[slot] > ASKED_LIMIT + extra:
                return Move(None, f"pregunta repetida: {slot}", stop=f"atascado en {slot}")
            return self.answer(slot, turn)
        usable = [b for b in turn.buttons if not is_cancel(b)]
        if usable:
            matched = type_button(usable, self.gold_type())
            if matched is not None:
                return self.click(matched, "menú: el tipo de caso")
            return self.click(usable[0], "botones sin pregunta de formulario", improvised=True)
        if not self.memory.description_resent:
            self.memory.description_resent = True
            return Move(self.descripcion(), "el bot no preguntó nada: se repite la descripción")
        return Move(None, "el bot no preguntó nada", stop="sin pregunta ni folio")

    def answer(self, slot: str, turn: BotTurn) -> Move:
        """The persona's answer to the form's requested slot."""
        answers = self.persona.answers
        if slot == "descripcion":
            return Move(self.descripcion(), slot)
        if slot == "direccion":
            return Move(str(answers.get("direccion") or "no es en un lugar específico"), slot)
        if slot == "nombre":
            return Move(self.next_name_piece(), slot)
        if slot in ("contacto", "telefono", "email"):
            return Move(str(answers.get("contacto") or "prefiero no dar contacto"), slot)
        if slot == "rut":
            return Move(str(answers.get("rut") or REFUSE_RUT), slot)
        if slot == "categoria":
            return self.choose_category(turn)
        if slot == "informacion_solicitada":
            return Move(str(answers.get("informacion") or self.descripcion()), slot)
        if slot == "sai_notificacion":
            # by e-mail, or by letter to the postal address the persona gave (its `direccion`)
            told = answers.get("email_notificacion") or answers.get("direccion")
            return Move(str(told or "a mi correo"), slot)
        if slot == "unidad_felicitada":
            return Move(unit_from(self.persona.opening), slot)
        if slot == "confirmacion":
            return Move(YES, slot)
        usable = [b for b in turn.buttons if not is_cancel(b)]
        if usable:
            return self.click(usable[0], f"pregunta desconocida: {slot}", improvised=True)
        return Move(None, f"pregunta desconocida: {slot}", stop=f"no sabe responder {slot}")

    def choose_category(self, turn: BotTurn) -> Move:
        code = category_code(self.persona.gold.get("category"), self.names) or "otro"
        button = category_button(turn.buttons, code, self.names.get(code))
        if button is not None:
            return self.click(button, "categoria")
        return Move(self.names.get(code, code.replace("_", " ")), "categoria (escrita)")

    def click(self, button: Mapping[str, str], why: str, improvised: bool = False) -> Move:
        """A button press: its payload over REST, its number on WhatsApp, a tap on Telegram."""
        if improvised:
            self.memory.improvised.append(f"{why}: «{button.get('title')}»")
        text = button.get("payload") or button.get("title")
        return Move(text, why, improvised=improvised, button=dict(button))

    def next_name_piece(self) -> str:
        pieces = self.persona.name_pieces()
        if not pieces:
            return "prefiero no dar mi nombre"
        if self.memory.name_used < len(pieces):
            self.memory.name_used += 1
            return pieces[self.memory.name_used - 1]
        return " ".join(pieces)

    def descripcion(self) -> str:
        return str(self.persona.answers.get("descripcion") or " ".join(self.persona.opening))

    def gold_type(self) -> str:
        return type_code(self.persona.gold.get("type")) or "reclamo"
