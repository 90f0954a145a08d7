"""Duplicate-looking reclamos: same category, same street and a nearby number, still open."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.cases import workflow
from oirs.cases.filing import RESIDENT, ContactData, add_event
from oirs.models import Adhesion, Case, Category
from oirs.privacy.contact import normalise_email, normalise_phone

NEAR_NUMBERS = 100
_STREET = re.compile(r"^(?P<street>.*?)\s*(?:#|n[°º.]?|numero)?\s*(?P<number>\d{1,5})\b")


def street_key(address: str) -> tuple[str, int | None]:
    """('los aromos', 123) from 'Los Aromos #123, Villa X': accents, case and noise dropped."""
    text = unicodedata.normalize("NFKD", address or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b(calle|avenida|av|pasaje|psje|pje)\b\.?", " ", text)
    text = re.sub(r"[^a-z0-9# ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    match = _STREET.match(text)
    if not match or not match.group("street"):
        return text, None
    return match.group("street").strip(), int(match.group("number"))


def looks_near(a: str, b: str) -> bool:
    """Same street, numbers within a block or so."""
    street_a, number_a = street_key(a)
    street_b, number_b = street_key(b)
    if not street_a or street_a != street_b:
        return False
    if number_a is None or number_b is None:
        return number_a == number_b
    return abs(number_a - number_b) <= NEAR_NUMBERS


def similar_open_reclamos(
    session: Session, category_code: str, address: str, limit: int = 3
) -> list[tuple[Case, int]]:
    """Open reclamos of that category near that address, with their adhesion counts."""
    street, _ = street_key(address)
    if not street:
        return []
    candidates = session.scalars(
        select(Case)
        .join(Category, Case.category_id == Category.id)
        .where(Case.type == "reclamo", Category.code == category_code)
        .where(Case.status.not_in(workflow.ANSWERED_STATUSES))
        .order_by(Case.id.desc())
        .limit(500)
    ).all()
    near = [c for c in candidates if c.address and looks_near(c.address, address)][:limit]
    return [(c, adhesion_count(session, c)) for c in near]


def adhesion_count(session: Session, case: Case) -> int:
    count = session.scalar(select(func.count()).where(Adhesion.case_id == case.id))
    return int(count or 0)


def adhere(
    session: Session, case: Case, contact: ContactData, channel: str, channel_user_id: str | None
) -> int:
    """Join a resident to an open case; returns how many have joined."""
    session.add(
        Adhesion(
            case_id=case.id,
            channel=channel,
            channel_user_id=channel_user_id,
            contact_name=(contact.name or "").strip() or None,
            contact_email=normalise_email(contact.email) if contact.email else None,
            contact_phone=normalise_phone(contact.phone) if contact.phone else None,
        )
    )
    add_event(case, RESIDENT, "adhesion", note=f"Un vecino se adhirió por {channel}")
    session.flush()
    return adhesion_count(session, case)
