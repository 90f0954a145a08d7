"""Liveness and readiness: the admin answers and its database answers."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from admin.database import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "El sistema no puede conectarse a la base de datos. Los datos guardados no se han perdido; "
    "intente nuevamente en unos minutos y, si el problema continúa, avise a soporte técnico."
)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # the health check reports, the log keeps the cause
        log.error("database unreachable: %s", type(exc).__name__)
        body = {"status": "error", "database": "unreachable", "message": DATABASE_DOWN}
        return jsonify(body), 503
    return jsonify({"status": "ok", "database": "ok"})
