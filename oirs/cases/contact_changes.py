"""Corrections to a resident's contact data: a new event, never a silent overwrite."""

from __future__ import annotations

from sqlalchemy.orm import Session

from oirs.cases.filing import Actor, ContactData, add_event
from oirs.errors import InvalidField
from oirs.models import Case, CaseEvent
from oirs.privacy.contact import normalise_email, normalise_phone, normalise_rut

MESSAGES = {
    "email": "El correo electrónico no es válido.",
    "phone": "El teléfono no es un número chileno válido.",
    "rut": "El RUT no es válido: revise el dígito verificador.",
    "sai_rut": "Una solicitud de acceso a la información no pide RUT.",
    "sai_name": "La solicitud debe indicar nombre y apellidos.",
    "channel": "Ese canal de respuesta no existe.",
    "note": "Datos de contacto corregidos: {fields}.",
}
REPLY_CHANNELS = frozenset({"whatsapp", "telegram", "email"})
FIELD_NAMES = {
    "contact_name": "nombre",
    "contact_email": "correo",
    "contact_phone": "teléfono",
    "contact_rut": "RUT",
    "contact_postal_address": "dirección postal",
    "preferred_channel": "canal de respuesta",
}


def _normalised(case: Case, data: ContactData) -> dict[str, str | None]:
    """The new values, or InvalidField naming each bad one; empty text clears a value."""
    errors: dict[str, str] = {}
    values: dict[str, str | None] = {
        "contact_name": (data.name or "").strip() or None,
        "contact_postal_address": (data.postal_address or "").strip() or None,
    }
    email = (data.email or "").strip()
    values["contact_email"] = normalise_email(email) if email else None
    if email and values["contact_email"] is None:
        errors["contact.email"] = MESSAGES["email"]
    phone = (data.phone or "").strip()
    values["contact_phone"] = normalise_phone(phone) if phone else None
    if phone and values["contact_phone"] is None:
        errors["contact.phone"] = MESSAGES["phone"]
    rut = (data.rut or "").strip()
    values["contact_rut"] = normalise_rut(rut) if rut else None
    if rut and case.type == "sai":
        errors["contact.rut"] = MESSAGES["sai_rut"]
    elif rut and values["contact_rut"] is None:
        errors["contact.rut"] = MESSAGES["rut"]
    if case.type == "sai" and not values["contact_name"]:
        errors["contact.name"] = MESSAGES["sai_name"]
    channel = (data.preferred_channel or "").strip() or None
    if channel is not None and channel not in REPLY_CHANNELS:
        errors["contact.preferred_channel"] = MESSAGES["channel"]
    values["preferred_channel"] = channel or case.channel
    if errors:
        raise InvalidField(errors)
    return values


def correct_contact(
    session: Session, case: Case, actor: Actor, data: ContactData
) -> CaseEvent | None:
    """Apply the corrections; the event names the fields changed, not their personal values."""
    values = _normalised(case, data)
    changed = [name for name, value in values.items() if getattr(case, name) != value]
    if not changed:
        return None
    for name in changed:
        setattr(case, name, values[name])
    labels = ", ".join(FIELD_NAMES[name] for name in changed)
    event = add_event(
        case,
        actor,
        "contacto_corregido",
        MESSAGES["note"].format(fields=labels),
        data={"fields": changed},
    )
    session.flush()
    return event
