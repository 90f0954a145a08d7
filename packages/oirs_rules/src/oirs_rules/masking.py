"""Masks for personal data in logs and exports (Ley 21.719): RUT, phone and e-mail.

Free text (log lines, transcripts, exports) goes through mask_text; a field the code already
knows is a RUT, phone, e-mail or channel identity through its own mask, which keeps a little
more so staff can tell two residents apart in a log.
"""

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


def mask_text(text: str) -> str:
    """Replace every e-mail, RUT and phone-looking number in free text; folios stay readable."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _KEEP.sub(keep, text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}***{m.group(3)}", text)
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


def mask_rut(rut: str | None) -> str:
    """12.345.678-5 -> **.***.678-5 (last three digits and check digit only)."""
    if not rut:
        return "-"
    body = rut.replace(".", "").replace("-", "")
    return "**.***." + body[-4:-1] + "-" + body[-1:] if len(body) > 4 else "***"


def mask_email(email: str | None) -> str:
    """juana.perez@correo.cl -> j***@correo.cl."""
    if not email or "@" not in email:
        return "-"
    local, domain = email.split("@", 1)
    return local[:1] + "***@" + domain


def mask_phone(phone: str | None) -> str:
    """+56987654321 -> +569*****321."""
    if not phone:
        return "-"
    return phone[:4] + "*" * max(0, len(phone) - 7) + phone[-3:]


def mask_id(value: str) -> str:
    """A channel identity (phone, chat id) safe for a log line: only its last 3 characters."""
    return "***" + value[-3:] if len(value) > 3 else "***"
