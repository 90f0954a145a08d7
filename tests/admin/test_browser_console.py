"""The agent console in headless Chromium against the real admin: a WhatsApp conversation handed
off through the API appears live in the queue, the agent takes it, picks a suggested reply,
edits it and sends it, and the message waits in the outbox for the WhatsApp sender."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.rasa_client import RasaClient
from oirs.db import make_engine, make_session_factory
from oirs.handoffs.call_center import CallCenterHours, parse_hours
from oirs.models import OutboxMessage
from oirs.settings import Settings
from tests.admin.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, log_in, served
from tests.admin.handoff_support import (
    RASA_TOKEN,
    WHATSAPP_HANDOFF,
    FakeRasa,
    file_after_hours_callback,
)
from tests.admin.staff import make_user
from tests.support.app_fixtures import migrate

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

QUESTION = "¿cuánto se demora la municipalidad en responder una solicitud de transparencia?"


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def console_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    data_dir = tmp_path_factory.mktemp("console-var")
    url = f"sqlite:///{data_dir / 'oirs.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    from oirs.seed import seed_reference_data

    with sessions.begin() as session:
        seed_reference_data(session)
    sessions.kw["info"] = {"url": url, "data_dir": data_dir}
    yield sessions
    engine.dispose()


@pytest.fixture(scope="module")
def console_app(console_sessions: sessionmaker[Session], fake_rasa: FakeRasa) -> Flask:
    from admin import create_app

    info = console_sessions.kw["info"]
    settings = Settings(database_url=info["url"], data_dir=info["data_dir"], rasa_url=fake_rasa.url)
    app = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False, CONSOLE_STREAM_SECONDS=3)
    app.extensions["oirs_rasa_client"] = RasaClient(fake_rasa.url, RASA_TOKEN, timeout=2.0)
    app.extensions["oirs_call_center_hours"] = CallCenterHours(parse_hours("mon-sun 00:00-24:00"))
    return app


@pytest.fixture(scope="module")
def base_url(console_app: Flask) -> Iterator[str]:
    with served(console_app) as base:
        yield base


@pytest.fixture(scope="module")
def api_headers(console_sessions: sessionmaker[Session]) -> dict[str, str]:
    from admin.api.tokens import issue_token

    with console_sessions.begin() as session:
        token = issue_token(session, "bot", ("bot",))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install -y chromium (SKIPPED)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-CL")
    page = context.new_page()
    yield page
    context.close()


def log_in_as_agent(page: Any, base_url: str, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        make_user(session, "agent", email="ana.agente@prueba.cl")
    log_in(page, base_url, "ana.agente@prueba.cl")
    page.goto(f"{base_url}/consola/")
    expect(page.get_by_role("heading", name="Consola de atención")).to_be_visible()


def test_handed_off_whatsapp_conversation_is_answered_with_an_edited_suggestion(
    page: Any,
    base_url: str,
    console_sessions: sessionmaker[Session],
    api_headers: dict[str, str],
    fake_rasa: FakeRasa,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    log_in_as_agent(page, base_url, console_sessions)
    expect(page.get_by_text("No hay conversaciones en espera.")).to_be_visible()

    transcript = [
        *WHATSAPP_HANDOFF["transcript"],  # type: ignore[misc]
        {"at": "2026-11-25T11:00:00-03:00", "sender": "resident", "text": QUESTION},
    ]
    reply = requests.post(
        f"{base_url}/api/v1/handoffs",
        json={**WHATSAPP_HANDOFF, "transcript": transcript},
        headers=api_headers,
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    handoff_id = reply.json()["id"]

    row = page.locator(f'[data-handoff="{handoff_id}"]')
    expect(row).to_be_visible(timeout=10_000)  # arrived over the event stream, no reload
    expect(row).to_contain_text("transparencia")
    expect(page.locator("#anuncios")).to_contain_text("Nueva conversación en espera")
    page.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)

    page.get_by_role("button", name=f"Tomar conversación {handoff_id}").click()
    expect(page.get_by_text("El asistente automático quedó en pausa.")).to_be_visible()
    assert fake_rasa.posted_events()[-1][1] == {"event": "pause"}

    suggestions = page.locator("#sugerencias .suggestion")
    expect(suggestions.first).to_contain_text("Preguntas frecuentes")
    assert 1 <= suggestions.count() <= 3
    suggested = suggestions.first.locator(".suggestion-text").inner_text()
    with console_sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []  # nothing before the click

    suggestions.first.get_by_role("button", name="Usar esta respuesta").focus()
    page.keyboard.press("Enter")  # keyboard alone is enough
    box = page.get_by_label("Mensaje al vecino o vecina")
    expect(box).to_be_focused()
    expect(box).to_have_value(suggested)
    box.press("End")
    box.type(" Quedo atenta, Ana.")
    page.screenshot(path=str(ARTIFACTS / "console-reply.png"), full_page=True)
    with console_sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []  # inserting is not sending

    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Mensaje en cola de salida por WhatsApp.")).to_be_visible()
    expect(page.locator("#transcript")).to_contain_text("Quedo atenta, Ana.")

    with console_sessions() as session:
        messages = session.scalars(select(OutboxMessage)).all()
        assert [(m.channel, m.recipient, m.status) for m in messages] == [
            ("whatsapp", "whatsapp:+56987654321", "pending")
        ]
        assert messages[0].body == suggested + " Quedo atenta, Ana."

    # the resident writes again while the bot is paused: it reaches the open page by itself
    fake_rasa.events = [{"event": "user", "timestamp": time.time(), "text": "muchas gracias"}]
    expect(page.locator("#transcript")).to_contain_text("muchas gracias", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "console-conversation.png"), full_page=True)


def test_out_of_hours_callbacks_greet_the_agent_at_opening_until_marked_done(
    page: Any, base_url: str, console_sessions: sessionmaker[Session]
) -> None:
    """Issue 16: a resident asked for a person at 20:00; the next morning the console lists the
    call-back (folio, hour asked, masked phone) until an agent marks it done."""
    with console_sessions.begin() as session:
        folio, handoff_id = file_after_hours_callback(session, "whatsapp:+56976543233")
    with console_sessions() as session:
        make_user(session, "agent", email="beto.agente@prueba.cl")
    log_in(page, base_url, "beto.agente@prueba.cl")
    page.goto(f"{base_url}/consola/")
    section = page.get_by_role("region", name="Llamadas pendientes de devolver (1)")
    row = section.locator(f'[data-callback="{handoff_id}"]')
    expect(row).to_contain_text(folio)
    expect(row).to_contain_text("25-11-2026 20:00")
    expect(row).to_contain_text("+** *** *** 33")
    expect(row).not_to_contain_text("76543233")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-callbacks.png"), full_page=True)
    row.get_by_role("button", name=f"Marcar devuelta {folio}").click()
    expect(
        page.get_by_text(f"Llamada de la consulta {folio} marcada como devuelta.")
    ).to_be_visible()
    expect(page.get_by_text("No hay llamadas pendientes de devolver.")).to_be_visible()
