"""A working day at the OIRS in headless Chromium, every staff role signing in in turn on the
same live admin (issue 16, "Done when"): OIRS staff derive a reclamo the bot filed to the unit
the page preselects, the unit answers, OIRS validates and answers on WhatsApp, the resident's
"5 gracias" is recorded and shown; Transparency takes a solicitud through its first steps; the
Secretaría Municipal reads the day in the statistics; the call center finds last night's
call-back in the console. One screenshot per step in test-artifacts/day/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.senders.dispatch import deliver_due
from admin.senders.whatsapp import TwilioWhatsAppSender
from oirs.db import make_engine, make_session_factory
from oirs.models import Case, OutboxMessage
from oirs.settings import Settings
from tests.admin.browser import ARTIFACTS, log_in, log_out, page, seeded_database, served
from tests.admin.handoff_support import file_after_hours_callback
from tests.admin.staff import make_user
from tests.channels import providers

__all__ = ["page"]  # headless Chromium, the fixture every browser test uses

pytestmark = pytest.mark.browser
DAY = ARTIFACTS / "day"
SID, TOKEN = "AC" + "cd" * 16, "auth-token"
RESIDENT = "whatsapp:+56987654321"
OIRS, UNIT, TRANSPARENCY = "paula@muni.cl", "carla@muni.cl", "jorge@muni.cl"
SECRETARIA, AGENT = "sonia@muni.cl", "beto@muni.cl"
UNIT_ANSWER = "Cambiamos la ampolleta de la luminaria el martes."
# POST /api/v1/cases as actions/filing.py sends it at the end of a WhatsApp conversation
RECLAMO = {
    "type": "reclamo",
    "channel": "whatsapp",
    "channel_user_id": RESIDENT,
    "conversation_id": RESIDENT,
    "category": "alumbrado",  # the bot's classifier gave the theme: Alumbrado Público
    "description": "La luminaria frente a mi casa está apagada hace una semana.",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "phone": "+56987654321", "rut": "12.345.678-5"},
    "transcript": [
        {"at": "2026-12-07T08:10:00-03:00", "sender": "resident", "text": "hola, un reclamo"},
        {"at": "2026-12-07T08:10:01-03:00", "sender": "bot", "text": "¿Qué ocurre?"},
    ],
    "idempotency_key": "whatsapp:+56987654321:reclamo:1",
}
SAI = {
    "type": "sai",
    "channel": "web",
    "channel_user_id": "widget-7f3a",
    "description": "Copia del contrato vigente de mantención del alumbrado público.",
    "contact": {"name": "Jorge Soto", "email": "jorge.soto@example.cl"},
    "sai": {"information_requested": "Copia del contrato vigente de mantención del alumbrado"},
    "idempotency_key": "widget-7f3a:sai:1",
}


@dataclass
class Day:
    base: str
    sessions: sessionmaker[Session]
    bot: dict[str, str]  # the bot's bearer token header
    twilio: providers.Providers  # stands in for api.twilio.com

    def api(self, path: str, body: dict[str, Any]) -> requests.Response:
        """What the bot sends to the admin's API."""
        return requests.post(f"{self.base}/api/v1{path}", json=body, headers=self.bot, timeout=10)


@pytest.fixture
def day(tmp_path: Path) -> Iterator[Day]:
    """The live admin with one person of each staff role, a bot token and a fake Twilio."""
    from admin import create_app
    from admin.api.tokens import issue_token

    url = seeded_database(tmp_path / "day.db")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        make_user(session, "oirs", email=OIRS)
        make_user(session, "unit", email=UNIT, unit="ALUMB")
        make_user(session, "transparency", email=TRANSPARENCY)
        make_user(session, "supervisor", email=SECRETARIA)
        make_user(session, "agent", email=AGENT)
    with sessions.begin() as session:
        token = issue_token(session, "bot", ("bot",))
    twilio = providers.Providers(SID, TOKEN, "unused", "unused")
    twilio_server = providers.start(twilio)
    app = create_app(Settings(database_url=url, data_dir=tmp_path), TESTING=False)
    try:
        with served(app) as base:
            yield Day(base, sessions, {"Authorization": f"Bearer {token}"}, twilio)
    finally:
        twilio_server.shutdown()
        engine.dispose()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(DAY / f"{name}.png"), full_page=True)


def open_from_inbox(page: Any, folio: str) -> None:
    page.get_by_role("link", name=folio, exact=True).click()
    page.get_by_role("heading", name=re.compile(folio)).wait_for()


def status_line(page: Any) -> Any:
    return page.locator("main p").filter(has_text="Estado:")


def fact(page: Any, term: str) -> Any:
    """The value next to a <dt> term of a facts list."""
    return page.locator(f"dt:text-is('{term}') + dd")


def test_a_working_day_through_every_staff_role(day: Day, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    filed = day.api("/cases", RECLAMO)
    assert filed.status_code == 201, filed.text
    folio = filed.json()["folio"]
    solicitud = day.api("/cases", SAI)
    assert solicitud.status_code == 201, solicitud.text
    sai_folio = solicitud.json()["folio"]

    # OIRS: the reclamo the bot filed waits classified, its unit already chosen
    log_in(page, day.base, OIRS)
    expect(page.get_by_role("link", name=folio, exact=True)).to_be_visible()
    shot(page, "01-oirs-bandeja")
    open_from_inbox(page, folio)
    expect(status_line(page)).to_contain_text("Clasificado")
    expect(fact(page, "Categoría")).to_have_text("Alumbrado público")
    unit = page.locator("#derivar-unit")
    expect(unit).to_have_value("ALUMB")  # preselected: nobody touched the list
    expect(unit.locator("option:checked")).to_have_text(re.compile("Alumbrado Público"))
    page.locator("#derivar-note").fill("Favor revisar la luminaria.")
    page.locator("button[name=accion][value=derivar]").click()
    expect(page.get_by_role("status").first).to_contain_text("Derivado a la unidad")
    shot(page, "02-oirs-derivado")
    log_out(page)

    # the unit: the case is in its inbox; the answer goes into «Respuesta de la unidad»
    log_in(page, day.base, UNIT)
    open_from_inbox(page, folio)
    expect(page.get_by_text("12.345.678-5")).to_have_count(0)  # the unit sees contact masked
    page.get_by_label("Respuesta de la unidad").fill(UNIT_ANSWER)
    page.locator("button[name=accion][value=responder_unidad]").click()
    expect(page.get_by_role("status").first).to_contain_text("Respuesta de la unidad recibida")
    shot(page, "03-unidad-respuesta")
    log_out(page)

    # OIRS validates and answers the resident on WhatsApp
    log_in(page, day.base, OIRS)
    open_from_inbox(page, folio)
    page.locator("button[name=accion][value=validar]").click()
    expect(page.get_by_role("status").first).to_contain_text("Respuesta validada")
    page.get_by_label("Plantilla").select_option("respuesta_general")
    page.get_by_role("button", name="Usar plantilla").click()
    page.get_by_role("button", name="Vista previa").click()
    expect(page.locator(".preview")).to_contain_text("Estimado/a Ana Pérez")
    expect(page.locator(".preview")).to_contain_text(UNIT_ANSWER)
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("se enviará por WhatsApp")
    expect(page.get_by_text("Pendiente de envío")).to_be_visible()
    shot(page, "04-oirs-respondido")
    with day.sessions() as session:
        case = session.scalars(select(Case).where(Case.folio == folio)).one()
        assert case.status == "respondido"
        outbox = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
        [message] = outbox.all()
        assert (message.channel, message.status) == ("whatsapp", "pending")
        assert UNIT_ANSWER in message.body and message.payload["ask_satisfaction"]

    # the outbox worker's round takes it to WhatsApp; the resident answers "5 gracias!! 👍"
    sender = TwilioWhatsAppSender(SID, TOKEN, "+14155238886", None, day.twilio.base_url)
    assert deliver_due(day.sessions, {"whatsapp": sender}).sent == 1
    [sent] = day.twilio.matching("/Messages.json")
    assert sent.form["To"] == RESIDENT and UNIT_ANSWER in sent.form["Body"]
    rated = day.api(
        "/residents/satisfaction",
        {"channel": "whatsapp", "channel_user_id": RESIDENT, "text": "5 gracias!! 👍"},
    )
    assert rated.status_code == 201, rated.text
    assert (rated.json()["folio"], rated.json()["score"]) == (folio, 5)
    page.reload()
    expect(page.get_by_text("Enviado", exact=True)).to_be_visible()
    history = page.locator("section[aria-labelledby=h-historial] li").filter(
        has_text="Encuesta de satisfacción respondida"
    )
    expect(history).to_contain_text("Evaluación: 5 de 5")
    shot(page, "05-oirs-evaluacion-registrada")
    log_out(page)

    # Transparency: the solicitud's next step stands open; analysis, then the unit that has it
    log_in(page, day.base, TRANSPARENCY)
    page.get_by_role("link", name="Transparencia (SAI)").click()
    page.get_by_role("link", name=sai_folio, exact=True).click()
    steps = page.locator("section[aria-labelledby=h-pasos] details")
    expect(steps.first).to_have_attribute("open", "")
    steps.first.get_by_role("button", name="Iniciar análisis").click()
    expect(page.get_by_role("status").first).to_contain_text("«Iniciar análisis» registrado")
    expect(status_line(page)).to_contain_text("En análisis")
    assign = steps.filter(has_text="Asignar a la unidad")
    assign.locator("summary").click()
    assign.get_by_label("Unidad que reúne la información").select_option("ALUMB")
    assign.get_by_role("button", name="Asignar a la unidad").click()
    expect(page.get_by_role("status").first).to_contain_text("«Asignar a la unidad» registrado")
    expect(status_line(page)).to_contain_text("Asignada")
    expect(fact(page, "Unidad")).to_contain_text("Alumbrado Público")
    shot(page, "06-transparencia-asignada")
    log_out(page)

    # Secretaría Municipal: the statistics count the day's cases and the rating
    log_in(page, day.base, SECRETARIA)
    page.get_by_role("link", name="Estadísticas").click()
    expect(page.get_by_role("heading", name="Estadísticas e indicadores")).to_be_visible()
    expect(fact(page, "Casos ingresados")).to_have_text("2")
    expect(fact(page, "Satisfacción")).to_contain_text(re.compile(r"\b5(,0)? de 5\b"))
    page.screenshot(path=str(ARTIFACTS / "statistics.png"), full_page=True)
    shot(page, "07-secretaria-estadisticas")
    log_out(page)

    # the call center at opening: last night's request for a person waits to be called back
    with day.sessions.begin() as session:
        callback, handoff_id = file_after_hours_callback(session, "whatsapp:+56976543233")
    log_in(page, day.base, AGENT)
    page.get_by_role("link", name="Consola de atención").click()
    callbacks = page.get_by_role("region", name="Llamadas pendientes de devolver (1)")
    row = callbacks.locator(f'[data-callback="{handoff_id}"]')
    expect(row).to_contain_text(callback)
    expect(row).to_contain_text("+** *** *** 33")
    shot(page, "08-callcenter-devoluciones")
