"""Bad input at every public door of the admin (login form, widget, Open311, uploads):
whatever arrives gets a clear 4xx (or success), never a 5xx, a stack trace, or a file
written outside the data directory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests.admin.staff import csrf

pytestmark = pytest.mark.slow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
NASTY = [
    "Hola 👋🏽 reclamo 🗑️🚮",
    "مرحبا \u202ereclamo\u202c שלום",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "'; DROP TABLE cases; --",
    "1' OR '1'='1",
    "../../etc/passwd",
    "..\\..\\x",
    "a\x00b",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "%00%2e%2e%2f",
    "{{7*7}}${7*7}",
    "ñandú " * 400,
]
nasty_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
# A multipart part header cannot carry a line break (the client refuses to build one).
header_text = nasty_text.map(lambda t: t.replace("\r", " ").replace("\n", " "))
LEAKS = ("Traceback", 'File "/', "werkzeug.debug", "sqlalchemy.exc", "jinja2.exceptions")
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clean(response: TestResponse, *allowed: int) -> None:
    """A deliberate answer: no server error and nothing of the server's insides."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:500]
    if allowed:
        assert response.status_code in allowed, (response.status_code, body[:300])
    for leak in LEAKS:
        assert leak not in body, body[:500]


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def data_dir(app: Flask) -> Iterator[Path]:
    """The data directory; after the test, nothing new may appear beside it."""
    root: Path = app.extensions["oirs_settings"].data_dir
    outside = root.parent
    before = files_under(outside) - files_under(root)
    yield root
    after = files_under(outside) - files_under(root)
    assert after == before, sorted(str(p) for p in after - before)


class RasaReply:
    """What Rasa's REST channel answers to one message."""

    def raise_for_status(self) -> None:
        return None

    def json(self) -> list[dict[str, str]]:
        return [{"text": "Hola, ¿en qué le ayudo?"}]


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Rasa answering, so the widget relay is fuzzed rather than Rasa; records what it got."""
    sent: list[dict[str, Any]] = []

    def post(url: str, json: dict[str, Any], timeout: object) -> RasaReply:
        sent.append(json)
        return RasaReply()

    monkeypatch.setattr("admin.widget.routes.requests.post", post)
    return sent


def session_id() -> str:
    return "web-" + "a1B2c3D4e5F6g7H8"


# --- login form ---------------------------------------------------------------------------


@FUZZ
@given(email=nasty_text, password=nasty_text)
def test_login_form_refuses_any_credentials_with_a_spanish_4xx_page(
    client: FlaskClient, email: str, password: str
) -> None:
    token = csrf(client)
    response = client.post(
        "/ingresar", data={"email": email, "password": password, "csrf_token": token}
    )
    assert_clean(response, 400, 401)
    assert 'lang="es' in response.get_data(as_text=True)


def test_a_nul_byte_in_the_login_email_is_refused_not_a_database_error(
    client: FlaskClient,
) -> None:
    token = csrf(client)
    response = client.post(
        "/ingresar", data={"email": "ana\x00@muni.cl", "password": "x", "csrf_token": token}
    )
    assert_clean(response, 400, 401)


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"email=\xff\xfe\xfd&password=\xc3\x28", "application/x-www-form-urlencoded"),
        (b"email=ana%FF%FE&password=x", "application/x-www-form-urlencoded; charset=latin-9"),
        ("email=ñandú&password=ü".encode("utf-16"), "application/x-www-form-urlencoded"),
        (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"),
        (b"\x00" * 100, "text/plain; charset=utf-8"),
    ],
)
def test_login_form_with_broken_encodings_answers_4xx(
    client: FlaskClient, body: bytes, content_type: str
) -> None:
    assert_clean(client.post("/ingresar", data=body, content_type=content_type), 400)


# --- widget ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"session": st.one_of(st.just(session_id()), nasty_text), "text": json_values},
            optional={"attachments": json_values},
        ),
    )
)
def test_widget_messages_answer_any_json_without_crashing(
    client: FlaskClient, rasa: list[dict[str, Any]], body: Any
) -> None:
    response = client.post("/widget/api/messages", json=body)
    assert_clean(response, 200, 400, 422)
    if response.status_code == 200:
        assert len(rasa[-1]["message"]) <= 2000  # bounded before it reaches the bot


@pytest.mark.parametrize(
    "raw,content_type",
    [
        (b'{"session": "\xff\xfe", "text": "hola"}', "application/json"),
        (b'{"session": ', "application/json"),
        (b"session=web-aaaaaaaaaaaaaaaa&text=hola", "application/x-www-form-urlencoded"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"[1, 2, 3]", "application/json"),
        (b"true", "application/json"),
    ],
)
def test_widget_messages_with_broken_bodies_answer_4xx(
    client: FlaskClient, rasa: list[dict[str, Any]], raw: bytes, content_type: str
) -> None:
    assert_clean(client.post("/widget/api/messages", data=raw, content_type=content_type), 400)
    assert rasa == []


@FUZZ
@given(name=header_text, data=st.one_of(st.binary(max_size=256), st.just(PNG)), kind=header_text)
def test_widget_uploads_keep_only_images_under_a_safe_name(
    client: FlaskClient, data_dir: Path, name: str, data: bytes, kind: str
) -> None:
    form = {"session": session_id(), "file": (io.BytesIO(data), name, kind or "image/png")}
    response = client.post("/widget/api/uploads", data=form, content_type="multipart/form-data")
    # 415: not a photo or PDF by its bytes; 429: the one session's daily quota is spent
    assert_clean(response, 201, 400, 413, 415, 422, 429)
    if response.status_code == 201:
        assert_safe_name(response.json["filename"])


@FUZZ
@given(session=nasty_text, after=nasty_text)
def test_widget_inbox_answers_any_query(client: FlaskClient, session: str, after: str) -> None:
    response = client.get("/widget/api/inbox", query_string={"session": session, "after": after})
    assert_clean(response, 200, 400)


# --- Open311 -----------------------------------------------------------------------------


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "service_code",
                "description",
                "address_string",
                "first_name",
                "last_name",
                "email",
                "phone",
                "lat",
                "long",
                "media_url",
                "device_id",
            ]
        ),
        nasty_text,
    )
)
def test_open311_post_answers_any_form_with_201_or_400(
    client: FlaskClient, api_token: str, fields: dict[str, str]
) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        data={"service_code": "alumbrado", **fields, "api_key": api_token},
    )
    assert_clean(response, 201, 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_with_a_broken_encoding_answers_4xx(
    client: FlaskClient, api_token: str, fmt: str
) -> None:
    body = f"api_key={api_token}&service_code=alumbrado&description=\xff\xfe".encode("latin-1")
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        data=body,
        content_type="application/x-www-form-urlencoded; charset=klingon",
    )
    assert_clean(response, 201, 400, 403)


# --- uploads and case attachments --------------------------------------------------------


def assert_safe_name(name: str) -> None:
    assert "/" not in name and "\\" not in name and "\x00" not in name, name
    assert not name.startswith("."), name


def api_upload(
    client: FlaskClient, auth: dict[str, str], data: bytes, name: str, kind: str
) -> TestResponse:
    form = {"file": (io.BytesIO(data), name, kind), "channel": "whatsapp"}
    return client.post(
        "/api/v1/uploads", data=form, headers=auth, content_type="multipart/form-data"
    )


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..\\..\\x", "a\x00b.png", "/etc/shadow", "....//....//x.png", "🗑️.png"],
)
def test_attachment_names_cannot_climb_out_of_the_data_directory(
    client: FlaskClient, auth: dict[str, str], data_dir: Path, name: str
) -> None:
    response = api_upload(client, auth, PNG, name, "image/png")
    assert_clean(response, 201)
    assert_safe_name(response.json["filename"])
    stored = data_dir / "attachments" / response.json["sha256"][:2] / response.json["sha256"]
    assert stored.read_bytes() == PNG


@pytest.mark.parametrize(
    "data,declared,kept_as",
    [(PNG, "application/pdf", "image/png"), (PDF, "image/png", "application/pdf")],
)
def test_lying_content_types_are_replaced_by_what_the_bytes_prove(
    client: FlaskClient, auth: dict[str, str], data: bytes, declared: str, kept_as: str
) -> None:
    response = api_upload(client, auth, data, "archivo", declared)
    assert_clean(response, 201)
    assert response.json["content_type"] == kept_as


@pytest.mark.parametrize("declared", ["image/png", "image/jpeg", "application/pdf"])
def test_an_html_file_declared_as_image_or_pdf_is_refused(
    client: FlaskClient, auth: dict[str, str], declared: str
) -> None:
    response = api_upload(client, auth, HTML, "foto.png", declared)
    assert_clean(response, 400)
    assert response.json["error"]["message"].startswith("Ese tipo de archivo no se admite")


def test_an_attachment_over_the_store_limit_is_refused_with_its_size(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = api_upload(client, auth, PNG + b"\x00" * (17 * 1024 * 1024), "f.png", "image/png")
    assert_clean(response, 400)
    assert "supera el máximo" in response.json["error"]["message"]


@pytest.mark.parametrize(
    "path,extra,is_json",
    [
        ("/api/v1/uploads", {}, True),
        ("/api/v1/cases/RC-2026-000001/attachments", {}, True),
        ("/widget/api/uploads", {"session": session_id()}, False),
        ("/ingresar", {"email": "a@b.cl"}, False),
    ],
)
def test_bodies_over_the_request_limit_get_a_spanish_413(
    app: Flask,
    client: FlaskClient,
    auth: dict[str, str],
    path: str,
    extra: dict[str, str],
    is_json: bool,
) -> None:
    huge = b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    form = {**extra, "file": (io.BytesIO(huge), "enorme.png", "image/png")}
    response = client.post(path, data=form, headers=auth, content_type="multipart/form-data")
    assert_clean(response, 413)
    if is_json:
        assert response.json["error"]["message"] == "El contenido enviado es demasiado grande."
    else:
        assert "demasiado grande" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "folio", ["../../etc/passwd", "RC-2026-000001'--", "%00", "RC-2026-" + "9" * 500]
)
def test_case_attachments_for_a_hostile_folio_answer_4xx(
    client: FlaskClient, auth: dict[str, str], folio: str
) -> None:
    form = {"file": (io.BytesIO(PNG), "f.png", "image/png")}
    response = client.post(
        f"/api/v1/cases/{folio}/attachments",
        data=form,
        headers=auth,
        content_type="multipart/form-data",
    )
    assert_clean(response, 404, 422)


@FUZZ
@given(body=json_values)
def test_case_attachments_by_upload_ids_answer_any_json_with_4xx(
    client: FlaskClient, auth: dict[str, str], body: Any
) -> None:
    response = client.post(
        "/api/v1/cases/RC-2026-000001/attachments",
        data=json.dumps(body),
        headers=auth,
        content_type="application/json",
    )
    assert_clean(response, 404, 422)
