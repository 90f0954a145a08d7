"""Each SAI step of the screen: its form, the core service it calls, and when it is offered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.forms import StaffForm
from admin.sai import forms
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases import workflow
from oirs.cases.filing import Actor, transition
from oirs.errors import InvalidField
from oirs.files.filestore import Upload
from oirs.models import Amparo, Case, CaseEvent, ThirdParty
from oirs.sai import amparo
from oirs.sai import procedure as sai


@dataclass
class StepRun:
    """Everything a step needs to act on one case."""

    session: Session
    case: Case
    form: Any
    actor: Actor
    calendar: BusinessCalendar
    data_dir: Path
    now: datetime

    def note(self) -> str | None:
        return (self.form.note.data or "").strip() or None


@dataclass(frozen=True)
class Step:
    label: str
    form: type[StaffForm]
    run: Callable[[StepRun], CaseEvent | None]


def uploads(form: Any) -> list[Upload]:
    """Files sent with the form (empty file inputs are ignored)."""
    files = request.files.getlist(form.files.name)
    return [
        Upload(f.filename or "archivo", f.mimetype or "application/octet-stream", f.read())
        for f in files
        if f.filename
    ]


def parse_parties(text: str) -> list[sai.Party]:
    """«nombre; dirección» per line."""
    parties = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _, address = line.partition(";")
        if not address.strip():
            raise InvalidField({"parties": f"Falta la dirección o el correo en «{line.strip()}»."})
        parties.append(sai.Party(name.strip(), address.strip()))
    return parties


def _plain(action: str) -> Callable[[StepRun], CaseEvent]:
    return lambda r: transition(r.session, r.case, action, r.actor, r.note(), now=r.now)


def _third_party_answer(r: StepRun) -> None:
    f = r.form
    sai.record_third_party_answer(
        r.session,
        r.case,
        r.actor,
        f.party.data,
        f.opposed.data == "si",
        f.answered_on.data,
        r.note(),
        r.now,
    )


def _amparo_step(r: StepRun) -> None:
    f = r.form
    filed = r.session.get(Amparo, f.amparo.data)
    if filed is None or filed.case_id != r.case.id:
        raise InvalidField({"amparo": "El amparo no pertenece a esta solicitud."})
    amparo.add_step(
        r.session,
        r.case,
        filed,
        r.actor,
        f.kind.data,
        f.happened_on.data,
        r.calendar,
        outcome=f.outcome.data or None,
        due=f.due.data,
        note=r.note(),
        now=r.now,
    )


def _register_amparo(r: StepRun) -> None:
    amparo.register_amparo(
        r.session, r.case, r.actor, r.form.rol.data, r.form.filed_on.data, r.note(), r.now
    )


STEPS: dict[str, Step] = {
    "analizar": Step("Iniciar análisis", forms.NoteForm, _plain("analizar")),
    "pedir_subsanacion": Step(
        "Pedir subsanación (art. 12)",
        forms.SubsanacionForm,
        lambda r: sai.request_subsanacion(
            r.session, r.case, r.actor, r.form.missing.data, r.calendar, r.note(), r.now
        ),
    ),
    "subsanar": Step(
        "Registrar subsanación",
        forms.NoteForm,
        lambda r: sai.complete_subsanacion(r.session, r.case, r.actor, r.calendar, r.note(), r.now),
    ),
    "desistir": Step(
        "Declarar desistida",
        forms.NoteForm,
        lambda r: sai.declare_desistida(r.session, r.case, r.actor, r.now),
    ),
    "derivar_organismo": Step(
        "Derivar a otro organismo (art. 13)",
        forms.DerivacionForm,
        lambda r: sai.derive_to_body(
            r.session,
            r.case,
            r.actor,
            r.form.body.data,
            r.form.reasons.data,
            r.form.body_email.data,
            r.now,
        ),
    ),
    "asignar": Step(
        "Asignar a la unidad",
        forms.AsignacionForm,
        lambda r: sai.assign(r.session, r.case, r.actor, r.form.unit.data, r.now),
    ),
    "notificar_tercero": Step(
        "Notificar a terceros (art. 20)",
        forms.TercerosForm,
        lambda r: sai.notify_third_parties(
            r.session, r.case, r.actor, parse_parties(r.form.parties.data), r.calendar, r.now
        ),
    ),
    "respuesta_tercero": Step(
        "Registrar respuesta de un tercero", forms.RespuestaTerceroForm, _third_party_answer
    ),
    "prorrogar": Step(
        "Prorrogar el plazo (art. 14)",
        forms.ProrrogaForm,
        lambda r: sai.extend_term(
            r.session, r.case, r.actor, r.form.reasons.data, r.calendar, r.now
        ),
    ),
    "entregar": Step(
        "Entregar la información",
        forms.EntregaForm,
        lambda r: sai.deliver(
            r.session, r.case, r.actor, r.form.answer.data, uploads(r.form), r.data_dir, r.now
        ),
    ),
    "entregar_parcial": Step(
        "Entrega parcial",
        forms.EntregaParcialForm,
        lambda r: sai.deliver_partial(
            r.session,
            r.case,
            r.actor,
            r.form.answer.data,
            r.form.cause.data,
            r.form.reasons.data,
            uploads(r.form),
            r.data_dir,
            r.now,
        ),
    ),
    "denegar": Step(
        "Denegar (art. 21)",
        forms.DenegacionForm,
        lambda r: sai.deny(
            r.session, r.case, r.actor, r.form.cause.data, r.form.reasons.data, r.now
        ),
    ),
    "declarar_inexistente": Step(
        "Declarar inexistente",
        forms.InexistenciaForm,
        lambda r: sai.declare_nonexistent(r.session, r.case, r.actor, r.form.reasons.data, r.now),
    ),
    "remitir_ta": Step(
        "Remitir a Transparencia Activa (art. 15)",
        forms.TransparenciaActivaForm,
        lambda r: sai.refer_to_active_transparency(
            r.session, r.case, r.actor, r.form.link.data, r.note(), r.now
        ),
    ),
    "pedir_pago": Step(
        "Informar costos de reproducción (art. 18)",
        forms.PagoForm,
        lambda r: sai.request_payment(
            r.session, r.case, r.actor, r.form.amount.data, r.form.detail.data, r.now
        ),
    ),
    "pago_recibido": Step(
        "Registrar pago recibido",
        forms.PagoRecibidoForm,
        lambda r: sai.record_payment(r.session, r.case, r.actor, r.form.paid_on.data, r.now),
    ),
    "registrar_amparo": Step("Registrar amparo", forms.AmparoForm, _register_amparo),
    "amparo_etapa": Step("Registrar etapa del amparo", forms.AmparoEtapaForm, _amparo_step),
    "cerrar": Step("Cerrar la solicitud", forms.NoteForm, _plain("cerrar")),
}


def available_steps(session: Session, case: Case, role: str) -> list[str]:
    """Steps offered now: the workflow's, plus records that do not change the status."""
    names = [t.action for t in workflow.available_actions("sai", case.status, role)]
    if workflow.is_open(case.status) and session.scalar(
        select(ThirdParty.id).where(ThirdParty.case_id == case.id, ThirdParty.answered_on.is_(None))
    ):
        names.append("respuesta_tercero")
    if case.status == "pendiente_pago" and not (case.details or {}).get("payment", {}).get(
        "paid_on"
    ):
        names.append("pago_recibido")
    if session.scalar(select(Amparo.id).where(Amparo.case_id == case.id)):
        names.append("amparo_etapa")
    if "pago_recibido" in names:  # delivery waits for the payment
        names = [name for name in names if name != "entregar"]
    return [name for name in dict.fromkeys(names) if name in STEPS]
