"""The inbox: who sees which cases, filters, search, sorting, pages and the traffic light."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData
from tests.admin.staff import login, make_user, move, new_case

CAL = BusinessCalendar()
FOLIO = re.compile(r">((?:RC|SG|FL|CS|SAI)-\d{4}-\d{6})</a>")


def folios(html: str) -> list[str]:
    return FOLIO.findall(html)


@pytest.fixture
def cases(db_session: Session) -> dict[str, str]:
    """A reclamo for DIMAO (aseo), one for Tránsito, a sugerencia, an old overdue one."""
    now = datetime.now(UTC)
    aseo = new_case(
        db_session, CAL, category="aseo", description="Microbasural en calle Los Aromos"
    )
    transito = new_case(
        db_session,
        CAL,
        category="transito",
        channel="telegram",
        description="Semáforo apagado",
        contact=ContactData(name="Pedro Soto", rut="11.111.111-1"),
    )
    sugerencia = new_case(
        db_session, CAL, type_="sugerencia", category="areas_verdes", channel="web"
    )
    old = new_case(
        db_session,
        CAL,
        category="aseo",
        description="Contenedor roto",
        when=now - timedelta(days=40),
    )
    return {
        "aseo": aseo.folio,
        "transito": transito.folio,
        "sugerencia": sugerencia.folio,
        "old": old.folio,
    }


def as_role(client: FlaskClient, db_session: Session, role: str) -> FlaskClient:
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    return client


def test_unit_responder_sees_only_the_cases_of_their_unit(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "unit")  # DIMAO
    shown = folios(client.get("/casos/?estado=todos").get_data(as_text=True))
    assert set(shown) == {cases["aseo"], cases["old"], cases["sugerencia"]}
    assert client.get(f"/casos/{cases['transito']}").status_code == 403


def test_supervisor_reads_every_case(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "supervisor")
    shown = folios(client.get("/casos/?estado=todos").get_data(as_text=True))
    assert set(shown) == set(cases.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tipo=sugerencia", {"sugerencia"}),
        ("canal=telegram", {"transito"}),
        ("categoria=aseo", {"aseo", "old"}),
        ("unidad=TRANSITO", {"transito"}),
        ("plazo=vencidos", {"old"}),
        ("q=aromos", {"aseo"}),
        ("q=Pedro", {"transito"}),
        ("q=11111111-1", {"transito"}),
    ],
)
def test_filters_and_search_narrow_the_list(
    client: FlaskClient, db_session: Session, cases: dict[str, str], query: str, expected: set[str]
) -> None:
    as_role(client, db_session, "oirs")
    shown = folios(client.get(f"/casos/?estado=todos&{query}").get_data(as_text=True))
    assert set(shown) == {cases[key] for key in expected}


def test_search_by_folio_accepts_loose_writing(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "oirs")
    loose = cases["transito"].lower().replace("-", " ")
    assert folios(client.get(f"/casos/?q={loose}").get_data(as_text=True)) == [cases["transito"]]


def test_unit_responder_cannot_find_cases_by_rut(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "unit")
    assert folios(client.get("/casos/?estado=todos&q=12.345.678-5").get_data(as_text=True)) == []


def test_open_cases_is_the_default_and_answered_ones_leave_it(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    from oirs.cases.filing import get_case

    case = get_case(db_session, cases["sugerencia"])
    db_session.rollback()
    move(db_session, case, "responder")
    as_role(client, db_session, "oirs")
    assert cases["sugerencia"] not in folios(client.get("/casos/").get_data(as_text=True))
    assert cases["sugerencia"] in folios(
        client.get("/casos/?estado=respondido").get_data(as_text=True)
    )


def test_default_sort_puts_the_nearest_due_date_first(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "oirs")
    shown = folios(client.get("/casos/").get_data(as_text=True))
    assert shown[0] == cases["old"]
    newest_first = folios(client.get("/casos/?orden=ingreso").get_data(as_text=True))
    assert newest_first[-1] == cases["old"]


def test_traffic_light_is_red_when_late_and_green_when_fresh(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "oirs")
    html = client.get("/casos/?categoria=aseo").get_data(as_text=True)
    rows = html.split("<tr>")[2:]
    by_folio = {folios(row)[0]: row for row in rows}
    assert "light-rojo" in by_folio[cases["old"]] and "Vencido" in by_folio[cases["old"]]
    assert "atrasado" in by_folio[cases["old"]]
    assert "light-verde" in by_folio[cases["aseo"]] and "quedan" in by_folio[cases["aseo"]]
    assert "Ver cálculo del plazo" in by_folio[cases["aseo"]]
    assert "Plazo: 15 días hábiles" in by_folio[cases["aseo"]]


def test_inbox_pages_through_many_cases(client: FlaskClient, db_session: Session) -> None:
    for i in range(27):
        new_case(db_session, CAL, description=f"Caso número {i}")
    as_role(client, db_session, "oirs")
    first = client.get("/casos/").get_data(as_text=True)
    assert len(folios(first)) == 25 and "página 1 de 2" in first
    second = client.get("/casos/?pagina=2").get_data(as_text=True)
    assert len(folios(second)) == 2
    assert not set(folios(first)) & set(folios(second))


def test_bad_filter_values_are_refused_in_spanish(
    client: FlaskClient, db_session: Session, cases: dict[str, str]
) -> None:
    as_role(client, db_session, "oirs")
    response = client.get("/casos/?tipo=inventado&pagina=abc")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Opción inválida" in html and "No es un valor entero válido" in html


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/casos/?tipo=reclamo")
    assert response.status_code == 302
    assert "/ingresar?next=" in response.location
