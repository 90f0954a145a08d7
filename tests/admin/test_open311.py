"""Open311 GeoReport v2: services from categories, reclamos as requests, api_key on POST
(what the public listing leaves out: tests/admin/test_open311_privacy.py)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from oirs.models import Case

REQUEST = {
    "service_code": "alumbrado",
    "lat": "-36.6066",
    "long": "-72.1034",
    "address_string": "Av. Libertad 500, Chillán",
    "description": "Poste de luz apagado frente al número 500",
    "first_name": "Ana",
    "last_name": "Pérez",
    "email": "ana@example.cl",
    "phone": "+56 9 8765 4321",
    "media_url": "https://fotos.example.cl/poste.jpg",
}


def test_services_list_reclamo_categories_with_their_open311_code(client: FlaskClient) -> None:
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    codes = {s["service_code"]: s for s in response.json}
    assert codes["alumbrado"]["service_name"] == "Alumbrado público"
    assert codes["alumbrado"]["metadata"] is False
    assert codes["alumbrado"]["group"].startswith("Alumbrado Público")


def test_services_also_come_as_xml(client: FlaskClient) -> None:
    response = client.get("/open311/v2/services.xml")
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "services"
    assert "alumbrado" in {s.findtext("service_code") for s in root.findall("service")}


def test_post_without_api_key_is_refused(client: FlaskClient) -> None:
    response = client.post("/open311/v2/requests.json", data=REQUEST)
    assert response.status_code == 403
    assert response.json[0]["code"] == 403
    assert "api_key" in response.json[0]["description"]


def test_post_files_a_reclamo_through_the_open311_channel(
    client: FlaskClient, api_token: str, sessions: sessionmaker[Session]
) -> None:
    response = client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": api_token})
    assert response.status_code == 201
    folio = response.json[0]["service_request_id"]
    assert folio.startswith("RC-")
    with sessions.begin() as session:
        case = session.query(Case).filter_by(folio=folio).one()
        assert (case.type, case.channel, case.status) == ("reclamo", "open311", "clasificado")
        assert case.category is not None and case.category.code == "alumbrado"
        assert case.unit is not None and case.unit.code == "ALUMB"
        assert case.contact_name == "Ana Pérez"
        assert case.contact_phone == "+56987654321"
        assert case.latitude == -36.6066


def test_post_validates_service_code_and_location(client: FlaskClient, api_token: str) -> None:
    bad_code = client.post(
        "/open311/v2/requests.json", data={**REQUEST, "service_code": "x", "api_key": api_token}
    )
    assert bad_code.status_code == 400
    assert "service_code" in bad_code.json[0]["description"]
    nowhere = {k: v for k, v in REQUEST.items() if k not in ("lat", "long", "address_string")}
    response = client.post("/open311/v2/requests.json", data={**nowhere, "api_key": api_token})
    assert response.status_code == 400
    assert "ubicación" in response.json[0]["description"]


def test_request_reads_back_without_contact_data(client: FlaskClient, api_token: str) -> None:
    folio = client.post(
        "/open311/v2/requests.json",
        data={
            **REQUEST,
            "description": "Luz apagada, llámenme al +56 9 8765 4321",
            "api_key": api_token,
        },
    ).json[0]["service_request_id"]
    response = client.get(f"/open311/v2/requests/{folio}.json")
    assert response.status_code == 200
    (item,) = response.json
    assert item["status"] == "open"
    assert item["service_code"] == "alumbrado"
    assert item["media_url"] == ""  # the resident's photo is public only once staff publish
    assert item["expected_datetime"].endswith("-03:00")
    text = response.get_data(as_text=True)
    assert "8765" not in text and "ana@example.cl" not in text and "Pérez" not in text
    own = client.get(f"/open311/v2/requests/{folio}.json?api_key={api_token}").json[0]
    assert own["media_url"] == REQUEST["media_url"]
    assert "8765" not in str(own) and "ana@example.cl" not in str(own)


def test_request_list_filters_by_service_and_status(client: FlaskClient, api_token: str) -> None:
    client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": api_token})
    client.post(
        "/open311/v2/requests.json",
        data={**REQUEST, "service_code": "aseo", "description": "Basura", "api_key": api_token},
    )
    everything = client.get("/open311/v2/requests.json").json
    assert len(everything) == 2
    only_aseo = client.get("/open311/v2/requests.json?service_code=aseo").json
    assert [r["service_code"] for r in only_aseo] == ["aseo"]
    assert client.get("/open311/v2/requests.json?status=closed").json == []
    xml = ET.fromstring(client.get("/open311/v2/requests.xml?status=open").data)
    assert len(xml.findall("request")) == 2


def test_unknown_request_is_a_georeport_404(client: FlaskClient) -> None:
    response = client.get("/open311/v2/requests/RC-2026-999999.xml")
    assert response.status_code == 404
    assert ET.fromstring(response.data).findtext("error/code") == "404"


def test_bad_dates_are_a_georeport_400(client: FlaskClient) -> None:
    response = client.get("/open311/v2/requests.json?start_date=ayer")
    assert response.status_code == 400
    assert "ISO 8601" in response.json[0]["description"]
