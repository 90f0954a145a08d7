"""Text helpers every parser shares: accent folding, spoken numbers, word splitting, stop words."""

from __future__ import annotations

import re
import unicodedata

from text_to_num import alpha2digit

# Words of a resident's message that say nothing about its subject, accent-free as fold() gives
# them: articles, prepositions, greetings, courtesy and asking. Each reader adds its own.
STOPWORDS = frozenset(
    {
        "a", "al", "con", "de", "del", "el", "es", "la", "las", "los", "o", "para", "por", "un",
        "una", "y",
        "hola", "buenas", "buenos", "dias", "tardes", "noches",
        "favor", "porfa",
        "necesito", "queria", "quisiera", "consulta",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents (ñ becomes n), for matching words, never for storing."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def squeeze(text: str) -> str:
    """One space between words, none around the ends."""
    return re.sub(r"\s+", " ", text or "").strip()


_NUMBER_WORD = re.compile(
    r"\b(?:cero|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|"
    r"catorce|quince|dieci\w+|veinte|veinti\w+|treinta|cuarenta|cincuenta|sesenta|setenta|"
    r"ochenta|noventa|cien|ciento|\w+cientos|\w+cientas|quinientos|mil|millon|millones|"
    r"millón)\b",
    re.IGNORECASE,
)
# "una" and "uno" are words far more often than numbers ("una vecina", "uno de los perros")
_LONE_ARTICLE = re.compile(r"^(?:un|una|uno)$", re.IGNORECASE)


# text2num knows these only with their accent, which speech-to-text and residents often drop
_UNACCENTED = {
    "veintiun": "veintiún", "veintidos": "veintidós", "veintitres": "veintitrés",
    "veintiseis": "veintiséis", "dieciseis": "dieciséis",
}  # fmt: skip
_UNACCENTED_RE = re.compile(r"\b(" + "|".join(_UNACCENTED) + r")\b", re.IGNORECASE)


def spoken_numbers_to_digits(text: str) -> str:
    """'los aromos mil doscientos cuarenta' -> 'los aromos 1240' (speech-to-text habits).

    Text without number words is returned as it is, so typed messages keep every character.
    """
    words = [m.group(0) for m in _NUMBER_WORD.finditer(text or "")]
    if not words or all(_LONE_ARTICLE.match(word) for word in words):
        return text
    text = _UNACCENTED_RE.sub(lambda m: _UNACCENTED[m.group(1).lower()], text)
    converted = alpha2digit(text, "es")
    return str(converted)
