"""Bot text made fit for text-to-speech: folios, RUTs, phones and dates spelled, links named.

Pure functions: a chat reply ("Su folio es RC-2026-000123") becomes what a caller can write down
("R C, dos cero dos seis, cero cero cero uno dos tres").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from oirs_rules.dates import MONTHS
from oirs_rules.folio import FOLIO_RE

from channels.voice.texts import TEXTS

DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
# a link, without the punctuation that closes the sentence around it ("…idNorma=251693).")
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s«»]*[^\s«»).,;:!?]", re.IGNORECASE)
# sites a caller can look up by name; any other link is the municipality's own
SITES = {
    "consejotransparencia.cl": "el sitio del Consejo para la Transparencia",
    "portaltransparencia.cl": "el Portal de Transparencia",
    "bcn.cl": "el sitio Ley Chile de la Biblioteca del Congreso",
}
OWN_SITE = "el sitio web municipal"
EMAIL_RE = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
DATE_RE = re.compile(r"\b(\d{2})-(\d{2})-(\d{4})\b")
RUT_RE = re.compile(r"\b(\d{1,2})\.?(\d{3})\.?(\d{3})-([\dkK])\b")
PHONE_RE = re.compile(r"(?<![\w-])\+?56[\s-]?([29](?:[\s-]?\d){8})\b")
LOCAL_PHONE_RE = re.compile(r"(?<![\w.,+-])([29](?:[\s-]?\d){8})\b")
EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
DECORATION_RE = re.compile(r"[«»*_`#•]")


def spell_digits(digits: str) -> str:
    """Digits one by one ("0123" -> "cero uno dos tres"), so a caller can write them down."""
    return " ".join(DIGIT_WORDS[int(d)] for d in digits if d.isdigit())


def spell_folio(folio: str) -> str:
    """A folio read on the phone: "R C, dos cero dos seis, cero cero cero uno dos tres"."""
    match = FOLIO_RE.fullmatch(folio.strip())
    if not match:
        raise ValueError(f"not a folio: {folio!r}")
    prefix, year, number = match.groups()
    return f"{' '.join(prefix.upper())}, {spell_digits(year)}, {spell_digits(number)}"


def _spoken_date(match: re.Match[str]) -> str:
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return match.group(0)
    return f"{day} de {MONTHS[month - 1]} de {year}"


def _spoken_rut(match: re.Match[str]) -> str:
    body = "".join(match.groups()[:3])
    check = match.group(4).upper()
    check_word = "K" if check == "K" else DIGIT_WORDS[int(check)]
    return f"{spell_digits(body)}, guion {check_word}"


def _spoken_phone(match: re.Match[str]) -> str:
    return "más cinco seis, " + _spoken_local_phone(match)


def _spoken_local_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    return ", ".join(spell_digits(g) for g in (digits[0], digits[1:5], digits[5:]))


def _spoken_email(match: re.Match[str]) -> str:
    user, domain = match.groups()
    return f"{user.replace('.', ' punto ')} arroba {domain.replace('.', ' punto ')}"


def _spoken_url(match: re.Match[str]) -> str:
    """A link said as the site it belongs to; "en" only where the sentence lacks it."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0).lower()).split("/")[0]
    site = next((name for domain, name in SITES.items() if host.endswith(domain)), OWN_SITE)
    before = match.string[: match.start()].rstrip().lower()
    if re.search(r"\b(?:en|a|de|del|desde|por|y en)$", before):
        return site
    return f"en {site}"


def speakable(text: str) -> str:
    """Bot text made fit for text-to-speech: folios, RUT and phones spelled, links named."""
    text = FOLIO_RE.sub(lambda m: spell_folio(m.group(0)), text)
    text = URL_RE.sub(_spoken_url, text)
    text = EMAIL_RE.sub(_spoken_email, text)
    text = RUT_RE.sub(_spoken_rut, text)
    text = PHONE_RE.sub(_spoken_phone, text)
    text = LOCAL_PHONE_RE.sub(_spoken_local_phone, text)
    text = DATE_RE.sub(_spoken_date, text)
    text = EMOJI_RE.sub("", text)
    text = DECORATION_RE.sub("", text)
    text = re.sub(r"([.:;!?¿¡])?\s*\n+\s*", lambda m: (m.group(1) or ".") + " ", text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def numbered_options(buttons: Sequence[Mapping[str, Any]]) -> str:
    """Buttons read as a numbered list; keys 1-9 answer them, 0 always reaches a person."""
    parts = [TEXTS["options_intro"]]
    for number, button in enumerate(buttons[:9], start=1):
        parts.append(TEXTS["option"].format(number=number, title=speakable(str(button["title"]))))
    if not any(str(b.get("payload", "")) == "/hablar_con_humano" for b in buttons[:9]):
        parts.append(TEXTS["option_person"])
    return " ".join(parts)


def find_folio(texts: Sequence[str]) -> str | None:
    """The first folio the bot mentioned in a turn (normalised), if any."""
    for text in texts:
        match = FOLIO_RE.search(text)
        if match:
            prefix, year, number = match.groups()
            return f"{prefix.upper()}-{year}-{number}"
    return None
