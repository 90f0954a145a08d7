"""Session start, emergencies, the two-step fallback, cancelling, insults, other languages."""

from __future__ import annotations

import json
from typing import Any

import httpx

from actions.common import NO_RUT
from actions.core import ActionCancelar, ActionFallback, ActionOtroIdioma
from actions.emergencia import ActionEmergencia
from actions.filing import ActionFileCase
from actions.session import ActionSessionStart
from tests.actions.conftest import API, AdminWire, Conversation

COMMUNE = {
    "name": "Chillán",
    "oirs_hours": "lunes a viernes de 8:30 a 14:00 horas",
    "privacy_policy_url": "https://muni.example.cl/privacidad",
    "portal_transparencia_url": "https://www.portaltransparencia.cl/muni",
    "phone": "+56 42 243 3000",
}


def test_first_contact_says_it_is_automated_and_gives_the_privacy_notice(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    api.get(f"{API}/api/v1/commune", json=COMMUNE)
    result = conversation.run(ActionSessionStart())
    assert result.events[0]["event"] == "session_started"
    assert result.events[-1]["name"] == "action_listen"
    assert result.slots["municipalidad"] == "la Municipalidad de Chillán"
    assert result.slots["url_privacidad"] == "https://muni.example.cl/privacidad"
    assert "asistente virtual automatizado de la Municipalidad de Chillán" in result.text
    assert "https://muni.example.cl/privacidad" in result.text


def test_session_start_works_with_defaults_when_the_admin_is_down(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    api.get(f"{API}/api/v1/commune", body=httpx.ConnectError("refused"))
    result = conversation.run(ActionSessionStart())
    assert conversation.slots["municipalidad"] == "la Municipalidad"  # the domain's default
    assert "automatizado" in result.text and "{" not in result.text


def test_returning_resident_keeps_data_and_is_not_given_the_notice_again(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(nombre="Ana Pérez").user("hola", intent="saludo")
    api.get(f"{API}/api/v1/commune", json=COMMUNE)
    result = conversation.run(ActionSessionStart())
    assert result.slots["nombre"] == "Ana Pérez"
    assert "privacidad" not in result.text.lower() and "de nuevo" in result.text


def test_emergency_numbers_fit_the_emergency(conversation: Conversation) -> None:
    cases = {
        "hay un incendio en la casa del lado": "132",
        "mi vecino está inconsciente, no respira": "131",
        "me están asaltando": "133",
        "mi pareja me pega": "1455",
    }
    for text, number in cases.items():
        conversation.user(text, intent="emergencia")
        result = conversation.run(ActionEmergencia())
        assert number in result.messages[0]["text"], text


def test_unclassified_emergency_gets_every_number(conversation: Conversation) -> None:
    conversation.user("es una emergencia!!", intent="emergencia")
    text = conversation.run(ActionEmergencia()).messages[0]["text"]
    for number in ["131", "132", "133", "1455", "149"]:
        assert number in text


def test_first_misunderstanding_asks_to_rephrase_second_offers_a_person(
    conversation: Conversation,
) -> None:
    conversation.user("asdf", intent="nlu_fallback")
    first = conversation.run(ActionFallback())
    assert "/reclamo" in first.payloads
    conversation.user("qwer", intent="nlu_fallback")
    second = conversation.run(ActionFallback())
    assert "/hablar_con_humano" in second.payloads and "/afirmar" in second.payloads
    assert second.slots == {"oferta_consulta": True}


def test_an_understood_message_resets_the_fallback_count(conversation: Conversation) -> None:
    conversation.user("asdf", intent="nlu_fallback").user("hola", intent="saludo")
    conversation.user("qwer", intent="nlu_fallback")
    assert "/reclamo" in conversation.run(ActionFallback()).payloads


def test_cancel_forgets_the_case_but_keeps_the_contact(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Poste sin luz",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        envio_fallido=True,
    )
    conversation.user("cancelar", intent="cancelar")
    result = conversation.run(ActionCancelar())
    assert "cancelé" in result.text
    assert result.slots["descripcion"] is None and result.slots["envio_fallido"] is False
    assert "nombre" not in result.slots


def test_cancel_with_nothing_in_progress_says_so(conversation: Conversation) -> None:
    conversation.user("cancelar", intent="cancelar")
    assert "No hay ningún trámite en curso" in conversation.run(ActionCancelar()).text


def test_written_consulta_is_filed_as_a_consulta(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(
        descripcion="¿Dónde pido un certificado de residencia?",
        nombre="Ana Pérez",
        email="ana@correo.cl",
        tipo_caso="consulta",
        idempotency_key="c-1",
        confirmacion="si",
        oferta_consulta=True,
    )
    conversation.user("sí", intent="afirmar")
    api.post(
        f"{API}/api/v1/cases",
        status=201,
        json={
            "folio": "CS-2026-000004",
            "due_date": "2026-12-16",
            "due_date_display": "16-12-2026",
        },
    )
    result = conversation.run(ActionFileCase())
    assert json.loads(api.calls[0].request.body)["type"] == "consulta"
    assert "CS-2026-000004" in result.text and "16-12-2026" in result.text
    assert result.slots["oferta_consulta"] is False


def test_typing_reintentar_after_a_failure_retries_even_if_the_nlu_missed_it(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(
        descripcion="Poste sin luz hace un mes",
        categoria="alumbrado",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        telefono="+56987654321",
        tipo_caso="reclamo",
        idempotency_key="k-9",
        envio_fallido=True,
    )
    conversation.user("reintentar", intent="nlu_fallback")
    api.post(
        f"{API}/api/v1/cases",
        status=201,
        json={
            "folio": "RC-2026-000050",
            "due_date": "2026-12-16",
            "due_date_display": "16-12-2026",
        },
    )
    result = conversation.run(ActionFallback())
    assert json.loads(api.calls[0].request.body)["idempotency_key"] == "k-9"
    assert "RC-2026-000050" in result.text and result.slots["envio_fallido"] is False


def test_english_gets_what_the_service_does_in_spanish_and_one_english_line(
    conversation: Conversation,
) -> None:
    conversation.set(municipalidad="la Municipalidad de Chillán")
    conversation.user("hello, I need help with the garbage collection", intent="otro_idioma")
    result = conversation.run(ActionOtroIdioma())
    lines = result.text.splitlines()
    assert "reclamos" in lines[0] and "atiende en español" in lines[0]
    assert lines[1:] == ["This service is available in Spanish only."]
    assert "/ayuda" in result.payloads and "/hablar_con_humano" in result.payloads
    assert result.events == []


def test_french_or_haitian_creole_also_gets_a_line_in_french(conversation: Conversation) -> None:
    for text in ("bonjou, mwen pa pale panyòl", "bonjour, je voudrais faire une réclamation"):
        conversation.user(text, intent="otro_idioma")
        result = conversation.run(ActionOtroIdioma())
        assert "This service is available in Spanish only." in result.text, text
        assert "Ce service est disponible uniquement en espagnol." in result.text, text
    conversation.user("olá, quero fazer uma reclamação", intent="otro_idioma")
    assert "espagnol" not in conversation.run(ActionOtroIdioma()).text


def test_an_insult_gets_a_calm_boundary_and_the_options(domain: dict[str, Any]) -> None:
    (answer,) = domain["responses"]["utter_insulto"]
    assert "respeto" in answer["text"] and "no le entendí" not in answer["text"]
    payloads = {button["payload"] for button in answer["buttons"]}
    assert {"/reclamo", "/hablar_con_humano", "/ayuda"} <= payloads


def test_other_ways_of_saying_retry_retry_even_if_the_nlu_missed_them(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.set(
        descripcion="Poste sin luz hace un mes",
        categoria="alumbrado",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        telefono="+56987654321",
        tipo_caso="reclamo",
        idempotency_key="k-10",
        envio_fallido=True,
    )
    api.post(
        f"{API}/api/v1/cases",
        status=201,
        json={
            "folio": "RC-2026-000051",
            "due_date": "2026-12-16",
            "due_date_display": "16-12-2026",
        },
    )
    conversation.user("intentalo de nuevo porfa", intent="nlu_fallback")
    result = conversation.run(ActionFallback())
    assert "RC-2026-000051" in result.text and result.slots["envio_fallido"] is False


def _cancel_at_the_rut_question(conversation: Conversation, text: str) -> None:
    conversation.events.extend(
        [
            {"event": "active_loop", "name": "reclamo_form"},
            {"event": "slot", "name": "requested_slot", "value": "rut"},
        ]
    )
    conversation.set(descripcion="Poste sin luz", direccion="Los Aromos 123", nombre="Ana Pérez")
    conversation.user(text, intent="cancelar")
    conversation.events.extend(
        [
            {"event": "active_loop", "name": None},
            {"event": "slot", "name": "requested_slot", "value": None},
        ]
    )


def test_declining_the_rut_in_words_read_as_cancel_goes_on_without_it(
    conversation: Conversation,
) -> None:
    """Blind round r12 (spent): «No lo considero necesario.» to the optional RUT cancelled
    the reclamo."""
    _cancel_at_the_rut_question(conversation, "No lo considero necesario.")
    result = conversation.run(ActionCancelar())
    assert "seguimos sin RUT" in result.text
    assert result.slots["rut"] == NO_RUT
    assert {"event": "active_loop", "name": "reclamo_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in result.events
    ]


def test_cancel_said_at_the_rut_question_cancels(conversation: Conversation) -> None:
    _cancel_at_the_rut_question(conversation, "cancela el reclamo mejor")
    result = conversation.run(ActionCancelar())
    assert "cancelé" in result.text
