"""What of a reclamo the public Open311 listing shows: a coarse place always, the resident's
description only after OIRS staff publish it (moderation, as FixMyStreet does), masked even
then; publishing and withdrawing are events on the case."""

from __future__ import annotations

import re
from collections.abc import Iterable

from oirs_rules.dates import MONTHS
from oirs_rules.names import find_name
from oirs_rules.text import fold

from oirs.cases.filing import Actor, add_event
from oirs.errors import InvalidTransition
from oirs.models import Case, CaseEvent
from oirs.privacy.masking import mask_text

PUBLISHED = "descripcion_publicada"
WITHDRAWN = "publicacion_retirada"
NAME_MASK = "[nombre]"
MESSAGES = {
    "only_reclamos": "Solo los reclamos se publican en Open311.",
}

_UPPER = "A-ZÁÉÍÓÚÑÜ"
_WORD = rf"[{_UPPER}][\wÁÉÍÓÚÑÜáéíóúñü'’-]*"
# A person named after a title or a relation: "don Carlos", "mi vecino Juan Pérez".
_NAMED = re.compile(
    r"(?P<lead>\b(?i:don|doña|dona|sr|sra|srta|señor|señora|señorita|vecin[oa]s?|"
    r"llamad[oa]|apellidad[oa]|de\s+nombre|me\s+llamo|mi\s+nombre\s+es)\.?\s+)"
    rf"(?P<name>{_WORD}(?:\s+(?:(?i:de|del|de\s+la)\s+)?{_WORD}){{0,3}})"
)
_PERSON = re.compile(
    r"(?i)\b(?:don|doña|dona|sr|sra|srta|señor|señora|señorita|vecin[oa]s?|casa\s+de|donde)\b"
)
# Numbers that name the street, not the house: "pasaje 3", "5 Oriente", "18 de Septiembre".
_STREET_NUMBERED = {"calle", "pasaje", "pje", "psje", "ruta", "camino", "avenida", "av"}
_CARDINAL = {"norte", "sur", "oriente", "poniente"}
_MONTHS = {*MONTHS, "setiembre"}
# Words that point at one home or unit; they go with the number they introduce.
_HOUSE_MARKS = {
    "casa", "depto", "dpto", "departamento", "block", "blok", "torre", "sitio", "lote",
    "parcela", "oficina", "of", "local", "n°", "nº", "no", "nro", "num", "número", "numero",
    "#", "km",
}  # fmt: skip
_DANGLING = {"a", "al", "de", "del", "en", "la", "el", "y", "con", "frente", "altura"}


def publish_description(case: Case, actor: Actor, publish: bool) -> CaseEvent | None:
    """Show (or withdraw) the masked description on Open311; None when nothing changes."""
    if case.type != "reclamo":
        raise InvalidTransition(MESSAGES["only_reclamos"])
    if case.public_description == publish:
        return None
    case.public_description = publish
    return add_event(case, actor, PUBLISHED if publish else WITHDRAWN)


def _name_words(names: Iterable[str | None]) -> set[str]:
    return {fold(w) for name in names if name for w in re.findall(r"\w+", name) if len(w) >= 3}


def mask_names(text: str, names: Iterable[str | None] = ()) -> str:
    """Replace known names, names after a title or relation, and a self-introduction."""
    text = _NAMED.sub(lambda m: m["lead"] + NAME_MASK, text)
    introduced = find_name(text)
    if introduced and NAME_MASK not in introduced:
        text = text.replace(introduced, NAME_MASK)
    known = _name_words(names)
    if known:
        text = re.sub(r"\w+", lambda m: NAME_MASK if fold(m[0]) in known else m[0], text)
    return re.sub(rf"{re.escape(NAME_MASK)}(?:\s+{re.escape(NAME_MASK)})+", NAME_MASK, text)


def public_text(text: str, names: Iterable[str | None] = ()) -> str:
    """Free text as the public may read it: no e-mail, RUT, phone or name."""
    return mask_names(mask_text(text), names)


def published_description(case: Case) -> str:
    """The description as Open311 shows it once published."""
    return public_text(case.description, [case.contact_name])


def _keeps_number(words: list[str], index: int) -> bool:
    before = fold(words[index - 1]).strip(".,") if index else ""
    after = [fold(w).strip(".,") for w in words[index + 1 : index + 3]]
    if before in _STREET_NUMBERED:
        return True
    if after and after[0] in _CARDINAL:
        return True
    return len(after) == 2 and after[0] == "de" and after[1] in _MONTHS


def _coarse_segment(segment: str, known: set[str]) -> str:
    if _PERSON.search(segment) or any(fold(w) in known for w in re.findall(r"\w+", segment)):
        return ""
    words = re.sub(r"(?i)\bs/n\b", " ", segment).split()
    kept: list[str] = []
    for index, word in enumerate(words):
        if not any(c.isdigit() for c in word) or _keeps_number(words, index):
            kept.append(word)
            continue
        while kept and fold(kept[-1]).rstrip(".:") in _HOUSE_MARKS:
            kept.pop()
    while kept and fold(kept[-1]).strip(".,:") in _DANGLING | _HOUSE_MARKS:
        kept.pop()
    return " ".join(kept).strip(" ,.;:-")


def coarse_address(address: str | None, names: Iterable[str | None] = ()) -> str:
    """The street without the house: numbers that point at one home go, and so does any part
    that names a person ("frente a la casa de doña Juanita")."""
    known = _name_words(names)
    segments = (_coarse_segment(part, known) for part in (address or "").split(","))
    return ", ".join(segment for segment in segments if segment)


def coarse_coordinate(value: float | None) -> float | None:
    """Three decimals: about 100 m, a block rather than a house."""
    return None if value is None else round(value, 3)
