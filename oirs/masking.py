"""Masks for personal data in logs and exports (Ley 21.719): RUT, phone and e-mail."""

from __future__ import annotations

import logging
import re

from oirs_rules.folio import FOLIO_RE

_EMAIL = re.compile(
    r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-])[A-Za-z0-9.-]*(\.[A-Za-z]{2,})"
)
_RUT = re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]\b")
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ()-]{7,}\d(?![\w-])")
# Kept readable: folios, dates and timestamps (which would otherwise look like phone numbers).
_KEEP = re.compile(
    FOLIO_RE.pattern
    + r"|\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b\d{1,2}-\d{1,2}-\d{4}\b"
)


def mask_email(value: str) -> str:
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}***{m.group(3)}", value)


def mask_text(text: str) -> str:
    """Replace every e-mail, RUT and phone-looking number in free text; folios stay readable."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _KEEP.sub(keep, text)
    text = mask_email(text)
    text = _RUT.sub(lambda m: "**.***.***-" + m.group(0)[-1], text)
    text = _PHONE.sub(lambda m: "+** *** *** " + re.sub(r"\D", "", m.group(0))[-2:], text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


class MaskingFilter(logging.Filter):
    """Applied to every handler: no log line carries an unmasked RUT, phone or e-mail."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_text(message)
        record.args = None
        return True
