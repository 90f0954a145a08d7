"""A resident's contact data as they write it: Chilean phones, RUTs and e-mails, found and checked.

Libraries do the checking (phonenumbers, python-stdnum, email-validator); this module only finds
the candidates in resident text: a house number is never a phone, a year never a RUT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.cl import rut as cl_rut
from stdnum.exceptions import ValidationError

from oirs_rules.text import fold, spoken_numbers_to_digits

# --- RUT ---------------------------------------------------------------------------------------

# 12.345.678-5, 12345678-5, 12.345.678 - K, 12345678k, 7.654.321-0
_RUT_FORMATTED = re.compile(
    r"(?<![\d.])(\d{1,2}\.\d{3}\.\d{3}|\d{7,8})\s*(?:-|‐|–|guion|guión)?\s*([\dkK])(?![\w])"
)
_RUT_CUE = re.compile(r"\brut\b|\brun\b|\bcarnet\b|\bcedula\b", re.IGNORECASE)


def normalise_rut(value: str) -> str | None:
    """'12.345.678-5' / '123456785' / '12345678 k' -> '12345678-5'; None when the check fails."""
    compact = re.sub(r"[^\dkK]", "", value or "")
    try:
        valid = cl_rut.validate(compact)
    except ValidationError:
        return None
    return f"{valid[:-1]}-{valid[-1].upper()}"


def format_rut(value: str) -> str:
    """Display form with dots: 12.345.678-5."""
    return str(cl_rut.format(value))


_CHECK_WORDS = {
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9", "ka": "k", "ca": "k", "k": "k",
}  # fmt: skip
_SPOKEN_CHECK = re.compile(
    r"\b(guion|guión|raya|menos|digito|dígito|verificador)\s+(" + "|".join(_CHECK_WORDS) + r")\b",
    re.IGNORECASE,
)
# "14 057 659 k", "12 8 1 6 3 1 3 guion 1": groups of digits read or typed apart before the check
_SPACED_RUT = re.compile(
    r"(?<![\d.])((?:\d{1,3}\s+){1,7}\d{1,3})(\s*(?:-|guion|guión|raya)?\s*[\dkK])(?![\w])",
    re.IGNORECASE,
)


_MIXED_MILLIONS = re.compile(
    r"\b(\d{1,2})\s+millon(?:es)?\s+(\d{1,3})\s+mil\s+(\d{1,3})\b", re.IGNORECASE
)


_SAID_MILLIONS = re.compile(r"\b(\d{1,2}000000)\s+(\d{1,3})\s+1000\s+(\d{1,3})\b")


def _spoken_rut(text: str) -> str:
    """RUTs as said on the phone: number words to digits, the check digit's word to its digit,
    digit groups joined ("doce ocho uno… guion uno" -> "12816313-1")."""
    text = _MIXED_MILLIONS.sub(
        lambda m: str(int(m.group(1)) * 1_000_000 + int(m.group(2)) * 1000 + int(m.group(3))),
        text,
    )
    value = spoken_numbers_to_digits(text)
    value = _MIXED_MILLIONS.sub(
        lambda m: str(int(m.group(1)) * 1_000_000 + int(m.group(2)) * 1000 + int(m.group(3))),
        value,
    )
    value = _SAID_MILLIONS.sub(
        lambda m: str(int(m.group(1)) + int(m.group(2)) * 1000 + int(m.group(3))), value
    )  # "catorce millones 567 mil 321": the words became "14000000 567 1000 321"
    value = _SPOKEN_CHECK.sub(lambda m: f"-{_CHECK_WORDS[fold(m.group(2))]}", value)
    value = re.sub(
        r"\s*\b(?:d[ií]gito\s+)?verificador\s+([\dkK])\b", r"-\1", value, flags=re.IGNORECASE
    )
    value = re.sub(r"\b(?:raya|guion|guión)\b", "-", value, flags=re.IGNORECASE)

    def joined(match: re.Match[str]) -> str:
        digits = re.sub(r"\s", "", match.group(1))
        return digits + match.group(2).strip() if 7 <= len(digits) <= 8 else match.group(0)

    return _SPACED_RUT.sub(joined, value)


def rut_candidates(text: str) -> list[str]:
    """Every RUT-shaped group in the text, valid or not, as typed (for "that RUT is wrong")."""
    spoken = _spoken_rut(text)
    found = []
    for match in _RUT_FORMATTED.finditer(spoken):
        body, check = match.group(1), match.group(2)
        digits = body.replace(".", "")
        raw = match.group(0)
        bare = "." not in body and not re.search(r"[-‐–]|gui", raw, re.IGNORECASE)
        if bare and not _RUT_CUE.search(spoken[: match.start()][-30:]):
            # bare digits ("123456785") are a RUT only when it is named or the number checks
            if check.lower() != "k" and normalise_rut(digits + check) is None:
                continue
            if _looks_like_phone(digits + check):
                continue
        found.append(f"{digits}-{check.upper()}")
    return found


def find_ruts(text: str) -> list[str]:
    """Valid RUTs in a message, normalised ('12345678-5'), in order of appearance."""
    result = []
    for candidate in rut_candidates(text):
        normal = normalise_rut(candidate)
        if normal and normal not in result:
            result.append(normal)
    return result


def _looks_like_phone(digits: str) -> bool:
    return len(digits) == 9 and digits.startswith("9") and normalise_phone(digits) is not None


# --- phones ------------------------------------------------------------------------------------


def normalise_phone(value: str) -> str | None:
    """A valid Chilean (or explicitly international) number in E.164 form, or None."""
    text = (value or "").strip()
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and digits.startswith("56") and len(digits) == 11:
        text = "+" + digits  # 56976123345: the country code without its plus
    elif digits.startswith("0") and len(digits) == 10:
        text = digits[1:]  # 09 8723 4456: the trunk zero of the old dialling
    try:
        number = phonenumbers.parse(text, "CL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        # a Chilean mobile is 9, a digit from 2 to 9 and seven more, also in blocks the
        # library's metadata does not list yet ("+56 9 7000 1234"); "9 1234 5678" is none
        mobile = re.fullmatch(r"9[2-9]\d{7}", str(number.national_number))
        if number.country_code != 56 or not mobile:
            return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# digits with the separators people type inside a phone: spaces, dots, dashes, brackets
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s.\-()]{6,18}\d")


def find_phones(text: str) -> list[str]:
    """Valid phones in a message (E.164), never a house number, a RUT or part of an e-mail."""
    spoken = _join_spoken_digits(spoken_numbers_to_digits(text or ""))
    cleaned = _EMAIL_CANDIDATE.sub(" ", spoken)
    for match in list(_RUT_FORMATTED.finditer(cleaned)):
        digits = re.sub(r"\D", "", match.group(0))
        if (
            "." in match.group(1)
            or re.search(r"[-‐–kK]|gui", match.group(0)[len(match.group(1)) :])
            or (_RUT_CUE.search(cleaned[: match.start()][-30:]) and not _looks_like_phone(digits))
        ):
            cleaned = cleaned.replace(match.group(0), " " * len(match.group(0)))
    found: list[str] = []
    if not _PHONE_RUN.search(cleaned):
        cleaned = _join_digit_groups(cleaned)  # "veintidós seis treinta y uno cuarenta y ocho…"
    for matched in phonenumbers.PhoneNumberMatcher(cleaned, "CL", phonenumbers.Leniency.VALID):
        e164 = phonenumbers.format_number(matched.number, phonenumbers.PhoneNumberFormat.E164)
        _add(found, str(e164))
    for run in _PHONE_RUN.finditer(cleaned):
        normal = normalise_phone(run.group(0))
        if normal:
            _add(found, normal)
    return _in_text_order(found, cleaned)


def _add(found: list[str], value: str) -> None:
    if value not in found:
        found.append(value)


def _in_text_order(found: list[str], text: str) -> list[str]:
    digits = re.sub(r"\D", "", text)

    def position(phone: str) -> int:
        national = phone[3:] if phone.startswith("+56") else phone.lstrip("+")
        index = digits.find(national)
        return index if index >= 0 else len(digits)

    return sorted(found, key=position)


def _join_digit_groups(text: str) -> str:
    """Phone numbers dictated in pairs or threes, joined when they make a valid phone."""

    def joined(match: re.Match[str]) -> str:
        digits = re.sub(r"\s", "", match.group(0))
        return digits if normalise_phone(digits) else match.group(0)

    return re.sub(r"(?<![\d.])(?:\d{1,3}\s+){2,8}\d{1,3}(?![\d.])", joined, text)


def _join_spoken_digits(text: str) -> str:
    """'9 8 7 6 5 4 3 2 1' (digits read one by one) -> '987654321'."""
    return re.sub(r"(?<!\d)(?:\d\s){6,}\d(?!\d)", lambda m: m.group(0).replace(" ", ""), text)


# --- e-mail ------------------------------------------------------------------------------------

_EMAIL_CANDIDATE = re.compile(r"[\w.%+\-]+\s?@\s?[\w\-]+(?:\s?\.\s?[\w\-]+)+", re.UNICODE)
_SPOKEN_AT = re.compile(r"\s+arroba\s+", re.IGNORECASE)


def normalise_email(value: str) -> str | None:
    """A syntactically valid e-mail in lower case, or None (no DNS look-up)."""
    candidate = re.sub(r"\s+", "", (value or "").strip().strip(".,;:"))
    try:
        normal = validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return str(normal).lower()  # residents type their address in any case


def find_emails(text: str) -> list[str]:
    """Valid e-mails in a message, also as dictated ('juan punto perez arroba gmail punto com',
    'r o s a punto p a z arroba gmail punto com', 'lucho ochenta y dos arroba hotmail…'),
    spelled ('jota o ese e punto…', 've de vaca'), or typed around the at sign ('(arroba)',
    'gmail,com')."""
    typed = re.sub(r"\s*[(\[]\s*(?:arroba|at)\s*[)\]]\s*", "@", text or "", flags=re.I)
    typed = re.sub(r"(@[\w\-]+),(com|cl|net|org)\b", r"\1.\2", typed, flags=re.I)
    spoken = _dictated_email(typed)
    found: list[str] = []
    for match in _EMAIL_CANDIDATE.finditer(spoken):
        normal = normalise_email(_without_glued_word(match.group(0)))
        if normal and normal not in found:
            found.append(normal)
    return found


_COMMON_TLDS = {"com", "cl", "net", "org", "gob", "gov", "edu", "es", "co", "io", "info", "ar"}


def _without_glued_word(candidate: str) -> str:
    """'amparo@gmail.com.Atentamente' -> 'amparo@gmail.com': the next word typed without a
    space after the full stop is not part of the domain."""
    local, _, domain = candidate.partition("@")
    labels = domain.split(".")
    for index in range(1, len(labels) - 1):
        following = labels[index + 1].lower()
        known = labels[index].lower() in _COMMON_TLDS
        if known and following not in _COMMON_TLDS and len(following) > 3:
            return f"{local}@{'.'.join(labels[: index + 1])}"
    return candidate


_AFTER_A = {"electronico", "correo", "mail", "escribame", "escribeme", "envieme", "mandeme"}
# words that end the dictated local part when read backwards from "arroba"
_EMAIL_LEAD = {
    "es", "correo", "mail", "email", "e-mail", "mi", "el", "al", "seria", "sería", "que",
    "electronico", "electrónico", "escribame", "escribeme", "mandeme", "envieme",
}  # fmt: skip


def _dictated_email(text: str) -> str:
    if not _SPOKEN_AT.search(text):
        return text
    value = spoken_numbers_to_digits(text)
    words = _SPOKEN_AT.sub(" @ ", value).split()
    if "@" not in words:
        return text
    at = words.index("@")
    start = at
    while start > 0 and fold(words[start - 1]).strip(",.:") not in _EMAIL_LEAD:
        start -= 1
        if fold(words[start]) == "a" and start > 0 and fold(words[start - 1]) in _AFTER_A:
            start += 1  # "escríbame a juan punto…": "a" is the preposition
            break
    end = at + 1
    while end < len(words) and (
        fold(words[end]) == "punto"
        or (end > at + 1 and fold(words[end - 1]) == "punto")
        or end == at + 1
    ):
        end += 1
    if 0 < start < at and fold(words[start]) == "a" and fold(words[start - 1]) in _AFTER_A:
        start += 1  # "por correo a rodrigo punto salas arroba…": "a" is the preposition
    local = "".join(
        _spelled(w for w in words[start:at] if fold(w) not in {"todo", "junto", "todojunto"})
    )
    domain = "".join(words[at + 1 : end])
    local = re.sub(r"(?i)punto", ".", re.sub(r"(?i)guionbajo|guiónbajo", "_", local))
    domain = re.sub(r"(?i)punto", ".", domain)
    local = re.sub(r"(?i)guion|guión", "-", local)
    return " ".join([*words[:start], f"{local}@{domain}", *words[end:]])


# Spanish letter names, for an address spelled out on the phone
_LETTERS = {
    "a": "a", "be": "b", "ce": "c", "de": "d", "e": "e", "efe": "f", "ge": "g", "hache": "h",
    "i": "i", "jota": "j", "ka": "k", "ele": "l", "eme": "m", "ene": "n", "o": "o",
    "pe": "p", "cu": "q", "erre": "r", "ere": "r", "ese": "s", "te": "t", "u": "u", "ve": "v",
    "uve": "v", "equis": "x", "ye": "y", "zeta": "z", "seta": "z",
}  # fmt: skip


def _spelled(words: Iterable[str]) -> list[str]:
    """The local part as dictated: letters by name ("eme a erre i a" -> "maria"), a letter
    told by a word ("ve de vaca" -> "v"), or one letter before a surname ("ele rojas")."""
    tokens = list(words)
    keys = [fold(t).strip(",.") for t in tokens]
    letters = sum(1 for k in keys if k in _LETTERS)
    others = sum(1 for k in keys if k not in _LETTERS and k != "punto")
    out: list[str] = []
    if letters >= 3 and letters > others:
        index = 0
        while index < len(keys):
            key = keys[index]
            told = index + 2 < len(keys) and keys[index + 1] == "de"
            if key in _LETTERS and told and keys[index + 2][:1] == _LETTERS[key]:
                out.append(_LETTERS[key])  # "ve de vaca", "de de dedo"
                index += 3
                continue
            out.append(_LETTERS.get(key, tokens[index]))
            index += 1
        return out
    if len(keys) >= 2 and len(keys[0]) >= 2 and keys[0] in _LETTERS and keys[0] not in {"de"}:
        return [_LETTERS[keys[0]], *tokens[1:]]  # "ce punto vergara", "ele maldonado"
    return tokens


# --- the channel itself as the contact ---------------------------------------------------------

_SAME_CHANNEL = re.compile(
    r"\b(?:mism[oa]s?\s+(?:del?\s+|de\s+este\s+)?(?:numero|whatsapp|wsp|wasap|guasap|whats|"
    r"telegram|chat|canal|celular|fono|telefono|medio|lado|lugar|contacto|n°|nro)|"
    r"el\s+mismo\s+del\b|este\s+(?:mismo|medio|numero|whatsapp|wsp|chat|canal|celular|fono|"
    r"telefono|telegram)\b|(?:por|a|al|en)\s+(?:aqui|aca)\b|(?:aqui|aca)\s+(?:mismo|nomas|"
    r"por\s+(?:el\s+)?(?:whatsapp|wsp|telegram|chat))|escrib\w*\s+(?:por\s+)?(?:aqui|aca)\b|"
    r"(?:por|al|en)\s+(?:el\s+)?(?:whatsapp|wsp|wasap|telegram)\s+(?:q|que)\s+(?:estoy|le|les)|"
    r"(?:q|que)\s+estoy\s+(?:escribiendo|usando|hablando|llamando)|"
    r"desde\s+(?:el\s+)?(?:que|q|cual)\s+(?:le\s+|les\s+)?(?:escribo|llamo|hablo)|"
    r"al\s+que\s+(?:llamo|escribo)|del\s+que\s+(?:llamo|escribo)|"
    r"(?:por|al|aqui por|aca por)\s+(?:el\s+)?(?:telegram|whatsapp|wsp)\s*"
    r"(?:nomas|no\s+mas|mismo|$)|"
    r"(?:llam|escrib|contact|respond|avis)\w*\s+(?:por\s+)?(?:aqui|aca|aki|aka)\b|"
    r"\b(?:o|y)\s+(?:por\s+)?(?:aqui|aca|aki|aka)\s*(?:mismo|nomas)?\s*[.!]*\s*$|"
    r"(?:numero|chat|whatsapp|wsp)\s+(?:q|que|del\s+que|desde\s+el\s+que)\s+(?:les?\s+)?"
    r"(?:escribo|llamo|hablo)|"
    r"\bal\s+mismo\b|(?:aki|aka)\s+mismo|por\s+(?:aki|aka)\b|este\s+\w+\s+mismo|"
    r"\bx\s+(?:aqui|aca|aki|aka)\b|\bx\s+(?:el\s+)?(?:telegram|whatsapp|wsp)\b|"
    r"desde\s+donde\s+(?:le\s+|les\s+)?(?:estoy\s+)?(?:hablando|escribiendo|hablo|escribo)|"
    r"por\s+donde\s+mismo|^\s*(?:aca|aqui|aki|aka)\s*(?:po|pos|nomas)?\s*[.!]*\s*$|"
    r"(?:por\s+)?(?:el|este)\s+(?:chat|whatsapp|wsp|telegram)\s+mismo|el\s+de\s+ahora\b)"
)


def says_same_channel(text: str) -> bool:
    """'al mismo whatsapp nomás', 'a este mismo número', 'por aquí mismo': reply on this channel."""
    return bool(_SAME_CHANNEL.search(fold(text or "")))


# "…gmail.com, escribí mal antes, es …", "9 8765 4321, no, perdón, 9 8765 4312"
_CORRECTION = re.compile(
    r"(?i)(?:\bno\b\s*[,.]|\bperd[oó]n\b|\bme equivoqu[eé]\b|\bescrib[ií] mal\b|"
    r"\bmejor dicho\b|\bquise decir\b|\bcorrijo\b)"
)


def meant(values: list[str], text: str) -> str | None:
    """The value a resident meant when a message holds several: the last one when they
    corrected themselves in it, else the first."""
    if not values:
        return None
    if len(values) > 1 and _CORRECTION.search(text or ""):
        return values[-1]
    return values[0]


# --- WhatsApp addresses ------------------------------------------------------------------------


def whatsapp_address(number: str) -> str:
    """A number as Twilio's WhatsApp API names it: "+56 9 8765 4321" -> "whatsapp:+56987654321".

    Separators are dropped and the prefix is written once, whether or not it was there: Twilio
    wants E.164 after "whatsapp:", and a sender configured with spaces must still be the sender.
    """
    digits = re.sub(r"[^\d+]", "", number.removeprefix("whatsapp:"))
    return f"whatsapp:{digits}"
