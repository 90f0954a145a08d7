"""Checks and normalisation of what residents type: RUT, e-mail, Chilean phone, folio, names."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.cl import rut as cl_rut


class InvalidValue(ValueError):
    """The resident's value does not pass the check; the bot asks again."""


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_FULL_RE = re.compile(r"^" + EMAIL_RE.pattern + r"$")
_PHONE_CANDIDATE_RE = re.compile(r"(?:\+?\d[\d\s\-().]{6,}\d)")
# a RUT written with dots or a dash; bare digits could be a phone and are told apart later
_RUT_CANDIDATE_RE = re.compile(r"\b(?:\d{1,2}\.\d{3}\.\d{3}\s*-?\s*|\d{7,8}\s*-\s*)[\dkK]\b")
_BARE_RUT_RE = re.compile(r"\b\d{8,9}\b|\b\d{7,8}[kK]\b")
_FOLIO_RE = re.compile(r"\b(RC|SG|FL|CS|SAI)[\s\-_]*(\d{4})[\s\-_]*(\d{1,6})\b", re.IGNORECASE)


def normalize_rut(value: str) -> str:
    """Return the RUT formatted as 12.345.678-5; InvalidValue when the check digit fails."""
    try:
        return cl_rut.format(cl_rut.validate(value.strip()))
    except stdnum_errors.ValidationError as error:
        raise InvalidValue(value) from error


def normalize_email(value: str) -> str:
    """Return the e-mail in lower case, or raise InvalidValue."""
    candidate = value.strip().strip(".,;").lower()
    if not _EMAIL_FULL_RE.match(candidate) or ".." in candidate:
        raise InvalidValue(value)
    return candidate


def normalize_phone(value: str) -> str:
    """Return a valid Chilean (or explicitly international) phone in E.164, else InvalidValue."""
    try:
        number = phonenumbers.parse(value.strip(), "CL")
    except phonenumbers.NumberParseException as error:
        raise InvalidValue(value) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_email(text: str) -> str | None:
    """First valid e-mail written anywhere in a message."""
    for match in EMAIL_RE.finditer(text):
        try:
            return normalize_email(match.group(0))
        except InvalidValue:
            continue
    return None


def find_phone(text: str) -> str | None:
    """First valid Chilean phone written anywhere in a message (RUTs and e-mails ignored)."""
    cleaned = EMAIL_RE.sub(" ", _RUT_CANDIDATE_RE.sub(" ", text))
    for match in _PHONE_CANDIDATE_RE.finditer(cleaned):
        try:
            return normalize_phone(match.group(0))
        except InvalidValue:
            continue
    return None


def find_rut(text: str) -> str | None:
    """First RUT written with dots or dash in a message, as typed (None if absent)."""
    match = _RUT_CANDIDATE_RE.search(text)
    return re.sub(r"\s", "", match.group(0)) if match else None


def find_bare_rut(text: str) -> str | None:
    """A valid RUT written as bare digits ("123456785"), formatted; None when absent or invalid."""
    for match in _BARE_RUT_RE.finditer(text):
        try:
            return normalize_rut(match.group(0))
        except InvalidValue:
            continue
    return None


def normalize_folio(value: str) -> str:
    """Folio as PREFIX-YYYY-NNNNNN from loose writing ("rc 2026 123"), else InvalidValue."""
    match = _FOLIO_RE.search(value or "")
    if not match:
        raise InvalidValue(value)
    prefix, year, number = match.groups()
    return f"{prefix.upper()}-{year}-{int(number):06d}"


def clean_name(value: str) -> str:
    """Return a person's name in title case without lead-ins like "me llamo", else InvalidValue."""
    text = re.sub(
        r"^\s*(?:mi nombre es|me llamo|soy|nombre:?|es)\s+", "", value.strip(), flags=re.IGNORECASE
    )
    text = re.sub(r"\s+", " ", text).strip(" .,;")
    if not text or len(text) > 80 or not re.fullmatch(r"[A-Za-zÀ-ÿ'\- ]+", text):
        raise InvalidValue(value)
    if len(text.replace(" ", "")) < 2 or fold(text) in _NOT_NAMES:
        raise InvalidValue(value)
    if any(word in _NEVER_IN_NAMES for word in fold(text).split()):
        raise InvalidValue(value)  # "no quiero dar contacto" is a sentence, not a name
    words = text.split(" ")
    return " ".join(
        part.lower()
        if 0 < i < len(words) - 1 and fold(part) in _PARTICLES
        else part[:1].upper() + part[1:]
        for i, part in enumerate(words)
    )


_PARTICLES = {"de", "del", "la", "las", "los", "y"}  # "María de la Luz", "Juan Pablo del Río"
_NOT_NAMES = {"si", "no", "ok", "hola", "gracias", "bueno", "ya", "dale", "nada", "ninguno"}
# Words a sentence has and a Chilean name does not ("de", "del", "la" do occur: "María de la Luz").
_NEVER_IN_NAMES = {
    "no", "quiero", "quisiera", "prefiero", "deseo", "puedo", "dar", "doy", "decir", "digo",
    "nombre", "contacto", "datos", "dato", "anonimo", "anonima", "anonimamente", "gracias",
    "porque", "para", "que", "por", "favor", "necesito", "tengo", "es", "son", "esta", "mejor",
}  # fmt: skip
_REFUSAL_RE = re.compile(
    r"\b(?:no (?:quiero|deseo|puedo|voy a|le voy a)|prefiero no|sin (?:dar )?(?:mi )?nombre"
    r"|anonim)"
)


def refuses(text: str) -> bool:
    """The resident declines to give what was asked ("no quiero dar mi nombre", "anónimo")."""
    return bool(_REFUSAL_RE.search(fold(text or "")))


_NAME_WORD = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ']+"
_NAME_AFTER_RE = re.compile(
    rf"\b(?:soy|me llamo|mi nombre es)\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})"
)


def find_name(text: str) -> str | None:
    """A capitalised name introduced by "soy", "me llamo" or "mi nombre es" in a message."""
    match = _NAME_AFTER_RE.search(text)
    return match.group(1) if match else None


def has_surname(name: str) -> bool:
    """Ley 20.285 art. 12 asks for name and surnames: at least two words."""
    return len(name.split()) >= 2


def fold(text: str) -> str:
    """Lower case without accents, for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_FILLER_WORDS = {
    "hola",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "noches",
    "quiero",
    "quisiera",
    "queria",
    "necesito",
    "deseo",
    "desearia",
    "gustaria",
    "me",
    "mi",
    "hacer",
    "poner",
    "ingresar",
    "dejar",
    "presentar",
    "realizar",
    "registrar",
    "enviar",
    "un",
    "una",
    "uno",
    "el",
    "la",
    "los",
    "las",
    "de",
    "del",
    "al",
    "a",
    "por",
    "favor",
    "para",
    "con",
    "y",
    "o",
    "que",
    "es",
    "sobre",
    "reclamo",
    "reclamos",
    "reclamar",
    "queja",
    "quejas",
    "quejarme",
    "denuncia",
    "denunciar",
    "sugerencia",
    "sugerencias",
    "sugerir",
    "felicitar",
    "felicitacion",
    "felicitaciones",
    "solicitud",
    "solicitar",
    "informacion",
    "pedir",
    "consulta",
    "tengo",
    "tener",
    "algo",
    "ayuda",
    "porfa",
    "porfavor",
    "ok",
    "si",
    "bueno",
    "hay",
}


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
    text = _RUT_CANDIDATE_RE.sub("", text)
    for match in list(_PHONE_CANDIDATE_RE.finditer(text)):
        try:
            normalize_phone(match.group(0))
        except InvalidValue:
            continue
        text = text.replace(match.group(0), "")
    text = re.sub(
        r"\b(?:mi\s+)?(?:tel[eé]fono|fono|celular|correo|e-?mail|rut)\s*(?:es|:)?\s*(?=[,.;]|$)",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return re.sub(r"\s+([,.;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;")
