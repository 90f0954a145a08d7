"""The one client of the admin API: auth, timeouts, typed errors, bounded retries."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api_client import (
    SETTINGS_VERSION_HEADER as VERSION,
)
from api_client import (
    ApiRejected,
    ApiUnavailable,
    NotFound,
    OirsApiClient,
    Retry,
    settings_version,
    shared_client,
    within,
)
from tests.actions.conftest import API, TOKEN, AdminWire

CASE = {"folio": "RC-2026-000001", "due_date": "2026-12-16", "due_date_display": "16-12-2026"}


class Sync:
    """The shared client, each call run to its end on a loop of its own."""

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any) -> Any:
            return await getattr(shared_client(), name)(*args)

        return lambda *args: asyncio.run(call(*args))


def client() -> Sync:
    return Sync()


def test_requests_carry_the_bearer_token(api: AdminWire) -> None:
    api.get(f"{API}/api/v1/commune", json={"name": "Ejemplo"})
    client().commune()
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_filing_is_retried_with_the_same_idempotency_key_after_a_5xx(
    api: AdminWire,
) -> None:
    api.post(f"{API}/api/v1/cases", status=503)
    api.post(f"{API}/api/v1/cases", json=CASE, status=201)
    result = client().file_case({"type": "reclamo", "idempotency_key": "k-1"})
    assert result["folio"] == "RC-2026-000001"
    keys = [call.request.body for call in api.calls]
    assert len(keys) == 2 and all(b'"idempotency_key":"k-1"' in body for body in keys)


def test_filing_without_an_idempotency_key_is_refused_before_any_call(
    api: AdminWire,
) -> None:
    with pytest.raises(ValueError):
        client().file_case({"type": "reclamo"})
    assert len(api.calls) == 0


def test_connection_errors_become_api_unavailable_after_the_retries(
    api: AdminWire,
) -> None:
    api.get(f"{API}/api/v1/cases/similar", body=httpx.ConnectError("refused"))
    with pytest.raises(ApiUnavailable):
        client().similar_cases("aseo", "Los Aromos 123")
    assert len(api.calls) == 2


def test_timeouts_become_api_unavailable(api: AdminWire) -> None:
    api.post(f"{API}/api/v1/status-lookup", body=httpx.ReadTimeout("slow"))
    with pytest.raises(ApiUnavailable):
        client().status_lookup("RC-2026-000001", "+56987654321")


def test_validation_errors_are_typed_with_their_fields_and_not_retried(
    api: AdminWire,
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


def test_unknown_folio_is_not_found(api: AdminWire) -> None:
    api.post(
        f"{API}/api/v1/status-lookup",
        status=404,
        json={"error": {"code": "not_found_or_mismatch", "message": "No existe."}},
    )
    with pytest.raises(NotFound):
        client().status_lookup("RC-2026-999999", "ana@example.cl")


def test_handoffs_are_not_retried_so_a_resident_is_queued_once(
    api: AdminWire,
) -> None:
    api.post(f"{API}/api/v1/handoffs", status=502)
    with pytest.raises(ApiUnavailable):
        client().request_handoff({"channel": "web"})
    assert len(api.calls) == 1


def test_a_non_json_answer_is_treated_as_unavailable(api: AdminWire) -> None:
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


def test_classify_posts_the_text_and_returns_the_top_three(api: AdminWire) -> None:
    api.post(f"{API}/api/v1/classify", json=SUGGESTION)
    result = client().classify("el segundo piso del vecino nos deja sin luz")
    assert result["category"] is None
    assert [t["code"] for t in result["top"]] == ["construccion", "alumbrado", "ruido"]
    assert api.calls[0].request.body == b'{"text":"el segundo piso del vecino nos deja sin luz"}'


def test_classify_is_retried_after_a_5xx_and_then_unavailable(
    api: AdminWire,
) -> None:
    api.post(f"{API}/api/v1/classify", status=503)
    with pytest.raises(ApiUnavailable):
        client().classify("hoyo en la vereda")
    assert len(api.calls) == 2


def test_classify_rejection_carries_the_spanish_field_message(
    api: AdminWire,
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


# --- the loop is never blocked ---------------------------------------------------------------


def test_the_pause_between_retries_leaves_the_loop_to_other_conversations(
    api: AdminWire,
) -> None:
    api.post(f"{API}/api/v1/status-lookup", status=503)
    api.post(f"{API}/api/v1/status-lookup", json={"folio": "RC-2026-000001"})
    client = OirsApiClient(API, TOKEN, retry=Retry(backoff=0.3), transport=api.transport)

    async def scenario() -> tuple[dict, int]:
        ticks = 0

        async def other_conversation() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        running = asyncio.ensure_future(other_conversation())
        answer = await client.status_lookup("RC-2026-000001", "+56987654321")
        running.cancel()
        return answer, ticks

    answer, ticks = asyncio.run(scenario())
    assert answer["folio"] == "RC-2026-000001" and len(api.calls) == 2
    assert ticks >= 15  # the other conversation went on during the 0.3 s pause


def test_an_admin_that_accepts_and_never_answers_times_out_as_unavailable() -> None:
    async def scenario() -> float:
        async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(30)

        server = await asyncio.start_server(hang, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = OirsApiClient(
            f"http://127.0.0.1:{port}",
            TOKEN,
            timeout=httpx.Timeout(0.2),
            retry=Retry(attempts=2, backoff=0.05),
        )
        started = asyncio.get_running_loop().time()
        with pytest.raises(ApiUnavailable, match="ReadTimeout"):
            await client.resident_cases("telegram", "tg-1")
        took = asyncio.get_running_loop().time() - started
        await client.aclose()
        server.close()
        return took

    assert 0.4 <= asyncio.run(scenario()) < 1.5


def test_the_client_has_explicit_timeouts_by_default() -> None:
    async def timeout() -> httpx.Timeout:
        client = OirsApiClient.from_env()
        try:
            return client._http.timeout
        finally:
            await client.aclose()

    assert asyncio.run(timeout()) == httpx.Timeout(10.0, connect=3.05)


def test_within_gives_up_on_a_slow_answer_as_unavailable(api: AdminWire) -> None:
    api.get(f"{API}/api/v1/cases/similar", json={"cases": []}, delay=2.0)

    async def scenario() -> None:
        await within(0.1, shared_client().similar_cases("aseo", "Los Aromos 123"))

    with pytest.raises(ApiUnavailable, match=r"no answer within 0\.1 s"):
        asyncio.run(scenario())


def test_the_settings_version_of_the_latest_answer_is_kept(api: AdminWire) -> None:
    api.get(f"{API}/api/v1/commune", json={"name": "Ejemplo"}, headers={VERSION: "abc"})
    api.post(f"{API}/api/v1/classify", json={"top": []}, headers={VERSION: "def"})
    assert settings_version() is None
    client().commune()
    assert settings_version() == "abc"
    client().classify("hoyo en la vereda")
    assert settings_version() == "def"
