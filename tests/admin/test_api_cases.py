"""The case API of SPEC §6: tokens, filing, reading, errors as Spanish JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from admin import create_app
from oirs.settings import Settings

RECLAMO = {
    "type": "reclamo",
    "channel": "web",
    "description": "La luminaria de la esquina está apagada hace una semana",
    "category": "alumbrado",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "email": "ana@example.cl", "phone": "+56 9 8765 4321"},
}


def test_healthz_answers_without_a_token(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_api_refuses_missing_or_wrong_tokens(client: FlaskClient) -> None:
    assert client.post("/api/v1/cases", json=RECLAMO).status_code == 401
    response = client.get("/api/v1/cases/RC-2026-000001", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_filing_returns_folio_and_due_date_then_reads_back(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/cases", json=RECLAMO, headers=auth)
    assert response.status_code == 201
    body = response.json
    assert body["folio"].startswith("RC-")
    assert body["unit"] == "Alumbrado Público (Dirección de Obras)"
    case = client.get(f"/api/v1/cases/{body['folio']}", headers=auth).json
    for key in (
        "folio",
        "type",
        "category",
        "status",
        "channel",
        "unit",
        "created_at",
        "due_date",
        "events",
    ):
        assert key in case
    assert case["due_date"] == body["due_date"]
    assert case["events"][0]["to"] == "ingresado"
    assert "ana@example.cl" not in str(case)


def test_spanish_text_is_kept_exactly(client: FlaskClient, auth: dict[str, str]) -> None:
    text = "¡Hola! ¿Cómo está? Ñuñoa, pingüino 🐧"
    folio = client.post("/api/v1/cases", json={**RECLAMO, "description": text}, headers=auth).json[
        "folio"
    ]
    assert client.get(f"/api/v1/cases/{folio}", headers=auth).json["description"] == text


def test_unknown_folio_is_404_in_spanish(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get("/api/v1/cases/RC-2026-999999", headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "case_not_found"
    assert "No existe" in response.json["error"]["message"]


def test_bad_input_is_422_with_field_messages(client: FlaskClient, auth: dict[str, str]) -> None:
    bad = {**RECLAMO, "contact": {"rut": "12.345.678-9", "email": 5}, "category": "piscinas"}
    response = client.post("/api/v1/cases", json=bad, headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["contact.email"] == "Debe ser texto."
    response = client.post("/api/v1/cases", data="no es json", headers=auth)
    assert response.status_code == 422
    response = client.post(
        "/api/v1/cases", json={**RECLAMO, "contact": {"rut": "12.345.678-9"}}, headers=auth
    )
    assert "contact.rut" in response.json["error"]["fields"]


def test_retry_with_same_idempotency_key_returns_the_same_case(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = {**RECLAMO, "idempotency_key": "conv-1-attempt-1"}
    first = client.post("/api/v1/cases", json=body, headers=auth)
    second = client.post("/api/v1/cases", json=body, headers=auth)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["folio"] == second.json["folio"]


def test_status_lookup_needs_the_second_factor(client: FlaskClient, auth: dict[str, str]) -> None:
    folio = client.post("/api/v1/cases", json=RECLAMO, headers=auth).json["folio"]
    loose = folio.replace("-", " ").lower()
    ok = client.post(
        "/api/v1/status-lookup", json={"folio": loose, "factor": "987654321"}, headers=auth
    )
    assert ok.status_code == 200
    assert ok.json["status_label"] == "Clasificado"  # filed with its theme
    wrong = client.post(
        "/api/v1/status-lookup", json={"folio": folio, "factor": "911111111"}, headers=auth
    )
    missing = client.post(
        "/api/v1/status-lookup",
        json={"folio": "RC-2026-999999", "factor": "987654321"},
        headers=auth,
    )
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json == missing.json


def test_mis_casos_lists_cases_of_the_channel_identity(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    mine = {**RECLAMO, "channel": "telegram", "channel_user_id": "555"}
    client.post("/api/v1/cases", json=mine, headers=auth)
    client.post("/api/v1/cases", json={**mine, "channel_user_id": "777"}, headers=auth)
    cases = client.get(
        "/api/v1/residents/cases?channel=telegram&channel_user_id=555", headers=auth
    ).json
    assert len(cases["cases"]) == 1


def test_similar_open_reclamo_is_offered_and_can_be_joined(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    filed = client.post("/api/v1/cases", json=RECLAMO, headers=auth).json
    folio = filed["folio"]
    similar = client.get(
        "/api/v1/cases/similar?category=alumbrado&address=los%20aromos%20%23150", headers=auth
    ).json["cases"]
    assert [c["folio"] for c in similar] == [folio]
    far = client.get(
        "/api/v1/cases/similar?category=alumbrado&address=Las%20Rosas%20123", headers=auth
    )
    assert far.json["cases"] == []
    joined = client.post(f"/api/v1/cases/{folio}/adhesions", json={"channel": "web"}, headers=auth)
    assert joined.status_code == 201
    assert joined.json["adhesions"] == 1
    assert joined.json["due_date"] == filed["due_date"]  # issue 16: the resident is told it
    assert joined.json["due_date_display"] == filed["due_date_display"]


def test_commune_data_for_the_bot(client: FlaskClient, auth: dict[str, str]) -> None:
    body = client.get("/api/v1/commune", headers=auth).json
    assert body["privacy_policy_url"].startswith("http")


def test_satisfaction_is_taken_only_after_the_answer(
    client: FlaskClient, auth: dict[str, str], sessions
) -> None:
    from oirs.cases.filing import Actor, get_case, transition

    folio = client.post("/api/v1/cases", json=RECLAMO, headers=auth).json["folio"]
    early = client.post(f"/api/v1/cases/{folio}/satisfaction", json={"score": 5}, headers=auth)
    assert early.status_code == 409
    with sessions.begin() as session:
        case = get_case(session, folio)
        for action in ("clasificar", "derivar", "responder_unidad", "validar", "responder"):
            transition(session, case, action, Actor("OIRS"))
    bad = client.post(f"/api/v1/cases/{folio}/satisfaction", json={"score": 9}, headers=auth)
    assert bad.status_code == 422
    ok = client.post(f"/api/v1/cases/{folio}/satisfaction", json={"score": 4}, headers=auth)
    assert ok.status_code == 201
    events = client.get(f"/api/v1/cases/{folio}", headers=auth).json["events"]
    assert events[-1]["kind"] == "satisfaccion"


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:///{tmp}/no-such-folder/oirs.db",  # a file that cannot be opened
        "postgresql+psycopg://postgres@127.0.0.1:1/oirs",  # nothing listens on port 1
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_says_in_spanish_when_the_database_is_unreachable(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url.format(tmp=tmp_path), data_dir=tmp_path)
    client = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert (body["status"], body["database"]) == ("error", "unreachable")  # for the monitors
    assert body["message"].startswith("El sistema no puede conectarse a la base de datos.")
