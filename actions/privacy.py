"""Masking of personal data for log lines (SPEC §7): never log RUT, phone or e-mail in clear."""

from __future__ import annotations


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
