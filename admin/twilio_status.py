"""Twilio's delivery reports for outbox messages: a WhatsApp message Twilio accepted but
could not deliver is retried through the template (63016) or shown as failed on the case."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from admin.database import db, settings
from admin.errors import error_response
from oirs.outbox import provider_reported_failure

bp = Blueprint("twilio_status", __name__)
log = logging.getLogger(__name__)
UNDELIVERED = {"failed", "undelivered"}


def twilio_signature(url: str, params: dict[str, list[str]], token: str) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL and each sorted name+value, base64."""
    data = url + "".join(name + value for name in sorted(params) for value in sorted(params[name]))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _signed() -> bool:
    token = settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    query = f"?{request.query_string.decode()}" if request.query_string else ""
    url = f"{settings().public_url}{request.path}{query}"
    params = {name: request.form.getlist(name) for name in request.form}
    return hmac.compare_digest(twilio_signature(url, params, token), signature)


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
