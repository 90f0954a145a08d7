"""Folios PREFIX-YYYY-NNNNNN: the prefix of each case type, and how folios are found in text."""

from __future__ import annotations

import re
from types import MappingProxyType

PREFIXES = MappingProxyType(
    {
        "reclamo": "RC",
        "sugerencia": "SG",
        "felicitacion": "FL",
        "consulta": "CS",
        "sai": "SAI",
        "datos_personales": "DP",
    }
)
TYPE_BY_PREFIX = MappingProxyType({prefix: case_type for case_type, prefix in PREFIXES.items()})
_PREFIX = "(" + "|".join(PREFIXES.values()) + ")"

# A folio as the admin writes it ("RC-2026-000123"); groups: prefix, year, number.
FOLIO_RE = re.compile(rf"\b{_PREFIX}-(\d{{4}})-(\d{{6}})\b", re.IGNORECASE)
# A folio as residents write or dictate it ("rc 2026 123", "RC-2026-000123", "sai/2026/45").
LOOSE_FOLIO_RE = re.compile(
    rf"\b{_PREFIX}[\s\-_./]*(\d{{4}})[\s\-_./]*(\d{{1,6}})\b", re.IGNORECASE
)


def canonical(prefix: str, year: str | int, number: str | int) -> str:
    """The written form of a folio: upper-case prefix, four-digit year, six-digit number."""
    return f"{prefix.upper()}-{int(year):04d}-{int(number):06d}"


def find_folio(text: str) -> str | None:
    """The first folio written loosely anywhere in `text`, in its canonical form."""
    match = LOOSE_FOLIO_RE.search(text or "")
    return canonical(*match.groups()) if match else None


def find_folios(text: str) -> list[str]:
    """Every folio written loosely in `text`, canonical, in order of appearance."""
    return [canonical(*groups) for groups in LOOSE_FOLIO_RE.findall(text or "")]
