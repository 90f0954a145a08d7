"""Twilio's delivery reports for outbox messages: a WhatsApp message Twilio accepted but
could not deliver is retried through the template (63016) or shown as failed on the case."""

from __future__ import annotations

import logging

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from admin.database import db, settings
from admin.errors import error_response
from oirs.outbox.delivery import provider_reported_failure

bp = Blueprint("twilio_status", __name__)
log = logging.getLogger(__name__)
UNDELIVERED = {"failed", "undelivered"}


def twilio_signature(url: str, params: dict[str, list[str]], token: str) -> str:
    """The signature Twilio would send for these form fields (tests and tools sign with it)."""
    fields: MultiDict[str, str] = MultiDict(params)
    return str(RequestValidator(token).compute_signature(url, fields))


def _signed() -> bool:
    """Checked by Twilio's own validator (constant-time compare, URL with and without the
    default port) over the public URL Twilio called, as OIRS_PUBLIC_URL spells it."""
    token = settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    query = f"?{request.query_string.decode()}" if request.query_string else ""
    url = f"{settings().public_url}{request.path}{query}"
    return bool(RequestValidator(token).validate(url, request.form, signature))


@bp.post("/api/twilio/status")
def message_status() -> ResponseReturnValue:
    if not _signed():
        return error_response(403, "forbidden", "Firma de Twilio inválida.")
    status = request.form.get("MessageStatus", "")
    sid = request.form.get("MessageSid", "")
    if status not in UNDELIVERED or not sid:
        return "", 204
    session = db()
    with session.begin():
        outcome = provider_reported_failure(session, sid, request.form.get("ErrorCode", ""))
    log.warning(
        "twilio_status message_sid=%s status=%s error=%s outcome=%s",
        sid,
        status,
        request.form.get("ErrorCode"),
        outcome,
    )
    return "", 204
