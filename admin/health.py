"""Liveness and readiness: the admin answers and its database answers."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from admin.database import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # the health check reports, the log keeps the cause
        log.error("database unreachable: %s", type(exc).__name__)
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
