"""Files from the channels: pending uploads before a folio exists, and case attachments."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.scopes import requires_scope
from admin.database import db, settings
from oirs.cases.filing import get_case
from oirs.errors import InvalidField
from oirs.files.attachments import AttachmentStore, StoredFile, add_attachment, attach_uploads


def attachment_store() -> AttachmentStore:
    return AttachmentStore.for_data_dir(settings().data_dir)


def _received_file() -> StoredFile:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidField({"file": "Adjunte el archivo en el campo «file»."})
    return attachment_store().put(upload.read(), upload.mimetype, upload.filename)


def stored_json(stored: StoredFile, **extra: Any) -> dict[str, Any]:
    return {
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "size": stored.size,
        "filename": stored.filename,
        **extra,
    }


@bp.post("/uploads")
@requires_scope("bot")
def create_upload() -> ResponseReturnValue:
    """A file received before its case exists; the returned id goes in "attachments"."""
    stored = _received_file()
    upload_id = attachment_store().stage(
        stored, request.form.get("channel", "web"), request.form.get("channel_user_id")
    )
    return jsonify(stored_json(stored, id=upload_id)), 201


@bp.post("/cases/<folio>/attachments")
@requires_scope("bot")
def add_case_attachments(folio: str) -> ResponseReturnValue:
    """Either a file (multipart "file") or {"upload_ids": [...], "channel_user_id": ...}:
    uploads a conversation collected before filing, named by that conversation."""
    session = db()
    if request.files:
        stored = _received_file()
        with session.begin():
            attachment = add_attachment(session, get_case(session, folio), stored)
            session.flush()
            return jsonify(stored_json(stored, id=attachment.id)), 201
    body = request.get_json(silent=True) or {}
    upload_ids = body.get("upload_ids") if isinstance(body, dict) else None
    if not isinstance(upload_ids, list) or not all(isinstance(i, str) for i in upload_ids):
        raise InvalidField({"upload_ids": "Indique una lista de identificadores de archivo."})
    owner = body.get("channel_user_id")
    if owner is not None and not isinstance(owner, str):
        raise InvalidField({"channel_user_id": "Indique la conversación como texto."})
    with session.begin():
        case = get_case(session, folio)
        attachments = attach_uploads(session, attachment_store(), case, upload_ids, owner)
        session.flush()
        items = [
            {
                "id": a.id,
                "sha256": a.sha256,
                "content_type": a.content_type,
                "size": a.size,
                "filename": a.filename,
            }
            for a in attachments
        ]
    return jsonify({"folio": case.folio, "attachments": items}), 201
