"""Attachment files served only to staff who may open the case, never sniffed as HTML."""

from __future__ import annotations

from pathlib import Path

from flask import abort, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from admin.auth.permissions import requires
from admin.cases import bp
from admin.cases.access import load_case, record_view
from admin.cases.page import IMAGE_TYPES
from admin.database import db, settings
from oirs.models import Attachment


def attachment_path(storage_key: str) -> Path:
    """The file under data_dir/attachments; 404 for keys that try to leave that folder."""
    base = (settings().data_dir / "attachments").resolve()
    path = (base / storage_key).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        abort(404)
    return path


@bp.get("/<folio>/adjuntos/<int:attachment_id>")
@requires("cases.read")
def attachment(folio: str, attachment_id: int) -> ResponseReturnValue:
    session = db()
    case = load_case(session, folio, current_user)
    item = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id)
    )
    if item is None:
        abort(404)
    path = attachment_path(item.storage_key)
    record_view(session, case, current_user, f"adjunto:{item.id}")
    session.commit()
    inline = item.content_type in IMAGE_TYPES
    response = send_file(
        path,
        mimetype=item.content_type or "application/octet-stream",
        as_attachment=not inline,
        download_name=item.filename,
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
