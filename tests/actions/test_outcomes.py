"""The bot tells the admin how each conversation went (containment statistics): in the
background, without personal data, and never at the cost of a resident's turn."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any

import httpx
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions import outcomes
from actions.emergencia import ActionEmergencia
from actions.estado import ActionConsultarEstado
from actions.filing import ActionFileCase
from actions.handoff import ActionHandoff
from actions.reclamo import ActionAdherirCaso
from actions.session import ActionSessionStart
from tests.actions.conftest import API, TOKEN, AdminWire, Conversation

OUTCOMES_URL = f"{API}/api/v1/conversations/outcomes"
HANDOFF = {"id": 7, "status": "queued", "message": "Un agente le atenderá en unos minutos."}


def run_reported(conversation: Conversation, action: Action) -> tuple[list[str], float]:
    """Run the action as the action server does, then let its reports arrive; the texts the
    resident got and how long the action took."""
    dispatcher = CollectingDispatcher()

    async def turn() -> float:
        started = time.perf_counter()
        await action.run(dispatcher, conversation.tracker(), conversation.domain)
        waited = time.perf_counter() - started
        await outcomes.wait_reported()
        return waited

    waited = asyncio.run(turn())
    return [m.get("text") or "" for m in dispatcher.messages], waited


def reports(api: AdminWire) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in api.calls if c.request.url == OUTCOMES_URL]


def test_a_session_start_is_reported_on_the_channel_its_first_message_named(
    conversation: Conversation, api: AdminWire
) -> None:
    conversation.sender = "whatsapp:+56987654321"
    conversation.set(session_started_metadata={"channel": "whatsapp", "message_id": "SM1"})
    api.get(f"{API}/api/v1/commune", json={"name": "Chillán"})
    api.post(OUTCOMES_URL, status=201, json={"outcome": "started", "channel": "whatsapp"})
    run_reported(conversation, ActionSessionStart())
    [sent] = reports(api)
    assert sent["outcome"] == "started" and sent["channel"] == "whatsapp"
    # the conversation is named by a keyed hash: no phone number, and not a plain SHA-256
    assert sent["conversation"] == outcomes.conversation_hash("whatsapp:+56987654321")
    assert len(sent["conversation"]) == 32 and "56987654321" not in json.dumps(sent)
    plain = hashlib.sha256(b"whatsapp:+56987654321").hexdigest()[:32]
    assert sent["conversation"] != plain
    assert api.calls[-1].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_handoff_and_a_status_given_are_reported_with_the_same_conversation(
    conversation: Conversation, api: AdminWire
) -> None:
    api.post(f"{API}/api/v1/handoffs", status=201, json=HANDOFF)
    api.post(f"{API}/api/v1/status-lookup", json={"folio": "RC-2026-000123", "status": "x"})
    api.post(OUTCOMES_URL, status=201, json={})
    conversation.user("quiero hablar con una persona", intent="hablar_con_humano")
    run_reported(conversation, ActionHandoff())
    conversation.set(folio="RC-2026-000123", factor="+56987654321")
    run_reported(conversation, ActionConsultarEstado())
    sent = reports(api)
    assert [(r["outcome"], r["channel"]) for r in sent] == [
        ("handed_off", "telegram"),
        ("status_given", "telegram"),
    ]
    assert sent[0]["conversation"] == sent[1]["conversation"]


def test_a_status_not_found_is_no_outcome(conversation: Conversation, api: AdminWire) -> None:
    api.post(f"{API}/api/v1/status-lookup", status=404, json={"error": {"code": "not_found"}})
    conversation.set(folio="RC-2026-000123", factor="+56987654321")
    run_reported(conversation, ActionConsultarEstado())
    assert reports(api) == []


def test_a_slow_or_failing_admin_neither_delays_nor_fails_the_turn(
    conversation: Conversation, api: AdminWire
) -> None:
    api.post(f"{API}/api/v1/handoffs", status=201, json=HANDOFF)
    api.post(OUTCOMES_URL, status=201, json={}, delay=1.5)
    conversation.user("quiero hablar con una persona", intent="hablar_con_humano")
    texts, waited = run_reported(conversation, ActionHandoff())
    assert texts == ["Un agente le atenderá en unos minutos."]
    assert waited < 1.0 and len(reports(api)) == 1  # sent, answered after the turn ended
    api.replace("POST", OUTCOMES_URL, status=500, json={})
    texts, _ = run_reported(conversation, ActionHandoff())
    assert texts == ["Un agente le atenderá en unos minutos."]
    api.replace("POST", OUTCOMES_URL, body=httpx.ConnectError("admin down"))
    texts, _ = run_reported(conversation, ActionHandoff())
    assert texts == ["Un agente le atenderá en unos minutos."]
    assert len(reports(api)) == 3


def test_a_case_filed_or_joined_is_reported_as_case_filed(
    conversation: Conversation, api: AdminWire
) -> None:
    conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        categoria="aseo",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        telefono="+56987654321",
        tipo_caso="reclamo",
        idempotency_key="key-1",
        confirmacion="si",
    )
    api.post(f"{API}/api/v1/cases", status=201, json={"folio": "RC-2026-000042"})
    api.post(OUTCOMES_URL, status=201, json={})
    run_reported(conversation, ActionFileCase())
    conversation.set(caso_similar="RC-2026-000007", oferta_adhesion=True)
    adhesion = {"folio": "RC-2026-000007", "adhesions": 2}
    api.post(f"{API}/api/v1/cases/RC-2026-000007/adhesions", status=201, json=adhesion)
    run_reported(conversation, ActionAdherirCaso())
    assert [r["outcome"] for r in reports(api)] == ["case_filed", "case_filed"]
    sent = json.dumps(reports(api))
    assert "Ana" not in sent and "56987654321" not in sent and "Aromos" not in sent


def test_emergency_numbers_are_an_answer_a_past_danger_is_not_yet(
    conversation: Conversation, api: AdminWire
) -> None:
    api.post(OUTCOMES_URL, status=201, json={})
    conversation.user("hay un incendio en la casa del lado", intent="emergencia")
    run_reported(conversation, ActionEmergencia())
    conversation.user("casi me atropellan la semana pasada en el cruce", intent="emergencia")
    run_reported(conversation, ActionEmergencia())  # offered a reclamo: the conversation goes on
    assert [r["outcome"] for r in reports(api)] == ["faq_answered"]


def test_a_fixed_faq_answer_is_reported_as_answered_and_says_nothing(
    conversation: Conversation, api: AdminWire
) -> None:
    """utter_faq is chosen by the rules with no action of ours: action_faq_respondida follows
    it (data/rules), so conversations that only asked a question count as contained."""
    api.post(OUTCOMES_URL, status=201, json={})
    conversation.user("¿cuál es el horario de la oirs?", intent="faq")
    said, _ = run_reported(conversation, outcomes.ActionFaqRespondida())
    assert said == []
    assert [r["outcome"] for r in reports(api)] == ["faq_answered"]
