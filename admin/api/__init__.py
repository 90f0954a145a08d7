"""JSON API for the bot, the channels and integrations, behind Bearer tokens."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, request, send_file
from flask.typing import ResponseReturnValue

from admin.api.scopes import PUBLIC, requires_scope, route_scopes
from admin.api.tokens import authenticate
from admin.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


OPENAPI = Path(__file__).with_name("openapi.json")


@bp.get("/openapi.json")
@requires_scope(PUBLIC)
def openapi() -> ResponseReturnValue:
    """The API's OpenAPI 3 document (public: it describes, it does not grant)."""
    return send_file(OPENAPI, mimetype="application/json")


@bp.before_request
def _require_token() -> ResponseReturnValue | None:
    """A live token holding one of the scopes the route declared (none declared: nobody)."""
    scopes = route_scopes(current_app.view_functions.get(request.endpoint or ""))
    if PUBLIC in scopes:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    api_token = authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if api_token is None:
        return error_response(401, "unauthorized", "Falta un token de API válido.")
    if not scopes & api_token.scope_set:
        return error_response(
            403,
            "insufficient_scope",
            "Este token no tiene el alcance que pide esta operación ({}).".format(
                " o ".join(sorted(scopes)) or "ninguno"
            ),
        )
    g.api_token = api_token
    return None


from admin.api import (  # noqa: E402,F401  (routes register on bp)
    attachments,
    cases,
    classify,
    community,
    conversations,
    handoffs,
    satisfaction,
)
