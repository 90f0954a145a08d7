"""Staff sign-in: argon2 passwords, CSRF, sessions that end with the account (throttling and
open redirects: test_auth_security.py)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.admin.staff import PASSWORD, csrf, login, make_user, post

REFUSED = "No fue posible ingresar. Revise su correo y su contraseña"


def test_login_with_right_password_opens_the_inbox(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    response = login(client, "oirs@prueba.cl")
    assert response.status_code == 302
    assert response.location.endswith("/casos/")
    assert "Bandeja de casos" in client.get("/casos/").get_data(as_text=True)


def test_wrong_password_is_refused_with_the_generic_spanish_message(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    response = login(client, "oirs@prueba.cl", "otra-clave-equivocada")
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)
    assert client.get("/casos/").status_code == 302


def test_unknown_email_gets_the_same_message_as_a_wrong_password(
    client: FlaskClient, db_session: Session
) -> None:
    response = login(client, "nadie@prueba.cl", "cualquier-clave-larga")
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)


def test_login_without_csrf_token_is_rejected(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "oirs")
    response = client.post("/ingresar", data={"email": "oirs@prueba.cl", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/casos/").status_code == 302


def test_logout_needs_post_with_csrf_and_ends_the_session(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    assert client.get("/salir").status_code == 405
    assert client.post("/salir").status_code == 400
    assert post(client, "/salir", {}).status_code == 302
    assert client.get("/casos/").status_code == 302


def test_deactivated_user_loses_an_open_session(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    assert client.get("/casos/").status_code == 200
    with db_session.begin():
        db_session.add(user)
        user.active = False
    assert client.get("/casos/").status_code == 302
    assert login(client, "oirs@prueba.cl").status_code == 401


def test_login_redirects_only_to_local_paths(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "oirs")
    token = csrf(client)
    response = client.post(
        "/ingresar?next=//evil.example/x",
        data={"email": "oirs@prueba.cl", "password": PASSWORD, "csrf_token": token},
    )
    assert response.location.endswith("/casos/")


def test_own_password_change_requires_the_current_one(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    bad = post(
        client,
        "/cuenta/contrasena",
        {
            "current": "no-es-la-clave",
            "new": "una-clave-nueva-larga",
            "repeat": "una-clave-nueva-larga",
        },
    )
    assert bad.status_code == 400
    assert "La contraseña actual no es correcta." in bad.get_data(as_text=True)
    short = post(
        client, "/cuenta/contrasena", {"current": PASSWORD, "new": "corta", "repeat": "corta"}
    )
    assert "al menos 12 caracteres" in short.get_data(as_text=True)
    good = post(
        client,
        "/cuenta/contrasena",
        {"current": PASSWORD, "new": "una-clave-nueva-larga", "repeat": "una-clave-nueva-larga"},
    )
    assert good.status_code == 302
    assert client.get("/casos/").status_code == 200, "the session survives one's own change"
    client.post("/salir", data={"csrf_token": csrf(client, "/cuenta/contrasena")})
    assert login(client, "unit@prueba.cl").status_code == 401
    assert login(client, "unit@prueba.cl", "una-clave-nueva-larga").status_code == 302


def test_session_cookie_is_http_only_and_same_site(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    response = login(client, "oirs@prueba.cl")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_staff_pages_forbid_framing_and_sniffing(client: FlaskClient, db_session: Session) -> None:
    response = client.get("/ingresar")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
