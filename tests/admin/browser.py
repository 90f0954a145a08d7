"""Shared pieces of the browser tests: headless Chromium, the admin served on a loopback port
over a migrated and seeded SQLite file, and staff signing in and out."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from oirs.db import make_engine, make_session_factory
from oirs.settings import PROJECT_ROOT
from tests.admin.staff import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def require_chromium() -> None:
    """Skip where Chromium is missing, but fail on CI, where it must be installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver")
    pytest.skip("Chromium is not installed at /usr/bin/chromium (SKIPPED)")


def seeded_database(path: Path) -> str:
    """A SQLite file migrated as production is, with the reference data and reply templates."""
    from oirs.outbox.replies import seed_reply_templates
    from oirs.seed import seed_reference_data
    from tests.support.app_fixtures import migrate

    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        seed_reference_data(session)
        seed_reply_templates(session)
    engine.dispose()
    return url


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app on a free loopback port, in a real server thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh Chromium tab in Chilean Spanish, at a desktop size."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="es-CL", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def log_in(page: Any, base: str, email: str) -> None:
    """Sign in with the shared test password and land on the inbox, as every role does."""
    page.goto(f"{base}/ingresar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name="Bandeja de casos").wait_for()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Cerrar sesión").click()
    page.get_by_role("heading", name="Ingreso del personal").wait_for()
