"""Validation and normalisation of a resident's contact data (RUT, e-mail, Chilean phone)."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.cl import rut as cl_rut
from stdnum.exceptions import ValidationError


def normalise_rut(value: str) -> str | None:
    """12.345.678-5 / 123456785 -> '12345678-5'; None when the check digit is wrong."""
    try:
        compact = cl_rut.validate(value)
    except ValidationError:
        return None
    return f"{compact[:-1]}-{compact[-1]}"


def format_rut(value: str) -> str:
    """Display form with dots: 12.345.678-5."""
    return str(cl_rut.format(value))


def normalise_email(value: str) -> str | None:
    """A syntactically valid e-mail in lower-case normal form, or None (no DNS look-up)."""
    try:
        normal = validate_email(value.strip(), check_deliverability=False).normalized
        return str(normal).lower()  # residents type their address in any case
    except EmailNotValidError:
        return None


def normalise_phone(value: str) -> str | None:
    """A valid Chilean (or international) number in E.164 form, or None."""
    try:
        number = phonenumbers.parse(value, "CL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
