"""Filing and moving cases: every change is an event row, and the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from oirs_rules.dates import SANTIAGO
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import compute_deadline
from oirs.calendar.terms import CALENDAR_DAY_TYPES, term_for
from oirs.cases import workflow
from oirs.cases.folios import PREFIXES, next_folio, parse_folio
from oirs.errors import CaseNotFound, InvalidField, UnknownUnit
from oirs.labels import DATA_RIGHTS
from oirs.models import Case, CaseEvent, Category, Channel, Unit, utcnow
from oirs.privacy.contact import normalise_email, normalise_phone, normalise_rut

MAX_DESCRIPTION = 10_000


@dataclass(frozen=True)
class Actor:
    """Who does something: a staff user, or a system/resident label."""

    label: str
    user_id: int | None = None
    role: str | None = None


UNCLASSIFIED = "otro"  # the category of a reclamo nobody has given a theme yet
RESIDENT = Actor("vecino")
SYSTEM = Actor("sistema")


@dataclass
class ContactData:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    rut: str | None = None
    postal_address: str | None = None
    preferred_channel: str | None = None


@dataclass
class NewCase:
    type: str
    channel: str
    description: str
    category: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact: ContactData = field(default_factory=ContactData)
    channel_user_id: str | None = None
    conversation_id: str | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def validate_new_case(session: Session, data: NewCase) -> tuple[NewCase, Category | None]:
    """Normalise a filing request, or raise InvalidField with a Spanish message per field."""
    errors: dict[str, str] = {}
    if data.type not in PREFIXES:
        errors["type"] = "El tipo de caso no existe."
    if data.channel not in {c.value for c in Channel}:
        errors["channel"] = "El canal no existe."
    description = (data.description or "").strip()
    if not description:
        errors["description"] = "Falta la descripción del caso."
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = "La descripción es demasiado larga (máximo 10.000 caracteres)."
    category = None
    if data.category:
        category = session.scalar(select(Category).where(Category.code == data.category))
        if category is None or not category.active:
            errors["category"] = "La categoría no existe."
    elif data.type == "reclamo":
        category = session.scalar(select(Category).where(Category.code == "otro"))
    contact = data.contact
    rut = email = phone = None
    if _clean(contact.rut):
        if data.type == "sai":
            errors["contact.rut"] = "Una solicitud de acceso a la información no pide RUT."
        elif (rut := normalise_rut(contact.rut or "")) is None:
            errors["contact.rut"] = "El RUT no es válido: revise el dígito verificador."
    if _clean(contact.email) and (email := normalise_email(contact.email or "")) is None:
        errors["contact.email"] = "El correo electrónico no es válido."
    if _clean(contact.phone) and (phone := normalise_phone(contact.phone or "")) is None:
        errors["contact.phone"] = "El teléfono no es un número chileno válido."
    if data.type == "sai":
        errors.update(_sai_errors(data, email))
    if data.type == "datos_personales":
        errors.update(_data_rights_errors(data, email, phone))
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["coordinates"] = "Las coordenadas no son válidas."
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["coordinates"] = "Las coordenadas no son válidas."
    if errors:
        raise InvalidField(errors)
    data.description = description
    data.contact = ContactData(
        name=_clean(contact.name),
        email=email,
        phone=phone,
        rut=rut,
        postal_address=_clean(contact.postal_address),
        preferred_channel=_clean(contact.preferred_channel),
    )
    data.address = _clean(data.address)
    return data, category


def _sai_errors(data: NewCase, email: str | None) -> dict[str, str]:
    """Ley 20.285 art. 12: name, a notification address; never a reason for asking."""
    errors = {}
    if not _clean(data.contact.name):
        errors["contact.name"] = "La solicitud debe indicar nombre y apellidos."
    if not email and not _clean(data.contact.postal_address):
        errors["contact.email"] = "Indique un correo o una dirección postal para notificarle."
    if "reason" in data.details or "motivo" in data.details:
        errors["sai.reason"] = "No se puede exigir ni registrar el motivo de la solicitud."
    return errors


def _data_rights_errors(data: NewCase, email: str | None, phone: str | None) -> dict[str, str]:
    """Ley 21.719: which right, and a way to identify and answer the holder."""
    errors = {}
    if data.details.get("right") not in DATA_RIGHTS:
        errors["details.right"] = "Indique el derecho: " + ", ".join(DATA_RIGHTS.values()) + "."
    if not email and not phone and not _clean(data.contact.postal_address):
        errors["contact.email"] = "Indique un correo, teléfono o dirección para responderle."
    return errors


def file_case(
    session: Session,
    data: NewCase,
    calendar: BusinessCalendar,
    now: datetime | None = None,
    actor: Actor = RESIDENT,
) -> tuple[Case, bool]:
    """Register a case with its folio, unit and due date; (case, False) when already filed."""
    if data.idempotency_key:
        existing = session.scalar(select(Case).where(Case.idempotency_key == data.idempotency_key))
        if existing is not None:
            return existing, False
    data, category = validate_new_case(session, data)
    now = now or utcnow()
    local = now.astimezone(SANTIAGO)
    days = term_for(session, data.type, category.code if category else None)
    if data.type in CALENDAR_DAY_TYPES:
        due = local.date() + timedelta(days=days)
    else:
        due = compute_deadline(local, days, calendar).due
    folio = next_folio(session, data.type, local.year)
    status = workflow.INITIAL_STATUS[data.type]
    case = Case(
        folio=str(folio),
        type=data.type,
        channel=data.channel,
        status=status,
        description=data.description,
        category=category,
        unit=category.unit if category else None,
        address=data.address,
        latitude=data.latitude,
        longitude=data.longitude,
        created_at=now,
        received_on=local.date(),
        term_business_days=days,
        due_date=due,
        contact_name=data.contact.name,
        contact_rut=data.contact.rut,
        contact_email=data.contact.email,
        contact_phone=data.contact.phone,
        contact_postal_address=data.contact.postal_address,
        preferred_channel=data.contact.preferred_channel or data.channel,
        channel_user_id=data.channel_user_id,
        conversation_id=data.conversation_id,
        transcript=list(data.transcript),
        details=dict(data.details),
        idempotency_key=data.idempotency_key,
    )
    session.add(case)
    case.events.append(
        CaseEvent(
            at=now,
            actor_user_id=actor.user_id,
            actor_label=actor.label,
            kind="filed",
            to_status=status,
            note=f"Ingresado por {data.channel}",
            data={"due_date": due.isoformat(), "term_days": days},
        )
    )
    if arrives_classified(data.type, category.code if category and data.category else None):
        assert category is not None
        case.events.append(
            CaseEvent(
                at=now,
                actor_user_id=actor.user_id,
                actor_label=actor.label,
                kind="clasificar",
                from_status=status,
                to_status="clasificado",
                note=f"Tema indicado al ingresar: {category.name}",
                data={"category": category.code, "previous_category": None},
            )
        )
        case.status = "clasificado"
    session.flush()
    return case, True


def arrives_classified(case_type: str, category_code: str | None) -> bool:
    """A theme given at filing (by the resident, the bot's classifier or staff) is the
    classification: the case need not wait for a separate «Clasificar»; staff may still
    reclassify. «otro» is no theme, so those cases wait for OIRS staff."""
    return (
        category_code not in (None, UNCLASSIFIED)
        and workflow.INITIAL_STATUS.get(case_type) == "ingresado"
    )


def get_case(session: Session, folio_text: str) -> Case:
    """The case with this folio (written loosely or not), or CaseNotFound."""
    folio = parse_folio(folio_text)
    case = session.scalar(select(Case).where(Case.folio == str(folio))) if folio else None
    if case is None:
        raise CaseNotFound(f"No existe un caso con folio «{folio_text}».")
    return case


def add_event(
    case: Case,
    actor: Actor,
    kind: str,
    note: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Append an event; the status changes only through here."""
    event = CaseEvent(
        at=now or utcnow(),
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        kind=kind,
        from_status=case.status if to_status else None,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    case.events.append(event)
    if to_status:
        case.status = to_status
        if to_status in workflow.FINAL_STATUSES:
            case.closed_at = event.at
    return event


def transition(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Move a case along its workflow, or raise InvalidTransition."""
    target = workflow.next_status(case.type, case.status, action, actor.role)
    event = add_event(case, actor, action, note, target, data, now)
    session.flush()
    return event


def derive_to_unit(
    session: Session, case: Case, unit_code: str, actor: Actor, note: str | None = None
) -> CaseEvent:
    """Send a case to the municipal unit that must act on it."""
    unit = session.scalar(select(Unit).where(Unit.code == unit_code, Unit.active.is_(True)))
    if unit is None:
        raise UnknownUnit(f"La unidad «{unit_code}» no existe o está inactiva.")
    previous = case.unit.code if case.unit else None
    case.unit = unit
    return transition(
        session, case, "derivar", actor, note, {"unit": unit.code, "previous_unit": previous}
    )


def matches_factor(case: Case, factor: str) -> bool:
    """Second factor for a status check: the phone, e-mail or RUT on file."""
    factor = (factor or "").strip()
    if not factor:
        return False
    candidates = {normalise_phone(factor), normalise_email(factor), normalise_rut(factor)}
    on_file = {case.contact_phone, case.contact_email, case.contact_rut} - {None}
    return bool(on_file & (candidates - {None}))


def due_date_display(day: date) -> str:
    """Dates as residents read them: 11-12-2026."""
    return day.strftime("%d-%m-%Y")
