"""Secure headers everywhere; rate limits on login, Open311 POST and the API."""

from __future__ import annotations

import pytest
from flask import Flask

from admin import create_app
from oirs.settings import Settings
from tests.admin.staff import csrf, make_user


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


def _login_codes(client, addresses: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    """A failed login from each address, through a proxy on 127.0.0.1 as nginx would send it."""
    return [
        client.post(
            "/ingresar",
            data={"email": "x@example.cl", "password": "nope"},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code
        for address in addresses
    ]


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(
    app_settings: Settings,
    clean_db,  # type: ignore[no-untyped-def]
) -> None:
    from dataclasses import replace

    # behind a proxy the admin needs its own secret (admin/startup.py)
    behind_nginx = replace(app_settings, proxies=1, secret_key="k" * 40)
    client = _fresh_app(behind_nginx).test_client()
    attacker = _login_codes(client, ["200.1.1.1"] * 12)
    assert attacker[-1] == 429
    assert _login_codes(client, ["200.2.2.2"]) == [401]  # refused as wrong, not locked out
    # a client cannot forge its way out: only the address nginx appended is trusted
    assert _login_codes(client, ["9.9.9.9, 200.1.1.1"]) == [429]


def test_without_the_proxy_setting_forwarded_addresses_are_ignored(
    app_settings: Settings,
    clean_db,  # type: ignore[no-untyped-def]
) -> None:
    client = _fresh_app(app_settings).test_client()
    codes = _login_codes(client, [f"200.3.3.{i}" for i in range(12)])
    assert codes[-1] == 429  # one client address (the proxy's) for all of them


def test_the_login_limit_holds_across_a_window_boundary(
    app_settings: Settings,
    clean_db,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """10 per minute means 10 in any 60 s. A fixed window (opened by the first attempt) let one
    attempt, 9 more 59 s later and, 2 s after that, 10 more through: 19 in 3 seconds."""
    import limits.storage.memory as memory_storage

    class Clock:
        now = 1_800_000_000.0

        def time(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(memory_storage, "time", clock)
    client = _fresh_app(app_settings).test_client()
    address = ["200.4.4.4"]
    assert _login_codes(client, address) != [429]
    clock.now += 59
    assert 429 not in _login_codes(client, address * 9)
    clock.now += 2  # the first attempt is more than a minute old: one more, not ten
    assert _login_codes(client, address * 2)[-1] == 429
    clock.now += 60  # a whole minute after the burst
    assert _login_codes(client, address) != [429]


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


@pytest.mark.parametrize(
    "email,password",
    [
        ("ana@muni.cl\x00", "x"),
        ("ana\x00@muni.cl", "x"),
        ("\x00", "x"),
        ("ana@muni.cl", "cla\x00ve"),
    ],
)
def test_a_nul_in_the_login_form_gets_a_clean_400_before_the_login_view(  # type: ignore[no-untyped-def]
    client, db_session, email, password
) -> None:
    """The general guard, not the login code, refuses it: on PostgreSQL a NUL reaching the
    user lookup would be a database error, on SQLite a failed attempt counted."""
    make_user(db_session, "oirs", email="ana@muni.cl")
    response = client.post(
        "/ingresar", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Solicitud no válida" in page and 'lang="es' in page
    assert 'name="password"' not in page  # the guard's page: the login view never ran


def test_an_id_beyond_an_integer_column_in_a_url_is_a_404_not_a_driver_crash(client, auth) -> None:  # type: ignore[no-untyped-def]
    """Found by the API fuzzer: /api/v1/handoffs/9223372036854775808 reached SQLite and gave
    500; on PostgreSQL anything past 2**31 - 1 did."""
    for huge in (2**63, 2**63 - 1, 2**31, 2**31 - 1):
        assert client.get(f"/api/v1/handoffs/{huge}", headers=auth).status_code == 404, huge
