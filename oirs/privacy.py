"""Ley 21.719: everything held about a resident, and anonymisation after the retention term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oirs import workflow
from oirs.cases import SYSTEM, add_event
from oirs.contact import normalise_email, normalise_phone, normalise_rut
from oirs.errors import InvalidField
from oirs.masking import mask_text
from oirs.models import Adhesion, Case

# Years a closed case keeps the resident's data before it is anonymised, per case type.
DEFAULT_RETENTION_YEARS = {
    "reclamo": 5,
    "sugerencia": 5,
    "felicitacion": 2,
    "consulta": 2,
    "sai": 5,
    "datos_personales": 5,
}
ANONYMISED = "[anonimizado]"


@dataclass(frozen=True)
class Holder:
    """How a data holder is identified: any of e-mail, phone or RUT on file."""

    email: str | None = None
    phone: str | None = None
    rut: str | None = None

    @classmethod
    def parse(cls, email: str = "", phone: str = "", rut: str = "") -> Holder:
        holder = cls(
            email=normalise_email(email) if email else None,
            phone=normalise_phone(phone) if phone else None,
            rut=normalise_rut(rut) if rut else None,
        )
        if not (holder.email or holder.phone or holder.rut):
            raise InvalidField({"holder": "Indique un correo, teléfono o RUT válido del titular."})
        return holder


def holder_cases(session: Session, holder: Holder) -> list[Case]:
    """Every case whose contact data matches the holder."""
    conditions = []
    if holder.email:
        conditions.append(Case.contact_email == holder.email)
    if holder.phone:
        conditions.append(Case.contact_phone == holder.phone)
    if holder.rut:
        conditions.append(Case.contact_rut == holder.rut)
    return list(session.scalars(select(Case).where(or_(*conditions)).order_by(Case.id)))


def export_holder_data(session: Session, holder: Holder) -> dict[str, Any]:
    """The right of access: all personal data held about the holder, in a portable form."""
    cases = holder_cases(session, holder)
    adhesion_filters = []
    if holder.email:
        adhesion_filters.append(Adhesion.contact_email == holder.email)
    if holder.phone:
        adhesion_filters.append(Adhesion.contact_phone == holder.phone)
    adhesions = (
        session.scalars(select(Adhesion).where(or_(*adhesion_filters))).all()
        if adhesion_filters
        else []
    )
    return {
        "cases": [
            {
                "folio": c.folio,
                "type": c.type,
                "channel": c.channel,
                "created_at": c.created_at.isoformat(),
                "status": c.status,
                "description": c.description,
                "address": c.address,
                "contact": {
                    "name": c.contact_name,
                    "email": c.contact_email,
                    "phone": c.contact_phone,
                    "rut": c.contact_rut,
                    "postal_address": c.contact_postal_address,
                },
                "transcript": c.transcript,
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "sha256": a.sha256}
                    for a in c.attachments
                ],
            }
            for c in cases
        ],
        "adhesions": [
            {"case_id": a.case_id, "channel": a.channel, "created_at": a.created_at.isoformat()}
            for a in adhesions
        ],
    }


def anonymise_case(case: Case, reason: str) -> None:
    """Drop the resident's identity from a case; the case and its history stay."""
    case.contact_name = ANONYMISED
    case.contact_email = case.contact_phone = case.contact_rut = None
    case.contact_postal_address = None
    case.channel_user_id = None
    case.conversation_id = None
    case.description = mask_text(case.description)
    case.transcript = [
        {**turn, "text": ANONYMISED} if turn.get("sender") == "resident" else turn
        for turn in case.transcript
    ]
    case.details = {**case.details, "anonymised": True}
    add_event(case, SYSTEM, "anonymised", note=reason)


def anonymise_expired(
    session: Session, today: date, retention_years: dict[str, int] | None = None
) -> list[str]:
    """Anonymise closed cases past their type's retention term; returns their folios."""
    years = {**DEFAULT_RETENTION_YEARS, **(retention_years or {})}
    done = []
    for case_type, keep in years.items():
        limit = today - timedelta(days=365 * keep)
        candidates = session.scalars(
            select(Case).where(
                Case.type == case_type,
                Case.status.in_(workflow.ANSWERED_STATUSES),
                Case.received_on < limit,
                Case.contact_name.is_distinct_from(ANONYMISED),
            )
        )
        for case in candidates:
            anonymise_case(case, f"Plazo de conservación de {keep} años cumplido")
            done.append(case.folio)
    session.flush()
    return done
