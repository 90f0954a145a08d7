"""Status by folio with a second factor, and "mis casos" for this channel identity."""

from __future__ import annotations

import json

import httpx

from actions.estado import (
    FILED_FROM_HERE,
    ActionConsultarEstado,
    ActionMisCasos,
    ValidateEstadoForm,
)
from tests.actions.conftest import API, AdminWire, Conversation

STATUS = {
    "folio": "RC-2026-000123",
    "type": "reclamo",
    "type_label": "Reclamo",
    "status": "en_gestion",
    "status_label": "En gestión",
    "due_date": "2026-12-16",
    "due_date_display": "16-12-2026",
    "business_days_left": 9,
    "unit": "DIMAO",
    "last_update": "2026-11-24T12:00:00-03:00",
}


def test_loose_folio_is_normalised(conversation: Conversation) -> None:
    conversation.set(requested_slot="folio").user("rc 2026 123", new_slots={"folio": "rc 2026 123"})
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots["folio"] == "RC-2026-000123"


def test_factor_accepts_rut_email_or_phone(conversation: Conversation) -> None:
    for answer, factor in [
        ("12.345.678-5", "12.345.678-5"),
        ("ana@correo.cl", "ana@correo.cl"),
        ("+56 9 8765 4321", "+56987654321"),
    ]:
        conversation.set(folio="RC-2026-000123", requested_slot="factor")
        conversation.user(answer, new_slots={"factor": answer})
        result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
        assert result.slots["factor"] == factor


def test_status_is_shown_with_the_due_date_after_verification(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(folio="RC-2026-000123", factor="+56987654321")
    api.post(f"{API}/api/v1/status-lookup", json=STATUS)
    result = conversation.run(ActionConsultarEstado())
    assert json.loads(api.calls[0].request.body) == {
        "folio": "RC-2026-000123",
        "factor": "+56987654321",
    }
    for shown in ["RC-2026-000123", "En gestión", "DIMAO", "16-12-2026", "9 días hábiles"]:
        assert shown in result.text
    assert result.slots == {"folio": None, "factor": None}


def test_wrong_factor_and_unknown_folio_get_the_same_answer(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(folio="RC-2026-000123", factor="+56911111111")
    api.post(
        f"{API}/api/v1/status-lookup",
        status=404,
        json={"error": {"code": "not_found_or_mismatch", "message": "No encontrado."}},
    )
    result = conversation.run(ActionConsultarEstado())
    assert "No encontré un caso con ese folio y ese dato" in result.text


def test_status_lookup_with_api_down_says_so(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(folio="RC-2026-000123", factor="+56987654321")
    api.post(f"{API}/api/v1/status-lookup", body=httpx.ConnectError("refused"))
    result = conversation.run(ActionConsultarEstado())
    assert "no puedo consultar el sistema municipal" in result.text


def test_mis_casos_lists_the_cases_of_this_channel_identity(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("mis casos", intent="consultar_estado")
    api.get(
        f"{API}/api/v1/residents/cases",
        json={
            "cases": [
                STATUS,
                {
                    **STATUS,
                    "folio": "SG-2026-000002",
                    "type_label": "Sugerencia",
                    "status_label": "Respondida",
                },
            ]
        },
    )
    result = conversation.run(ActionMisCasos())
    query = api.calls[0].request.params
    assert query == {"channel": "telegram", "channel_user_id": "tg-12345"}
    assert "RC-2026-000123" in result.text and "SG-2026-000002" in result.text
    assert "Respondida" in result.text


def test_mis_casos_without_cases_offers_the_folio_path(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("mis casos", intent="consultar_estado")
    api.get(f"{API}/api/v1/residents/cases", json={"cases": []})
    result = conversation.run(ActionMisCasos())
    assert "No encontré casos registrados desde este canal" in result.text


def test_web_widget_conversations_are_looked_up_as_web(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.channel = "socketio"
    conversation.user("mis casos", intent="consultar_estado")
    api.get(f"{API}/api/v1/residents/cases", json={"cases": []})
    conversation.run(ActionMisCasos())
    assert api.calls[0].request.params["channel"] == "web"


def test_a_case_filed_from_this_identity_needs_no_second_factor(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    """Issue 16: the WhatsApp/Telegram identity that filed the case is itself a factor."""
    conversation.set(requested_slot="folio")
    conversation.user("RC-2026-000123", new_slots={"folio": "RC-2026-000123"})
    api.get(f"{API}/api/v1/residents/cases", json={"cases": [STATUS]})
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots["folio"] == "RC-2026-000123"
    assert result.slots["factor"]  # filled: the form does not ask for it
    assert api.calls[0].request.params == {"channel": "telegram", "channel_user_id": "tg-12345"}
    conversation.set(folio="RC-2026-000123", factor=result.slots["factor"])
    shown = conversation.run(ActionConsultarEstado())
    assert "En gestión" in shown.text and "16-12-2026" in shown.text
    assert all(call.request.method == "GET" for call in api.calls)  # no status-lookup
    assert shown.slots == {"folio": None, "factor": None}


def test_another_identity_still_gives_a_second_factor(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(requested_slot="folio")
    conversation.user("RC-2026-000123", new_slots={"folio": "RC-2026-000123"})
    other = {**STATUS, "folio": "RC-2026-000999"}
    api.get(f"{API}/api/v1/residents/cases", json={"cases": [other]})
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots == {"folio": "RC-2026-000123"}  # the factor is asked
    assert "RC-2026-000999" not in result.text


def test_the_identity_factor_cannot_show_a_case_of_someone_else(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user("RC-2026-000123")
    conversation.set(folio="RC-2026-000123", factor=FILED_FROM_HERE)
    api.get(f"{API}/api/v1/residents/cases", json={"cases": []})
    result = conversation.run(ActionConsultarEstado())
    assert "No encontré un caso con ese folio y ese dato" in result.text
    assert "En gestión" not in result.text


def test_the_web_widget_session_is_no_factor(conversation: Conversation, api: AdminWire) -> None:
    conversation.channel = "socketio"
    conversation.set(requested_slot="folio")
    conversation.user("RC-2026-000123", new_slots={"folio": "RC-2026-000123"})
    api.get(f"{API}/api/v1/residents/cases", json={"cases": [STATUS]})
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots == {"folio": "RC-2026-000123"}
    assert api.calls == []
