"""Conversation set: a simulated resident files a case over REST; the case is read back and scored.

A conversation is right when the filed case holds every gold field: type, category (when the
gold has one), place, name, phone, e-mail, RUT and, for "a este mismo número", a way to answer
through the channel. A field the resident never gave must stay empty (else it is invented); a
value the resident gave that the case lacks is lost.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .compare import category_code, email_key, normalize, phone_key, rut_key, type_code
from .metrics import add, ratio, tally
from .resident import BotTurn, Persona, SimulatedResident, find_folio

FIELDS = (
    "type",
    "category",
    "direccion",
    "nombre",
    "telefono",
    "email",
    "rut",
    "same_channel_contact",
)
# the form slots whose question asks for each field (a value lost without being asked is a
# question the bot never put, not an answer it dropped)
ASKED_BY = {
    "category": {"categoria"},
    "direccion": {"direccion"},
    "nombre": {"nombre"},
    "telefono": {"contacto", "telefono"},
    "email": {"contacto", "email", "sai_notificacion"},
    "rut": {"rut"},
}
CHANNEL_NOTE = (
    "Todas las conversaciones corren por el canal REST de Rasa, incluso las de personas de "
    "WhatsApp, Telegram y teléfono: REST no tiene identidad telefónica, así que 'a este mismo "
    "número' solo se puede cumplir guardando el remitente como vía de respuesta. Los casos de "
    "identidad del canal se prueban en tests/e2e/test_channels.py."
)


@dataclass(frozen=True)
class FiledCase:
    """The case as the benchmark sees it; phone/e-mail/RUT masked when read only through the API."""

    folio: str
    type: str | None
    category: str | None
    address: str | None
    name: str | None
    phone: str | None
    email: str | None
    rut: str | None
    channel: str | None
    channel_user_id: str | None  # None when unknown (API only)
    preferred_channel: str | None
    masked: bool

    @classmethod
    def from_api(cls, case: Mapping[str, Any], row: Mapping[str, Any] | None) -> FiledCase:
        """From GET /api/v1/cases/<folio>, with the unmasked contact from the database if known."""
        contact = case.get("contact") or {}
        source = row if row is not None else contact
        return cls(
            folio=str(case.get("folio")),
            type=case.get("type"),
            category=case.get("category"),
            # a SAI's place is the postal address for notifications
            address=case.get("address") or source.get("postal_address"),
            name=contact.get("name"),
            phone=source.get("phone"),
            email=source.get("email"),
            rut=source.get("rut"),
            channel=case.get("channel"),
            channel_user_id=row.get("channel_user_id") if row is not None else None,
            preferred_channel=contact.get("preferred_channel"),
            masked=row is None,
        )


class Rasa(Protocol):
    def say(self, sender: str, text: str) -> list[dict[str, Any]]: ...

    def tracker(self, sender: str) -> dict[str, Any]: ...


@dataclass
class Outcome:
    """How one conversation ended: the folio given (or why none) and what was said."""

    folio: str | None
    stop: str
    sender: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    improvised: list[str] = field(default_factory=list)
    turns: int = 0


def _field(right: bool, gold: object, got: object, lost: bool, invented: bool) -> dict[str, Any]:
    return {"right": right, "gold": gold, "got": got, "lost": lost, "invented": invented}


def _compare(
    gold: object,
    got: object,
    key: Callable[[object], str | None],
    masked: bool,
    mask: Callable[[str], str],
) -> dict[str, Any]:
    """One contact-like field: a null gold must stay empty; masked values compare masked."""
    gold_key = key(gold)
    got_empty = normalize(got) is None
    if gold_key is None:
        return _field(got_empty, gold, got, False, not got_empty)
    # the API shows '+** *** *** 45': mask the gold the same way and compare what is left
    right = normalize(mask(str(gold))) == normalize(got) if masked else key(got) == gold_key
    return _field(right, gold, got, got_empty, False)


def score_case(
    gold: Mapping[str, Any],
    case: FiledCase,
    names: Mapping[str, str],
    mask: Callable[[str], str] = lambda value: value,
) -> dict[str, dict[str, Any]]:
    """Every gold field against the filed case (field -> right/gold/got/lost/invented)."""
    fields: dict[str, dict[str, Any]] = {}
    gold_type = type_code(gold.get("type"))
    fields["type"] = _field(type_code(case.type) == gold_type, gold_type, case.type, False, False)
    if gold.get("category"):
        code = category_code(gold["category"], names)
        got = case.category
        fields["category"] = _field(got == code, code, got, got is None, False)
    fields["direccion"] = _compare(gold.get("direccion"), case.address, normalize, False, mask)
    fields["nombre"] = _compare(gold.get("nombre"), case.name, normalize, False, mask)
    same_channel = gold.get("same_channel_contact") is True
    phone = _compare(gold.get("telefono"), case.phone, phone_key, case.masked, mask)
    # the channel identity stored as the phone is the same channel, not an invention
    if (
        phone["invented"]
        and same_channel
        and case.channel_user_id
        and phone_key(case.phone) == phone_key(case.channel_user_id)
    ):
        phone = _field(True, None, case.phone, False, False)
    fields["telefono"] = phone
    fields["email"] = _compare(gold.get("email"), case.email, email_key, case.masked, mask)
    fields["rut"] = _compare(gold.get("rut"), case.rut, rut_key, case.masked, mask)
    if same_channel:
        if case.channel_user_id is not None:
            reachable = bool(case.channel_user_id.strip())
        else:
            reachable = bool(case.preferred_channel) and case.preferred_channel == case.channel
        fields["same_channel_contact"] = _field(
            reachable, True, case.channel_user_id or case.preferred_channel, not reachable, False
        )
    return fields


def converse(
    persona: Persona,
    rasa: Rasa,
    names: Mapping[str, str],
    max_turns: int = 25,
    max_seconds: float = 300,
) -> Outcome:
    """Send the opening, then answer what the bot asks until it gives a folio or gets stuck."""
    sender = f"bench-{re.sub(r'[^A-Za-z0-9_-]', '', persona.id)[:40]}-{uuid.uuid4().hex[:8]}"
    resident = SimulatedResident(persona, names)
    outcome = Outcome(None, "", sender)
    deadline = time.monotonic() + max_seconds
    reply: list[dict[str, Any]] = []
    for message in persona.opening:
        reply = _say(rasa, outcome, message, "apertura")
        if _filed(outcome, reply):
            return _done(outcome, resident)
    while outcome.turns < max_turns:
        if time.monotonic() > deadline:
            outcome.stop = f"sin folio tras {max_seconds:.0f} s"
            return _done(outcome, resident)
        turn = BotTurn.from_reply(reply, rasa.tracker(sender))
        move = resident.decide(turn)
        if move.text is None:
            outcome.stop = move.stop or move.why
            outcome.transcript.append({"stop": outcome.stop, "asked": turn.requested_slot})
            return _done(outcome, resident)
        outcome.turns += 1
        reply = _say(rasa, outcome, move.text, move.why, turn.requested_slot)
        if _filed(outcome, reply):
            return _done(outcome, resident)
    outcome.stop = f"sin folio tras {max_turns} turnos"
    return _done(outcome, resident)


def _say(
    rasa: Rasa, outcome: Outcome, text: str, why: str, asked: str | None = None
) -> list[dict[str, Any]]:
    outcome.transcript.append({"resident": text, "why": why, "asked": asked})
    reply = rasa.say(outcome.sender, text)
    outcome.transcript.append(
        {
            "bot": [str(m.get("text")) for m in reply if m.get("text")],
            "buttons": [str(b.get("title")) for m in reply for b in m.get("buttons") or []],
        }
    )
    return reply


def _filed(outcome: Outcome, reply: Sequence[Mapping[str, Any]]) -> bool:
    folio = find_folio([str(m.get("text")) for m in reply if m.get("text")])
    if folio:
        outcome.folio, outcome.stop = folio, "folio"
    return folio is not None


def _done(outcome: Outcome, resident: SimulatedResident) -> Outcome:
    outcome.improvised = list(resident.memory.improvised)
    return outcome


def summarize(results: Sequence[Mapping[str, Any]], masked: bool) -> dict[str, Any]:
    """The set's figures from each conversation's result (see `result_of`)."""
    count = len(results)
    filed = [r for r in results if _was_read(r)]
    right = [r for r in filed if r["all_right"]]
    per_field: dict[str, Counter[str]] = {name: Counter() for name in FIELDS}
    for result in filed:
        for name, verdict in result["fields"].items():
            add(
                per_field[name],
                n=1,
                right=verdict["right"],
                lost=verdict["lost"],
                lost_never_asked=verdict["lost"] and not verdict.get("asked", True),
                invented=verdict["invented"],
            )
    by_type_field: dict[str, dict[str, Counter[str]]] = {}
    for result in filed:
        of_type = by_type_field.setdefault(str(result["type"]), {})
        for name, verdict in result["fields"].items():
            add(of_type.setdefault(name, Counter()), n=1, right=verdict["right"])
    groups: dict[str, dict[str, Counter[str]]] = {"by_channel": {}, "by_type": {}}
    for result in results:
        for table, key in (("by_channel", result["channel"]), ("by_type", result["type"])):
            counts = groups[table].setdefault(str(key), Counter())
            add(counts, n=1, filed=_was_read(result), all_right=result["all_right"])
    return {
        "count": count,
        "filed": tally(len(filed), count),
        "all_fields_right": {"count": len(right), "share": ratio(len(right), count)},
        "per_field": {
            name: {
                **tally(c["right"], c["n"]),
                "lost": c["lost"],
                "lost_never_asked": c["lost_never_asked"],
                "invented": c["invented"],
            }
            for name, c in per_field.items()
            if c["n"]
        },
        "per_field_by_type": {
            kind: {name: tally(c["right"], c["n"]) for name, c in of_type.items()}
            for kind, of_type in sorted(by_type_field.items())
        },
        "not_filed": dict(Counter(r["stop"] for r in results if not _was_read(r)).most_common()),
        "improvised_buttons": sum(len(r["improvised"]) for r in results),
        "mean_turns": round(sum(r["turns"] for r in results) / count, 1) if count else None,
        **{table: {k: dict(c) for k, c in sorted(rows.items())} for table, rows in groups.items()},
        "contact_compared": "enmascarado (solo API)" if masked else "exacto (base de datos)",
        "channel_note": CHANNEL_NOTE,
    }


def _was_read(result: Mapping[str, Any]) -> bool:
    """Filed and read back (a folio whose case could not be read counts as not filed)."""
    return bool(result["folio"]) and result["fields"] is not None


def result_of(
    persona: Persona, outcome: Outcome, fields: dict[str, dict[str, Any]] | None, error: str = ""
) -> dict[str, Any]:
    """One conversation's record for the JSON file (transcript kept only for failures)."""
    all_right = fields is not None and all(v["right"] for v in fields.values())
    asked = {entry.get("asked") for entry in outcome.transcript} - {None}
    for name, verdict in (fields or {}).items():
        if name in ASKED_BY:
            verdict["asked"] = bool(ASKED_BY[name] & asked)
    return {
        "id": persona.id,
        "channel": persona.channel,
        "type": type_code(persona.gold.get("type")),
        "folio": outcome.folio,
        "stop": error or outcome.stop,
        "turns": outcome.turns,
        "fields": fields,
        "all_right": all_right,
        "improvised": outcome.improvised,
        "transcript": None if all_right else outcome.transcript,
    }
