"""SAI procedure (Ley 20.285): the legal checks around each step of an access request.

Each function validates the step, moves the case through `cases.transition` (so the
workflow table and the event log stay the single source of truth) and records the dates
the law counts. The caller owns the transaction and tells the resident (letters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import (
    Deadline,
    can_extend,
    compute_deadline,
    extend_deadline,
    local_date,
)
from oirs.calendar.terms import (
    SAI_EXTENSION_DAYS,
    SUBSANACION_DAYS,
    THIRD_PARTY_NOTICE_DAYS,
    THIRD_PARTY_OPPOSITION_DAYS,
)
from oirs.cases.filing import SYSTEM, Actor, add_event, due_date_display, transition
from oirs.errors import InvalidField, InvalidTransition, UnknownUnit
from oirs.files.filestore import Upload, store
from oirs.models import Case, CaseEvent, ThirdParty, Unit, utcnow
from oirs.sai.catalog import ART12_ITEMS, DENIAL_CAUSES

MIN_REASONS = 20


@dataclass(frozen=True)
class Party:
    """A third party to notify: name and postal or e-mail address."""

    name: str
    address: str


def _today(now: datetime | None) -> date:
    return local_date(now or utcnow())


def _require_sai(case: Case) -> None:
    if case.type != "sai":
        raise InvalidTransition("Esta acción solo corresponde a solicitudes de acceso.")


def _text(value: str | None) -> str:
    return (value or "").strip()


def _reasons(value: str | None, field: str, message: str) -> str:
    """Reasons the law demands: refuse an empty or token justification."""
    text = _text(value)
    if len(text) < MIN_REASONS:
        raise InvalidField({field: message})
    return text


def _set_details(case: Case, **values: Any) -> None:
    """JSON columns change only by reassignment, so SQLAlchemy sees the update."""
    case.details = {**(case.details or {}), **values}


def term_start(case: Case) -> date:
    """Day the SAI term counts from: receipt, or the day the request was completed."""
    start = (case.details or {}).get("term_start")
    return date.fromisoformat(start) if start else case.received_on


def case_deadline(case: Case, calendar: BusinessCalendar) -> Deadline:
    """The case's current legal term, with its prórroga if any, able to explain itself."""
    deadline = compute_deadline(term_start(case), case.term_business_days, calendar)
    extra = int((case.details or {}).get("extension_days") or 0)
    return extend_deadline(deadline, extra, calendar) if extra else deadline


def request_subsanacion(
    session: Session,
    case: Case,
    actor: Actor,
    missing: Sequence[str],
    calendar: BusinessCalendar,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 12: ask for the missing data; the resident has 5 business days, else desistida."""
    _require_sai(case)
    items = [item for item in missing if item in ART12_ITEMS]
    if not items or len(items) != len(missing):
        raise InvalidField({"missing": "Indique qué datos del art. 12 faltan en la solicitud."})
    now = now or utcnow()
    due = compute_deadline(now, SUBSANACION_DAYS, calendar).due
    event = transition(
        session,
        case,
        "pedir_subsanacion",
        actor,
        _text(note) or None,
        {"missing": items, "due": due.isoformat()},
        now,
    )
    _set_details(
        case, subsanacion={"requested_on": _today(now).isoformat(), "due": due.isoformat()}
    )
    return event


def subsanacion_due(case: Case) -> date | None:
    """Last day the resident has to complete the request."""
    data = (case.details or {}).get("subsanacion") or {}
    return date.fromisoformat(data["due"]) if data.get("due") else None


def complete_subsanacion(
    session: Session,
    case: Case,
    actor: Actor,
    calendar: BusinessCalendar,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """The resident completed the request: the 20-day term starts again from today."""
    _require_sai(case)
    now = now or utcnow()
    today = _today(now)
    due = subsanacion_due(case)
    if due is not None and today > due:
        raise InvalidTransition(
            f"El plazo de subsanación venció el {due_date_display(due)}: "
            "corresponde declarar desistida la solicitud."
        )
    _set_details(case, term_start=today.isoformat())
    case.due_date = case_deadline(case, calendar).due
    return transition(
        session,
        case,
        "subsanar",
        actor,
        _text(note) or None,
        {"due_date": case.due_date.isoformat()},
        now,
    )


def declare_desistida(
    session: Session, case: Case, actor: Actor, now: datetime | None = None
) -> CaseEvent:
    """Art. 12: the 5 business days passed without the missing data."""
    _require_sai(case)
    due = subsanacion_due(case)
    if due is None or _today(now) <= due:
        shown = due_date_display(due) if due else "—"
        raise InvalidTransition(
            f"El plazo de subsanación aún no vence (vence el {shown}); "
            "no se puede declarar desistida."
        )
    return transition(
        session, case, "desistir", actor, None, {"subsanacion_due": due.isoformat()}, now
    )


def expire_subsanaciones(session: Session, now: datetime | None = None) -> list[Case]:
    """Every request whose subsanación term lapsed is declared desistida (periodic job)."""
    today = _today(now)
    lapsed = []
    for case in session.scalars(
        select(Case).where(Case.type == "sai", Case.status == "subsanacion")
    ):
        due = subsanacion_due(case)
        if due is not None and today > due:
            declare_desistida(session, case, SYSTEM, now)
            lapsed.append(case)
    return lapsed


def derive_to_body(
    session: Session,
    case: Case,
    actor: Actor,
    body: str,
    reasons: str,
    body_email: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 13: another body holds the information: forward it and tell the resident."""
    _require_sai(case)
    errors = {}
    if not _text(body):
        errors["body"] = "Indique el organismo competente al que se deriva."
    if not _text(reasons):
        errors["reasons"] = "Indique por qué la información corresponde a ese organismo."
    if errors:
        raise InvalidField(errors)
    data = {"body": _text(body), "body_email": _text(body_email) or None}
    event = transition(session, case, "derivar_organismo", actor, _text(reasons), data, now)
    _set_details(case, derivacion=data)
    return event


def assign(
    session: Session, case: Case, actor: Actor, unit_code: str, now: datetime | None = None
) -> CaseEvent:
    """The request is admissible: the unit holding the information prepares the answer."""
    _require_sai(case)
    unit = session.scalar(select(Unit).where(Unit.code == unit_code, Unit.active.is_(True)))
    if unit is None:
        raise UnknownUnit(f"La unidad «{unit_code}» no existe o está inactiva.")
    case.unit = unit
    return transition(session, case, "asignar", actor, None, {"unit": unit.code}, now)


def notify_third_parties(
    session: Session,
    case: Case,
    actor: Actor,
    parties: Sequence[Party],
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 20: notify within 2 business days; each may oppose within 3 from notice."""
    _require_sai(case)
    clean = [Party(_text(p.name), _text(p.address)) for p in parties]
    if not clean or any(not p.name or not p.address for p in clean):
        raise InvalidField({"parties": "Indique nombre y dirección de cada tercero a notificar."})
    now = now or utcnow()
    today = _today(now)
    notice_due = compute_deadline(term_start(case), THIRD_PARTY_NOTICE_DAYS, calendar).due
    opposition_due = compute_deadline(now, THIRD_PARTY_OPPOSITION_DAYS, calendar).due
    late = today > notice_due
    event = transition(
        session,
        case,
        "notificar_tercero",
        actor,
        None,
        {
            "parties": [p.name for p in clean],
            "notice_due": notice_due.isoformat(),
            "opposition_due": opposition_due.isoformat(),
            "late": late,
        },
        now,
    )
    for party in clean:
        session.add(
            ThirdParty(
                case_id=case.id,
                name=party.name,
                address=party.address,
                notice_due=notice_due,
                notified_on=today,
                opposition_due=opposition_due,
            )
        )
    session.flush()
    return event


def record_third_party_answer(
    session: Session,
    case: Case,
    actor: Actor,
    party_id: int,
    opposed: bool,
    answered_on: date,
    note: str | None = None,
    now: datetime | None = None,
) -> ThirdParty:
    """Art. 20: an opposition counts only within its 3 days; silence or lateness means consent."""
    _require_sai(case)
    party = session.get(ThirdParty, party_id)
    if party is None or party.case_id != case.id:
        raise InvalidField({"party": "El tercero no pertenece a esta solicitud."})
    if answered_on > _today(now) or answered_on < party.notified_on:
        raise InvalidField({"answered_on": "La fecha de respuesta del tercero no es válida."})
    in_time = answered_on <= party.opposition_due
    party.opposed = opposed and in_time
    party.answered_on = answered_on
    party.note = _text(note) or None
    kind = "oposicion_tercero" if party.opposed else "respuesta_tercero"
    add_event(
        case,
        actor,
        kind,
        _text(note) or None,
        data={"party": party.name, "opposed": opposed, "in_time": in_time},
        now=now,
    )
    session.flush()
    return party


def extend_term(
    session: Session,
    case: Case,
    actor: Actor,
    reasons: str,
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 14: one prórroga of 10 business days, with reasons, notified before expiry."""
    _require_sai(case)
    text = _reasons(reasons, "reasons", "Indique los motivos de la prórroga (art. 14).")
    deadline = case_deadline(case, calendar)
    today = _today(now)
    if not can_extend(deadline, today):
        if deadline.extension_days:
            raise InvalidTransition("El plazo ya fue prorrogado una vez; la ley no permite otra.")
        raise InvalidTransition(
            f"La prórroga debe notificarse antes del vencimiento; el plazo venció el "
            f"{due_date_display(deadline.due)}."
        )
    extended = extend_deadline(deadline, SAI_EXTENSION_DAYS, calendar)
    data = {"previous_due": deadline.due.isoformat(), "due_date": extended.due.isoformat()}
    event = transition(session, case, "prorrogar", actor, text, data, now)
    _set_details(case, extension_days=SAI_EXTENSION_DAYS)
    case.due_date = extended.due
    case.extended = True
    return event


def _store_files(case: Case, uploads: Sequence[Upload], data_dir: Path) -> list[str]:
    names = []
    for upload in uploads:
        attachment = store(data_dir, upload, source="staff")
        case.attachments.append(attachment)
        names.append(attachment.filename)
    return names


def deliver(
    session: Session,
    case: Case,
    actor: Actor,
    answer: str,
    uploads: Sequence[Upload],
    data_dir: Path,
    now: datetime | None = None,
) -> CaseEvent:
    """Hand over the information, with the files that contain it."""
    _require_sai(case)
    if not _text(answer):
        raise InvalidField({"answer": "Escriba la respuesta que se enviará al solicitante."})
    if case.status == "pendiente_pago" and not (case.details or {}).get("payment", {}).get(
        "paid_on"
    ):
        raise InvalidTransition("Registre el pago de los costos de reproducción antes de entregar.")
    files = _store_files(case, uploads, data_dir)
    return transition(session, case, "entregar", actor, _text(answer), {"files": files}, now)


def _cause(cause: str | None) -> str:
    if cause not in DENIAL_CAUSES:
        raise InvalidField({"cause": "Elija la causal de reserva o secreto (art. 21)."})
    return cause


def _check_opposition(session: Session, case: Case, cause: str) -> None:
    """Art. 20 is a cause only when a third party opposed in time."""
    if cause != "20_oposicion":
        return
    opposed = session.scalar(
        select(ThirdParty).where(ThirdParty.case_id == case.id, ThirdParty.opposed.is_(True))
    )
    if opposed is None:
        raise InvalidField({"cause": "Ningún tercero se opuso dentro de plazo (art. 20)."})


def deliver_partial(
    session: Session,
    case: Case,
    actor: Actor,
    answer: str,
    cause: str,
    reasons: str,
    uploads: Sequence[Upload],
    data_dir: Path,
    now: datetime | None = None,
) -> CaseEvent:
    """Deliver part of the information; what is withheld needs an art. 21 cause and reasons."""
    _require_sai(case)
    errors = {}
    if not _text(answer):
        errors["answer"] = "Escriba la respuesta que se enviará al solicitante."
    if cause not in DENIAL_CAUSES:
        errors["cause"] = "Elija la causal de reserva de la parte no entregada (art. 21)."
    if len(_text(reasons)) < MIN_REASONS:
        errors["reasons"] = "Fundamente por qué no se entrega una parte de la información."
    if errors:
        raise InvalidField(errors)
    _check_opposition(session, case, cause)
    files = _store_files(case, uploads, data_dir)
    data = {"cause": cause, "reasons": _text(reasons), "files": files}
    return transition(session, case, "entregar_parcial", actor, _text(answer), data, now)


def deny(
    session: Session,
    case: Case,
    actor: Actor,
    cause: str,
    reasons: str,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 21: deny only on a listed cause, with reasons the resident can contest."""
    _require_sai(case)
    cause = _cause(cause)
    text = _reasons(reasons, "reasons", "Fundamente la denegación: la ley exige motivos.")
    _check_opposition(session, case, cause)
    return transition(session, case, "denegar", actor, text, {"cause": cause}, now)


def declare_nonexistent(
    session: Session, case: Case, actor: Actor, reasons: str, now: datetime | None = None
) -> CaseEvent:
    """The information does not exist: say where it was searched."""
    _require_sai(case)
    text = _reasons(reasons, "reasons", "Explique qué búsqueda se hizo y por qué no existe.")
    return transition(session, case, "declarar_inexistente", actor, text, None, now)


def exact_link(url: str | None) -> str:
    """An http(s) address down to the page itself, not a site's home page."""
    text = _text(url)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text:
        raise InvalidField({"link": "Indique el enlace exacto (https://…) donde está publicada."})
    if parsed.path in ("", "/") and not parsed.query and not parsed.fragment:
        raise InvalidField(
            {"link": "El enlace debe llevar a la página exacta, no al inicio del sitio."}
        )
    return text


def refer_to_active_transparency(
    session: Session,
    case: Case,
    actor: Actor,
    link: str,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 15: the information is already published: give the exact link."""
    _require_sai(case)
    url = exact_link(link)
    event = transition(session, case, "remitir_ta", actor, _text(note) or None, {"link": url}, now)
    _set_details(case, transparencia_activa_link=url)
    return event


def request_payment(
    session: Session,
    case: Case,
    actor: Actor,
    amount_clp: int,
    detail: str,
    now: datetime | None = None,
) -> CaseEvent:
    """Art. 18: only the direct costs of reproduction may be charged."""
    _require_sai(case)
    errors = {}
    if amount_clp <= 0:
        errors["amount"] = "El monto debe ser mayor que cero."
    if not _text(detail):
        errors["detail"] = "Detalle los costos directos de reproducción (art. 18)."
    if errors:
        raise InvalidField(errors)
    event = transition(
        session, case, "pedir_pago", actor, _text(detail), {"amount_clp": amount_clp}, now
    )
    _set_details(case, payment={"amount_clp": amount_clp, "detail": _text(detail)})
    return event


def record_payment(
    session: Session, case: Case, actor: Actor, paid_on: date, now: datetime | None = None
) -> CaseEvent:
    """The resident paid: the delivery can go out."""
    _require_sai(case)
    if case.status != "pendiente_pago":
        raise InvalidTransition("La solicitud no tiene un pago pendiente.")
    if paid_on > _today(now):
        raise InvalidField({"paid_on": "La fecha de pago no puede ser futura."})
    payment = {**(case.details or {}).get("payment", {}), "paid_on": paid_on.isoformat()}
    _set_details(case, payment=payment)
    return add_event(
        case, actor, "pago_recibido", None, data={"paid_on": paid_on.isoformat()}, now=now
    )
