"""Checks and normalisation of what residents type: RUT, e-mail, Chilean phone, folio, names.

The rules themselves live in the shared package `oirs_rules` (the admin applies the same ones);
this module gives the bot's forms their raising interface ("ask again" on InvalidValue).
"""

from __future__ import annotations

import re

from oirs_rules import contact, folio, names
from oirs_rules.text import STOPWORDS, fold

__all__ = ["fold"]


class InvalidValue(ValueError):
    """The resident's value does not pass the check; the bot asks again."""


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def normalize_rut(value: str) -> str:
    """Return the RUT formatted as 12.345.678-5; InvalidValue when the check digit fails."""
    normal = contact.normalise_rut(value)
    if normal is None:
        raise InvalidValue(value)
    return contact.format_rut(normal)


def normalize_email(value: str) -> str:
    """Return the e-mail in lower case, or raise InvalidValue."""
    normal = contact.normalise_email(value)
    if normal is None:
        raise InvalidValue(value)
    return normal


def normalize_phone(value: str) -> str:
    """Return a valid Chilean (or explicitly international) phone in E.164, else InvalidValue."""
    normal = contact.normalise_phone(value)
    if normal is None:
        raise InvalidValue(value)
    return normal


def find_email(text: str) -> str | None:
    """First valid e-mail written (or dictated) anywhere in a message."""
    return next(iter(contact.find_emails(text)), None)


def find_phone(text: str) -> str | None:
    """First valid Chilean phone in a message; house numbers, RUTs and e-mails are not phones."""
    return next(iter(contact.find_phones(text)), None)


def find_rut(text: str) -> str | None:
    """First RUT-shaped group in a message, valid or not ("that RUT is wrong"), else None."""
    return next(iter(contact.rut_candidates(text)), None)


def find_bare_rut(text: str) -> str | None:
    """A valid RUT anywhere in the message, formatted 12.345.678-5; None when absent/invalid."""
    found = contact.find_ruts(text)
    return contact.format_rut(found[0]) if found else None


def normalize_folio(value: str) -> str:
    """Folio as PREFIX-YYYY-NNNNNN from loose writing ("rc 2026 123"), else InvalidValue."""
    found = folio.find_folio(value)
    if found is None:
        raise InvalidValue(value)
    return found


def clean_name(value: str) -> str:
    """The name in an answer, whole and capitalised ("SOY ANA MARÍA TORO" -> "Ana María Toro")."""
    name = names.parse_name(value)
    if name is None:
        raise InvalidValue(value)
    return name


def refuses(text: str) -> bool:
    """The resident declines to give what was asked ("no quiero dar mi nombre", "anónimo")."""
    return names.refuses(text)


def find_name(text: str) -> str | None:
    """The resident's own name where they introduce themselves ("soy", "me llamo", "habla")."""
    return names.find_name(text)


def has_surname(name: str) -> bool:
    """Ley 20.285 art. 12 asks for name and surnames: at least two words."""
    return len(name.split()) >= 2


# the shared stop words, and the words of asking for a case of some type
_FILLER_WORDS = STOPWORDS | {
    "algo", "ayuda", "bueno", "dejar", "denuncia", "denunciar", "desearia", "deseo", "enviar",
    "felicitacion", "felicitaciones", "felicitar", "gustaria", "hacer", "hay", "informacion",
    "ingresar", "me", "mi", "ok", "pedir", "poner", "porfavor", "presentar", "que", "queja",
    "quejarme", "quejas", "quiero", "realizar", "reclamar", "reclamo", "reclamos", "registrar",
    "si", "sobre", "solicitar", "solicitud", "sugerencia", "sugerencias", "sugerir", "tener",
    "tengo", "uno",
}  # fmt: skip


def is_substantive(text: str, min_words: int = 3) -> bool:
    """True when a description says something beyond "quiero hacer un reclamo"."""
    if not text or text.strip().startswith("/"):
        return False
    words = re.findall(r"[a-z0-9ñ]+", fold(text))
    content = [word for word in words if word not in _FILLER_WORDS]
    return len(content) >= min_words


def strip_contact_data(text: str) -> str:
    """Remove e-mails, phones and RUTs from a description: they belong in the contact fields."""
    text = EMAIL_RE.sub("", text)
    for rut in contact.rut_candidates(text):
        body, check = rut.split("-")
        pattern = r"\.?".join(re.escape(d) for d in body) + r"\s*-?\s*" + re.escape(check)
        text = re.sub(pattern, "", text, flags=re.IGNORECASE)
    for match in list(re.finditer(r"\+?\d[\d\s\-().]{6,}\d", text)):
        if contact.normalise_phone(match.group(0)):
            text = text.replace(match.group(0), "")
    text = re.sub(
        r"\b(?:mi\s+)?(?:tel[eé]fono|fono|celular|correo|e-?mail|rut)\s*(?:es|:)?\s*(?=[,.;]|$)",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return re.sub(r"\s+([,.;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;")
