"""What every staff screen shares: CSRF on unsafe methods, security headers, Spanish error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; script-src 'self'; "
    "style-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF_BLUEPRINTS: set[str] = set()  # every route in these must declare a permission


def staff_blueprint(name: str, import_name: str, url_prefix: str | None = None) -> Blueprint:
    """A blueprint whose forms are CSRF-checked and whose pages are never framed or cached."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    STAFF_BLUEPRINTS.add(name)

    @bp.before_request
    def _check_csrf() -> None:
        if request.method in UNSAFE and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    bp.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405, 409, 413):
        bp.register_error_handler(code, _html_error)
    return bp


def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return render_template("error.html", code=400, reason="csrf"), 400


def _html_error(exc: Any) -> tuple[str, int]:
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    return render_template("error.html", code=code, reason=None), code
