"""Secure headers everywhere; rate limits on login, Open311 POST and the API."""

from __future__ import annotations

from flask import Flask

from admin import create_app
from oirs.settings import Settings


def test_every_response_has_secure_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _fresh_app(app_settings: Settings) -> Flask:
    return create_app(app_settings, TESTING=True, WTF_CSRF_ENABLED=False)


def test_login_attempts_are_rate_limited(app_settings: Settings, clean_db) -> None:  # type: ignore[no-untyped-def]
    client = _fresh_app(app_settings).test_client()
    codes = [
        client.post("/ingresar", data={"email": "x@example.cl", "password": "nope"}).status_code
        for _ in range(12)
    ]
    assert 429 not in codes[:10]
    assert codes[-1] == 429


def test_open311_posts_are_rate_limited(app_settings: Settings, clean_db) -> None:  # type: ignore[no-untyped-def]
    client = _fresh_app(app_settings).test_client()
    codes = [client.post("/open311/v2/requests.json", data={}).status_code for _ in range(32)]
    assert 429 not in codes[:30]
    assert codes[-1] == 429
    assert client.get("/open311/v2/services.json").status_code == 200


def test_pages_outside_the_api_answer_errors_in_spanish(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)
    assert client.get("/api/v1/no-existe").json["error"]["message"] == "No se encontró el recurso."


def test_nul_bytes_are_refused_before_reaching_the_database(client, auth) -> None:  # type: ignore[no-untyped-def]
    form = client.post("/open311/v2/requests.json", data={"description": "ho\x00la"})
    assert form.status_code == 400
    body = client.post(
        "/api/v1/cases",
        data='{"type": "reclamo", "channel": "web", "description": "a\\u0000b"}',
        content_type="application/json",
        headers=auth,
    )
    assert body.status_code == 422
    assert "NUL" in body.json["error"]["message"]
