"""Handoff endpoints: the bot and the phone channel ask for a person; the bot reads the state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.scopes import requires_scope
from admin.database import calendar, db
from admin.errors import error_response
from oirs.errors import InvalidField
from oirs.handoffs.call_center import CallCenterHours
from oirs.handoffs.queue import (
    HandoffNotFound,
    NewHandoff,
    get_handoff,
    latest_handoff,
    open_handoff,
    queue_position,
)
from oirs.models import Handoff, HandoffStatus, utcnow

clock: Callable[[], datetime] = utcnow  # tests put a fixed clock here
TEXT_FIELDS = ("channel", "channel_user_id", "conversation_id", "intent", "reason")


def call_center_hours() -> CallCenterHours:
    """OIRS_CALL_CENTER_HOURS, read once per app."""
    hours: CallCenterHours = current_app.extensions.setdefault(
        "oirs_call_center_hours", CallCenterHours.from_env()
    )
    return hours


def parse_new_handoff(body: Any) -> NewHandoff:
    """The JSON body as a NewHandoff, with Spanish messages for wrong types."""
    if not isinstance(body, dict):
        raise InvalidField({"body": "El cuerpo debe ser un objeto JSON."})
    errors: dict[str, str] = {}
    fields: dict[str, str | None] = {}
    for key in TEXT_FIELDS:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = "Debe ser texto."
            value = None
        fields[key] = value
    transcript = body.get("transcript") or []
    if not isinstance(transcript, list):
        errors["transcript"] = "La transcripción debe ser una lista de mensajes."
        transcript = []
    slots = body.get("slots") or {}
    if not isinstance(slots, dict):
        errors["slots"] = "Debe ser un objeto."
        slots = {}
    if not fields["channel"]:
        errors.setdefault("channel", "Este campo es obligatorio.")
    if errors:
        raise InvalidField(errors)
    return NewHandoff(
        channel=fields["channel"] or "",
        conversation_id=fields["conversation_id"] or fields["channel_user_id"] or "",
        channel_user_id=fields["channel_user_id"],
        transcript=transcript,
        intent=fields["intent"],
        reason=fields["reason"],
        slots={str(k): v for k, v in slots.items() if isinstance(v, str | int | float | bool)},
    )


def handoff_json(handoff: Handoff, position: int) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "status": handoff.status,
        "channel": handoff.channel,
        "conversation_id": handoff.conversation_id,
        "queue_position": position or None,
        "agent": handoff.agent_label if handoff.status == HandoffStatus.TAKEN else None,
        "agent_active": handoff.status == HandoffStatus.TAKEN,
        "created_at": handoff.created_at.isoformat(),
        "taken_at": handoff.taken_at.isoformat() if handoff.taken_at else None,
        "ended_at": handoff.ended_at.isoformat() if handoff.ended_at else None,
        "folio": handoff.case.folio if handoff.case else None,
    }


@bp.post("/handoffs")
@requires_scope("bot")
def create_handoff() -> ResponseReturnValue:
    data = parse_new_handoff(request.get_json(silent=True))
    session = db()
    with session.begin():
        outcome = open_handoff(session, data, call_center_hours(), calendar(), clock())
        payload: dict[str, Any] = {
            "id": outcome.handoff.id,
            "status": outcome.handoff.status,
            "message": outcome.message,
        }
        if outcome.folio:
            payload["folio"] = outcome.folio
        current_app.logger.info(
            "handoff id=%s channel=%s status=%s created=%s",
            outcome.handoff.id,
            outcome.handoff.channel,
            outcome.handoff.status,
            outcome.created,
        )
    return jsonify(payload), 201 if outcome.created else 200


@bp.get("/handoffs")
@requires_scope("bot")
def conversation_handoff() -> ResponseReturnValue:
    """The latest handoff of a conversation, for a bot that did not keep the id."""
    channel = request.args.get("channel", "")
    conversation_id = request.args.get("conversation_id", "")
    if not channel or not conversation_id:
        raise InvalidField({"conversation_id": "Indique el canal y la conversación."})
    session = db()
    with session.begin():
        handoff = latest_handoff(session, channel, conversation_id)
        if handoff is None:
            return error_response(404, HandoffNotFound.code, "La conversación no fue derivada.")
        return jsonify(handoff_json(handoff, queue_position(session, handoff)))


@bp.get("/handoffs/<int:handoff_id>")
@requires_scope("bot")
def read_handoff(handoff_id: int) -> ResponseReturnValue:
    session = db()
    with session.begin():
        try:
            handoff = get_handoff(session, handoff_id)
        except HandoffNotFound as exc:
            return error_response(404, exc.code, exc.message)
        return jsonify(handoff_json(handoff, queue_position(session, handoff)))
