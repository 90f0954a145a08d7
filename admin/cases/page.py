"""The case page: facts, transcript, attachments, contact data by role, timeline, actions."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.permissions import allowed, requires, sees_full_contact
from admin.cases import bp
from admin.cases.access import contact_view, load_case, record_view, transcript_view
from admin.cases.deadline_view import view_for
from admin.cases.forms import NOTE_LABELS, ActionForm, ContactForm, NoteForm, ReplyForm
from admin.cases.inbox import today_local
from admin.database import calendar, db, settings
from oirs.cases import workflow
from oirs.models import (
    Case,
    CaseView,
    Category,
    InternalNote,
    OutboxMessage,
    ReplyTemplate,
    Unit,
)
from oirs.outbox.replies import VARIABLES, NoReplyRoute, reply_route, templates_for
from oirs.reporting import publication

SAI_SCREEN = "sai.case"  # the Ley 20.285 screen, when that blueprint is registered
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def case_actions(case: Case) -> list[str]:
    """Workflow actions this user may take now (the reply has its own form)."""
    if not allowed("cases.act", current_user.role):
        return []
    if case.type == "sai" and SAI_SCREEN in current_app.view_functions:
        return []
    names = [
        t.action for t in workflow.available_actions(case.type, case.status, current_user.role)
    ]
    names = [name for name in dict.fromkeys(names) if name != "responder"]
    if case.status == "clasificado" and "clasificar" in names:
        names.remove("clasificar")  # already classified: deriving comes first, correcting after
        names.append("clasificar")
    return names


def can_reply(case: Case) -> bool:
    if not allowed("cases.reply", current_user.role):
        return False
    return any(
        t.action == "responder"
        for t in workflow.available_actions(case.type, case.status, current_user.role)
    )


def _action_forms(
    session: Session, case: Case, actions: list[str], bound: dict[str, ActionForm]
) -> Any:
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    categories = session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.name)
    ).all()
    forms = {}
    for action in actions:
        form = bound.get(action) or ActionForm(prefix=action, formdata=None)
        form.note.label.text = NOTE_LABELS.get(action, form.note.label.text)
        form.unit.choices = [("", "Elija una unidad"), *((u.code, u.name) for u in units)]
        if action not in bound and case.unit is not None and case.unit.active:
            form.unit.data = case.unit.code  # the category's unit, named on the page
        form.category.choices = [("", "Sin categoría"), *((c.code, c.name) for c in categories)]
        if action not in bound and case.category is not None:
            form.category.data = case.category.code
        forms[action] = form
    return forms


def render_case_page(
    session: Session,
    case: Case,
    *,
    action_forms: dict[str, ActionForm] | None = None,
    note_form: NoteForm | None = None,
    reply_form: ReplyForm | None = None,
    contact_form: ContactForm | None = None,
    preview: str | None = None,
) -> str:
    """Render the page; every render with full contact data is written to the access log."""
    role = current_user.role
    full = sees_full_contact(role)
    if full:
        record_view(session, case, current_user, "contacto")
    actions = case_actions(case)
    replying = can_reply(case)
    reply_form = reply_form or ReplyForm(formdata=None)
    template: ReplyTemplate | None = None
    if replying and not reply_form.body.data and (code := request.args.get("plantilla")):
        template = session.scalar(select(ReplyTemplate).where(ReplyTemplate.code == code))
        if template is not None:
            reply_form.body.data = template.body
    context = {
        "case": case,
        "contact": contact_view(case, full),
        "transcript": transcript_view(case, full),
        "deadline": view_for(case, calendar(), today_local().date()),
        "actions": actions,
        "action_forms": _action_forms(session, case, actions, action_forms or {}),
        "note_form": note_form or NoteForm(prefix="nota", formdata=None),
        "notes": session.scalars(
            select(InternalNote).where(InternalNote.case_id == case.id).order_by(InternalNote.id)
        ).all(),
        "outbox": session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)
        ).all(),
        "views": _recent_views(session, case) if full else [],
        "replying": replying,
        "contact_form": _contact_form(case, contact_form),
        "reply_form": reply_form,
        "templates": templates_for(session, case.type) if replying else [],
        "route": _route(case) if replying else None,
        "variables": VARIABLES,
        "preview": preview,
        "image_types": IMAGE_TYPES,
        "sai_screen": SAI_SCREEN if SAI_SCREEN in current_app.view_functions else None,
        "municipality": settings().commune.name,
        "open311": _open311_preview(case),
    }
    return render_template("cases/detail.html", **context)


def _open311_preview(case: Case) -> dict[str, str] | None:
    """What the public Open311 listing shows of this reclamo, for staff who decide to publish."""
    if case.type != "reclamo" or not allowed("cases.publish", current_user.role):
        return None
    return {
        "description": publication.published_description(case),
        "place": publication.coarse_address(case.address, [case.contact_name]),
    }


def _contact_form(case: Case, bound: ContactForm | None) -> ContactForm | None:
    """The correction form, filled with what is on file, for roles that may correct."""
    if not allowed("cases.contact", current_user.role):
        return None
    if bound is not None:
        return bound
    form = ContactForm(prefix="contacto", formdata=None)
    form.name.data = case.contact_name
    form.email.data = case.contact_email
    form.phone.data = case.contact_phone
    form.rut.data = case.contact_rut
    form.postal_address.data = case.contact_postal_address
    form.preferred_channel.data = (
        case.preferred_channel if case.preferred_channel != case.channel else ""
    )
    return form


def _route(case: Case) -> tuple[str, str] | None:
    """Where an answer would go now, shown before sending; None when nowhere."""
    try:
        return reply_route(case)
    except NoReplyRoute:
        return None


def _recent_views(session: Session, case: Case) -> list[CaseView]:
    query = (
        select(CaseView).where(CaseView.case_id == case.id).order_by(CaseView.id.desc()).limit(20)
    )
    return list(session.scalars(query))


@bp.get("/<folio>")
@requires("cases.read")
def detail(folio: str) -> ResponseReturnValue:
    session = db()
    case = load_case(session, folio, current_user)
    page = render_case_page(session, case)
    session.commit()  # the access-log row
    return page
