"""Console screens: the queue, one conversation, taking it, answering, filing, handing back."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.permissions import sees_full_contact
from admin.cases.access import contact_view, record_view
from admin.console import bp
from admin.console.access import console_required, current_actor
from admin.console.suggestions import SOURCE_LABELS, last_resident_index, suggestions_for
from admin.database import db
from admin.rasa_client import RasaUnavailable, rasa_client
from oirs import labels
from oirs.cases.resident_lookup import open_cases_of, prefill_case
from oirs.errors import InvalidField
from oirs.handoffs.queue import (
    REASON_LABELS,
    HandoffConflict,
    HandoffNotFound,
    add_conversation_events,
    agent_reply,
    get_handoff,
    hand_back,
    mark_called_back,
    pending_callbacks,
    queue,
    record_bot_state,
    take,
    taken_by,
)
from oirs.models import Case, Category, Handoff, HandoffStatus, utcnow
from oirs.privacy.masking import mask_text

log = logging.getLogger(__name__)
CLIENT_KEY = re.compile(r"^[0-9a-f]{32}$")
FILED_TYPES = ("reclamo", "sugerencia", "felicitacion", "consulta", "sai")
MESSAGES = {
    "taken": "Tomó la conversación. El asistente automático quedó en pausa.",
    "sent": "Mensaje en cola de salida por {channel}.",
    "filed": "Caso {folio} ingresado; vence el {due}.",
    "returned": "La conversación volvió al asistente automático.",
    "paused": "El asistente automático quedó en pausa.",
    "rasa_pause": (
        "No se pudo pausar el asistente automático ({error}): podría seguir respondiendo "
        "al vecino. Use «Reintentar pausa»."
    ),
    "rasa_resume": (
        "No se pudo reactivar el asistente automático ({error}): el vecino no recibirá "
        "respuestas automáticas hasta que se reactive."
    ),
    "rasa_read": "No se pudo leer la conversación desde el asistente ({error}).",
    "check_fields": "Revise los campos marcados.",
    "called_back": "Llamada de la consulta {folio} marcada como devuelta.",
}
HANDOFF_STATUS_LABELS = {
    "queued": "En espera",
    "taken": "En atención",
    "returned": "Devuelta al asistente",
    "after_hours": "Fuera de horario (consulta registrada)",
    "called_back": "Contacto devuelto",
}


def callback_rows(session: Session) -> list[dict[str, Any]]:
    """Out-of-hours requests to call back: folio, when asked, and the phone masked."""
    rows = []
    for handoff in pending_callbacks(session):
        phone = handoff.case.contact_phone if handoff.case is not None else None
        rows.append(
            {
                "handoff": handoff,
                "folio": handoff.case.folio if handoff.case is not None else None,
                "phone": mask_text(phone) if phone else None,
            }
        )
    return rows


def queue_context(session: Session, user_id: int) -> dict[str, Any]:
    """The queue page and its live updates: waiting, mine, and the call-backs still owed."""
    return {
        "callbacks": callback_rows(session),
        "queued": queue(session),
        "now": utcnow(),
        "mine": taken_by(session, user_id),
        "status_labels": HANDOFF_STATUS_LABELS,
        "reason_labels": REASON_LABELS,
    }


def load_handoff(session: Session, handoff_id: int) -> Handoff:
    try:
        return get_handoff(session, handoff_id)
    except HandoffNotFound:
        abort(404)


def is_mine(handoff: Handoff) -> bool:
    """The agent answering it (OIRS staff and admins may step in on any taken conversation)."""
    if handoff.status != HandoffStatus.TAKEN:
        return False
    return handoff.agent_user_id == current_user.id or current_user.role in ("oirs", "admin")


def sync_conversation(session: Session, handoff_id: int) -> str | None:
    """Copy in what the resident wrote since the last look; a Spanish warning if Rasa is down.

    Rasa is asked outside any transaction, so a slow Rasa never holds the database."""
    with session.begin():
        handoff = get_handoff(session, handoff_id)
        if handoff.status != HandoffStatus.TAKEN or handoff.channel == "voice":
            return None
        conversation_id, after = handoff.conversation_id, handoff.synced_until
    try:
        entries, newest = rasa_client().messages_since(conversation_id, after)
    except RasaUnavailable as exc:
        return MESSAGES["rasa_read"].format(error=exc)
    if not entries and newest == after:
        return None
    with session.begin():
        handoff = get_handoff(session, handoff_id)
        if handoff.synced_until == after:  # else another page copied them meanwhile
            add_conversation_events(session, handoff, entries, newest)
    return None


def case_rows(session: Session, cases: list[Case]) -> list[dict[str, Any]]:
    """Cases with contact data as the role may see it; full data shown is logged per case."""
    full = sees_full_contact(current_user.role)
    if full:
        for case in cases:
            record_view(session, case, current_user, "contacto (consola)")
    return [{"case": c, "contact": contact_view(c, full)} for c in cases]


def render_conversation(
    session: Session,
    handoff: Handoff,
    *,
    reply_text: str = "",
    case_values: dict[str, Any] | None = None,
    case_errors: dict[str, str] | None = None,
    reply_errors: dict[str, str] | None = None,
    warning: str | None = None,
) -> str:
    mine = is_mine(handoff)
    last = last_resident_index(handoff)
    suggestions = suggestions_for(session, handoff, last) if mine and last is not None else []
    categories = session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.name)
    ).all()
    return render_template(
        "console/conversation.html",
        handoff=handoff,
        mine=mine,
        can_reply=mine and handoff.channel != "voice",
        transcript=list(enumerate(handoff.transcript or [])),
        suggestions=suggestions,
        suggestion_index=last,
        source_labels=SOURCE_LABELS,
        open_cases=case_rows(session, open_cases_of(session, handoff)),
        linked_case=handoff.case,
        reply_text=reply_text,
        reply_errors=reply_errors or {},
        reply_key=uuid.uuid4().hex,
        case_values=case_values or prefill_case(handoff),
        case_errors=case_errors or {},
        case_key=uuid.uuid4().hex,
        categories=categories,
        case_types=[(t, labels.TYPE_LABELS[t]) for t in FILED_TYPES],
        status_labels=HANDOFF_STATUS_LABELS,
        reason_labels=REASON_LABELS,
        warning=warning,
    )


def back(handoff_id: int) -> ResponseReturnValue:
    return redirect(url_for("console.conversation", handoff_id=handoff_id), code=303)


def client_key() -> str:
    key = request.form.get("clave", "")
    if not CLIENT_KEY.match(key):
        abort(400)
    return key


def tell_rasa(session: Session, handoff_id: int, paused: bool) -> str | None:
    """Pause or resume the bot for this conversation; the outcome is kept on the handoff."""
    with session.begin():
        handoff = load_handoff(session, handoff_id)
        conversation_id = handoff.conversation_id
    error = None
    client = rasa_client()
    try:
        if paused:
            client.pause(conversation_id)
        else:
            client.resume(conversation_id)
    except RasaUnavailable as exc:
        error = str(exc)
    with session.begin():
        record_bot_state(load_handoff(session, handoff_id), paused, error)
    log.info("rasa %s handoff=%s ok=%s", "pause" if paused else "resume", handoff_id, not error)
    return error


@bp.get("/")
@console_required
def index() -> ResponseReturnValue:
    session = db()
    with session.begin():
        return render_template("console/index.html", **queue_context(session, current_user.id))


@bp.post("/<int:handoff_id>/devuelta")
@console_required
def called_back(handoff_id: int) -> ResponseReturnValue:
    session = db()
    try:
        with session.begin():
            handoff = load_handoff(session, handoff_id)
            mark_called_back(session, handoff, current_actor())
            folio = handoff.case.folio if handoff.case is not None else str(handoff.id)
    except HandoffConflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.index"), code=303)
    log.info("console callback done handoff=%s", handoff_id)
    flash(MESSAGES["called_back"].format(folio=folio), "success")
    return redirect(url_for("console.index"), code=303)


@bp.get("/<int:handoff_id>/llamar")
@console_required
def call_back(handoff_id: int) -> ResponseReturnValue:
    """The number to call back, whole: the one purpose for which an agent sees it (logged)."""
    session = db()
    with session.begin():
        handoff = load_handoff(session, handoff_id)
        case = handoff.case
        if handoff.status != HandoffStatus.AFTER_HOURS or case is None:
            abort(404)
        phone = case.contact_phone or ""
        if phone:
            record_view(
                session, case, current_user, "teléfono para devolver la llamada", every_time=True
            )
        log.info("console callback number shown handoff=%s", handoff_id)
        return render_template(
            "console/call_back.html",
            handoff=handoff,
            folio=case.folio,
            phone=phone,
            dial=re.sub(r"[^\d+]", "", phone),
        )


@bp.get("/<int:handoff_id>")
@console_required
def conversation(handoff_id: int) -> ResponseReturnValue:
    session = db()
    with session.begin():
        mine = is_mine(load_handoff(session, handoff_id))
    warning = sync_conversation(session, handoff_id) if mine else None
    with session.begin():
        handoff = load_handoff(session, handoff_id)
        return render_conversation(session, handoff, warning=warning)


@bp.get("/<int:handoff_id>/sugerencias/<int:index>")
@console_required
def suggestions(handoff_id: int, index: int) -> ResponseReturnValue:
    session = db()
    with session.begin():
        handoff = load_handoff(session, handoff_id)
        found = suggestions_for(session, handoff, index) if is_mine(handoff) else []
        items = [
            {
                "source": s.source,
                "source_label": SOURCE_LABELS.get(s.source, s.source),
                "key": s.key,
                "title": s.title,
                "text": s.text,
            }
            for s in found
        ]
    return jsonify({"index": index, "suggestions": items})


@bp.post("/<int:handoff_id>/tomar")
@console_required
def take_conversation(handoff_id: int) -> ResponseReturnValue:
    session = db()
    try:
        with session.begin():
            take(session, load_handoff(session, handoff_id), current_actor())
    except HandoffConflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.index"), code=303)
    error = tell_rasa(session, handoff_id, paused=True)
    if error:
        flash(MESSAGES["rasa_pause"].format(error=error), "error")
    else:
        flash(MESSAGES["taken"], "success")
    return back(handoff_id)


@bp.post("/<int:handoff_id>/pausar")
@console_required
def pause_bot(handoff_id: int) -> ResponseReturnValue:
    session = db()
    with session.begin():
        if not is_mine(load_handoff(session, handoff_id)):
            abort(409)
    error = tell_rasa(session, handoff_id, paused=True)
    if error:
        flash(MESSAGES["rasa_pause"].format(error=error), "error")
    else:
        flash(MESSAGES["paused"], "success")
    return back(handoff_id)


@bp.post("/<int:handoff_id>/responder")
@console_required
def reply(handoff_id: int) -> ResponseReturnValue:
    key = client_key()
    text = request.form.get("body", "")
    session = db()
    try:
        with session.begin():
            handoff = load_handoff(session, handoff_id)
            message = agent_reply(session, handoff, current_actor(), text, key)
            channel = labels.CHANNEL_LABELS.get(message.channel, message.channel)
    except InvalidField as exc:
        with session.begin():
            handoff = load_handoff(session, handoff_id)
            page = render_conversation(session, handoff, reply_text=text, reply_errors=exc.fields)
        return page, 400
    except HandoffConflict as exc:
        flash(exc.message, "error")
        return back(handoff_id)
    log.info("console reply handoff=%s outbox=%s", handoff_id, message.id)
    flash(MESSAGES["sent"].format(channel=channel), "success")
    return back(handoff_id)


@bp.post("/<int:handoff_id>/devolver")
@console_required
def hand_back_view(handoff_id: int) -> ResponseReturnValue:
    session = db()
    try:
        with session.begin():
            hand_back(session, load_handoff(session, handoff_id), current_actor())
    except HandoffConflict as exc:
        flash(exc.message, "error")
        return back(handoff_id)
    error = tell_rasa(session, handoff_id, paused=False)
    if error:
        flash(MESSAGES["rasa_resume"].format(error=error), "error")
    else:
        flash(MESSAGES["returned"], "success")
    return redirect(url_for("console.index"), code=303)
