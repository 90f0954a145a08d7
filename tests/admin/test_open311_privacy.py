"""The public Open311 listing shows what the OIRS chose to publish: service, status, dates and a
coarse place by default; the description only after staff publish it, masked even then."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData
from oirs.models import Case, CaseEvent
from oirs.reporting.publication import coarse_address, coarse_coordinate
from tests.admin.staff import login, make_user, new_case, post

CAL = BusinessCalendar()
DESCRIPTION = (
    "Mi vecino Juan Pérez deja la basura en la vereda; llámeme al +56 9 8765 4321 "
    "o a rosa.diaz@example.cl, RUT 12.345.678-5"
)
SECRETS = ("Juan", "Pérez", "8765 4321", "rosa.diaz@example.cl", "12.345.678", "Rosa", "Díaz")


@pytest.fixture
def reclamo(db_session: Session) -> Case:
    return new_case(
        db_session,
        CAL,
        category="aseo",
        description=DESCRIPTION,
        address="Los Aromos 1234",
        latitude=-36.606612,
        longitude=-72.103456,
        contact=ContactData(name="Rosa Díaz", email="rosa.diaz@example.cl", phone="+56987654321"),
    )


def _public_documents(client: FlaskClient, folio: str) -> list[str]:
    """Every public shape of the request: list and single, JSON and XML."""
    urls = [
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{folio}.json",
        f"/open311/v2/requests/{folio}.xml",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.get_data(as_text=True))
    return texts


def test_public_listing_hides_the_description_and_the_house_number(
    client: FlaskClient, reclamo: Case
) -> None:
    for text in _public_documents(client, reclamo.folio):
        assert "basura" not in text
        assert "1234" not in text
        for secret in SECRETS:
            assert secret not in text
    (item,) = client.get("/open311/v2/requests.json").json
    assert item["service_request_id"] == reclamo.folio
    assert item["service_code"] == "aseo"
    assert item["status"] == "open"
    assert item["requested_datetime"]
    assert item["address"] == "Los Aromos"
    assert item["description"] == ""
    assert (item["lat"], item["long"]) == (-36.607, -72.103)
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{reclamo.folio}.xml").data)
    assert xml.findtext("request/address") == "Los Aromos"


def _publish(client: FlaskClient, folio: str, value: str):  # type: ignore[no-untyped-def]
    return post(
        client, f"/casos/{folio}/open311", {"publicar": value}, token_page=f"/casos/{folio}"
    )


def test_staff_publish_the_description_masked_and_can_withdraw_it(
    app: Flask, client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    public = app.test_client()
    make_user(db_session, "oirs")
    assert login(client, "oirs@prueba.cl").status_code == 302
    page = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Publicar descripción en Open311" in page

    assert _publish(client, reclamo.folio, "1").status_code == 303
    (item,) = public.get("/open311/v2/requests.json").json
    assert "basura en la vereda" in item["description"]
    for text in _public_documents(public, reclamo.folio):
        assert "basura en la vereda" in text
        for secret in SECRETS:
            assert secret not in text, secret

    page = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Retirar publicación" in page and "Descripción publicada en Open311" in page
    assert _publish(client, reclamo.folio, "0").status_code == 303
    (item,) = public.get("/open311/v2/requests.json").json
    assert item["description"] == ""
    db_session.rollback()
    kinds = db_session.scalars(
        select(CaseEvent.kind).where(CaseEvent.case_id == reclamo.id).order_by(CaseEvent.id)
    ).all()
    assert kinds[-2:] == ["descripcion_publicada", "publicacion_retirada"]
    db_session.rollback()


@pytest.mark.parametrize("role", ["agent", "unit", "supervisor"])
def test_only_oirs_staff_may_publish(
    client: FlaskClient, db_session: Session, reclamo: Case, role: str
) -> None:
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    assert _publish(client, reclamo.folio, "1").status_code == 403
    (item,) = client.get("/open311/v2/requests.json").json
    assert item["description"] == ""


def test_an_open311_client_sees_the_place_of_its_own_requests_only(
    client: FlaskClient, open311_token: str, reclamo: Case
) -> None:
    filed = client.post(
        "/open311/v2/requests.json",
        data={
            "service_code": "alumbrado",
            "address_string": "Av. Libertad 500, Chillán",
            "description": "Poste apagado; escríbame a ana@example.cl",
            "email": "ana@example.cl",
            "api_key": open311_token,
        },
    )
    assert filed.status_code == 201
    folio = filed.json[0]["service_request_id"]
    mine = client.get(f"/open311/v2/requests.json?api_key={open311_token}").json
    by_id = {item["service_request_id"]: item for item in mine}
    assert by_id[folio]["address"] == "Av. Libertad 500, Chillán"
    assert "Poste apagado" in by_id[folio]["description"]
    assert "ana@example.cl" not in str(by_id[folio])
    assert by_id[reclamo.folio]["address"] == "Los Aromos"  # someone else's: the public view
    assert by_id[reclamo.folio]["description"] == ""
    public = client.get(f"/open311/v2/requests/{folio}.json").json[0]
    assert public["address"] == "Av. Libertad, Chillán"
    assert public["description"] == ""


def test_a_key_that_is_not_an_open311_key_is_refused(client: FlaskClient, bot_token: str) -> None:
    response = client.get(f"/open311/v2/requests.json?api_key={bot_token}")
    assert response.status_code == 403
    assert "api_key" in response.json[0]["description"]


@pytest.mark.parametrize(
    ("address", "coarse"),
    [
        ("Los Aromos 1234", "Los Aromos"),
        ("Av. Libertad 500, Chillán", "Av. Libertad, Chillán"),
        ("Pasaje Los Olmos #45", "Pasaje Los Olmos"),
        ("Villa Los Presidentes, pasaje 3 casa 12", "Villa Los Presidentes, pasaje 3"),
        ("Block 5 depto 302, Villa Esperanza", "Villa Esperanza"),
        ("esquina Maipú con 18 de Septiembre", "esquina Maipú con 18 de Septiembre"),
        ("Calle 5 Oriente 1234, Talca", "Calle 5 Oriente, Talca"),
        ("Almirante Latorre número 820", "Almirante Latorre"),
        ("Los Aromos N° 1234 dpto. 5B", "Los Aromos"),
        ("Los Aromos s/n", "Los Aromos"),
        ("frente a la casa de doña Juanita, Los Aromos 12", "Los Aromos"),
        ("Plaza de Armas", "Plaza de Armas"),
        ("", ""),
    ],
)
def test_coarse_address_keeps_the_street_and_drops_the_house(address: str, coarse: str) -> None:
    assert coarse_address(address) == coarse


def test_coarse_coordinates_are_rounded_to_about_a_hundred_metres() -> None:
    assert coarse_coordinate(-36.606612) == -36.607
    assert coarse_coordinate(None) is None


def test_the_public_listing_is_rate_limited(app_settings, clean_db) -> None:  # type: ignore[no-untyped-def]
    from admin import create_app
    from admin.security import OPEN311_GET_LIMIT

    client = create_app(app_settings, TESTING=True).test_client()
    allowed = int(OPEN311_GET_LIMIT.split()[0])
    codes = [client.get("/open311/v2/requests.json").status_code for _ in range(allowed + 1)]
    assert 429 not in codes[:allowed]
    assert codes[-1] == 429
