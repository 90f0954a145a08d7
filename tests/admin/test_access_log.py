"""gunicorn's access log of the admin: a path and the names of its parameters, never the values
(addresses, channel identities, staff searches, api keys), nor the Referer's."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from admin.access_log import MaskedAccessLogger
from oirs.settings import PROJECT_ROOT

SECRETS = [
    "Los Aromos 123",
    "Los+Aromos+123",
    "Los%20Aromos%20123",
    "Aromos",
    "whatsapp:+56973124486",
    "whatsapp%3A%2B56973124486",
    "56973124486",
    "973124486",
    "k3y-0f-un-cliente",
    "vecina@example.cl",
    "vecina%40example.cl",
    "oirs_s3cret-bearer",
    "session=abc",
]
QUERY = "address=Los+Aromos+123&channel_user_id=whatsapp%3A%2B56973124486&api_key=k3y-0f-un-cliente"
REFERER = "http://127.0.0.1:8000/casos/?q=%2B56973124486&correo=vecina%40example.cl#fila-3"
# Every atom gunicorn offers that can carry the query, the Referer, a redirect or a credential.
EVERY_ATOM = (
    '%(h)s "%(r)s" %(s)s %(U)s ?%(q)s "%(f)s" "%(a)s" %({referer}i)s %({authorization}i)s '
    "%({cookie}i)s %({query_string}e)s %({raw_uri}e)s %({http_referer}e)s "
    "%({http_authorization}e)s %({http_cookie}e)s %({location}o)s %({set-cookie}o)s"
)


def access_line(access_log_format: str | None = None, query: str = QUERY) -> str:
    """What the admin's logger writes for one staff request carrying personal data."""
    cfg = Config()
    cfg.set("accesslog", "-")
    if access_log_format:
        cfg.set("access_log_format", access_log_format)
    logger = MaskedAccessLogger(cfg)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger.access_log.handlers = [Keep()]
    headers = [
        ("HOST", "127.0.0.1:8000"),
        ("REFERER", REFERER),
        ("AUTHORIZATION", "Bearer oirs_s3cret-bearer"),
        ("COOKIE", "session=abc"),
        ("USER-AGENT", "pytest"),
    ]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/cases/similar?{query}",
        "PATH_INFO": "/api/v1/cases/similar",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": REFERER,
        "HTTP_AUTHORIZATION": "Bearer oirs_s3cret-bearer",
        "HTTP_COOKIE": "session=abc",
        "HTTP_USER_AGENT": "pytest",
    }
    response = SimpleNamespace(
        status="302 FOUND",
        sent=0,
        headers=[
            ("Location", f"/ingresar?next=/casos/%3Fq%3D{query}"),
            ("Set-Cookie", "session=abc"),
        ],
    )
    logger.access(response, SimpleNamespace(headers=headers), environ, timedelta(milliseconds=5))
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize("access_log_format", [None, EVERY_ATOM], ids=["default", "every_atom"])
def test_the_access_log_keeps_the_path_and_drops_query_and_referer_values(
    access_log_format: str | None,
) -> None:
    line = access_line(access_log_format)
    assert "/api/v1/cases/similar" in line
    assert [secret for secret in SECRETS if secret in line] == [], line
    assert "address=" in line  # which parameters were sent stays readable
    assert "http://127.0.0.1:8000/casos/" in line  # so does where the click came from


def test_a_personal_value_typed_into_the_path_is_masked() -> None:
    cfg = Config()
    cfg.set("accesslog", "-")
    line = access_line(query="")
    assert "?" not in line.split('"')[1]  # no empty query mark on a bare path
    logger = MaskedAccessLogger(cfg)
    assert "973124486" not in logger.clean_uri("/casos/+56973124486?x=1")


def test_the_error_log_does_not_repeat_a_failed_request_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = Config()
    logger = MaskedAccessLogger(cfg)
    logger.error_log.propagate = True
    with caplog.at_level(logging.ERROR, logger="gunicorn.error"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("Error handling request %s", f"/api/v1/cases/similar?{QUERY}")
    assert "/api/v1/cases/similar" in caplog.text
    assert [secret for secret in SECRETS if secret in caplog.text] == [], caplog.text


def test_every_command_that_starts_the_admin_uses_the_gunicorn_config() -> None:
    """The Procfile, the end-to-end stack, the voice tests and the benchmarks."""
    config = Config()
    conf = PROJECT_ROOT / "admin" / "gunicorn_conf.py"
    namespace: dict[str, object] = {"__file__": str(conf)}
    exec(compile(conf.read_text(), str(conf), "exec"), namespace)
    for name in ("logger_class", "accesslog", "worker_class", "threads"):
        config.set(name, namespace[name])
    assert config.logger_class is MaskedAccessLogger
    assert config.accesslog == "-"
    starters = [
        PROJECT_ROOT / "Procfile",
        PROJECT_ROOT / "tests" / "e2e" / "stack.py",
        PROJECT_ROOT / "tests" / "channels" / "test_voice.py",
    ]
    for path in starters:
        text = Path(path).read_text()
        assert "gunicorn" in text
        assert "gunicorn_conf.py" in text, path
