"""The one client of the admin API: auth, timeouts, typed errors, bounded retries."""

from __future__ import annotations

import pytest
import requests
import responses

from actions.api_client import ApiRejected, ApiUnavailable, NotFound, OirsApiClient
from tests.actions.conftest import API, TOKEN

CASE = {"folio": "RC-2026-000001", "due_date": "2026-12-16", "due_date_display": "16-12-2026"}


def client() -> OirsApiClient:
    return OirsApiClient.from_env()


def test_requests_carry_the_bearer_token(api: responses.RequestsMock) -> None:
    api.get(f"{API}/api/v1/commune", json={"name": "Ejemplo"})
    client().commune()
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_filing_is_retried_with_the_same_idempotency_key_after_a_5xx(
    api: responses.RequestsMock,
) -> None:
    api.post(f"{API}/api/v1/cases", status=503)
    api.post(f"{API}/api/v1/cases", json=CASE, status=201)
    result = client().file_case({"type": "reclamo", "idempotency_key": "k-1"})
    assert result["folio"] == "RC-2026-000001"
    keys = [call.request.body for call in api.calls]
    assert len(keys) == 2 and all(b'"idempotency_key": "k-1"' in body for body in keys)


def test_filing_without_an_idempotency_key_is_refused_before_any_call(
    api: responses.RequestsMock,
) -> None:
    with pytest.raises(ValueError):
        client().file_case({"type": "reclamo"})
    assert len(api.calls) == 0


def test_connection_errors_become_api_unavailable_after_the_retries(
    api: responses.RequestsMock,
) -> None:
    api.get(f"{API}/api/v1/cases/similar", body=requests.ConnectionError("refused"))
    with pytest.raises(ApiUnavailable):
        client().similar_cases("aseo", "Los Aromos 123")
    assert len(api.calls) == 2


def test_timeouts_become_api_unavailable(api: responses.RequestsMock) -> None:
    api.post(f"{API}/api/v1/status-lookup", body=requests.Timeout("slow"))
    with pytest.raises(ApiUnavailable):
        client().status_lookup("RC-2026-000001", "+56987654321")


def test_validation_errors_are_typed_with_their_fields_and_not_retried(
    api: responses.RequestsMock,
) -> None:
    error = {
        "error": {
            "code": "invalid_field",
            "message": "Datos inválidos.",
            "fields": {"contact.rut": "El RUT no es válido."},
        }
    }
    api.post(f"{API}/api/v1/cases", json=error, status=422)
    with pytest.raises(ApiRejected) as caught:
        client().file_case({"type": "reclamo", "idempotency_key": "k-2"})
    assert caught.value.status == 422
    assert caught.value.fields == {"contact.rut": "El RUT no es válido."}
    assert len(api.calls) == 1


def test_unknown_folio_is_not_found(api: responses.RequestsMock) -> None:
    api.post(
        f"{API}/api/v1/status-lookup",
        status=404,
        json={"error": {"code": "not_found_or_mismatch", "message": "No existe."}},
    )
    with pytest.raises(NotFound):
        client().status_lookup("RC-2026-999999", "ana@example.cl")


def test_handoffs_are_not_retried_so_a_resident_is_queued_once(
    api: responses.RequestsMock,
) -> None:
    api.post(f"{API}/api/v1/handoffs", status=502)
    with pytest.raises(ApiUnavailable):
        client().request_handoff({"channel": "web"})
    assert len(api.calls) == 1


def test_a_non_json_answer_is_treated_as_unavailable(api: responses.RequestsMock) -> None:
    api.get(f"{API}/api/v1/commune", body="<html>proxy error</html>", status=200)
    with pytest.raises(ApiUnavailable):
        client().commune()


SUGGESTION = {
    "category": None,
    "confidence": 0.34,
    "threshold": 0.4,
    "top": [
        {"code": "construccion", "name": "Construcciones y obras", "probability": 0.34},
        {"code": "alumbrado", "name": "Alumbrado público", "probability": 0.31},
        {"code": "ruido", "name": "Ruidos molestos", "probability": 0.12},
    ],
}


def test_classify_posts_the_text_and_returns_the_top_three(api: responses.RequestsMock) -> None:
    api.post(f"{API}/api/v1/classify", json=SUGGESTION)
    result = client().classify("el segundo piso del vecino nos deja sin luz")
    assert result["category"] is None
    assert [t["code"] for t in result["top"]] == ["construccion", "alumbrado", "ruido"]
    assert api.calls[0].request.body == b'{"text": "el segundo piso del vecino nos deja sin luz"}'


def test_classify_is_retried_after_a_5xx_and_then_unavailable(
    api: responses.RequestsMock,
) -> None:
    api.post(f"{API}/api/v1/classify", status=503)
    with pytest.raises(ApiUnavailable):
        client().classify("hoyo en la vereda")
    assert len(api.calls) == 2


def test_classify_rejection_carries_the_spanish_field_message(
    api: responses.RequestsMock,
) -> None:
    error = {
        "error": {
            "code": "invalid_field",
            "message": "Hay datos que revisar: Escriba el texto que quiere clasificar.",
            "fields": {"text": "Escriba el texto que quiere clasificar."},
        }
    }
    api.post(f"{API}/api/v1/classify", json=error, status=422)
    with pytest.raises(ApiRejected) as caught:
        client().classify("   ")
    assert caught.value.fields == {"text": "Escriba el texto que quiere clasificar."}
    assert len(api.calls) == 1
