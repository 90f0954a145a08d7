"""Staff friction of issue 16, in headless Chromium against the real admin: the conversation
reads in Chilean local time, reloading a case does not inflate «Quién vio los datos
personales», the next Transparency step stands open, and the login page loads no missing
resource."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData
from oirs.db import make_engine, make_session_factory
from oirs.models import CaseView
from oirs.settings import Settings
from tests.admin.browser import log_in, page, seeded_database, served
from tests.admin.staff import make_user, new_case

__all__ = ["page"]  # headless Chromium, the fixture every browser test uses

pytestmark = pytest.mark.browser
TRANSCRIPT = [
    {"at": "2026-12-07T05:50:30-03:00", "sender": "user", "text": "Hay un perro suelto."},
    {"at": "2026-12-07T08:51:10+00:00", "sender": "bot", "text": "¿Dónde ocurre?"},
]


@pytest.fixture
def admin_site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The admin on a free loopback port with a reclamo that has a conversation and a SAI."""
    from admin import create_app

    url = seeded_database(tmp_path / "friction.db")
    engine = make_engine(url)
    session = make_session_factory(engine)()
    make_user(session, "oirs", email="paula@muni.cl")
    make_user(session, "transparency", email="jorge@muni.cl")
    reclamo = new_case(
        session,
        BusinessCalendar(),
        category="animales",
        description="Perro suelto en la plaza",
        transcript=TRANSCRIPT,
    )
    sai = new_case(
        session,
        BusinessCalendar(),
        type_="sai",
        category=None,  # type: ignore[arg-type]
        channel="web",
        description="Copia del contrato de recolección de basura vigente",
        contact=ContactData(name="Ana María Pérez Soto", email="ana@example.cl"),
    )
    session.close()
    app = create_app(Settings(database_url=url, data_dir=tmp_path), TESTING=False)
    try:
        with served(app) as base:
            yield {"base": base, "engine": engine, "reclamo": reclamo, "sai": sai.folio}
    finally:
        engine.dispose()


def test_conversation_turns_show_chilean_local_date_and_time(admin_site, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    log_in(page, admin_site["base"], "paula@muni.cl")
    page.goto(f"{admin_site['base']}/casos/{admin_site['reclamo'].folio}")
    turns = page.locator("ol.transcript li")
    expect(turns.nth(0)).to_contain_text("Vecino/a · 07-12-2026 05:50:")
    expect(turns.nth(1)).to_contain_text("Asistente · 07-12-2026 05:51:")  # 08:51 UTC
    expect(page.locator("ol.transcript")).not_to_contain_text("T05:50:30")


def test_reloading_a_case_records_one_view_a_day_per_person(admin_site, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    case = admin_site["reclamo"]
    log_in(page, admin_site["base"], "paula@muni.cl")
    for _ in range(4):
        page.goto(f"{admin_site['base']}/casos/{case.folio}")
    views = page.locator("section[aria-labelledby=h-accesos] li")
    expect(views).to_have_count(1)
    expect(views.first).to_contain_text("datos de contacto")
    with admin_site["engine"].connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(CaseView).where(CaseView.case_id == case.id)
        )
    assert count == 1


def test_next_transparency_step_stands_open(admin_site, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    log_in(page, admin_site["base"], "jorge@muni.cl")
    page.goto(f"{admin_site['base']}/transparencia/{admin_site['sai']}")
    steps = page.locator("section[aria-labelledby=h-pasos] details")
    expect(steps.first).to_have_attribute("open", "")
    expect(steps.first.get_by_role("button")).to_be_visible()


@pytest.mark.parametrize("path", ["/ingresar", "/privacidad"])
def test_public_pages_load_no_missing_resource(admin_site, page, path: str) -> None:  # type: ignore[no-untyped-def]
    """The login page and the public privacy notice: no 404 in the browser console."""
    missing: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{admin_site['base']}{path}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the browser asks for the page's icon after load
    assert missing == []
    assert errors == []
