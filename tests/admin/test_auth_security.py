"""Staff sign-in under attack: open redirects after login (issue 13, point 1)."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from admin.auth.views import _safe_next
from tests.admin.staff import PASSWORD, login, make_user

# --- Point 1: where a login may send the browser -------------------------------------------

# Values of `next` as the view receives them (already decoded once from the query string).
BYPASSES = [
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",  # the reported one: /ingresar?next=/%09/evil.example/x
    "/%09/evil.example/x",  # the same, encoded once more
    "\\/\\/evil.example/x",
    "\\\\evil.example/x",
    "/\\\\evil.example",
    "https:evil.example",
    "https://evil.example/x",
    "http:/\\evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example/x",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "///evil.example/x",
    "////evil.example/x",
    "\t//evil.example/x",
    " //evil.example/x",
    "\n//evil.example/x",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\r/evil.example",
    "/\x0b/evil.example",
    "/\x1f/evil.example",
    "evil.example",
    "@evil.example",
    "",
]
LOCAL = [
    ("/casos?estado=abierto", "/casos?estado=abierto"),
    ("/casos/", "/casos/"),
    ("/casos/?q=Juan%20P%C3%A9rez&estado=abierto", "/casos/?q=Juan%20P%C3%A9rez&estado=abierto"),
    (
        "/estadisticas/?desde=2025-01-01&hasta=2025-02-01",
        "/estadisticas/?desde=2025-01-01&hasta=2025-02-01",
    ),
    ("/casos/OIRS-2025-00012#respuesta", "/casos/OIRS-2025-00012#respuesta"),
]
_BROWSER_DROPS = {ord("\t"): None, ord("\n"): None, ord("\r"): None}


def _where_a_browser_goes(location: str) -> tuple[str, str]:
    """Host and path a browser would navigate to from this Location (WHATWG rules)."""
    cleaned = location.strip("".join(map(chr, range(0x21)))).translate(_BROWSER_DROPS)
    parts = urlsplit(urljoin("http://oirs.local/ingresar", cleaned.replace("\\", "/")))
    return parts.netloc, parts.path


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_every_known_open_redirect_bypass(app: Flask, target: str) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(target) == "/casos/"


@pytest.mark.parametrize(("target", "expected"), LOCAL)
def test_safe_next_keeps_local_paths_with_their_query(
    app: Flask, target: str, expected: str
) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(target) == expected


def test_safe_next_without_a_target_goes_to_the_inbox(app: Flask) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(None) == "/casos/"


@pytest.mark.parametrize("target", BYPASSES)
def test_signed_in_staff_are_never_redirected_off_site(
    client: FlaskClient, db_session: Session, target: str
) -> None:
    make_user(db_session, "oirs")
    assert login(client, "oirs@prueba.cl").status_code == 302
    response = client.get("/ingresar?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert _where_a_browser_goes(response.location) == ("oirs.local", "/casos/")


@pytest.mark.parametrize("target", BYPASSES[:12])
def test_signing_in_never_redirects_off_site(
    client: FlaskClient, db_session: Session, target: str
) -> None:
    make_user(db_session, "oirs")
    token_page = client.get("/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    response = client.post(
        "/ingresar?" + urlencode({"next": target}),
        data={"email": "oirs@prueba.cl", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302
    assert _where_a_browser_goes(response.location) == ("oirs.local", "/casos/")


@pytest.mark.parametrize(("target", "expected"), LOCAL)
def test_login_still_returns_to_the_local_page_asked_for(
    client: FlaskClient, db_session: Session, target: str, expected: str
) -> None:
    make_user(db_session, "oirs")
    token_page = client.get("/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    response = client.post(
        "/ingresar?" + urlencode({"next": target}),
        data={"email": "oirs@prueba.cl", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.location == expected
    assert client.get("/ingresar?" + urlencode({"next": target})).location == expected
