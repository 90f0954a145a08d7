"""How a value meets its gold: equal up to accents, case, punctuation around words and spaces.

Phones, e-mails and RUTs compare by their canonical keys (digits with the country code, the
address in lower case, body-check digit), so "+56 9 7612 3345" and "976123345" are the same.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

# kinds of place an article may stand before without changing the place named
PLACE_KINDS = {
    "esquina",
    "calle",
    "plaza",
    "villa",
    "poblacion",
    "pasaje",
    "avenida",
    "sector",
    "plazoleta",
    "cancha",
    "sede",
    "feria",
    "paradero",
    "sitio",
    "parque",
}
PUNCTUATION = string.punctuation + "¿¡«»“”‘’…–—·"
TYPE_ALIASES = {
    "solicitud_informacion": "sai",
    "solicitud_de_informacion": "sai",
    "solicitud_de_acceso_a_la_informacion": "sai",
    "acceso_a_la_informacion": "sai",
    "transparencia": "sai",
    "felicitaciones": "felicitacion",
    "reclamos": "reclamo",
    "sugerencias": "sugerencia",
}


def fold(text: str) -> str:
    """Lower case without accents (ñ becomes n as well)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize(value: object) -> str | None:
    """The comparable form of a text; None for None and for text with no words.

    Numbers said in words and written in digits are the same value ("cuatrocientos doce" and
    "412"): gold sets write spoken places either way.
    """
    if value is None:
        return None
    words = [word.strip(PUNCTUATION) for word in fold(_digits(str(value))).split()]
    words = [word for word in words if word]
    if len(words) > 1 and words[0] in ("la", "el") and words[1] in PLACE_KINDS:
        words = words[1:]  # "la esquina de X y Y" and "esquina de X y Y" name the same place
    return " ".join(words) or None


# Marks that number a house ("n° 402", "número 402", "#402") say nothing the number does not.
_NUMBER_MARKS = {"n", "no", "n°", "nº", "nro", "num", "numero", "#"}
# Ways to say the same intersection: "X con Y", "X y Y", "X esquina Y", "esquina de X con Y".
_CROSSING = {"con", "y", "e", "esquina"}


def normalize_place(value: object) -> str | None:
    """The comparable form of a place: `normalize`, and the same place said another way is the
    same value (decided before blind round r9 was measured, from how its writers said they
    wrote places; applied to gold and reading alike):

    - a house number's mark: "pasaje Los Claveles número 402" = "pasaje Los Claveles 402";
    - "calle" before a street's name: "calle Sargento Menadier 1780" = "Sargento Menadier 1780"
      ("calle 5 norte", a street named by a number, keeps it);
    - the words that join two streets: "X con Y" = "X y Y" = "X esquina Y" = "esquina de X y Y"
      = "el cruce de X con Y" = "esq. X con Y" (r10's writers dropped these lead-ins, they said).
    """
    text = normalize(value)
    if text is None:
        return None
    words = [w.removeprefix("#") if re.fullmatch(r"#\d+\w?", w) else w for w in text.split()]
    words = [
        w for i, w in enumerate(words)
        if not (w in _NUMBER_MARKS and i + 1 < len(words) and words[i + 1][:1].isdigit())
    ]  # fmt: skip
    if words[:2] in (["esquina", "de"], ["cruce", "de"]) and len(words) > 2:
        words = words[2:]
    elif words[:3] == ["el", "cruce", "de"] and len(words) > 3:
        words = words[3:]
    elif words[:1] == ["esq"] and len(words) > 1:
        words = words[1:]
    if len(words) > 1 and words[0] == "calle" and not words[1][:1].isdigit():
        words = words[1:]
    words = ["con" if w in _CROSSING and 0 < i < len(words) - 1 else w for i, w in enumerate(words)]
    return " ".join(words) or None


def _digits(text: str) -> str:
    try:
        from oirs_rules.text import spoken_numbers_to_digits
    except ImportError:  # the scoring stays usable without the shared package
        return text
    return spoken_numbers_to_digits(text)


def same_text(predicted: object, gold: object) -> bool:
    """Equal up to accents, case, punctuation around words and repeated whitespace."""
    return normalize(predicted) == normalize(gold)


def phone_key(value: object) -> str | None:
    """Digits with Chile's country code: 976123345, +56 9 7612 3345 and 56976123345 agree."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value))
    if not digits:
        return None
    if len(digits) == 9:
        return "56" + digits
    return digits


def email_key(value: object) -> str | None:
    """The address in lower case, without surrounding spaces or brackets."""
    text = normalize(value)
    return text.replace(" ", "") if text else None


def rut_key(value: object) -> str | None:
    """'12345678-K' from any spelling (dots, spaces, no dash, lower-case k)."""
    if value is None:
        return None
    compact = re.sub(r"[^0-9kK]", "", str(value)).upper()
    if len(compact) < 2:
        return None
    return f"{compact[:-1].lstrip('0')}-{compact[-1]}"


def type_code(value: object) -> str | None:
    """A case type code from the gold's spelling ('solicitud_informacion' and 'sai' agree)."""
    text = normalize(value)
    if text is None:
        return None
    code = text.replace(" ", "_")
    return TYPE_ALIASES.get(code, code)


def category_code(value: object, names: Mapping[str, str]) -> str | None:
    """A category code from a code or a category name; `names` maps code -> Spanish name."""
    text = normalize(value)
    if text is None:
        return None
    code = text.replace(" ", "_")
    if code in names:
        return code
    for known, name in names.items():
        if normalize(name) == text:
            return known
    return code
