"""Workflow steps, internal notes and the answer to the resident, posted from the case page."""

from __future__ import annotations

import logging

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from admin.auth.forms import apply_field_errors
from admin.auth.permissions import requires
from admin.cases import bp
from admin.cases.access import load_case
from admin.cases.forms import ActionForm, ContactForm, NoteForm, ReplyForm
from admin.cases.page import can_reply, case_actions, render_case_page
from admin.database import db, settings
from oirs import labels
from oirs.cases.contact_changes import correct_contact
from oirs.cases.filing import Actor, ContactData, derive_to_unit, transition
from oirs.cases.triage import classify
from oirs.errors import InvalidField, OirsError
from oirs.models import InternalNote, Unit
from oirs.outbox.replies import MESSAGES as REPLY_MESSAGES
from oirs.outbox.replies import render_reply, respond
from oirs.reporting import publication

log = logging.getLogger(__name__)
MESSAGES = {
    "done": "Listo: «{action}» registrado. El caso está ahora en «{status}».",
    "note_added": "Nota interna guardada.",
    "replied": "Respuesta registrada; se enviará por {channel}.",
    "not_allowed": "Esa acción no está disponible para este caso o para su rol.",
    "check_fields": "Revise los campos marcados.",
    "contact_saved": "Datos de contacto corregidos.",
    "contact_same": "Los datos de contacto no cambiaron.",
    "published": "La descripción quedó publicada en Open311, sin datos personales.",
    "withdrawn": "La descripción ya no se publica en Open311.",
    "publish_same": "La publicación en Open311 no cambió.",
}


def _actor() -> Actor:
    return Actor(current_user.name, current_user.id, current_user.role)


def _back(folio: str) -> ResponseReturnValue:
    return redirect(url_for("cases.detail", folio=folio), code=303)


@bp.post("/<folio>/acciones/<action>")
@requires("cases.act")
def act(folio: str, action: str) -> ResponseReturnValue:
    session = db()
    case = load_case(session, folio, current_user, lock=True)
    if action not in case_actions(case):
        flash(MESSAGES["not_allowed"], "error")
        return _back(case.folio)
    form = ActionForm(prefix=action)
    codes = set(session.scalars(select(Unit.code).where(Unit.active.is_(True))))
    form.unit.choices = [(code, code) for code in codes]
    if not form.check(action, codes):
        flash(MESSAGES["check_fields"], "error")
        page = render_case_page(session, case, action_forms={action: form})
        session.commit()
        return page, 400
    note = (form.note.data or "").strip() or None
    try:
        if action == "derivar":
            derive_to_unit(session, case, form.unit.data or "", _actor(), note)
        elif action == "clasificar":
            classify(session, case, _actor(), form.category.data or None, note)
        else:
            transition(session, case, action, _actor(), note)
        session.commit()
    except InvalidField as exc:
        session.rollback()
        apply_field_errors(form, exc.fields)
        flash(MESSAGES["check_fields"], "error")
        page = render_case_page(session, case, action_forms={action: form})
        session.commit()
        return page, 400
    except OirsError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _back(folio)
    log.info("case action folio=%s action=%s user_id=%s", case.folio, action, current_user.id)
    label = labels.ACTION_LABELS.get(action, action)
    status = labels.STATUS_LABELS.get(case.status, case.status)
    flash(MESSAGES["done"].format(action=label, status=status), "success")
    return _back(case.folio)


@bp.post("/<folio>/notas")
@requires("cases.note")
def add_note(folio: str) -> ResponseReturnValue:
    session = db()
    case = load_case(session, folio, current_user)
    form = NoteForm(prefix="nota")
    if not form.validate():
        flash(MESSAGES["check_fields"], "error")
        page = render_case_page(session, case, note_form=form)
        session.commit()
        return page, 400
    session.add(
        InternalNote(
            case_id=case.id,
            author_user_id=current_user.id,
            author_label=current_user.name,
            body=(form.body.data or "").strip(),
        )
    )
    session.commit()
    flash(MESSAGES["note_added"], "success")
    return _back(case.folio)


@bp.post("/<folio>/contacto")
@requires("cases.contact")
def correct_contact_data(folio: str) -> ResponseReturnValue:
    """Staff correct the resident's contact data; the change is an event."""
    session = db()
    case = load_case(session, folio, current_user, lock=True)
    form = ContactForm(prefix="contacto")
    try:
        if not form.validate():
            raise InvalidField({})
        data = ContactData(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            rut=form.rut.data,
            postal_address=form.postal_address.data,
            preferred_channel=form.preferred_channel.data,
        )
        event = correct_contact(session, case, _actor(), data)
        session.commit()
    except InvalidField as exc:
        session.rollback()
        apply_field_errors(form, exc.fields)
        flash(MESSAGES["check_fields"], "error")
        page = render_case_page(session, case, contact_form=form)
        session.commit()
        return page, 400
    flash(MESSAGES["contact_saved" if event else "contact_same"], "success")
    return _back(case.folio)


@bp.post("/<folio>/respuesta")
@requires("cases.reply")
def reply(folio: str) -> ResponseReturnValue:
    """Preview the filled-in answer, or send it: state change and outbox in one transaction."""
    session = db()
    case = load_case(session, folio, current_user, lock=True)
    if not can_reply(case):
        flash(MESSAGES["not_allowed"], "error")
        return _back(case.folio)
    form = ReplyForm()
    text = None
    if form.validate():
        try:
            text = render_reply(form.body.data or "", case, settings().commune.name)
        except InvalidField as exc:
            form.body.errors = [*form.body.errors, *exc.fields.values()]
    if text is None:
        flash(MESSAGES["check_fields"], "error")
        page = render_case_page(session, case, reply_form=form)
        session.commit()
        return page, 400
    if not form.send.data:
        preview = text + "\n\n" + REPLY_MESSAGES["satisfaction"]
        page = render_case_page(session, case, reply_form=form, preview=preview)
        session.commit()
        return page
    try:
        message = respond(session, case, _actor(), text)
        session.commit()
    except OirsError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _back(folio)
    log.info("case answered folio=%s outbox_id=%s", case.folio, message.id)
    channel = labels.CHANNEL_LABELS.get(message.channel, message.channel)
    flash(MESSAGES["replied"].format(channel=channel), "success")
    return _back(case.folio)


@bp.post("/<folio>/open311")
@requires("cases.publish")
def publish_description(folio: str) -> ResponseReturnValue:
    """OIRS staff publish the (masked) description on the public Open311 listing, or withdraw it."""
    session = db()
    case = load_case(session, folio, current_user, lock=True)
    choice = request.form.get("publicar")
    if choice not in ("1", "0"):
        session.rollback()
        flash(MESSAGES["check_fields"], "error")
        return _back(case.folio)
    try:
        event = publication.publish_description(case, _actor(), choice == "1")
        session.commit()
    except OirsError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _back(folio)
    log.info("case open311 folio=%s public=%s user_id=%s", case.folio, choice, current_user.id)
    message = "publish_same" if event is None else ("published" if choice == "1" else "withdrawn")
    flash(MESSAGES[message], "success")
    return _back(case.folio)
