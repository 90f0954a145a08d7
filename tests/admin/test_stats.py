"""Statistics for the Secretaría: indicators read from events, charts, exports, monthly PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.reporting.satisfaction import record_satisfaction
from oirs.reporting.stats import build_report, percentile
from oirs.sai import amparo
from oirs.sai import procedure as sai
from tests.admin.staff import login, make_user

CAL = BusinessCalendar()
OIRS = Actor("Paula Rojas", role="oirs")
OFFICER = Actor("Jorge Muñoz", role="transparency")
TODAY = date(2026, 11, 25)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


def file(session: Session, type_: str, category: str | None, channel: str, when: datetime):  # type: ignore[no-untyped-def]
    data = NewCase(
        type=type_,
        channel=channel,
        description="Caso de prueba para estadísticas",
        category=category,
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case


@pytest.fixture
def history(db_session: Session) -> None:
    """March 2026: answered on time, answered late, still open, SAI with prórroga and amparo."""
    with db_session.begin():
        on_time = file(db_session, "sugerencia", "aseo", "whatsapp", at(3, 2))
        transition(db_session, on_time, "responder", OIRS, "Gracias", now=at(3, 10))
        record_satisfaction(on_time, 5, now=at(3, 11))
        late = file(db_session, "sugerencia", "alumbrado", "web", at(3, 2))
        transition(db_session, late, "responder", OIRS, "Respuesta tardía", now=at(4, 15))
        file(db_session, "sugerencia", "aseo", "telegram", at(3, 3))
        request = file(db_session, "sai", None, "web", at(3, 2))
        transition(db_session, request, "analizar", OFFICER, now=at(3, 2))
        sai.assign(db_session, request, OFFICER, "DIMAO", now=at(3, 3))
        sai.extend_term(
            db_session, request, OFFICER, "Información en bodega externa", CAL, at(3, 20)
        )
        sai.deny(
            db_session,
            request,
            OFFICER,
            "21_2",
            "Contiene datos personales de terceros.",
            at(4, 14),
        )
        amparo.register_amparo(
            db_session, request, OFFICER, "C10-26", date(2026, 4, 20), now=at(4, 21)
        )


def test_report_reads_on_time_response_days_prorrogas_amparos_and_satisfaction(
    db_session: Session, history: None
) -> None:
    with db_session.begin():
        report = build_report(db_session, date(2026, 3, 1), date(2026, 3, 31), CAL, TODAY)
    assert report.cases == 4
    units = {u.unit: u for u in report.units}
    dimao = units["Dirección de Medio Ambiente, Aseo y Ornato"]
    # on time: the sugerencia answered 10-03 and the SAI denied 14-04 (due 14-04 after prórroga);
    # late: the open sugerencia, past its 23-03 due date.
    assert (dimao.on_time, dimao.late, dimao.pending) == (2, 1, 0)
    alumbrado = units["Alumbrado Público (Dirección de Obras)"]
    assert (alumbrado.on_time, alumbrado.late, alumbrado.on_time_pct) == (0, 1, 0.0)
    assert report.total.on_time_pct == 50.0
    # business days after 02-03: to 10-03 = 6; to 14-04 = 30 and to 15-04 = 31 (Good Friday
    # 03-04 skipped).
    assert sorted(report.total.response_days) == [6, 30, 31]
    assert report.total.p90_days == 31
    assert report.extensions == 1
    assert report.amparos == {}  # amparos count in the month they were filed: April
    assert report.satisfaction == {5: 1}
    assert dict(report.totals("channel")) == {"web": 2, "whatsapp": 1, "telegram": 1}


def test_amparos_count_in_the_month_they_were_filed(db_session: Session, history: None) -> None:
    with db_session.begin():
        april = build_report(db_session, date(2026, 4, 1), date(2026, 4, 30), CAL, TODAY)
    assert april.amparos == {"en_curso": 1}
    assert april.cases == 0 and april.units == []


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([7], 90) == 7


def test_statistics_are_for_supervisors_not_unit_responders(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    assert client.get("/estadisticas/").status_code == 403


@pytest.fixture
def supervisor(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, "supervisor")
    assert login(client, "supervisor@prueba.cl").status_code == 302
    return client


def test_page_shows_indicators_and_svg_charts(supervisor: FlaskClient, history: None) -> None:
    response = supervisor.get("/estadisticas/?desde=2026-03-01&hasta=2026-03-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and "Porcentaje de casos respondidos en plazo por unidad" in html
    assert "50,0 %" in html
    assert "Casos por mes y canal" in html
    assert "<script" not in html


def test_wrong_period_is_explained_in_spanish(supervisor: FlaskClient) -> None:
    response = supervisor.get("/estadisticas/?desde=2026-03-31&hasta=2026-03-01")
    assert response.status_code == 400
    assert "debe ser igual o posterior" in response.get_data(as_text=True)


def test_csv_export_has_one_row_per_case_and_no_contact_data(
    supervisor: FlaskClient, history: None
) -> None:
    response = supervisor.get("/estadisticas/exportar.csv?desde=2026-03-01&hasta=2026-03-31")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Folio;Tipo;Canal")
    assert len(lines) == 5
    assert "ana@example.cl" not in text and "Ana Pérez" not in text


def test_xlsx_export_has_cases_compliance_and_volume_sheets(
    supervisor: FlaskClient, history: None
) -> None:
    response = supervisor.get("/estadisticas/exportar.xlsx?desde=2026-03-01&hasta=2026-03-31")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == [
        "Casos",
        "Cumplimiento por unidad",
        "Volumen mensual",
        "Por canal",
        "Por categoría",
        "Por unidad",
        "Contención",
        "Satisfacción por unidad",
        "Satisfacción por mes",
        "Fuera de plazo por unidad",
    ]
    channels = list(book["Por canal"].iter_rows(values_only=True))
    assert channels == [
        ("Mes", "Sitio web", "WhatsApp", "Telegram", "Total"),
        ("2026-03", 2, 1, 1, 4),
    ]
    assert len(list(book["Casos"].rows)) == 5
    volume = [row for row in book["Volumen mensual"].iter_rows(values_only=True)]
    assert volume[1][0] == "2026-03" and volume[1][-1] == 4


def test_monthly_compliance_report_is_a_pdf(supervisor: FlaskClient, history: None) -> None:
    response = supervisor.get("/estadisticas/informe-mensual.pdf?mes=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "informe_cumplimiento_2026-03.pdf" in response.headers["Content-Disposition"]
