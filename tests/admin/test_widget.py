"""The web widget in headless Chromium on the demo page, relayed by the real admin to a
loopback stand-in of Rasa's REST channel."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from oirs.db import make_engine, make_session_factory
from oirs.models import OutboxMessage
from oirs.settings import Settings
from tests.support.app_fixtures import migrate

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

SPANISH = "¡Hola! ¿Cómo está? Ñuñoa"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class FakeRasa:
    """Answers like Rasa's REST channel: a list of {recipient_id, text, buttons}."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()

    def reply(self, body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, []
            self.received.append(body)
        sender, text = body["sender"], body["message"]
        if text == "hola":
            buttons = [
                {"title": "Reclamo", "payload": "/reclamo"},
                {"title": "Consultar estado", "payload": "/consultar_estado"},
            ]
            return 200, [{"recipient_id": sender, "text": SPANISH, "buttons": buttons}]
        answers = {"/reclamo": "Cuénteme qué ocurrió.", "/enviar_adjunto": "Recibimos su archivo."}
        return 200, [{"recipient_id": sender, "text": answers.get(text, "Usted escribió: " + text)}]


def start_fake_rasa(fake: FakeRasa) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, answer = fake.reply(json.loads(self.rfile.read(length)))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    server = start_fake_rasa(fake)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield fake
    server.shutdown()


@pytest.fixture(scope="module")
def widget_settings(tmp_path_factory: pytest.TempPathFactory, fake_rasa: FakeRasa) -> Settings:
    data_dir = tmp_path_factory.mktemp("widget-var")
    url = f"sqlite:///{data_dir / 'oirs.db'}"
    migrate(url)
    return Settings(database_url=url, data_dir=data_dir, rasa_url=fake_rasa.url)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def widget_app(widget_settings: Settings) -> Flask:
    from admin import create_app

    return create_app(widget_settings, TESTING=True, RATELIMIT_ENABLED=False)


@pytest.fixture(scope="module")
def base_url(widget_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, widget_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed: apt-get install -y chromium (SKIPPED)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-CL")
    page = context.new_page()
    yield page
    context.close()


def open_widget(page: Any, base_url: str) -> Any:
    page.goto(f"{base_url}/widget/demo")
    page.get_by_role("button", name="Converse con la Municipalidad").click()
    log = page.get_by_role("log")
    playwright_api.expect(log).to_contain_text(SPANISH)
    return log


def test_resident_chats_and_the_conversation_survives_a_reload(page, base_url, fake_rasa) -> None:
    log = open_widget(page, base_url)
    page.get_by_role("button", name="Reclamo").click()
    playwright_api.expect(log).to_contain_text("Cuénteme qué ocurrió.")
    page.get_by_label("Escriba su mensaje").fill("¿Hay feria libre el sábado en Ñuñoa?")
    page.keyboard.press("Enter")
    playwright_api.expect(log).to_contain_text(
        "Usted escribió: ¿Hay feria libre el sábado en Ñuñoa?"
    )
    page.reload()
    log = page.get_by_role("log")
    playwright_api.expect(log).to_contain_text(SPANISH)
    playwright_api.expect(log).to_contain_text("Cuénteme qué ocurrió.")
    senders = {m["sender"] for m in fake_rasa.received[-3:]}
    assert len(senders) == 1 and re.fullmatch(r"web-[0-9a-f]{36}", senders.pop())
    assert fake_rasa.received[-2]["message"] == "/reclamo"
    assert fake_rasa.received[-1]["message"] == "¿Hay feria libre el sábado en Ñuñoa?"
    assert fake_rasa.received[-2]["metadata"]["channel"] == "web"


def test_demo_page_runs_the_widget_without_console_errors(page, base_url) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url),
    )
    page.on(
        "console",
        lambda m: m.type == "error"
        and "Failed to load resource" not in m.text
        and errors.append(m.text),
    )
    open_widget(page, base_url)
    styled = page.get_by_role("button", name="Reclamo").evaluate(
        "b => getComputedStyle(b).borderRadius"
    )
    assert styled != "0px"  # widget.css loaded under the page's Content-Security-Policy
    assert errors == []


def test_keyboard_opens_and_escape_closes_returning_focus(page, base_url) -> None:
    page.goto(f"{base_url}/widget/demo")
    launcher = page.get_by_role("button", name="Converse con la Municipalidad")
    launcher.focus()
    page.keyboard.press("Enter")
    playwright_api.expect(page.get_by_label("Escriba su mensaje")).to_be_focused()
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    page.keyboard.press("Escape")
    playwright_api.expect(page.get_by_role("dialog")).to_be_hidden()
    playwright_api.expect(launcher).to_be_focused()


def test_messages_wait_and_go_out_when_the_bot_is_back(page, base_url, fake_rasa) -> None:
    log = open_widget(page, base_url)
    fake_rasa.fail_next = 2
    page.get_by_label("Escriba su mensaje").fill("sigo aquí")
    page.keyboard.press("Enter")
    playwright_api.expect(page.get_by_role("status").first).to_contain_text("Reintentando")
    playwright_api.expect(log).to_contain_text("Usted escribió: sigo aquí", timeout=15_000)
    assert [m["message"] for m in fake_rasa.received].count("sigo aquí") == 1


def test_a_message_typed_offline_survives_a_reload_and_is_sent_once(
    page, base_url, fake_rasa
) -> None:
    open_widget(page, base_url)
    fake_rasa.fail_next = 1000
    page.get_by_label("Escriba su mensaje").fill("quedó pendiente")
    page.keyboard.press("Enter")
    playwright_api.expect(page.get_by_role("status").first).to_contain_text("Reintentando")
    page.reload()
    fake_rasa.fail_next = 0
    log = page.get_by_role("log")
    playwright_api.expect(log).to_contain_text("Usted escribió: quedó pendiente", timeout=15_000)
    assert [m["message"] for m in fake_rasa.received].count("quedó pendiente") == 1


def test_photo_is_uploaded_and_referenced_in_the_conversation(
    page, base_url, fake_rasa, widget_settings, tmp_path
) -> None:
    log = open_widget(page, base_url)
    photo = tmp_path / "luminaria.png"
    photo.write_bytes(PNG)
    page.locator(".oirsw-file").set_input_files(str(photo))
    playwright_api.expect(log).to_contain_text("Recibimos su archivo.")
    message = fake_rasa.received[-1]
    assert message["message"] == "/enviar_adjunto"
    [attachment] = message["metadata"]["attachments"]
    assert attachment["upload_id"].startswith("upl_")
    assert attachment["content_type"] == "image/png"
    stored = (
        widget_settings.data_dir / "attachments" / attachment["sha256"][:2] / attachment["sha256"]
    )
    assert stored.read_bytes() == PNG


def test_staff_reply_is_shown_when_the_resident_comes_back(page, base_url, widget_settings) -> None:
    open_widget(page, base_url)
    session_id = page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':session'))"
        ".map(k => JSON.parse(localStorage[k]))[0]"
    )
    engine = make_engine(widget_settings.database_url)
    with make_session_factory(engine).begin() as session:
        session.add(
            OutboxMessage(
                channel="web",
                recipient=session_id,
                body="Su reclamo fue derivado a la DIMAO.",
                idempotency_key=f"widget-test:{session_id}",
                status="sent",
            )
        )
    engine.dispose()
    page.reload()
    playwright_api.expect(page.get_by_role("log")).to_contain_text(
        "Su reclamo fue derivado a la DIMAO."
    )


def test_on_a_phone_the_chat_fills_the_screen(browser, base_url) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, locale="es-CL"
    )
    page = context.new_page()
    try:
        open_widget(page, base_url)
        box = page.get_by_role("dialog").bounding_box()
        assert box["width"] == 375
        assert box["height"] == 740
    finally:
        context.close()


def test_cors_allows_only_configured_origins(widget_app, monkeypatch) -> None:
    configured = Settings.from_env({"OIRS_WIDGET_ORIGINS": "https://www.municipalidad.example.cl"})
    settings = replace(
        widget_app.extensions["oirs_settings"], widget_origins=configured.widget_origins
    )
    monkeypatch.setitem(widget_app.extensions, "oirs_settings", settings)
    client = widget_app.test_client()
    allowed = client.options(
        "/widget/api/messages", headers={"Origin": "https://www.municipalidad.example.cl"}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.municipalidad.example.cl"
    other = client.options("/widget/api/messages", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_invalid_session_ids_are_refused(widget_app) -> None:
    client = widget_app.test_client()
    reply = client.post("/widget/api/messages", json={"session": "../admin", "text": "hola"})
    assert reply.status_code == 400
    assert reply.json["error"]["code"] == "bad_session"


def test_buttons_of_earlier_messages_can_no_longer_be_pressed(page, base_url) -> None:
    """Issue 16: once a newer bot message arrives, only the latest options are live."""
    log = open_widget(page, base_url)
    first = page.locator(".oirsw-buttons").first.get_by_role("button", name="Reclamo")
    playwright_api.expect(first).to_be_enabled()
    page.get_by_label("Escriba su mensaje").fill("hola")
    page.keyboard.press("Enter")
    playwright_api.expect(page.locator(".oirsw-buttons")).to_have_count(2)
    playwright_api.expect(first).to_be_disabled()
    latest = page.locator(".oirsw-buttons").last.get_by_role("button", name="Reclamo")
    playwright_api.expect(latest).to_be_enabled()
    page.get_by_label("Escriba su mensaje").fill("una pregunta")
    page.keyboard.press("Enter")
    playwright_api.expect(log).to_contain_text("Usted escribió: una pregunta")
    playwright_api.expect(latest).to_be_disabled()
    page.reload()
    buttons = page.locator(".oirsw-buttons button")
    playwright_api.expect(buttons).to_have_count(4)
    for i in range(4):
        playwright_api.expect(buttons.nth(i)).to_be_disabled()


def test_a_rating_typed_after_a_staff_answer_in_the_widget_is_recorded(
    widget_app: Flask, widget_settings: Settings, fake_rasa: FakeRasa
) -> None:
    """Issue 16: the answer asks for a 1-5 rating; "un 7" is recorded, not sent to the bot."""
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.cases.filing import Actor, NewCase, file_case, get_case, transition
    from oirs.outbox.replies import respond
    from oirs.seed import seed_reference_data

    session_id = "web-" + "7" * 36
    engine = make_engine(widget_settings.database_url)
    with make_session_factory(engine).begin() as session:
        seed_reference_data(session)
        case, _ = file_case(
            session,
            NewCase(
                type="reclamo",
                channel="web",
                channel_user_id=session_id,
                category="alumbrado",
                description="La luminaria de la esquina está apagada.",
                address="Los Aromos 123",
            ),
            BusinessCalendar(),
        )
        for action in ("clasificar", "derivar", "responder_unidad", "validar"):
            transition(session, case, action, Actor("OIRS"))
        respond(session, case, Actor("OIRS"), "Reparamos la luminaria.").status = "sent"
        folio = case.folio
    client = widget_app.test_client()
    before = len(fake_rasa.received)
    # not right after the staff message (the page says so): a number answers the bot
    aside = client.post("/widget/api/messages", json={"session": session_id, "text": "3"})
    assert aside.status_code == 200 and len(fake_rasa.received) == before + 1
    rating = {"session": session_id, "text": "un 7", "after_staff": True}
    reply = client.post("/widget/api/messages", json=rating)
    assert reply.status_code == 200
    assert reply.json["messages"][0]["text"] == (
        "Gracias, registramos su evaluación: nota 7, es decir 5 de 5."
    )
    assert len(fake_rasa.received) == before + 1  # not small talk from the bot
    again = client.post("/widget/api/messages", json={**rating, "text": "5"})
    assert again.status_code == 200 and len(fake_rasa.received) == before + 2  # rated already
    with make_session_factory(engine).begin() as session:
        events = get_case(session, folio).events
        assert [e.data["score"] for e in events if e.kind == "satisfaccion"] == [5]
    engine.dispose()


def test_the_page_sends_a_rating_typed_right_after_the_staff_answer(
    page, base_url, widget_settings, fake_rasa
) -> None:
    """The widget marks a reply that follows a staff message; "5" is then recorded."""
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.cases.filing import Actor, NewCase, file_case, transition
    from oirs.outbox.replies import respond
    from oirs.seed import seed_reference_data

    open_widget(page, base_url)
    session_id = page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':session'))"
        ".map(k => JSON.parse(localStorage[k]))[0]"
    )
    engine = make_engine(widget_settings.database_url)
    with make_session_factory(engine).begin() as session:
        seed_reference_data(session)
        case, _ = file_case(
            session,
            NewCase(
                type="reclamo",
                channel="web",
                channel_user_id=session_id,
                category="alumbrado",
                description="La luminaria del pasaje está apagada.",
                address="Los Aromos 456",
            ),
            BusinessCalendar(),
        )
        for action in ("clasificar", "derivar", "responder_unidad", "validar"):
            transition(session, case, action, Actor("OIRS"))
        respond(session, case, Actor("OIRS"), "Cambiamos la ampolleta.").status = "sent"
    engine.dispose()
    page.reload()
    log = page.get_by_role("log")
    playwright_api.expect(log).to_contain_text("¿Cómo evalúa esta respuesta?")
    before = len(fake_rasa.received)
    page.get_by_label("Escriba su mensaje").fill("5 gracias!! 👍")
    page.keyboard.press("Enter")
    playwright_api.expect(log).to_contain_text("Gracias, registramos su evaluación: 5.")
    assert len(fake_rasa.received) == before
