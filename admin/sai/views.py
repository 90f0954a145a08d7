"""SAI inbox, request page and the POST of each step; letters go out with the step."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from oirs_rules.dates import SANTIAGO
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin.auth.permissions import requires
from admin.cases.access import contact_view, record_view
from admin.cases.deadline_view import DeadlineView, light_for
from admin.database import calendar, db, settings
from admin.sai import bp
from admin.sai.steps import STEPS, StepRun, available_steps
from oirs.calendar.deadlines import business_days_left, elapsed_fraction
from oirs.cases import workflow
from oirs.cases.filing import Actor, get_case
from oirs.errors import CaseNotFound, InvalidField, OirsError
from oirs.labels import STATUS_LABELS
from oirs.models import Amparo, Case, CaseEvent, ThirdParty, Unit, utcnow
from oirs.sai.catalog import AMPARO_OUTCOMES, AMPARO_STEPS, DENIAL_CAUSES
from oirs.sai.letters import LETTER_FOR_ACTION, issue_letter, issue_third_party_letters
from oirs.sai.procedure import case_deadline, subsanacion_due

PAGE_SIZE = 50
SAI_STATUSES = (
    [s for s in STATUS_LABELS if s not in workflow.RECLAMO_STATUSES]
    if hasattr(workflow, "RECLAMO_STATUSES")
    else []
)
log = logging.getLogger(__name__)
MESSAGES = {
    "done": "Listo: «{step}» registrado. La solicitud está ahora en «{status}».",
    "letter": " Se generó la carta y quedó en la bandeja de salida.",
    "letter_post": " Se generó la carta: no hay correo ni chat, debe enviarse por correo postal.",
    "not_allowed": "Ese paso no está disponible para esta solicitud o para su rol.",
    "check_fields": "Revise los campos marcados.",
}


def _today() -> Any:
    return datetime.now(SANTIAGO).date()


def _deadline_view(case: Case) -> DeadlineView:
    deadline = case_deadline(case, calendar())
    today = _today()
    fraction = elapsed_fraction(deadline, today)
    left = business_days_left(case.due_date, today, calendar())
    open_case = workflow.is_open(case.status) and case.status != "subsanacion"
    light = light_for(fraction, left, open_case)
    return DeadlineView(light, left, fraction, deadline, case.received_on, case.due_date)


def _load(session: Session, folio: str) -> Case:
    try:
        case = get_case(session, folio)
    except CaseNotFound:
        abort(404)
    if case.type != "sai":
        abort(404)
    return case


@bp.get("/")
@requires("sai.manage")
def inbox() -> ResponseReturnValue:
    status = request.args.get("estado", "abiertas")
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    query = select(Case).where(Case.type == "sai")
    if status == "abiertas":
        query = query.where(Case.status.not_in(workflow.FINAL_STATUSES))
    elif status in SAI_STATUSES:
        query = query.where(Case.status == status)
    session = db()
    with session.begin():
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        cases = session.scalars(
            query.order_by(Case.due_date, Case.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        ).all()
        rows = [(case, _deadline_view(case)) for case in cases]
        return render_template(
            "sai/inbox.html",
            rows=rows,
            total=total,
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            status=status,
            statuses=SAI_STATUSES,
        )


def _forms(session: Session, case: Case, steps: list[str], bound: dict[str, Any]) -> dict[str, Any]:
    built = {}
    for name in steps:
        form = bound.get(name) or STEPS[name].form(prefix=name, formdata=None)
        _choices(session, case, name, form)
        built[name] = form
    return built


def _choices(session: Session, case: Case, name: str, form: Any) -> None:
    """Select options that come from the database."""
    if name == "asignar":
        units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name))
        form.unit.choices = [("", "Elija una unidad"), *((u.code, u.name) for u in units)]
    elif name == "respuesta_tercero":
        parties = session.scalars(
            select(ThirdParty).where(
                ThirdParty.case_id == case.id, ThirdParty.answered_on.is_(None)
            )
        )
        form.party.choices = [(p.id, p.name) for p in parties]
    elif name == "amparo_etapa":
        amparos = session.scalars(select(Amparo).where(Amparo.case_id == case.id))
        form.amparo.choices = [(a.id, a.rol) for a in amparos]


def _render(session: Session, case: Case, bound: dict[str, Any] | None = None) -> str:
    record_view(session, case, current_user, "contacto")
    steps = available_steps(session, case, current_user.role)
    return render_template(
        "sai/case.html",
        case=case,
        contact=contact_view(case, True),
        deadline=_deadline_view(case),
        subsanacion_due=subsanacion_due(case),
        steps=steps,
        step_labels={name: STEPS[name].label for name in STEPS},
        forms=_forms(session, case, steps, bound or {}),
        parties=session.scalars(
            select(ThirdParty).where(ThirdParty.case_id == case.id).order_by(ThirdParty.id)
        ).all(),
        amparos=session.scalars(
            select(Amparo).where(Amparo.case_id == case.id).order_by(Amparo.id)
        ).all(),
        letters=[a for a in case.attachments if a.source == "letter"],
        causes=DENIAL_CAUSES,
        amparo_steps=AMPARO_STEPS,
        amparo_outcomes=AMPARO_OUTCOMES,
    )


@bp.get("/<folio>")
@requires("sai.manage")
def case(folio: str) -> ResponseReturnValue:
    session = db()
    with session.begin():
        return _render(session, _load(session, folio))


def _field_errors(form: Any, exc: InvalidField) -> None:
    """Domain messages land on the form field of the same name, or on the form."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _letters(run: StepRun, event: CaseEvent | None, before: set[int]) -> str:
    """Issue the letter of a resident-facing step; art. 20 notices for new third parties."""
    commune = settings().commune
    if event is not None and event.kind == "notificar_tercero":
        parties = [
            p
            for p in run.session.scalars(
                select(ThirdParty).where(ThirdParty.case_id == run.case.id)
            )
            if p.id not in before
        ]
        issue_third_party_letters(
            run.session, run.case, parties, commune, run.calendar, run.data_dir, run.actor, run.now
        )
        return MESSAGES["letter"]
    if event is None or event.kind not in LETTER_FOR_ACTION:
        return ""
    message = issue_letter(
        run.session, run.case, event, commune, run.calendar, run.data_dir, run.actor, run.now
    )
    return MESSAGES["letter"] if message is not None else MESSAGES["letter_post"]


@bp.post("/<folio>/<step>")
@requires("sai.manage")
def act(folio: str, step: str) -> ResponseReturnValue:
    session = db()
    actor = Actor(current_user.name, current_user.id, current_user.role)
    with session.begin():
        case = _load(session, folio)
        if step not in available_steps(session, case, current_user.role):
            flash(MESSAGES["not_allowed"], "error")
            return redirect(url_for("sai.case", folio=case.folio), code=303)
        form = STEPS[step].form(prefix=step)
        _choices(session, case, step, form)
        run = StepRun(session, case, form, actor, calendar(), settings().data_dir, utcnow())
        before = set(session.scalars(select(ThirdParty.id).where(ThirdParty.case_id == case.id)))
        if form.validate():
            try:
                with session.begin_nested():
                    event = STEPS[step].run(run)
                    extra = _letters(run, event, before)
            except InvalidField as exc:
                _field_errors(form, exc)
            except OirsError as exc:
                flash(exc.message, "error")
                return redirect(url_for("sai.case", folio=case.folio), code=303)
            else:
                label = STATUS_LABELS.get(case.status, case.status)
                flash(
                    MESSAGES["done"].format(step=STEPS[step].label, status=label) + extra, "success"
                )
                log.info("sai step folio=%s step=%s status=%s", case.folio, step, case.status)
                return redirect(url_for("sai.case", folio=case.folio), code=303)
        flash(MESSAGES["check_fields"], "error")
        return _render(session, case, {step: form}), 400
