"""Reclamo: all-in-one messages, validation, corrections, duplicate check, filing and retries."""

from __future__ import annotations

import json

import httpx
import pytest

from actions.case_form import ASK_ACTIONS, ActionAskConfirmacion
from actions.common import NO_RUT
from actions.felicitacion import ValidateFelicitacionForm
from actions.filing import ActionFileCase, contact_payload
from actions.reclamo import ActionAdherirCaso, ActionSubmitReclamo, ValidateReclamoForm
from tests.actions.conftest import API, AdminWire, Conversation, Result

FILED = {
    "folio": "RC-2026-000042",
    "type": "reclamo",
    "status": "ingresado",
    "due_date": "2026-12-16",
    "due_date_display": "16-12-2026",
    "unit": "DIMAO",
    "category": "aseo",
}


def confirmed(conversation: Conversation, key: str | None = "key-1") -> Conversation:
    return conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        categoria="aseo",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        rut=NO_RUT,
        telefono="+56987654321",
        tipo_caso="reclamo",
        idempotency_key=key,
        confirmacion="si",
    )


def test_all_in_one_message_fills_every_slot_it_contains(conversation: Conversation) -> None:
    text = (
        "hace dos semanas que no pasa el camion de la basura por los aromos 123, "
        "soy Ana Perez, mi telefono es 987654321"
    )
    conversation.user(
        text,
        intent="reclamo",
        entities={"direccion": "los aromos", "nombre": "Ana", "telefono": "123"},
        new_slots={"descripcion": text},  # the only slot mapped from an opening message
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "los aromos 123"
    assert result.slots["telefono"] == "+56987654321"
    assert result.slots["categoria"] == "aseo"
    assert result.slots["nombre"] == "Ana Perez"
    assert "987654321" not in result.slots["descripcion"]
    # nothing left to ask but the optional RUT, then the read-back
    assert result.slots["requested_slot"] == "rut"


def test_a_bare_request_starts_the_form_by_asking_what_happened(
    conversation: Conversation,
) -> None:
    conversation.user(
        "quiero hacer un reclamo",
        intent="reclamo",
        new_slots={"descripcion": "quiero hacer un reclamo"},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["descripcion"] is None
    assert result.slots["requested_slot"] == "descripcion"
    assert result.messages == []


def test_invalid_phone_is_explained_and_asked_again(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Poste sin luz hace un mes en la esquina",
        categoria="alumbrado",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        rut=NO_RUT,
        requested_slot="contacto",
    )
    conversation.user("12345", new_slots={"contacto": "12345"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["contacto"] is None
    assert result.slots["requested_slot"] == "contacto"
    assert "correo electrónico ni un teléfono" in result.text


def test_contact_answer_with_email_fills_email(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Poste sin luz hace un mes en la esquina",
        categoria="alumbrado",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        rut=NO_RUT,
        requested_slot="contacto",
    )
    conversation.user("ana.perez@correo.cl", new_slots={"contacto": "ana.perez@correo.cl"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["email"] == "ana.perez@correo.cl"
    assert result.slots["requested_slot"] == "confirmacion"


def test_rut_given_with_a_wrong_check_digit_is_dropped_with_a_message(
    conversation: Conversation,
) -> None:
    conversation.user("mi rut es 12.345.678-4", entities={"rut": "12.345.678-4"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots.get("rut") is None
    assert "dígito verificador" in result.text


def test_valid_rut_is_kept_formatted(conversation: Conversation) -> None:
    conversation.user(
        "mi rut es 123456785", entities={"rut": "123456785"}, new_slots={"rut": "123456785"}
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == "12.345.678-5"


def test_read_back_lists_the_collected_data(conversation: Conversation) -> None:
    confirmed(conversation).set(confirmacion=None)
    result = conversation.run(ActionAskConfirmacion(), active_loop="reclamo_form")
    for shown in ["Aseo y recolección de residuos", "Los Aromos 123", "Ana Pérez", "+56987654321"]:
        assert shown in result.text
    assert "/afirmar" in result.payloads and "/negar" in result.payloads


def test_confirming_sets_the_case_type_and_an_idempotency_key(
    conversation: Conversation,
) -> None:
    confirmed(conversation, key=None).set(confirmacion=None, requested_slot="confirmacion")
    conversation.user("sí", intent="afirmar", new_slots={"confirmacion": "sí"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["confirmacion"] == "si"
    assert result.slots["tipo_caso"] == "reclamo"
    assert result.slots["idempotency_key"]
    assert result.slots["requested_slot"] is None


def test_typed_correction_fixes_that_field_and_reads_back_again(
    conversation: Conversation,
) -> None:
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion")
    text = "no, la dirección es Los Aromos 321"
    conversation.user(text, intent="negar", new_slots={"confirmacion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "Los Aromos 321"
    assert result.slots["confirmacion"] is None
    assert result.slots["requested_slot"] == "confirmacion"


def test_correction_extracted_as_entity_reads_back_again(conversation: Conversation) -> None:
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion")
    text = "no, es en Pasaje Las Dalias 45"
    conversation.user(
        text,
        intent="negar",
        entities={"direccion": "Pasaje Las Dalias 45"},
        new_slots={"direccion": "Pasaje Las Dalias 45", "confirmacion": text},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert conversation.slots["direccion"] == "Pasaje Las Dalias 45"
    assert result.slots["confirmacion"] is None
    assert result.slots["requested_slot"] == "confirmacion"


def test_plain_no_asks_which_field_to_correct(conversation: Conversation) -> None:
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion")
    conversation.user("no", intent="negar", new_slots={"confirmacion": "no"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["correccion"] is True
    ask = conversation.run(ActionAskConfirmacion(), active_loop="reclamo_form")
    assert '/informar{"campo": "direccion"}' in ask.payloads


def test_choosing_the_contact_field_asks_for_it_again(conversation: Conversation) -> None:
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion", correccion=True)
    conversation.user(
        '/informar{"campo": "contacto"}',
        entities={"campo": "contacto"},
        new_slots={"confirmacion": '/informar{"campo": "contacto"}'},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["telefono"] is None
    assert result.slots["requested_slot"] == "contacto"


def test_no_similar_case_files_directly_with_folio_and_calendar_due_date(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).user("sí", intent="afirmar")
    api.get(f"{API}/api/v1/cases/similar", json={"cases": []})
    api.post(f"{API}/api/v1/cases", json=FILED, status=201)
    result = conversation.run(ActionSubmitReclamo())
    assert "RC-2026-000042" in result.text and "16-12-2026" in result.text
    body = json.loads(api.calls[1].request.body)
    assert body["type"] == "reclamo" and body["category"] == "aseo"
    assert body["channel"] == "telegram" and body["channel_user_id"] == "tg-12345"
    assert body["contact"] == {"name": "Ana Pérez", "phone": "+56987654321"}
    assert body["idempotency_key"] == "key-1"
    assert body["transcript"][-1] == {
        "at": body["transcript"][-1]["at"],
        "sender": "resident",
        "text": "sí",
    }
    assert result.slots["descripcion"] is None and result.slots["ultimo_folio"] == FILED["folio"]


def test_similar_open_case_is_offered_for_adhesion_before_filing(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).user("sí", intent="afirmar")
    api.get(
        f"{API}/api/v1/cases/similar",
        json={
            "cases": [
                {
                    "folio": "RC-2026-000007",
                    "category": "aseo",
                    "address": "Los Aromos 120",
                    "created_at": "2026-11-20T10:00:00-03:00",
                    "adhesions": 3,
                }
            ]
        },
    )
    result = conversation.run(ActionSubmitReclamo())
    assert result.slots == {"caso_similar": "RC-2026-000007", "oferta_adhesion": True}
    assert "RC-2026-000007" in result.text and "Los Aromos 120" in result.text
    assert all(call.request.method == "GET" for call in api.calls)


def test_adhering_joins_the_open_case_instead_of_filing(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).set(caso_similar="RC-2026-000007", oferta_adhesion=True)
    conversation.user("sí", intent="afirmar")
    api.post(
        f"{API}/api/v1/cases/RC-2026-000007/adhesions",
        json={
            "folio": "RC-2026-000007",
            "adhesions": 4,
            "due_date": "2026-12-22",
            "due_date_display": "martes 22 de diciembre de 2026",
        },
        status=201,
    )
    result = conversation.run(ActionAdherirCaso())
    assert "RC-2026-000007" in result.text and "ya son 4 vecinos" in result.text
    assert "vecino(s)" not in result.text
    assert "a más tardar el martes 22 de diciembre de 2026" in result.text  # issue 16
    body = json.loads(api.calls[0].request.body)
    assert body["contact"]["phone"] == "+56987654321" and body["channel"] == "telegram"
    assert result.slots["oferta_adhesion"] is False


def test_the_first_resident_to_join_is_told_so_with_the_due_date(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    """Issue 16: «ya suma 1 vecino(s)» and no due date."""
    confirmed(conversation).set(caso_similar="RC-2026-000007", oferta_adhesion=True)
    conversation.user("sí", intent="afirmar")
    api.post(
        f"{API}/api/v1/cases/RC-2026-000007/adhesions",
        json={
            "folio": "RC-2026-000007",
            "adhesions": 1,
            "due_date": "2026-12-22",
            "due_date_display": "martes 22 de diciembre de 2026",
        },
        status=201,
    )
    result = conversation.run(ActionAdherirCaso())
    assert "usted es el primer vecino en sumarse" in result.text
    assert "1 vecino" not in result.text
    assert "a más tardar el martes 22 de diciembre de 2026" in result.text


def test_api_down_keeps_the_data_and_offers_to_retry(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).user("sí", intent="afirmar")
    api.post(f"{API}/api/v1/cases", body=httpx.ConnectError("refused"))
    result = conversation.run(ActionFileCase())
    assert "no pudimos registrar" in result.text and "quedan guardados" in result.text
    assert result.slots == {
        "envio_fallido": True,
        "idempotency_key": "key-1",
        "oferta_adhesion": False,
    }
    assert conversation.slots["descripcion"] and conversation.slots["direccion"]


def test_retry_after_failure_reuses_the_key_so_the_case_is_filed_once(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation, key=None).user("sí", intent="afirmar")
    api.post(f"{API}/api/v1/cases", status=503)
    first = conversation.run(ActionFileCase())
    assert first.slots["envio_fallido"] is True
    api.replace("POST", f"{API}/api/v1/cases", json=FILED, status=200)
    conversation.user("reintentar", intent="afirmar")
    second = conversation.run(ActionFileCase())
    keys = {json.loads(call.request.body)["idempotency_key"] for call in api.calls}
    assert len(keys) == 1 and None not in keys
    assert "RC-2026-000042" in second.text
    assert second.slots["envio_fallido"] is False and second.slots["idempotency_key"] is None


def test_value_rejected_by_the_admin_is_explained_and_cleared(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).set(rut="12.345.678-5").user("sí", intent="afirmar")
    api.post(
        f"{API}/api/v1/cases",
        status=422,
        json={
            "error": {
                "code": "invalid_field",
                "message": "Revise los datos.",
                "fields": {"contact.rut": "El RUT no es válido."},
            }
        },
    )
    result = conversation.run(ActionFileCase())
    assert "El RUT no es válido." in result.text
    assert result.slots["rut"] is None and result.slots["envio_fallido"] is False


def test_similar_check_failure_does_not_block_filing(
    conversation: Conversation,
    api: AdminWire,
) -> None:
    confirmed(conversation).user("sí", intent="afirmar")
    api.get(f"{API}/api/v1/cases/similar", status=500)
    api.post(f"{API}/api/v1/cases", json=FILED, status=201)
    result = conversation.run(ActionSubmitReclamo())
    assert "RC-2026-000042" in result.text


def test_a_name_the_tagger_split_in_two_is_read_whole_by_the_parser(
    conversation: Conversation,
) -> None:
    conversation.user(
        "me llamo Francisca Soto Vergara",
        entities=[("nombre", "Francisca"), ("nombre", "Soto Vergara")],
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["nombre"] == "Francisca Soto Vergara"


def test_name_introduced_in_the_first_message_is_picked_up(conversation: Conversation) -> None:
    text = "no pasa el camión de la basura por Los Aromos 123, soy Ana Pérez"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["nombre"] == "Ana Pérez"


def test_a_phone_tagged_as_address_is_not_taken_for_the_address(
    conversation: Conversation,
) -> None:
    text = "no pasa el camión por los aromos 123, mi fono 987654321"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    conversation.events[-2]["parse_data"]["entities"] = [
        {"entity": "direccion", "value": "987654321", "start": 44, "end": 53},
    ]
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "los aromos 123"
    assert result.slots["telefono"] == "+56987654321"


def test_the_most_address_like_entity_is_kept(conversation: Conversation) -> None:
    text = "no pasa el camión de la basura por los aromos 123, soy Ana"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    conversation.events[-2]["parse_data"]["entities"] = [
        {"entity": "direccion", "value": "la"},
        {"entity": "direccion", "value": "los aromos 123"},
        {"entity": "direccion", "value": "Ana"},
    ]
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "los aromos 123"
    assert result.messages == []


def test_yes_is_not_taken_for_a_name(conversation: Conversation) -> None:
    conversation.set(requested_slot="nombre").user("si", new_slots={"nombre": "si"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["nombre"] is None


def test_emergency_told_as_a_reclamo_gets_the_numbers_and_is_not_kept(
    conversation: Conversation,
) -> None:
    text = "hay una persona inconsciente en la calle"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert "131" in result.text
    assert result.slots["descripcion"] is None


def test_a_past_theft_is_an_ordinary_reclamo(conversation: Conversation) -> None:
    text = "se robaron el cable del alumbrado hace dos meses y nadie lo repone"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["descripcion"] == text
    assert result.messages == []


def test_invalid_phone_tagged_in_a_contact_answer_is_rejected_with_a_message(
    conversation: Conversation,
) -> None:
    conversation.set(
        descripcion="Semáforo malo en la esquina hace tres días",
        categoria="transito",
        direccion="Prat con Maipú",
        nombre="Juan Soto",
        rut=NO_RUT,
        requested_slot="contacto",
    )
    conversation.user(
        "912345678",
        entities={"telefono": "912345678"},
        new_slots={"contacto": "912345678"},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots.get("telefono") is None
    assert "no parece un número chileno válido" in result.text
    assert len(result.messages) == 1
    assert result.slots["requested_slot"] == "contacto"


def test_a_third_persons_name_is_not_taken_for_the_residents(conversation: Conversation) -> None:
    conversation.set(descripcion="Excelente atención en el CAV", requested_slot="unidad_felicitada")
    answer = "la señora Marta de la ventanilla 3"
    conversation.user(
        answer,
        entities={"nombre": "Marta"},
        new_slots={"nombre": "Marta", "unidad_felicitada": answer},
    )
    result = conversation.run(ValidateFelicitacionForm(), active_loop="felicitacion_form")
    assert result.slots["nombre"] is None
    assert result.slots["unidad_felicitada"] == answer
    assert result.slots["requested_slot"] == "direccion"  # where it was (optional), then the name


def _answer_address(conversation: Conversation, text: str, **extracted: str) -> Result:
    conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        requested_slot="direccion",
    )
    conversation.user(
        text,
        entities={"categoria": extracted["categoria"]} if "categoria" in extracted else None,
        new_slots={"direccion": text, **extracted},
    )
    return conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")


def test_a_category_word_in_the_address_does_not_change_the_theme(
    conversation: Conversation,
) -> None:
    """Seen with the real model: "en la calle" turned a garbage reclamo into "Calles y veredas"."""
    conversation.events.append({"event": "slot", "name": "categoria", "value": "aseo"})
    conversation.set(categoria="aseo")
    result = _answer_address(conversation, "frente a la plaza de armas", categoria="areas_verdes")
    assert result.slots["categoria"] == "aseo"
    assert result.slots["direccion"] == "frente a la plaza de armas"


def test_no_theme_is_taken_from_an_address_answer(conversation: Conversation) -> None:
    result = _answer_address(conversation, "calle los aromos 123", categoria="pavimento")
    assert result.slots["categoria"] is None  # the form asks for it
    assert result.slots["direccion"] == "calle los aromos 123"


def test_an_address_that_names_no_place_is_asked_again(conversation: Conversation) -> None:
    for vague in ("en la calle", "frente a mi casa", "aqui en la esquina", "en el pasaje"):
        result = _answer_address(conversation, vague)
        assert result.slots["direccion"] is None, vague
        assert "más precisa" in result.text, vague


def test_an_address_without_a_number_but_with_a_name_is_kept(conversation: Conversation) -> None:
    kept = {
        "villa el bosque": "villa el bosque",
        "pasaje 5": "pasaje 5",
        "esquina de rengo con lincoyan": "rengo con lincoyan",  # the streets of the corner
        "Plaza de Armas": "Plaza de Armas",
    }
    for place, expected in kept.items():
        result = _answer_address(conversation, place)
        assert result.slots["direccion"] == expected, place


def test_declining_the_name_is_answered_with_why_it_is_asked(conversation: Conversation) -> None:
    """Seen with the real model: "no quiero dar contacto" was read back as the name
    "No Quiero Dar Contacto"."""
    for refusal in ("no quiero dar mi nombre", "prefiero no decirlo", "anónimo"):
        conversation.set(requested_slot="nombre").user(refusal, new_slots={"nombre": refusal})
        result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
        assert result.slots["nombre"] is None, refusal
        assert "Necesitamos su nombre" in result.text, refusal


def test_a_sentence_is_not_taken_for_a_name(conversation: Conversation) -> None:
    conversation.set(requested_slot="nombre").user(
        "no quiero dar contacto", new_slots={"nombre": "no quiero dar contacto"}
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["nombre"] is None


def test_names_with_particles_are_still_names(conversation: Conversation) -> None:
    for name in ("María de la Luz Pérez", "Juan Pablo del Río"):
        conversation.set(requested_slot="nombre").user(name, new_slots={"nombre": name})
        result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
        assert result.slots["nombre"] == name, name


def test_the_neighbourhood_named_beside_the_street_is_kept(conversation: Conversation) -> None:
    """Seen with the real model: "villa los andes pasaje 3 casa 12" was read back as
    "pasaje 3 casa 12"."""
    text = "los perros ladran toda la noche en villa los andes pasaje 3 casa 12"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    conversation.events[-2]["parse_data"]["entities"] = [
        {"entity": "direccion", "value": "villa los"},  # as the model tagged it
        {"entity": "direccion", "value": "pasaje 3 casa 12"},
        {"entity": "direccion", "value": "Ana"},
    ]
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "villa los andes pasaje 3 casa 12"


def test_a_neighbourhood_named_apart_from_the_street_is_added_after_it(
    conversation: Conversation,
) -> None:
    text = "no pasa el camion por los aromos 123. Es en la villa el bosque"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    conversation.events[-2]["parse_data"]["entities"] = [
        {"entity": "direccion", "value": "los aromos 123"},
        {"entity": "direccion", "value": "villa el bosque"},
    ]
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "los aromos 123, villa el bosque"


# --- the optional RUT, asked after the name (blind rounds r9-r11: residents expect it) -------


def _asked_rut(conversation: Conversation) -> Conversation:
    return conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        categoria="aseo",
        direccion="Los Aromos 123",
        nombre="Ana Pérez",
        requested_slot="rut",
    )


def test_the_rut_is_asked_after_the_name_as_optional(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        categoria="aseo",
        direccion="Los Aromos 123",
        requested_slot="nombre",
    )
    conversation.user("Ana Pérez", new_slots={"nombre": "Ana Pérez"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["requested_slot"] == "rut"
    asked = conversation.run(ASK_ACTIONS["rut"](), active_loop="reclamo_form")
    assert "opcional" in asked.text


@pytest.mark.parametrize("answer", ["no", "prefiero no dar mi rut", "no lo tengo a mano"])
def test_declining_the_rut_goes_on_without_it(conversation: Conversation, answer: str) -> None:
    _asked_rut(conversation).user(answer, intent="negar", new_slots={"rut": answer})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == NO_RUT
    assert result.slots["requested_slot"] == "contacto"
    filed = contact_payload(conversation.set(**result.slots).tracker(), "reclamo")
    assert filed.get("rut") is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("12.345.678-5", "12.345.678-5"),
        ("mi rut es 12345678-5", "12.345.678-5"),
        ("doce millones trescientos cuarenta y cinco mil seiscientos setenta y ocho guion cinco",
         "12.345.678-5"),
    ],
)  # fmt: skip
def test_a_rut_given_when_asked_is_kept(conversation: Conversation, answer, expected) -> None:
    _asked_rut(conversation).user(answer, new_slots={"rut": answer})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == expected
    assert result.slots["requested_slot"] == "contacto"


def test_a_rut_with_a_wrong_check_digit_is_asked_again(conversation: Conversation) -> None:
    _asked_rut(conversation).user("12.345.678-4", new_slots={"rut": "12.345.678-4"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] is None
    assert result.slots["requested_slot"] == "rut"
    assert "dígito verificador" in result.text


def test_a_rut_volunteered_before_is_not_asked(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Hace dos semanas que no pasa el camión de la basura",
        categoria="aseo",
        direccion="Los Aromos 123",
        requested_slot="nombre",
    )
    answer = "Ana Pérez, rut 12.345.678-5"
    conversation.user(answer, new_slots={"nombre": answer})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == "12.345.678-5"
    assert result.slots["requested_slot"] == "contacto"


def test_a_second_rut_that_does_not_check_goes_on_without_it(conversation: Conversation) -> None:
    """Blind round r12 (spent): a resident sure of a wrong RUT was asked for it forever."""
    _asked_rut(conversation).bot(
        "El RUT «14.256.789-3» no es válido (el dígito verificador no coincide). Revíselo, por "
        "favor, o continúe sin RUT: es opcional."
    )
    conversation.user("14.256.789-3", new_slots={"rut": "14.256.789-3"})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == NO_RUT
    assert "seguimos sin RUT" in result.text
    assert result.slots["requested_slot"] == "contacto"


def test_a_number_told_while_the_place_is_asked_is_the_contact(conversation: Conversation) -> None:
    """Blind round r12 (spent): a caller told their number while the place was asked, then
    answered «al número que le di»: the number had been dropped, the question asked forever."""
    conversation.set(
        descripcion="Botan escombros en el sitio eriazo",
        categoria="aseo",
        requested_slot="direccion",
    )
    told = "y hay ratones eh mi numero es nueve ocho uno uno cinco tres cuatro siete cero"
    conversation.user(told, new_slots={"direccion": told})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["telefono"] == "+56981153470"
    conversation.set(
        **{
            **result.slots,
            "direccion": "santa rosa con los canelos",
            "nombre": "Jaime Orellana",
            "requested_slot": "rut",
        }
    )
    conversation.user("no", intent="negar", new_slots={"rut": "no"})
    answered = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert answered.slots["requested_slot"] == "confirmacion"  # the contact is known


def test_more_of_the_story_while_the_rut_is_asked_joins_the_description(
    conversation: Conversation,
) -> None:
    """Blind round r12 (spent): «NO SE PUEDE DORMIR» sent while the RUT was asked declined it."""
    _asked_rut(conversation).user(
        "el vecino pone musica fuerte hasta las 4", intent="reclamo", new_slots={"rut": "x"}
    )
    conversation.events[-1]["value"] = "el vecino pone musica fuerte hasta las 4"
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] is None
    assert "musica fuerte" in result.slots["descripcion"]
    assert result.slots["requested_slot"] == "rut"


def test_no_lo_considero_necesario_declines_the_rut(conversation: Conversation) -> None:
    answer = "No lo considero necesario."
    _asked_rut(conversation).user(answer, intent="cancelar", new_slots={"rut": answer})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["rut"] == NO_RUT
    assert result.slots["requested_slot"] == "contacto"


def test_an_apartment_number_alone_is_asked_where_the_building_is(
    conversation: Conversation,
) -> None:
    """Blind round r12 (spent): «el vecino del dpto 304 pone música…» filed «dpto 304»."""
    text = "el vecino del dpto 304 pone musica a todo volumen todos los dias hasta las 4"
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots.get("direccion") is None
    assert result.slots["lugar_mencionado"] == "dpto 304"
