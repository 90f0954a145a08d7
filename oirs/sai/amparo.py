"""Amparos before the Consejo para la Transparencia: filing, dated steps and the descargos term."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import compute_deadline, local_date
from oirs.cases.filing import Actor, add_event, transition
from oirs.errors import InvalidField
from oirs.models import Amparo, AmparoStep, Case, utcnow
from oirs.sai.catalog import AMPARO_OUTCOMES, AMPARO_STEPS, DESCARGOS_DAYS

MAX_ROL = 40


def register_amparo(
    session: Session,
    case: Case,
    actor: Actor,
    rol: str,
    filed_on: date,
    note: str | None = None,
    now: datetime | None = None,
) -> Amparo:
    """The requester filed an amparo (art. 24): track it from its CPLT rol and filing date."""
    rol = (rol or "").strip()
    errors = {}
    if not rol or len(rol) > MAX_ROL:
        errors["rol"] = "Indique el rol del amparo asignado por el Consejo (p. ej. C1234-26)."
    if filed_on > local_date(now or utcnow()) or filed_on < case.received_on:
        errors["filed_on"] = "La fecha de presentación no es válida."
    if errors:
        raise InvalidField(errors)
    transition(session, case, "registrar_amparo", actor, note, {"rol": rol}, now)
    amparo = Amparo(case_id=case.id, rol=rol, filed_on=filed_on, stage="presentado")
    amparo.steps.append(
        AmparoStep(kind="presentado", happened_on=filed_on, note=note, actor_label=actor.label)
    )
    session.add(amparo)
    session.flush()
    return amparo


def add_step(
    session: Session,
    case: Case,
    amparo: Amparo,
    actor: Actor,
    kind: str,
    happened_on: date,
    calendar: BusinessCalendar,
    outcome: str | None = None,
    due: date | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> AmparoStep:
    """Record a step with its date; a traslado opens the 10 business days for descargos."""
    errors = {}
    if amparo.case_id != case.id:
        errors["amparo"] = "El amparo no pertenece a esta solicitud."
    if kind not in AMPARO_STEPS or kind == "presentado":
        errors["kind"] = "Elija una etapa del amparo."
    if happened_on < amparo.filed_on or happened_on > local_date(now or utcnow()):
        errors["happened_on"] = "La fecha debe estar entre la presentación del amparo y hoy."
    if kind == "decision" and outcome not in AMPARO_OUTCOMES:
        errors["outcome"] = "Indique qué resolvió el Consejo."
    if errors:
        raise InvalidField(errors)
    if kind == "traslado":
        due = compute_deadline(happened_on, DESCARGOS_DAYS, calendar).due
    step = AmparoStep(
        kind=kind, happened_on=happened_on, due=due, note=note, actor_label=actor.label
    )
    amparo.steps.append(step)
    amparo.stage = kind
    if kind == "decision":
        amparo.outcome = outcome
    data = {"rol": amparo.rol, "step": kind, "on": happened_on.isoformat(), "outcome": outcome}
    add_event(case, actor, "amparo_etapa", note, data=data, now=now)
    session.flush()
    return step


def descargos_late(amparo: Amparo) -> bool:
    """Descargos filed after the 10 business days of the traslado (or still missing past it)."""
    traslado = next((s for s in amparo.steps if s.kind == "traslado"), None)
    descargos = next((s for s in amparo.steps if s.kind == "descargos"), None)
    if traslado is None or traslado.due is None or descargos is None:
        return False
    return descargos.happened_on > traslado.due
