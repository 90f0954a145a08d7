"""Field set: answers to one question and opening messages, read by `oirs_rules`' parsers.

An answer is read with the parser of the question asked (`parse_place`, `parse_name`, the
contact finders); an opening with the finders (`find_place`, `find_name`, …). A field whose
gold is null must come out None: a value found there is wrong and counted as invented.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .compare import email_key, normalize, normalize_place, phone_key, rut_key
from .metrics import add, ratio
from .sets import clip

FIELDS = ("direccion", "direccion_postal", "nombre", "telefono", "email", "rut", "same_channel")
KEYS: dict[str, Callable[[object], str | None]] = {
    "direccion": normalize_place,
    "direccion_postal": normalize_place,
    "nombre": normalize,
    "telefono": phone_key,
    "email": email_key,
    "rut": rut_key,
    "same_channel": lambda value: "si" if value is True else None,
}


class ParsersMissing(RuntimeError):
    """oirs_rules (packages/oirs_rules) is not installed in this environment."""


@dataclass(frozen=True)
class Parsers:
    """The deterministic readers under test (fakes in the harness's own tests)."""

    parse_place: Callable[[str], str | None]

    find_place: Callable[[str], str | None]
    parse_name: Callable[[str], str | None]
    find_name: Callable[[str], str | None]
    find_phones: Callable[[str], list[str]]
    find_emails: Callable[[str], list[str]]
    find_ruts: Callable[[str], list[str]]
    says_same_channel: Callable[[str], bool]
    # the notification address of a SAI (falls back to parse_place on older packages)
    parse_postal_address: Callable[[str], str | None] | None = None


def load_parsers() -> Parsers:
    """The real parsers from oirs_rules, or ParsersMissing saying how to install them."""
    try:
        places = importlib.import_module("oirs_rules.places")
        names = importlib.import_module("oirs_rules.names")
        contact = importlib.import_module("oirs_rules.contact")
        return Parsers(
            parse_place=places.parse_place,
            parse_postal_address=getattr(places, "parse_postal_address", None),
            find_place=places.find_place,
            parse_name=names.parse_name,
            find_name=names.find_name,
            find_phones=contact.find_phones,
            find_emails=contact.find_emails,
            find_ruts=contact.find_ruts,
            says_same_channel=contact.says_same_channel,
        )
    except (ImportError, AttributeError) as error:
        raise ParsersMissing(
            "oirs_rules no está disponible en este entorno "
            f"({type(error).__name__}: {error}); instálelo con "
            "`.venv/bin/pip install -e packages/oirs_rules`"
        ) from error


def _first(values: Sequence[str] | None) -> str | None:
    return values[0] if values else None


def readings(item: dict[str, Any], parsers: Parsers) -> list[tuple[str, object, object]]:
    """(field, gold, value read) for every field the item checks."""
    text = str(item["text"])
    gold = item.get("gold") or {}
    if item["kind"] == "opening":
        return [
            ("direccion", gold.get("direccion"), parsers.find_place(text)),
            ("nombre", gold.get("nombre"), parsers.find_name(text)),
            ("telefono", gold.get("telefono"), _first(parsers.find_phones(text))),
            ("email", gold.get("email"), _first(parsers.find_emails(text))),
            ("rut", gold.get("rut"), _first(parsers.find_ruts(text))),
        ]
    asked = item.get("asked")
    if asked == "direccion":
        return [("direccion", gold.get("direccion"), parsers.parse_place(text))]
    if asked == "nombre":
        return [("nombre", gold.get("nombre"), parsers.parse_name(text))]
    if asked == "contacto":
        return [
            ("telefono", gold.get("telefono"), _first(parsers.find_phones(text))),
            ("email", gold.get("email"), _first(parsers.find_emails(text))),
            ("same_channel", gold.get("same_channel"), parsers.says_same_channel(text)),
        ]
    if asked == "rut":
        return [("rut", gold.get("rut"), _first(parsers.find_ruts(text)))]
    if asked == "email_notificacion":
        found: list[tuple[str, object, object]] = [
            ("email", gold.get("email"), _first(parsers.find_emails(text)))
        ]
        if gold.get("direccion_postal"):
            postal = parsers.parse_postal_address or parsers.parse_place
            found.append(("direccion_postal", gold["direccion_postal"], postal(text)))
        return found
    if asked == "direccion_postal":  # the postal address asked on its own (SAI notification)
        postal = parsers.parse_postal_address or parsers.parse_place
        return [("direccion_postal", gold.get("direccion_postal"), postal(text))]
    raise ValueError(f"pregunta desconocida: {asked!r}")


def judge(field: str, gold: object, value: object) -> tuple[bool, bool]:
    """(right, invented): a null gold is right only when nothing was read."""
    key = KEYS[field]
    gold_key, value_key = key(gold), key(value)
    if gold_key is None:
        return value_key is None, value_key is not None
    return value_key == gold_key, False


def score_fields(
    items: Sequence[dict[str, Any]], parsers: Parsers
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Per-field accuracy (over golds that hold the field), invented values, and the errors."""
    totals = {field: Counter[str]() for field in FIELDS}
    by_group: dict[str, Counter[str]] = {}
    errors: list[dict[str, Any]] = []
    exceptions = 0
    for item in items:
        group = "opening" if item["kind"] == "opening" else f"answer:{item.get('asked')}"
        groups = by_group.setdefault(group, Counter())
        groups["n"] += 1
        try:
            found = readings(item, parsers)
        except Exception as error:  # a parser crash is a wrong reading, reported as such
            exceptions += 1
            groups["wrong"] += 1
            errors.append(_error(item, "(excepción)", None, f"{type(error).__name__}: {error}"))
            continue
        item_right = True
        for field, gold, value in found:
            right, invented = judge(field, gold, value)
            counts = totals[field]
            has_gold = KEYS[field](gold) is not None
            add(counts, n=has_gold, right=right and has_gold, null=not has_gold)
            add(counts, invented=invented)
            if not right:
                item_right = False
                errors.append(_error(item, field, gold, value, invented))
        groups["wrong"] += not item_right
    per_field = {
        field: {
            "n": c["n"],
            "right": c["right"],
            "accuracy": ratio(c["right"], c["n"]),
            "null_items": c["null"],
            "invented": c["invented"],
        }
        for field, c in totals.items()
        if c["n"] or c["null"]
    }
    summary = {
        "count": len(items),
        "per_field": per_field,
        "by_group": {
            group: {"n": c["n"], "all_right": ratio(c["n"] - c["wrong"], c["n"])}
            for group, c in sorted(by_group.items())
        },
        "parser_exceptions": exceptions,
    }
    return summary, errors


def _error(
    item: dict[str, Any], field: str, gold: object, value: object, invented: bool = False
) -> dict[str, Any]:
    return {
        "line": item.get("_line"),
        "kind": item.get("kind"),
        "asked": item.get("asked"),
        "text": clip(item.get("text")),
        "field": field,
        "gold": gold,
        "read": value,
        "invented": invented,
    }
