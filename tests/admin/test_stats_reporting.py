"""Containment and satisfaction on the statistics page and in its exports; the bot's outcome
reports through the API; the monthly report naming late units, sent by a supervisor."""

from __future__ import annotations

import email
import hashlib
import io
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.handoffs.conversations import record_outcome
from oirs.models import ConversationOutcome, ReportDispatch
from oirs.reporting.satisfaction import record_satisfaction
from oirs.settings import Settings
from tests.admin.staff import csrf, login, make_user

CAL = BusinessCalendar()
OIRS = Actor("Paula Rojas", role="oirs")
MARCH = "desde=2026-03-01&hasta=2026-03-31"
DIMAO = "Dirección de Medio Ambiente, Aseo y Ornato"
ALUMBRADO = "Alumbrado Público (Dirección de Obras)"


def at(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def conversation(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def file(session: Session, category: str, when: datetime):  # type: ignore[no-untyped-def]
    data = NewCase(
        type="sugerencia",
        channel="whatsapp",
        description="Caso de prueba para estadísticas",
        category=category,
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case


@pytest.fixture
def march(db_session: Session) -> dict[str, str]:
    """March 2026: an aseo case answered on time and rated 5, an alumbrado case answered late
    and rated 2, an aseo case never answered; three bot conversations."""
    with db_session.begin():
        on_time = file(db_session, "aseo", at(3, 2))
        transition(db_session, on_time, "responder", OIRS, "Gracias", now=at(3, 10))
        record_satisfaction(on_time, 5, now=at(3, 11))
        late = file(db_session, "alumbrado", at(3, 2))
        transition(db_session, late, "responder", OIRS, "Respuesta tardía", now=at(4, 15))
        record_satisfaction(late, 2, now=at(4, 16))
        open_late = file(db_session, "aseo", at(3, 3))
        for name, channel, outcomes in [
            ("a", "web", ["started", "faq_answered"]),
            ("b", "whatsapp", ["started", "case_filed"]),
            ("c", "whatsapp", ["started", "handed_off"]),
            ("d", "whatsapp", ["started"]),
        ]:
            for minute, outcome in enumerate(outcomes):
                moment = at(3, 9) + timedelta(minutes=minute)
                record_outcome(db_session, conversation(name), channel, outcome, now=moment)
    return {"late": late.folio, "open_late": open_late.folio, "on_time": on_time.folio}


@pytest.fixture
def supervisor(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, "supervisor")
    assert login(client, "supervisor@prueba.cl").status_code == 302
    return client


# --- the bot's reports ------------------------------------------------------------------------


def test_the_bot_reports_an_outcome_with_its_token(
    client: FlaskClient, bot_token: str, db_session: Session
) -> None:
    body = {"conversation": conversation("x"), "channel": "telegram", "outcome": "status_given"}
    answer = client.post(
        "/api/v1/conversations/outcomes",
        json=body,
        headers={"Authorization": f"Bearer {bot_token}"},
    )
    assert answer.status_code == 201
    with db_session.begin():
        row = db_session.scalars(select(ConversationOutcome)).one()
    assert (row.conversation, row.channel, row.outcome) == (
        conversation("x"),
        "telegram",
        "status_given",
    )


def test_an_outcome_report_needs_the_bot_scope_and_refuses_raw_ids(
    client: FlaskClient, bot_token: str, read_token: str, db_session: Session
) -> None:
    body = {"conversation": conversation("x"), "channel": "web", "outcome": "started"}
    path = "/api/v1/conversations/outcomes"
    assert client.post(path, json=body).status_code == 401
    reader = {"Authorization": f"Bearer {read_token}"}
    assert client.post(path, json=body, headers=reader).status_code == 403
    bot = {"Authorization": f"Bearer {bot_token}"}
    phone = client.post(path, json={**body, "conversation": "whatsapp:+56987654321"}, headers=bot)
    assert phone.status_code == 422
    assert "conversation" in phone.json["error"]["fields"]
    missing = client.post(path, json={"channel": "web"}, headers=bot)
    assert missing.status_code == 422
    with db_session.begin():
        assert db_session.scalar(select(func.count(ConversationOutcome.id))) == 0


# --- the page and the exports -----------------------------------------------------------------


def test_page_shows_containment_per_channel_and_satisfaction_per_unit(
    supervisor: FlaskClient, march: dict[str, str]
) -> None:
    html = supervisor.get(f"/estadisticas/?{MARCH}").get_data(as_text=True)
    assert "50,0 % de 4 conversaciones resueltas sin una persona" in html
    assert "Porcentaje de conversaciones resueltas sin una persona, por canal" in html
    # WhatsApp: one case filed, one handed off, one abandoned -> 33,3 %; web 100 %
    assert "33,3 %" in html and "100,0 %" in html
    assert "Satisfacción por unidad que respondió" in html
    assert DIMAO in html and ALUMBRADO in html
    assert "nota 7 → 5" in html and "nota 4 → 3" in html
    assert "<script" not in html


def test_a_supervisor_sees_the_send_button_an_oirs_officer_does_not(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "supervisor")
    make_user(db_session, "oirs")
    login(client, "supervisor@prueba.cl")
    assert "/estadisticas/informe-mensual/enviar" in client.get("/estadisticas/").get_data(
        as_text=True
    )
    client.post("/salir", data={"csrf_token": csrf(client, "/estadisticas/")})
    login(client, "oirs@prueba.cl")
    page = client.get("/estadisticas/")
    assert page.status_code == 200
    assert "/estadisticas/informe-mensual/enviar" not in page.get_data(as_text=True)
    assert client.get("/estadisticas/informe-mensual/enviar").status_code == 403


def csv_rows(client: FlaskClient, table: str) -> list[list[str]]:
    response = client.get(f"/estadisticas/exportar.csv?{MARCH}&tabla={table}")
    assert response.status_code == 200
    assert f"{table}_2026-03-01_2026-03-31.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [line.split(";") for line in text.strip().splitlines()]


def test_csv_exports_of_containment_and_satisfaction(
    supervisor: FlaskClient, march: dict[str, str]
) -> None:
    assert csv_rows(supervisor, "contencion") == [
        [
            "Mes",
            "Canal",
            "Resueltas sin una persona",
            "Derivadas a una persona",
            "Abandonadas",
            "En curso",
            "% resueltas sin una persona",
        ],
        ["2026-03", "Sitio web", "1", "0", "0", "0", "100.0"],
        ["2026-03", "WhatsApp", "1", "1", "1", "0", "33.3"],
        ["Total", "", "2", "1", "1", "0", "50.0"],
    ]
    rows = csv_rows(supervisor, "satisfaccion")
    assert rows[0][:4] == ["Por", "Unidad o mes", "Evaluaciones", "Promedio (1 a 5)"]
    assert ["Unidad", ALUMBRADO, "1", "2.0", "0", "1", "0", "0", "0"] in rows
    assert ["Unidad", DIMAO, "1", "5.0", "0", "0", "0", "0", "1"] in rows
    assert ["Mes", "2026-03", "2", "3.5", "0", "1", "0", "0", "1"] in rows
    assert supervisor.get(f"/estadisticas/exportar.csv?{MARCH}&tabla=x").status_code == 400


def test_xlsx_has_containment_satisfaction_and_late_cases_sheets(
    supervisor: FlaskClient, march: dict[str, str]
) -> None:
    response = supervisor.get(f"/estadisticas/exportar.xlsx?{MARCH}")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    containment = list(book["Contención"].iter_rows(values_only=True))
    assert containment[-1] == ("Total", None, 2, 1, 1, 0, 50.0)
    units = list(book["Satisfacción por unidad"].iter_rows(values_only=True))
    assert units[0][:3] == ("Unidad que respondió", "Evaluaciones", "Promedio (1 a 5)")
    assert (DIMAO, 1, 5.0, 0, 0, 0, 0, 1) in units
    late = list(book["Fuera de plazo por unidad"].iter_rows(values_only=True))
    assert {(row[0], row[1]) for row in late[1:]} == {
        (ALUMBRADO, march["late"]),
        (DIMAO, march["open_late"]),
    }


# --- the monthly report and its sending -------------------------------------------------------


@pytest.fixture
def report_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML each PDF is made from (the test environment has no PDF text reader)."""
    import weasyprint

    seen: list[str] = []
    real = weasyprint.HTML

    def recording(*args: Any, string: str = "", **kwargs: Any) -> Any:
        seen.append(string)
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording)
    return seen


def test_monthly_report_names_late_units_with_folio_type_due_date_and_days_late(
    supervisor: FlaskClient, march: dict[str, str], report_html: list[str]
) -> None:
    response = supervisor.get("/estadisticas/informe-mensual.pdf?mes=2026-03")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    html = report_html[-1]
    assert "Unidades que no cumplieron los plazos (2)" in html
    assert f"{ALUMBRADO}: 1 caso fuera de plazo" in html
    assert f"{DIMAO}: 1 caso fuera de plazo" in html
    # answered 15-04, due 23-03: 16 business days late
    assert f"<td>{march['late']}</td><td>Sugerencia</td><td>23-03-2026</td>" in html
    assert "<td>16 hábiles</td>" in html
    assert march["on_time"] not in html
    assert "Contención del asistente" in html and "Satisfacción por unidad que respondió" in html


def mail_files(settings: Settings) -> set[Path]:
    return set((settings.data_dir / "mail").glob("*.eml"))


def test_a_supervisor_sends_the_report_by_mail_and_the_sending_is_kept(
    supervisor: FlaskClient,
    march: dict[str, str],
    app_settings: Settings,
    db_session: Session,
) -> None:
    before = mail_files(app_settings)
    form = supervisor.get("/estadisticas/informe-mensual/enviar")
    assert form.status_code == 200
    token = csrf(supervisor, "/estadisticas/informe-mensual/enviar")
    response = supervisor.post(
        "/estadisticas/informe-mensual/enviar",
        data={
            "csrf_token": token,
            "mes": "2026-03",
            "destinatarios": "alcaldia@muni.cl\nconcejo@muni.cl, Alcaldia@muni.cl",
        },
    )
    assert response.status_code == 302
    [sent] = mail_files(app_settings) - before
    message = email.message_from_bytes(sent.read_bytes(), policy=default_policy)
    assert message["To"] == "alcaldia@muni.cl, concejo@muni.cl"
    assert "Informe mensual de cumplimiento de plazos, mar 2026" in str(message["Subject"])
    [pdf] = [p for p in message.walk() if p.get_filename() == "informe_cumplimiento_2026-03.pdf"]
    assert pdf.get_payload(decode=True).startswith(b"%PDF")  # type: ignore[union-attr]
    with db_session.begin():
        dispatch = db_session.scalars(select(ReportDispatch)).one()
        assert (dispatch.month, dispatch.recipients) == (
            "2026-03",
            "alcaldia@muni.cl,concejo@muni.cl",
        )
        assert dispatch.sent_by_label
    page = supervisor.get("/estadisticas/informe-mensual/enviar").get_data(as_text=True)
    assert "Informe de mar 2026 enviado a 2 destinatario(s)." in page
    # the addresses of the last sending are offered again
    assert "alcaldia@muni.cl\nconcejo@muni.cl</textarea>" in page


def test_a_wrong_address_sends_nothing(
    supervisor: FlaskClient, app_settings: Settings, db_session: Session
) -> None:
    before = mail_files(app_settings)
    token = csrf(supervisor, "/estadisticas/informe-mensual/enviar")
    response = supervisor.post(
        "/estadisticas/informe-mensual/enviar",
        data={"csrf_token": token, "mes": "2026-03", "destinatarios": "alcaldia@muni.cl, concejo"},
    )
    assert response.status_code == 400
    assert "No es una dirección de correo válida: concejo." in response.get_data(as_text=True)
    assert mail_files(app_settings) == before
    with db_session.begin():
        assert db_session.scalar(select(func.count(ReportDispatch.id))) == 0


def test_only_supervisors_and_admins_send_the_report(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    token = csrf(client, "/estadisticas/")
    response = client.post(
        "/estadisticas/informe-mensual/enviar",
        data={"csrf_token": token, "mes": "2026-03", "destinatarios": "alcaldia@muni.cl"},
    )
    assert response.status_code == 403
