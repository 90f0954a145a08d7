"""Secure headers on every response and rate limits on the doors anyone can knock on."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from admin.api.ratelimit import api_client_key
from admin.errors import error_response, wants_json
from oirs.settings import Settings

# Limits per client address (the API's per token); staff pages are behind login, not limited.
LOGIN_LIMIT = "10 per minute;50 per hour"
OPEN311_POST_LIMIT = "30 per minute"
OPEN311_GET_LIMIT = "60 per minute"  # the public listing: browsing, not harvesting
API_LIMIT = "600 per minute"
PUBLIC_POST_LIMIT = "60 per minute"


def content_security_policy(settings: Settings) -> str:
    """Same-origin everything; the widget demo page may also talk to the Rasa server."""
    rasa = settings.rasa_url
    rasa_ws = rasa.replace("http://", "ws://").replace("https://", "wss://")
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "style-src 'self'",
            "script-src 'self'",
            f"connect-src 'self' {rasa} {rasa_ws}",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


NUL_MESSAGE = "El texto contiene un carácter no permitido (NUL)."


def has_nul(values: Iterable[str]) -> bool:
    """Text with a NUL byte: PostgreSQL cannot store it and no resident means it."""
    return any(isinstance(value, str) and "\x00" in value for value in values)


def init_app(app: Flask, settings: Settings) -> Limiter:
    csp = content_security_policy(settings)

    @app.before_request
    def _refuse_nul_bytes() -> ResponseReturnValue | None:
        texts = [*request.args.values(), *request.args.keys()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            texts += [*request.form.values(), *request.form.keys()]
        if request.is_json and "\\u0000" in request.get_data(as_text=True):
            texts.append("\x00")
        if not has_nul(texts):
            return None
        if request.path.startswith("/api/"):
            return error_response(422, "invalid_field", NUL_MESSAGE, fields={"body": NUL_MESSAGE})
        if wants_json():
            return error_response(400, "invalid_text", NUL_MESSAGE)
        return render_template("error.html", code=400, reason=None), 400

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if settings.production:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        # a moving window: "10 per minute" means at most 10 in any 60 seconds (a fixed window
        # let 10 through at 12:00:59 and 10 more at 12:01:00)
        strategy="moving-window",
        headers_enabled=True,
    )
    app.extensions["oirs_limiter"] = limiter
    limits: tuple[tuple[str, str, list[str] | None], ...] = (
        ("auth", LOGIN_LIMIT, ["POST"]),
        ("open311", OPEN311_POST_LIMIT, ["POST"]),
        ("open311", OPEN311_GET_LIMIT, ["GET"]),
        ("api", API_LIMIT, None),
        ("widget", PUBLIC_POST_LIMIT, ["POST"]),
    )
    for name, limit, methods in limits:
        blueprint = app.blueprints.get(name)
        if isinstance(blueprint, Blueprint):
            # the API counts per token (the bot, each Open311 app), the rest per address
            key = api_client_key if name == "api" else None
            limiter.limit(limit, methods=methods, key_func=key)(blueprint)
    return limiter
