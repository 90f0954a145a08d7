"""A slow or hung admin: the resident waits a few seconds at most, is told the folio will
come through the channel, and the filing is finished in the background, once."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from actions import filing, late_filing
from actions.filing import ActionFileCase, FilingTimes
from actions.reclamo import ActionSubmitReclamo
from tests.actions.conftest import API, AdminWire, Conversation
from tests.actions.test_reclamo import FILED, confirmed

CASES = f"{API}/api/v1/cases"


@pytest.fixture(autouse=True)
def short_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resident waits 0.3 s; the background tries for 3 s, pausing 0.05 s at first."""
    monkeypatch.setattr(filing, "TIMES", FilingTimes(wait=0.3, keep_trying=3.0))
    monkeypatch.setattr(late_filing, "FIRST_PAUSE", 0.05)


def filings(api: AdminWire) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in api.calls if c.request.url == CASES]


def test_a_slow_admin_tells_the_resident_at_once_and_the_admin_sends_the_folio(
    conversation: Conversation, api: AdminWire
) -> None:
    confirmed(conversation, key="key-slow").user("sí", intent="afirmar")
    api.post(CASES, json=FILED, status=201, delay=1.0)  # the first answer comes too late
    api.post(CASES, json={**FILED, "folio_notice": "queued"}, status=200)
    result = conversation.run(ActionFileCase())
    assert result.seconds < 0.6
    assert "Su caso se está registrando" in result.text
    assert "le enviaremos el folio por este mismo canal" in result.text
    assert FILED["folio"] not in result.text
    # "reintentar" files the same case again, never a second one
    assert result.slots["envio_fallido"] is True
    assert result.slots["idempotency_key"] == "key-slow"
    first, late = filings(api)
    assert "send_folio" not in first
    assert late == {**first, "send_folio": True}


def test_the_folio_in_time_is_told_in_the_chat_and_nothing_is_left_behind(
    conversation: Conversation, api: AdminWire
) -> None:
    confirmed(conversation).user("sí", intent="afirmar")
    api.post(CASES, json=FILED, status=201, delay=0.1)
    result = conversation.run(ActionFileCase())
    assert FILED["folio"] in result.text and "se está registrando" not in result.text
    assert [f.get("send_folio") for f in filings(api)] == [None]


def test_the_late_filing_keeps_trying_until_the_admin_answers_then_links_the_photos(
    conversation: Conversation, api: AdminWire
) -> None:
    conversation.user("(foto)", intent="enviar_adjunto")
    conversation.events[-1]["metadata"] = {"attachments": [{"upload_id": "upl_7"}]}
    confirmed(conversation, key="key-hung").user("sí", intent="afirmar")
    api.post(CASES, body=httpx.ReadTimeout("hung"), delay=0.5)
    api.post(CASES, status=503)
    api.post(CASES, status=503)
    api.post(CASES, body=httpx.ConnectError("restarting"))
    api.post(CASES, json={**FILED, "folio_notice": "queued"}, status=200)
    attachments = f"{API}/api/v1/cases/{FILED['folio']}/attachments"
    api.post(attachments, json={"attached": 1}, status=201)
    result = conversation.run(ActionFileCase())
    assert result.seconds < 0.6 and "se está registrando" in result.text
    sent = filings(api)
    assert {f["idempotency_key"] for f in sent} == {"key-hung"}
    # the first try and its retry, then the late one (503, no connection), then the answer
    assert [f.get("send_folio", False) for f in sent] == [False, False, True, True, True]
    linked = [c for c in api.calls if c.request.url == attachments]
    assert [json.loads(c.request.body)["upload_ids"] for c in linked] == [["upl_7"]]


def test_a_filing_the_admin_never_answers_is_given_up_in_the_log_and_kept_in_the_chat(
    conversation: Conversation,
    api: AdminWire,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(filing, "TIMES", FilingTimes(wait=0.2, keep_trying=0.5))
    confirmed(conversation, key="key-gone").user("sí", intent="afirmar")
    api.post(CASES, status=503, delay=0.15)
    with caplog.at_level(logging.INFO, logger="actions"):
        result = conversation.run(ActionFileCase())
    assert "se está registrando" in result.text
    assert result.slots["idempotency_key"] == "key-gone"
    assert 2 < len(filings(api)) < 12
    assert "late_filing_abandoned key=key-gone" in caplog.text
    assert "+56987654321" not in caplog.text and "Ana" not in caplog.text


def test_a_late_rejection_is_logged_without_personal_data(
    conversation: Conversation, api: AdminWire, caplog: pytest.LogCaptureFixture
) -> None:
    confirmed(conversation, key="key-bad").user("sí", intent="afirmar")
    error = {"error": {"code": "invalid_field", "message": "Datos inválidos.", "fields": {}}}
    api.post(CASES, json=error, status=422, delay=0.5)
    with caplog.at_level(logging.INFO, logger="actions"):
        result = conversation.run(ActionFileCase())
    assert "se está registrando" in result.text
    assert "late_filing_rejected key=key-bad status=422 code=invalid_field" in caplog.text
    assert "+56987654321" not in caplog.text


def test_the_whole_confirmation_turn_is_bounded_when_the_admin_hangs(
    conversation: Conversation, api: AdminWire
) -> None:
    confirmed(conversation, key="key-frozen").user("sí", intent="afirmar")
    api.get(f"{API}/api/v1/cases/similar", json={"cases": []}, delay=5.0)
    api.post(CASES, json=FILED, status=201, delay=0.6)
    result = conversation.run(ActionSubmitReclamo())
    assert result.seconds < 0.6, result.seconds
    assert "se está registrando" in result.text
    assert [f.get("send_folio", False) for f in filings(api)] == [False, True]


def test_an_admin_that_is_down_is_still_offered_a_retry_at_once(
    conversation: Conversation, api: AdminWire
) -> None:
    confirmed(conversation, key="key-down").user("sí", intent="afirmar")
    api.post(CASES, body=httpx.ConnectError("refused"))
    result = conversation.run(ActionFileCase())
    assert "no pudimos registrar su caso" in result.text
    assert result.slots["envio_fallido"] is True
    assert len(filings(api)) == 2  # the client's own retry, nothing in the background
