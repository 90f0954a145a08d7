"""Files from the widget: photos and PDF only, typed by their bytes, within a daily quota per
conversation and per client address (admin/widget/quota.py); kept as pending uploads for the
conversation's case."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address

from admin.database import settings
from admin.errors import error_response
from admin.widget import bp
from admin.widget.quota import Scope, UploadQuota
from admin.widget.routes import MESSAGES, _session_id
from oirs.files.attachments import AttachmentStore, sniff

# What a resident photographs or scans; audio, video and office files come only through the
# channels that verify who sends them (WhatsApp, Telegram).
WIDGET_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})
UPLOAD_MESSAGES = {
    "unsupported_type": "En el asistente solo puede adjuntar fotos (JPG, PNG, WebP o HEIC) "
    "o documentos PDF.",
    "upload_quota": "Ya envió el máximo permitido en una conversación: {files} archivos o "
    "{megabytes} MB en un día. Si necesita enviar más, puede hacerlo mañana o en la "
    "oficina OIRS.",
    "upload_quota_address": "Desde su conexión ya se envió hoy el máximo permitido: {files} "
    "archivos o {megabytes} MB en un día. Si necesita enviar más, puede hacerlo mañana o en "
    "la oficina OIRS.",
}
QUOTA_MESSAGES = {
    Scope.CONVERSATION: UPLOAD_MESSAGES["upload_quota"],
    Scope.ADDRESS: UPLOAD_MESSAGES["upload_quota_address"],
}


@bp.record_once
def _quota_for_app(state: BlueprintSetupState) -> None:
    state.app.extensions["oirs_widget_quota"] = UploadQuota.from_settings(
        state.app.extensions["oirs_settings"]
    )


@bp.post("/widget/api/uploads")
def upload_photo() -> ResponseReturnValue:
    """A photo or PDF from the widget, kept as a pending upload for the conversation's case."""
    session_id = _session_id(request.form.get("session"))
    if session_id is None:
        return error_response(400, "bad_session", MESSAGES["bad_session"])
    upload = request.files.get("file")
    if upload is None:
        return error_response(422, "no_file", MESSAGES["no_file"])
    data = upload.read()
    if data and sniff(data, upload.mimetype) not in WIDGET_TYPES:
        return error_response(415, "unsupported_type", UPLOAD_MESSAGES["unsupported_type"])
    store = AttachmentStore.for_data_dir(settings().data_dir)
    store.accept(data, upload.mimetype)  # empty or too large: refused before it counts
    quota: UploadQuota = current_app.extensions["oirs_widget_quota"]
    refused = quota.take(session_id, get_remote_address() or "unknown", len(data))
    if refused is not None:
        limit = quota.limits[refused]
        message = QUOTA_MESSAGES[refused].format(files=limit.files, megabytes=limit.megabytes)
        return error_response(429, "upload_quota", message)
    stored = store.put(data, upload.mimetype, upload.filename)
    upload_id = store.stage(stored, "web", session_id)
    return jsonify(
        {
            "upload_id": upload_id,
            "content_type": stored.content_type,
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": stored.filename,
        }
    ), 201
