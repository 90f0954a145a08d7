"""Headless Chromium drives the real panel: log in, filter the inbox, derive a case, answer
it as the unit, validate and respond as OIRS. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from oirs.calendar.business_days import BusinessCalendar
from oirs.db import make_engine, make_session_factory
from oirs.models import Case, OutboxMessage
from oirs.settings import Settings
from tests.admin.browser import ARTIFACTS as ALL_ARTIFACTS
from tests.admin.browser import log_in, log_out, page, seeded_database, served
from tests.admin.staff import make_user, new_case

ARTIFACTS = ALL_ARTIFACTS / "browser"
__all__ = ["ARTIFACTS", "live_admin", "log_in", "log_out", "page", "shot"]  # other browser tests

pytestmark = pytest.mark.browser


@pytest.fixture
def live_admin(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The admin on a free loopback port, a real server thread, on a migrated SQLite file."""
    from admin import create_app

    url = seeded_database(tmp_path / "browser.db")
    engine = make_engine(url)
    session = make_session_factory(engine)()
    make_user(session, "oirs", email="paula@muni.cl")
    make_user(session, "unit", email="carla@muni.cl")
    make_user(session, "admin", email="admin@muni.cl")
    aseo = new_case(
        session, BusinessCalendar(), category="aseo", description="Microbasural en Los Aromos"
    )
    other = new_case(
        session, BusinessCalendar(), category="transito", description="Semáforo apagado"
    )
    session.close()
    app = create_app(Settings(database_url=url, data_dir=tmp_path), TESTING=False)
    try:
        with served(app) as base:
            yield {"base": base, "url": url, "aseo": aseo.folio, "other": other.folio}
    finally:
        engine.dispose()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_case_goes_from_inbox_to_answer_in_the_browser(live_admin: dict[str, str], page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base, folio = live_admin["base"], live_admin["aseo"]
    page.goto(f"{base}/ingresar")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Saltar al contenido principal")
    shot(page, "01-ingreso")

    log_in(page, base, "paula@muni.cl")
    page.get_by_label("Categoría").select_option("aseo")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_role("link", name=folio)).to_be_visible()
    expect(page.get_by_role("link", name=live_admin["other"])).to_have_count(0)
    shot(page, "02-bandeja-filtrada")

    page.get_by_role("link", name=folio).click()
    # the bot gave the theme: the case arrives classified, with its category's unit preselected
    expect(page.locator("main p").filter(has_text="Estado:")).to_contain_text("Clasificado")
    expect(page.locator("#derivar-unit")).to_have_value("DIMAO")
    expect(page.get_by_role("button", name="Corregir la categoría")).to_be_visible()
    page.locator("#derivar-note").fill("Favor retirar la basura.")
    page.locator("button[name=accion][value=derivar]").click()
    expect(page.get_by_role("status").first).to_contain_text("Derivado a la unidad")
    shot(page, "03-derivado")
    log_out(page)

    log_in(page, base, "carla@muni.cl")
    page.get_by_role("link", name=folio).click()
    expect(page.get_by_text("12.345.678-5")).to_have_count(0)
    page.get_by_label("Respuesta de la unidad").fill("Retiramos la basura el martes.")
    page.locator("button[name=accion][value=responder_unidad]").click()
    expect(page.get_by_role("status").first).to_contain_text("Respuesta de la unidad recibida")
    shot(page, "04-respuesta-unidad")
    log_out(page)

    log_in(page, base, "paula@muni.cl")
    page.goto(f"{base}/casos/{folio}")
    page.locator("button[name=accion][value=validar]").click()
    expect(page.get_by_role("status").first).to_contain_text("Respuesta validada")
    page.get_by_label("Plantilla").select_option("respuesta_general")
    page.get_by_role("button", name="Usar plantilla").click()
    page.get_by_role("button", name="Vista previa").click()
    expect(page.locator(".preview")).to_contain_text("Estimado/a María González")
    expect(page.locator(".preview")).to_contain_text("Retiramos la basura el martes.")
    shot(page, "05-vista-previa")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("se enviará por WhatsApp")
    expect(page.get_by_text("Pendiente de envío")).to_be_visible()
    shot(page, "06-respondido")

    session = make_session_factory(make_engine(live_admin["url"]))()
    case = session.scalar(select(Case).where(Case.folio == folio))
    assert case is not None and case.status == "respondido"
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    assert message is not None and message.channel == "whatsapp"
    session.close()
