"""Handing a conversation to a person, with its transcript."""

from __future__ import annotations

import json

import httpx

from actions.handoff import ActionHandoff
from tests.actions.conftest import API, AdminWire, Conversation


def test_handoff_sends_the_transcript_and_relays_the_admin_message(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("hola", intent="saludo").bot("¿En qué le puedo ayudar hoy?")
    conversation.user("quiero hablar con un funcionario", intent="hablar_con_humano")
    api.post(
        f"{API}/api/v1/handoffs",
        status=201,
        json={"id": 7, "status": "queued", "message": "Un agente le atenderá en unos minutos."},
    )
    result = conversation.run(ActionHandoff())
    body = json.loads(api.calls[0].request.body)
    assert [t["sender"] for t in body["transcript"]] == ["resident", "bot", "resident"]
    assert body["transcript"][0]["at"].endswith(("-03:00", "-04:00"))
    assert body["channel"] == "telegram" and body["channel_user_id"] == "tg-12345"
    assert body["intent"] == "hablar_con_humano" and body["reason"] == "solicitado"
    assert result.text == "Un agente le atenderá en unos minutos."


def test_after_hours_handoff_tells_the_consulta_folio(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("quiero hablar con una persona", intent="hablar_con_humano")
    api.post(
        f"{API}/api/v1/handoffs",
        status=201,
        json={
            "id": 8,
            "status": "after_hours",
            "folio": "CS-2026-000010",
            "message": "Estamos fuera de horario; le llamaremos el próximo día hábil.",
        },
    )
    result = conversation.run(ActionHandoff())
    assert "fuera de horario" in result.text and "CS-2026-000010" in result.text


def test_handoff_after_misunderstandings_says_why(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("asdf qwerty", intent="nlu_fallback")
    conversation.user("persona", intent="hablar_con_humano")
    api.post(f"{API}/api/v1/handoffs", status=201, json={"id": 9, "status": "queued"})
    result = conversation.run(ActionHandoff())
    assert json.loads(api.calls[0].request.body)["reason"] == "no_entendido"
    assert "derivando con una persona" in result.text


def test_handoff_with_api_down_gives_other_ways_to_reach_a_person(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("quiero hablar con una persona", intent="hablar_con_humano")
    api.post(f"{API}/api/v1/handoffs", body=httpx.ConnectError("refused"))
    result = conversation.run(ActionHandoff())
    assert "No pude comunicarle con una persona" in result.text
    assert conversation.slots["oirs_telefono"] in result.text
