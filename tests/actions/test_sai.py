"""Access-to-information requests: art. 12 data only; never a RUT, never a reason."""

from __future__ import annotations

import json

from actions.case_form import ASK_ACTIONS, ActionAskConfirmacion
from actions.filing import ActionFileCase
from actions.sai import ValidateSaiForm
from tests.actions.conftest import API, AdminWire, Conversation


def test_sai_form_never_asks_for_rut_nor_reason(domain: dict) -> None:
    required = domain["forms"]["sai_form"]["required_slots"]
    assert "rut" not in required
    assert not any("motivo" in slot or "razon" in slot for slot in required)


def test_name_without_surname_is_asked_again(conversation: Conversation) -> None:
    conversation.set(
        informacion_solicitada="Copia del contrato de recolección de residuos 2025",
        requested_slot="nombre",
    )
    conversation.user("Ana", new_slots={"nombre": "Ana"})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.slots["nombre"] is None
    assert result.slots["nombre_pila"] == "Ana"  # kept: the next question asks the surnames
    conversation.set(nombre_pila="Ana", requested_slot="nombre")
    asked = conversation.run(ASK_ACTIONS["nombre"](), active_loop="sai_form")
    assert "apellidos" in asked.text


def test_email_answer_is_the_notification_address(conversation: Conversation) -> None:
    conversation.set(
        informacion_solicitada="Copia del contrato de recolección de residuos 2025",
        nombre="Ana Pérez Soto",
        requested_slot="sai_notificacion",
    )
    conversation.user("ana@correo.cl", new_slots={"sai_notificacion": "ana@correo.cl"})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.slots["email"] == "ana@correo.cl"
    assert result.slots["requested_slot"] == "confirmacion"


def test_postal_address_is_accepted_for_notifications(conversation: Conversation) -> None:
    conversation.set(
        informacion_solicitada="Actas del concejo municipal de octubre",
        nombre="Ana Pérez Soto",
        requested_slot="sai_notificacion",
    )
    answer = "Los Aromos 123, Chillán"
    conversation.user(answer, new_slots={"sai_notificacion": answer})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.slots["sai_notificacion"] == answer


def test_a_rut_given_unasked_is_neither_checked_nor_filed(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    conversation.user(
        "mi rut es 12.345.678-4",
        entities={"rut": "12.345.678-4"},
        new_slots={"rut": "12.345.678-4"},
    )
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert "RUT" not in result.text
    conversation.set(
        informacion_solicitada="Actas del concejo municipal de octubre",
        nombre="Ana Pérez Soto",
        email="ana@correo.cl",
        rut="12.345.678-5",
        tipo_caso="sai",
        idempotency_key="sai-key",
        confirmacion="si",
    )
    api.post(
        f"{API}/api/v1/cases",
        status=201,
        json={
            "folio": "SAI-2026-000003",
            "due_date": "2026-12-23",
            "due_date_display": "23-12-2026",
        },
    )
    filed = conversation.run(ActionFileCase())
    body = json.loads(api.calls[0].request.body)
    assert "rut" not in body["contact"] and "phone" not in body["contact"]
    assert body["sai"]["information_requested"] == "Actas del concejo municipal de octubre"
    assert body["sai"]["body"] == "Municipalidad"
    assert "SAI-2026-000003" in filed.text and "23-12-2026" in filed.text


def test_read_back_says_no_rut_nor_reason_is_needed(conversation: Conversation) -> None:
    conversation.set(
        informacion_solicitada="Actas del concejo",
        nombre="Ana Pérez Soto",
        sai_notificacion="Los Aromos 123, Chillán",
    )
    result = conversation.run(ActionAskConfirmacion(), active_loop="sai_form")
    assert "Los Aromos 123, Chillán" in result.text
    assert "No necesita indicar RUT ni el motivo" in result.text


def test_faq_question_while_asking_the_name_steps_aside_so_it_gets_answered(
    conversation: Conversation,
) -> None:
    conversation.set(informacion_solicitada="Actas del concejo", requested_slot="nombre")
    question = "¿cuánto demoran en responder una solicitud de transparencia?"
    conversation.user(question, intent="faq", new_slots={"nombre": question})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.events[-1]["event"] == "action_execution_rejected"
    assert result.events[-1]["name"] == "sai_form"
    assert result.slots == {"nombre": None}


def test_an_answer_the_nlu_took_for_an_faq_is_still_accepted(conversation: Conversation) -> None:
    conversation.set(requested_slot="informacion_solicitada")
    answer = "las actas del concejo municipal de octubre de 2026"
    conversation.user(answer, intent="faq", new_slots={"informacion_solicitada": answer})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.slots["informacion_solicitada"] == answer
    assert result.slots["requested_slot"] == "nombre"


def test_a_postal_address_said_on_the_phone_with_its_number_in_words(
    conversation: Conversation,
) -> None:
    """Blind round r12 (spent): two callers were asked their address again and again."""
    conversation.set(
        informacion_solicitada="Cuánto se gastó en la fiesta de la vendimia",
        nombre="Luis Carrasco Pino",
        requested_slot="sai_notificacion",
    )
    answer = "por carta nomas la direccion es uno oriente ochocientos cuarenta y dos talca"
    conversation.user(answer, new_slots={"sai_notificacion": answer})
    result = conversation.run(ValidateSaiForm(), active_loop="sai_form")
    assert result.slots["sai_notificacion"] == "1 oriente 842 talca"
    assert result.slots["requested_slot"] == "confirmacion"
