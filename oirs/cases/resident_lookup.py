"""Who the resident on a handed-off conversation is: their open cases, a search by phone, RUT or
folio, and the case form prefilled from what the conversation already gathered."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from oirs.cases import workflow
from oirs.cases.filing import ContactData
from oirs.cases.folios import parse_folio
from oirs.models import Case, Handoff
from oirs.privacy.contact import normalise_email, normalise_phone, normalise_rut

TYPE_BY_INTENT = {
    "reclamo": "reclamo",
    "sugerencia": "sugerencia",
    "felicitacion": "felicitacion",
    "solicitud_informacion": "sai",
}


def resident_phone(handoff: Handoff) -> str | None:
    """The phone behind a WhatsApp or phone-call identity ("whatsapp:+569…")."""
    if handoff.channel not in ("whatsapp", "voice") or not handoff.channel_user_id:
        return None
    return normalise_phone(handoff.channel_user_id.removeprefix("whatsapp:"))


def open_cases_of(session: Session, handoff: Handoff) -> list[Case]:
    """The resident's open cases: filed from this channel identity or with this phone."""
    conditions: list[ColumnElement[bool]] = []
    if handoff.channel_user_id:
        conditions.append(
            and_(Case.channel == handoff.channel, Case.channel_user_id == handoff.channel_user_id)
        )
    phone = resident_phone(handoff) or normalise_phone(str(handoff.slots.get("telefono") or ""))
    if phone:
        conditions.append(Case.contact_phone == phone)
    if not conditions:
        return []
    query = (
        select(Case)
        .where(or_(*conditions), Case.status.not_in(workflow.FINAL_STATUSES))
        .order_by(Case.id.desc())
        .limit(20)
    )
    return list(session.scalars(query))


def search_residents(session: Session, text: str) -> list[Case]:
    """Cases by folio, phone or RUT, newest first."""
    text = (text or "").strip()
    if not text:
        return []
    folio = parse_folio(text)
    if folio is not None:
        return list(session.scalars(select(Case).where(Case.folio == str(folio))))
    conditions: list[ColumnElement[bool]] = []
    if rut := normalise_rut(text):
        conditions.append(Case.contact_rut == rut)
    if phone := normalise_phone(text):
        conditions.append(Case.contact_phone == phone)
    if email := normalise_email(text):
        conditions.append(Case.contact_email == email)
    if not conditions:
        return []
    return list(session.scalars(select(Case).where(or_(*conditions)).order_by(Case.id.desc())))


def _slot(handoff: Handoff, *names: str) -> str | None:
    for name in names:
        value = (handoff.slots or {}).get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def prefill_contact(handoff: Handoff) -> ContactData:
    """Contact data the conversation already gave, valid or not (the form validates it)."""
    return ContactData(
        name=_slot(handoff, "nombre", "name"),
        email=_slot(handoff, "correo", "email"),
        phone=_slot(handoff, "telefono", "phone") or resident_phone(handoff),
        rut=_slot(handoff, "rut"),
        preferred_channel=handoff.channel,
    )


def prefill_case(handoff: Handoff) -> dict[str, str | None]:
    """The case form as far as the conversation filled it."""
    contact = prefill_contact(handoff)
    case_type = _slot(handoff, "tipo", "type") or TYPE_BY_INTENT.get(handoff.intent or "")
    return {
        "type": case_type or "consulta",
        "category": _slot(handoff, "categoria", "category"),
        "description": _slot(handoff, "descripcion", "description", "informacion_solicitada"),
        "address": _slot(handoff, "direccion", "address"),
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "rut": contact.rut,
    }
