"""Secure headers on every response and rate limits on the doors anyone can knock on."""

from __future__ import annotations

from flask import Blueprint, Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from oirs.settings import Settings

# Limits per client address; staff pages are behind login and are not limited.
LOGIN_LIMIT = "10 per minute;50 per hour"
OPEN311_POST_LIMIT = "30 per minute"
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


def init_app(app: Flask, settings: Settings) -> Limiter:
    csp = content_security_policy(settings)

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
        strategy="fixed-window",
        headers_enabled=True,
    )
    app.extensions["oirs_limiter"] = limiter
    limits: tuple[tuple[str, str, list[str] | None], ...] = (
        ("auth", LOGIN_LIMIT, ["POST"]),
        ("open311", OPEN311_POST_LIMIT, ["POST"]),
        ("api", API_LIMIT, None),
        ("widget", PUBLIC_POST_LIMIT, ["POST"]),
    )
    for name, limit, methods in limits:
        blueprint = app.blueprints.get(name)
        if isinstance(blueprint, Blueprint):
            limiter.limit(limit, methods=methods)(blueprint)
    return limiter
