"""Conversation set: a simulated resident files a case on its channel; the case is read back.

A conversation is right when the filed case holds every gold field: type, category (when the
gold has one), place, name, phone, e-mail, RUT and, for "a este mismo número", a way to answer
through the channel. A field the resident never gave must stay empty (else it is invented); a
value the resident gave that the case lacks is lost. WhatsApp, Telegram and voice personas talk
through those channels when the stack runs their stand-ins (transports.py), the others over REST.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .compare import (
    category_code,
    email_key,
    normalize,
    normalize_place,
    phone_key,
    rut_key,
    type_code,
)
from .metrics import add, ratio, tally
from .resident import BotTurn, Move, Persona, SimulatedResident, find_folio

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
# which transport carries which persona channel: the summary's channel_note
TRANSPORTS = {
    "rest": "el canal REST de Rasa (sin identidad telefónica)",
    "whatsapp": "el canal WhatsApp real (Twilio simulado en loopback, webhooks firmados)",
    "telegram": "el canal Telegram real (Bot API simulada en loopback, token secreto)",
    "voice": (
        "el canal de voz real (webhooks de Twilio Voice firmados desde un número nuevo, "
        "respuestas TwiML; se habla como SpeechResult y las opciones se marcan)"
    ),
}
REST_CAVEAT = (
    "Por REST 'a este mismo número' no tiene número al que responder: el bot lo rechaza con "
    "razón y una persona de voz, WhatsApp o Telegram que habla por REST (stack dado por URL, "
    "sin dobles) queda medida con esa desventaja."
)


@dataclass(frozen=True)
class Identity:
    """Who the bot sees talking: the transport, Rasa's sender id and the channel's phone."""

    transport: str  # "rest", "whatsapp", "telegram" or "voice" (keys of TRANSPORTS)
    sender: str  # the tracker's id: "bench-…", "whatsapp:+569…", the Telegram chat id, a CallSid
    phone: str | None = None  # the WhatsApp number or the caller's (E.164) the persona uses


NO_PLACE = re.compile(r"^sin lugar especifico\b")


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


class Talk(Protocol):
    """One persona's conversation on its channel (bench/understanding/transports.py)."""

    identity: Identity

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send a typed message; the bot's reply as REST shapes it (text, buttons)."""
        ...

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """Choose one of the buttons the bot showed last, as the channel lets a resident."""
        ...

    def tracker(self) -> dict[str, Any]:
        """Rasa's tracker of this conversation (active form, requested slot)."""
        ...


def ended(talk: Talk) -> str | None:
    """Why the channel ended the conversation on its own (a call handed to a person, a
    voicemail, the bot hanging up), None while it goes on (chats never end on their own)."""
    reason = getattr(talk, "ended", None)
    return str(reason) if reason else None


@dataclass
class Outcome:
    """How one conversation ended: the folio given (or why none) and what was said."""

    folio: str | None
    stop: str
    sender: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    improvised: list[str] = field(default_factory=list)
    turns: int = 0
    identity: Identity | None = None


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
    identity: Identity | None = None,
) -> dict[str, dict[str, Any]]:
    """Every gold field against the filed case (field -> right/gold/got/lost/invented).

    `identity` is who talked: on WhatsApp "a este mismo número" is right only when the case's
    phone is the number that wrote; on Telegram when the case answers through that chat."""
    fields: dict[str, dict[str, Any]] = {}
    gold_type = type_code(gold.get("type"))
    fields["type"] = _field(type_code(case.type) == gold_type, gold_type, case.type, False, False)
    if gold.get("category"):
        code = category_code(gold["category"], names)
        got = case.category
        fields["category"] = _field(got == code, code, got, got is None, False)
    # "Sin lugar específico (según el vecino)" is how a reclamo records that it was asked and
    # there is no place: no place, as the gold's null says
    address = None if NO_PLACE.match(normalize(case.address) or "") else case.address
    fields["direccion"] = _compare(gold.get("direccion"), address, normalize_place, False, mask)
    fields["nombre"] = _compare(gold.get("nombre"), case.name, normalize, False, mask)
    same_channel = gold.get("same_channel_contact") is True
    channel_phone = _channel_phone(case, identity)
    phone = _compare(gold.get("telefono"), case.phone, phone_key, case.masked, mask)
    # the channel identity stored as the phone is the same channel, not an invention
    if (
        phone["invented"]
        and same_channel
        and channel_phone is not None
        and _same_phone(case.phone, channel_phone, case.masked, mask)
    ):
        phone = _field(True, None, case.phone, False, False)
    fields["telefono"] = phone
    fields["email"] = _compare(gold.get("email"), case.email, email_key, case.masked, mask)
    fields["rut"] = _compare(gold.get("rut"), case.rut, rut_key, case.masked, mask)
    if same_channel:
        fields["same_channel_contact"] = _same_channel(gold, case, mask, identity)
    return fields


def _channel_phone(case: FiledCase, identity: Identity | None) -> str | None:
    """The phone the channel itself carries: the persona's WhatsApp number, else (over REST)
    the sender stored as the channel identity."""
    if identity is not None and identity.transport != "rest":
        return identity.phone
    return case.channel_user_id


def _same_phone(got: object, wanted: str, masked: bool, mask: Callable[[str], str]) -> bool:
    if masked:
        return normalize(got) is not None and normalize(got) == normalize(mask(wanted))
    return phone_key(got) is not None and phone_key(got) == phone_key(wanted)


def _same_channel(
    gold: Mapping[str, Any],
    case: FiledCase,
    mask: Callable[[str], str],
    identity: Identity | None,
) -> dict[str, Any]:
    """'A este mismo número': can the municipality answer through the channel that wrote?"""
    transport = identity.transport if identity is not None else "rest"
    if identity is not None and transport in ("whatsapp", "voice"):
        # the case is the number's (filed under it: the WhatsApp address, the caller's number)
        # and its phone is that number; a persona who also gave another phone keeps that one
        # as the phone (the channel still answers)
        wanted = str(gold.get("telefono") or identity.phone or "")
        mine = (None, identity.sender, identity.phone)
        filed_here = case.channel == transport and case.channel_user_id in mine
        right = filed_here and _same_phone(case.phone, wanted, case.masked, mask)
        return _field(right, True, case.phone, not right, False)
    if identity is not None and transport == "telegram":
        # Telegram has no number: the answer goes to the chat that filed it
        route = case.preferred_channel or case.channel
        right = (
            case.channel == "telegram"
            and route == "telegram"
            and case.channel_user_id in (None, identity.sender)
        )
        return _field(right, True, case.channel_user_id or route, not right, False)
    if case.channel_user_id is not None:
        reachable = bool(case.channel_user_id.strip())
    else:
        reachable = bool(case.preferred_channel) and case.preferred_channel == case.channel
    return _field(
        reachable, True, case.channel_user_id or case.preferred_channel, not reachable, False
    )


def converse(
    persona: Persona,
    talk: Talk,
    names: Mapping[str, str],
    max_turns: int = 25,
    max_seconds: float = 300,
) -> Outcome:
    """Send the opening, then answer what the bot asks until it gives a folio or gets stuck."""
    resident = SimulatedResident(persona, names)
    outcome = Outcome(None, "", talk.identity.sender, identity=talk.identity)
    deadline = time.monotonic() + max_seconds
    reply: list[dict[str, Any]] = []
    for message in persona.opening:
        reply = _send(talk, outcome, Move(message, "apertura"))
        if _filed(outcome, reply) or _ended(outcome, talk):
            return _done(outcome, resident)
    while outcome.turns < max_turns:
        if time.monotonic() > deadline:
            outcome.stop = f"sin folio tras {max_seconds:.0f} s"
            return _done(outcome, resident)
        turn = BotTurn.from_reply(reply, talk.tracker())
        move = resident.decide(turn)
        if move.text is None:
            outcome.stop = move.stop or move.why
            outcome.transcript.append({"stop": outcome.stop, "asked": turn.requested_slot})
            return _done(outcome, resident)
        outcome.turns += 1
        reply = _send(talk, outcome, move, turn.requested_slot)
        if _filed(outcome, reply) or _ended(outcome, talk):
            return _done(outcome, resident)
    outcome.stop = f"sin folio tras {max_turns} turnos"
    return _done(outcome, resident)


def new_sender(persona: Persona) -> str:
    """A fresh REST sender id for a persona (nothing of an earlier run is continued)."""
    return f"bench-{re.sub(r'[^A-Za-z0-9_-]', '', persona.id)[:40]}-{uuid.uuid4().hex[:8]}"


def _send(
    talk: Talk, outcome: Outcome, move: Move, asked: str | None = None
) -> list[dict[str, Any]]:
    said: dict[str, Any] = {"resident": move.text, "why": move.why, "asked": asked}
    if move.button is not None:
        # what the channel carried: REST the payload, WhatsApp the option's number
        said["resident"] = move.button.get("option") or move.text
        said["button"] = move.button.get("title")
    outcome.transcript.append(said)
    reply = talk.press(move.button) if move.button is not None else talk.say(str(move.text))
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


def _ended(outcome: Outcome, talk: Talk) -> bool:
    """A call that left the bot (a person, a voicemail, hung up) ends the conversation."""
    reason = ended(talk)
    if reason:
        outcome.stop = f"llamada terminada: {reason}"
        outcome.transcript.append({"stop": outcome.stop})
    return reason is not None


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
    of_types: dict[str, Counter[str]] = {}
    for result in results:
        counts = of_types.setdefault(str(result["type"]), Counter())
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
        "by_channel": by_channel(results),
        "by_type": {k: dict(c) for k, c in sorted(of_types.items())},
        "contact_compared": "enmascarado (solo API)" if masked else "exacto (base de datos)",
        "channel_note": channel_note(results),
    }


def by_channel(results: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per persona channel: conversations, filed, all fields right, the transport that carried
    them ('via') and, where the gold asks for it, 'a este mismo número' kept."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        row = rows.setdefault(
            str(result["channel"]), {"counts": Counter(), "via": Counter(), "same": Counter()}
        )
        add(row["counts"], n=1, filed=_was_read(result), all_right=result["all_right"])
        row["via"][str(result.get("transport") or "rest")] += 1
        verdict = (result["fields"] or {}).get("same_channel_contact")
        if verdict is not None:
            add(row["same"], n=1, right=verdict["right"])
    table = {}
    for channel, row in sorted(rows.items()):
        counts = row["counts"]
        entry: dict[str, Any] = {
            "n": counts["n"],
            "filed": counts["filed"],
            "all_right": counts["all_right"],
            "all_right_share": ratio(counts["all_right"], counts["n"]),
            "via": dict(row["via"]),
        }
        if row["same"]["n"]:
            entry["same_channel_contact"] = tally(row["same"]["right"], row["same"]["n"])
        table[channel] = entry
    return table


def channel_note(results: Sequence[Mapping[str, Any]]) -> str:
    """Which transport carried which persona channel in this run, and REST's caveat if used."""
    used: dict[str, set[str]] = {}
    for result in results:
        transport = str(result.get("transport") or "rest")
        used.setdefault(transport, set()).add(str(result["channel"]))
    parts = [
        f"{', '.join(sorted(channels))} por {TRANSPORTS.get(transport, transport)}"
        for transport, channels in sorted(used.items())
    ]
    note = "; ".join(parts) + "." if parts else ""
    if "rest" in used and used["rest"] - {"web"}:
        note += " " + REST_CAVEAT
    return note


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
        "transport": outcome.identity.transport if outcome.identity else None,
        "type": type_code(persona.gold.get("type")),
        "folio": outcome.folio,
        "stop": error or outcome.stop,
        "turns": outcome.turns,
        "fields": fields,
        "all_right": all_right,
        "improvised": outcome.improvised,
        "transcript": None if all_right else outcome.transcript,
    }
