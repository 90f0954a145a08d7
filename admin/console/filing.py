"""Filing a case on the caller's behalf, and finding a resident's cases by phone, RUT or folio."""

from __future__ import annotations

import logging

from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue

from admin.console import bp
from admin.console.access import console_required, current_actor
from admin.console.views import (
    FILED_TYPES,
    MESSAGES,
    back,
    case_rows,
    client_key,
    load_handoff,
    render_conversation,
)
from admin.database import calendar, db
from oirs.cases.filing import ContactData, NewCase, due_date_display
from oirs.cases.resident_lookup import search_residents
from oirs.errors import InvalidField
from oirs.handoffs.queue import HandoffConflict, file_case_for_resident

log = logging.getLogger(__name__)


def _new_case_from_form(handoff_id: int, key: str) -> tuple[NewCase, dict[str, str]]:
    form = request.form
    values = {
        name: form.get(name, "").strip() or None
        for name in ("type", "category", "description", "address", "name", "email", "phone", "rut")
    }
    data = NewCase(
        type=values["type"] or "",
        channel="web",  # replaced by the conversation's channel
        description=values["description"] or "",
        category=values["category"],
        address=values["address"],
        contact=ContactData(
            name=values["name"], email=values["email"], phone=values["phone"], rut=values["rut"]
        ),
        idempotency_key=f"console:{handoff_id}:{key}",
    )
    return data, {k: v or "" for k, v in values.items()}


@bp.post("/<int:handoff_id>/caso")
@console_required
def file_case_view(handoff_id: int) -> ResponseReturnValue:
    key = client_key()
    data, values = _new_case_from_form(handoff_id, key)
    if data.type not in FILED_TYPES:
        abort(400)
    session = db()
    try:
        with session.begin():
            handoff = load_handoff(session, handoff_id)
            case = file_case_for_resident(session, handoff, data, calendar(), current_actor())
            folio, due = case.folio, due_date_display(case.due_date)
    except InvalidField as exc:
        with session.begin():
            handoff = load_handoff(session, handoff_id)
            flash(MESSAGES["check_fields"], "error")
            page = render_conversation(session, handoff, case_values=values, case_errors=exc.fields)
        return page, 400
    except HandoffConflict as exc:
        flash(exc.message, "error")
        return back(handoff_id)
    log.info("console filed handoff=%s folio=%s", handoff_id, folio)
    flash(MESSAGES["filed"].format(folio=folio, due=due), "success")
    return back(handoff_id)


@bp.get("/buscar")
@console_required
def search() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()[:100]
    session = db()
    with session.begin():
        cases = search_residents(session, text)[:50] if text else []
        return render_template("console/search.html", query=text, results=case_rows(session, cases))
