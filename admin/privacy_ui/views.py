"""The staff screen of a datos_personales case: who the holder is and the export of their data."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from admin.anonymisation import anonymise_folio, is_anonymised
from admin.auth.permissions import allowed, requires
from admin.cases.access import load_case, record_view
from admin.database import db
from admin.privacy_ui import bp
from oirs.errors import InvalidField
from oirs.models import Case
from oirs.privacy.rights import Holder, export_holder_data

DATA_RIGHTS = "datos_personales"
MESSAGES = {
    "retried": "Anonimización completa: se borraron los archivos y la conversación pendientes.",
    "still_pending": "La anonimización sigue incompleta; se registró en el historial del caso.",
    "not_pending": "Este caso no tiene una anonimización pendiente.",
}


def _data_rights_case(session: Session, folio: str) -> Case:
    """The case behind the screen: 404 unless it is a data-rights request."""
    case = load_case(session, folio, current_user)
    if case.type != DATA_RIGHTS:
        abort(404)
    return case


def _holder(case: Case) -> Holder:
    """The holder as the request identified them; 409 when the case carries no identifier."""
    try:
        return Holder.parse(
            email=case.contact_email or "",
            phone=case.contact_phone or "",
            rut=case.contact_rut or "",
        )
    except InvalidField:
        abort(409)


def _export(session: Session, case: Case) -> dict[str, Any]:
    data = export_holder_data(session, _holder(case))
    return {"request_folio": case.folio, **data}


@bp.get("/<folio>")
@requires("privacy.export")
def holder(folio: str) -> str:
    """What the municipality holds about the requester, before exporting it."""
    session = db()
    case = _data_rights_case(session, folio)
    data = _export(session, case)
    record_view(session, case, current_user, "datos del titular")
    session.commit()
    return render_template("privacy/holder.html", case=case, data=data)


@bp.get("/<folio>/exportacion.json")
@requires("privacy.export")
def export(folio: str) -> Response:
    """The right of access: everything held about the holder as a JSON download."""
    session = db()
    case = _data_rights_case(session, folio)
    body = json.dumps(_export(session, case), ensure_ascii=False, indent=2)
    record_view(session, case, current_user, "exportación de datos del titular", every_time=True)
    session.commit()
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="datos-titular-{case.folio}.json"'},
    )


@bp.app_context_processor
def _retry_permission() -> dict[str, object]:
    """The case page shows «Reintentar anonimización» only to roles that may press it."""
    role = current_user.role if current_user.is_authenticated else None
    return {"may_retry_anonymisation": allowed("privacy.export", role)}


@bp.post("/<folio>/reintentar-anonimizacion")
@requires("privacy.export")
def retry_anonymisation(folio: str) -> BaseResponse:
    """Finish an anonymisation whose files or conversation with the bot were not erased."""
    session = db()
    case = load_case(session, folio, current_user)
    session.commit()  # the read ends here: anonymise_folio runs its own transactions
    if not is_anonymised(case):
        flash(MESSAGES["not_pending"], "error")
    else:
        reach = anonymise_folio(case.folio, "")
        if reach.failed:
            flash(MESSAGES["still_pending"], "error")
        elif reach.reached:
            flash(MESSAGES["retried"], "success")
        else:
            flash(MESSAGES["not_pending"], "error")
    return redirect(url_for("cases.detail", folio=case.folio), code=303)
