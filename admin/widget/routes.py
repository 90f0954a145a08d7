"""Widget endpoints; every POST is rate-limited by admin.security (blueprint "widget").
Uploads are in admin/widget/uploads.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from flask import Response, current_app, jsonify, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue

from admin.database import db, settings
from admin.errors import error_response
from admin.long_requests import take_slot
from admin.widget import bp
from oirs.outbox.delivery import pending_for_widget
from oirs.outbox.replies import WIDGET_SESSION
from oirs.reporting.satisfaction import (
    acknowledgement,
    awaiting_rating,
    parse_rating,
    record_satisfaction,
)

MAX_TEXT = 2000
RASA_TIMEOUT = (3.05, 30.0)
BUSY_RETRY_SECONDS = 3  # Retry-After when every relay slot is waiting on Rasa
MESSAGES = {
    "bad_session": "La sesión del asistente no es válida; recargue la página.",
    "empty": "Escriba un mensaje.",
    "bot_down": "El asistente no está disponible en este momento; reintentando.",
    "bot_busy": "El asistente está atendiendo muchas conversaciones; su mensaje se enviará "
    "en unos segundos.",
    "no_file": "Adjunte una foto.",
}


def allowed_origins() -> set[str]:
    """The admin's own origin plus OIRS_WIDGET_ORIGINS (comma-separated), e.g. the
    municipality's website that embeds the script."""
    configured = settings()
    return {_origin(configured.public_url)} | {_origin(o) for o in configured.widget_origins}


def _origin(url: str) -> str:
    parsed = urlparse(url.strip())
    return f"{parsed.scheme}://{parsed.netloc}"


@bp.after_request
def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if origin and request.path.startswith("/widget/api/") and origin in allowed_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    return response


@bp.route("/widget/api/<path:_any>", methods=["OPTIONS"])
def _preflight(_any: str) -> ResponseReturnValue:
    return "", 204


@bp.get("/widget.js")
def script() -> ResponseReturnValue:
    response = send_from_directory(current_app.root_path + "/static/widget", "widget.js")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/widget/demo")
def demo() -> ResponseReturnValue:
    return render_template("widget/demo.html")


def _session_id(value: Any) -> str | None:
    return value if isinstance(value, str) and WIDGET_SESSION.match(value) else None


@bp.post("/widget/api/messages")
def relay_message() -> ResponseReturnValue:
    """The resident's message to Rasa's REST channel; Rasa's replies back to the page."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):  # a JSON list, number or string is no message
        body = {}
    session_id = _session_id(body.get("session"))
    if session_id is None:
        return error_response(400, "bad_session", MESSAGES["bad_session"])
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return error_response(422, "empty", MESSAGES["empty"])
    attachments = body.get("attachments")
    # only a reply right after a staff message can be its rating (the page says so)
    after_staff = body.get("after_staff") is True and not attachments
    rated = rate_last_answer(session_id, text) if after_staff else None
    if rated is not None:
        return jsonify({"messages": [{"text": rated, "buttons": [], "image": None}]})
    metadata: dict[str, Any] = {"channel": "web", "channel_user_id": session_id}
    if isinstance(attachments, list):
        metadata["attachments"] = [a for a in attachments if isinstance(a, dict)][:10]
    payload = {"sender": session_id, "message": text[:MAX_TEXT], "metadata": metadata}
    # waiting on Rasa holds a thread: only a few relays at a time (admin/long_requests.py);
    # nothing reached Rasa yet, so the widget's retry sends the message once
    give_back = take_slot("relay")
    if give_back is None:
        response, status = error_response(503, "bot_busy", MESSAGES["bot_busy"])
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response, status
    try:
        reply = requests.post(
            f"{settings().rasa_url}/webhooks/rest/webhook", json=payload, timeout=RASA_TIMEOUT
        )
        reply.raise_for_status()
    except requests.RequestException as exc:
        current_app.logger.warning("widget event=bot_unavailable error=%s", type(exc).__name__)
        return error_response(503, "bot_unavailable", MESSAGES["bot_down"])
    finally:
        give_back()
    return jsonify({"messages": [_bot_message(m) for m in reply.json()]})


def rate_last_answer(session_id: str, text: str) -> str | None:
    """The resident's rating of the staff answer shown in this conversation, recorded here
    (the bot never saw the question); the acknowledgement, or None to relay the text."""
    rating = parse_rating(text)
    if rating is None:
        return None
    session = db()
    with session.begin():
        case = awaiting_rating(session, "web", session_id)
        if case is None:
            return None
        record_satisfaction(case, rating.score)
        current_app.logger.info("widget event=satisfaction folio=%s", case.folio)
    return acknowledgement(rating)


def _bot_message(message: dict[str, Any]) -> dict[str, Any]:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict)
    ]
    return {"text": message.get("text") or "", "buttons": buttons, "image": message.get("image")}


@bp.get("/widget/api/inbox")
def inbox() -> ResponseReturnValue:
    """Staff messages for this conversation that arrived while the page was closed."""
    session_id = _session_id(request.args.get("session"))
    if session_id is None:
        return error_response(400, "bad_session", MESSAGES["bad_session"])
    after = request.args.get("after", "0")
    after_id = int(after) if after.isdigit() else 0
    session = db()
    with session.begin():
        waiting = pending_for_widget(session, session_id, after_id)
        items = [{"id": m.id, "text": m.body} for m in waiting]
    return jsonify({"messages": items})
