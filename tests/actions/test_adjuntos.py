"""Photos, places and contact cards sent without words: what the bot says and which slot they fill.

Metadata shapes are the ones channels/telegram.py and channels/whatsapp.py build: attachments
as stored uploads, a place as {lat, lon[, address, label]}, a contact card as
{phone, name, own} (Telegram sends the phone with its country code and no "+").
"""

from __future__ import annotations

import re
from typing import Any

from actions.adjuntos import SHARED_CONTACT, SHARED_LOCATION, ActionAcusarRecibo
from actions.case_form import ActionAskConfirmacion
from actions.common import NO_RUT
from actions.estado import ValidateEstadoForm
from actions.messages import render
from actions.reclamo import ValidateReclamoForm
from actions.sugerencia import ValidateSugerenciaForm
from tests.actions.conftest import Conversation
from tests.actions.test_reclamo import confirmed

PHOTO = {"upload_id": "upl_1", "content_type": "image/jpeg", "sha256": "ab", "size": 1200}
PDF = {"upload_id": "upl_2", "content_type": "application/pdf", "sha256": "cd", "size": 900}
SANTIAGO = {"lat": -33.437212, "lon": -70.650593}
CARD = {"phone": "56987654321", "name": "Ana Pérez", "own": True}


def sent(
    conversation: Conversation,
    intent: str,
    metadata: dict[str, Any] | None = None,
    text: str | None = None,
    new_slots: dict[str, Any] | None = None,
) -> Conversation:
    """A message as our channels hand it to Rasa: the intent as text, the data as metadata."""
    conversation.user(text or f"/{intent}", intent=intent, new_slots=new_slots)
    for event in reversed(conversation.events):
        if event["event"] == "user":
            event["metadata"] = metadata or {}
            break
    return conversation


def in_reclamo(conversation: Conversation, requested: str) -> Conversation:
    slots = {
        "descripcion": "Hay un hoyo enorme en la calle frente a mi casa",
        "categoria": "pavimento",
        "direccion": "Los Aromos 123",
        "nombre": "Ana Pérez",
        "rut": NO_RUT,  # the optional RUT, declined
    }
    order = ["descripcion", "categoria", "direccion", "nombre", "rut", "contacto"]
    filled = {
        slot: value for slot, value in slots.items() if order.index(slot) < order.index(requested)
    }
    return conversation.set(**filled, requested_slot=requested)


# --- photos and documents --------------------------------------------------------------------


def test_photo_outside_any_form_says_it_goes_with_the_next_case(
    conversation: Conversation,
) -> None:
    sent(conversation, "enviar_adjunto", {"attachments": [PHOTO]})
    result = conversation.run(ActionAcusarRecibo())
    assert result.text == (
        "Recibimos su foto. Se adjuntará al próximo caso que registre en esta conversación. "
        "Para registrarlo, cuénteme qué ocurrió y dónde."
    )
    assert result.payloads == ["/reclamo", "/ayuda"]
    assert result.events == []


def test_photo_in_the_middle_of_a_reclamo_goes_with_the_reclamo(
    conversation: Conversation,
) -> None:
    in_reclamo(conversation, "nombre")
    sent(conversation, "enviar_adjunto", {"attachments": [PHOTO]})
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text == "Recibimos su foto; se adjuntará a su reclamo."
    assert result.events == []


def test_every_filing_form_names_its_own_case(conversation: Conversation) -> None:
    sent(conversation, "enviar_adjunto", {"attachments": [PDF]})
    texts = {
        form: conversation.run(ActionAcusarRecibo(), active_loop=form).text
        for form in ("sugerencia_form", "felicitacion_form", "sai_form", "consulta_form")
    }
    assert texts == {
        "sugerencia_form": "Recibimos su documento; se adjuntará a su sugerencia.",
        "felicitacion_form": "Recibimos su documento; se adjuntará a su felicitación.",
        "sai_form": "Recibimos su documento; se adjuntará a su solicitud de información.",
        "consulta_form": "Recibimos su documento; se adjuntará a su consulta.",
    }


def test_media_during_a_status_query_wait_for_the_next_case(conversation: Conversation) -> None:
    sent(conversation, "enviar_adjunto", {"attachments": [PHOTO]})
    result = conversation.run(ActionAcusarRecibo(), active_loop="estado_form")
    assert result.text == (
        "Recibimos su foto. Se adjuntará al próximo caso que registre en esta conversación."
    )


def test_several_media_of_mixed_kinds_are_counted_as_files(conversation: Conversation) -> None:
    sent(conversation, "enviar_adjunto", {"attachments": [PHOTO, PDF]})
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text == "Recibimos sus 2 archivos; se adjuntarán a su reclamo."


def test_a_typed_photo_announcement_without_a_photo_says_how_to_send_it(
    conversation: Conversation,
) -> None:
    sent(conversation, "enviar_adjunto", text="le mando una foto")
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert "no me ha llegado ningún archivo" in result.text
    assert "Recibimos" not in result.text


def test_on_the_phone_a_photo_cannot_be_received(conversation: Conversation) -> None:
    conversation.channel = "voice"
    sent(conversation, "enviar_adjunto", text="le voy a mandar una foto")
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text.startswith("Por teléfono no puedo recibir fotos ni archivos.")
    assert "chat" not in result.text


def test_read_back_counts_the_attachments_of_this_case_only(conversation: Conversation) -> None:
    sent(conversation, "enviar_adjunto", {"attachments": [{"upload_id": "upl_old"}]})
    conversation.events.append({"event": "slot", "name": "ultimo_folio", "value": "RC-1"})
    sent(conversation, "enviar_adjunto", {"attachments": [PHOTO]})
    sent(conversation, "enviar_adjunto", {"attachments": [PDF, {**PHOTO, "upload_id": "upl_3"}]})
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion")
    result = conversation.run(ActionAskConfirmacion(), active_loop="reclamo_form")
    assert "• Adjuntos: 2 fotos y 1 documento\n¿Está todo correcto?" in result.text


def test_read_back_without_attachments_has_no_attachment_line(
    conversation: Conversation,
) -> None:
    confirmed(conversation).set(confirmacion=None, requested_slot="confirmacion")
    result = conversation.run(ActionAskConfirmacion(), active_loop="reclamo_form")
    assert "Adjuntos" not in result.text
    assert "{adjuntos_texto}" not in result.text


# --- shared places ---------------------------------------------------------------------------


def test_a_place_answers_the_address_question(conversation: Conversation) -> None:
    in_reclamo(conversation, "direccion")
    sent(
        conversation,
        "compartir_ubicacion",
        {"location": SANTIAGO},
        new_slots={"direccion": SHARED_LOCATION},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "Ubicación compartida: -33.4372, -70.6506"
    assert result.slots["requested_slot"] == "nombre"
    assert result.messages == []


def test_a_venue_answers_the_address_question_with_its_name_and_address(
    conversation: Conversation,
) -> None:
    in_reclamo(conversation, "direccion")
    venue = {**SANTIAGO, "label": "Plaza de Armas", "address": "Catedral 1000, Santiago"}
    sent(
        conversation,
        "compartir_ubicacion",
        {"location": venue},
        new_slots={"direccion": SHARED_LOCATION},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "Plaza de Armas, Catedral 1000, Santiago"


def test_a_typed_place_announcement_asks_for_the_address_again(conversation: Conversation) -> None:
    in_reclamo(conversation, "direccion")
    sent(
        conversation,
        "compartir_ubicacion",
        text="le mando la ubicación",
        new_slots={"direccion": SHARED_LOCATION},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] is None
    assert result.slots["requested_slot"] == "direccion"
    assert "No me llegó la ubicación" in result.text


def test_a_place_sent_before_the_address_question_spares_it(conversation: Conversation) -> None:
    in_reclamo(conversation, "categoria")
    sent(conversation, "compartir_ubicacion", {"location": SANTIAGO})
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text == "Recibimos su ubicación; quedará registrada en su reclamo."
    assert result.slots == {"direccion": "Ubicación compartida: -33.4372, -70.6506"}


def test_a_place_never_overwrites_a_given_address(conversation: Conversation) -> None:
    in_reclamo(conversation, "nombre")
    sent(conversation, "compartir_ubicacion", {"location": SANTIAGO})
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.slots == {}


def test_a_place_outside_any_form_is_kept_for_the_next_reclamo(conversation: Conversation) -> None:
    sent(conversation, "compartir_ubicacion", {"location": SANTIAGO})
    result = conversation.run(ActionAcusarRecibo())
    assert result.text.startswith(
        "Recibimos su ubicación. Quedará registrada en el próximo reclamo que ingrese"
    )
    assert result.slots == {"direccion": "Ubicación compartida: -33.4372, -70.6506"}


def test_a_place_in_a_sugerencia_is_not_claimed_to_be_registered(
    conversation: Conversation,
) -> None:
    sent(conversation, "compartir_ubicacion", {"location": SANTIAGO})
    result = conversation.run(ActionAcusarRecibo(), active_loop="sugerencia_form")
    assert result.text.startswith(
        "Recibimos su ubicación, pero su sugerencia no registra ubicación."
    )
    assert result.slots == {}


def test_on_the_phone_a_place_is_asked_in_words(conversation: Conversation) -> None:
    conversation.channel = "voice"
    sent(conversation, "compartir_ubicacion", text="le mando mi ubicacion")
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text.startswith(
        "Por teléfono no puedo recibir una ubicación. Dígame la dirección"
    )


# --- contact cards ---------------------------------------------------------------------------


def test_a_contact_card_answers_the_contact_question(conversation: Conversation) -> None:
    in_reclamo(conversation, "contacto")
    sent(
        conversation,
        "compartir_contacto",
        {"contact": CARD},
        new_slots={"contacto": SHARED_CONTACT},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["contacto"] == "+56987654321"
    assert result.slots["telefono"] == "+56987654321"
    assert result.slots["requested_slot"] == "confirmacion"


def test_a_contact_card_with_a_local_number_is_read_as_chilean(conversation: Conversation) -> None:
    conversation.set(
        descripcion="Quiero proponer más bancas en la plaza", nombre="Ana Pérez", rut=NO_RUT
    )
    conversation.set(requested_slot="contacto")
    card = {"phone": "9 8765 4321", "name": "Ana"}
    sent(
        conversation,
        "compartir_contacto",
        {"contact": card},
        new_slots={"contacto": SHARED_CONTACT},
    )
    result = conversation.run(ValidateSugerenciaForm(), active_loop="sugerencia_form")
    assert result.slots["telefono"] == "+56987654321"


def test_a_contact_card_without_a_valid_phone_is_asked_again(conversation: Conversation) -> None:
    in_reclamo(conversation, "contacto")
    card = {"phone": "12", "name": "Ana"}
    sent(
        conversation,
        "compartir_contacto",
        {"contact": card},
        new_slots={"contacto": SHARED_CONTACT},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["contacto"] is None
    assert result.slots["requested_slot"] == "contacto"
    assert "no trae un teléfono chileno válido" in result.text


def test_a_contact_card_is_the_verification_factor_of_a_status_query(
    conversation: Conversation,
) -> None:
    conversation.set(folio="RC-2026-000042", requested_slot="factor")
    sent(
        conversation, "compartir_contacto", {"contact": CARD}, new_slots={"factor": SHARED_CONTACT}
    )
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots["factor"] == "+56987654321"


def test_a_contact_card_outside_any_form_is_kept_for_the_next_case(
    conversation: Conversation,
) -> None:
    sent(conversation, "compartir_contacto", {"contact": CARD})
    result = conversation.run(ActionAcusarRecibo())
    assert result.text == (
        "Recibimos el contacto +56987654321; lo usaremos para responderle sobre el caso que "
        "registre. ¿En qué le puedo ayudar?"
    )
    assert result.slots == {"telefono": "+56987654321"}


def test_a_contact_card_in_the_middle_of_a_form_spares_the_contact_question(
    conversation: Conversation,
) -> None:
    in_reclamo(conversation, "nombre")
    sent(conversation, "compartir_contacto", {"contact": CARD})
    result = conversation.run(ActionAcusarRecibo(), active_loop="reclamo_form")
    assert result.text == "Recibimos el contacto +56987654321; lo usaremos para responderle."
    assert result.slots == {"telefono": "+56987654321"}


def test_a_contact_card_is_not_where_a_sai_is_answered(conversation: Conversation) -> None:
    sent(conversation, "compartir_contacto", {"contact": CARD})
    result = conversation.run(ActionAcusarRecibo(), active_loop="sai_form")
    assert "se notifica por correo electrónico o por carta" in result.text
    assert result.slots == {}


# --- the phone line's own wording ------------------------------------------------------------


def test_spoken_channel_gets_the_voice_wording_and_others_the_written_one(
    conversation: Conversation,
) -> None:
    written = render("como_consultar", {"folio": "RC-2026-000042"})["text"]
    spoken = render("como_consultar", {"folio": "RC-2026-000042"}, spoken=True)["text"]
    assert "escríbame" in written
    assert "escrib" not in spoken.lower()
    assert "RC-2026-000042" in spoken


def test_every_written_request_to_type_has_a_spoken_variant() -> None:
    from actions.messages import catalog

    asks_to_type = re.compile(r"\b(?:escrib|escríb)|\bclic\b|\bpinche\b", re.IGNORECASE)
    written = {key for key, entry in catalog().items() if asks_to_type.search(entry["text"])}
    assert {"default", "como_consultar", "mis_casos_vacio", "error_registro"} <= written
    unspoken = {key for key in written if asks_to_type.search(catalog()[key].get("voice", "¡"))}
    missing = {key for key in written if "voice" not in catalog()[key]}
    assert (missing, unspoken) == (set(), set())


def test_said_messages_follow_the_channel_of_the_latest_message(
    conversation: Conversation,
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.messages import say

    for channel, expected in (
        ("telegram", "Puede escribir «ayuda»"),
        ("voice", "Puede decir «ayuda»"),
    ):
        conversation.channel = channel
        conversation.user("zzz", intent="nlu_fallback")
        dispatcher = CollectingDispatcher()
        say(dispatcher, conversation.tracker(), "default")
        assert expected in dispatcher.messages[0]["text"]


def test_the_retry_response_has_a_spoken_variation(domain: dict[str, Any]) -> None:
    variations = domain["responses"]["utter_envio_pendiente"]
    spoken = [v["text"] for v in variations if v.get("channel") == "voice"]
    written = [v["text"] for v in variations if not v.get("channel")]
    assert "escriba «reintentar»" in written[0]
    assert spoken and "diga «reintentar»" in spoken[0]


# --- typed answers the NLU read as sharing ---------------------------------------------------


def test_a_typed_phone_read_as_a_contact_card_still_answers(conversation: Conversation) -> None:
    in_reclamo(conversation, "contacto")
    sent(
        conversation,
        "compartir_contacto",
        text="mi contacto es 987654321",
        new_slots={"contacto": SHARED_CONTACT},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["telefono"] == "+56987654321"
    assert result.slots["requested_slot"] == "confirmacion"


def test_a_typed_address_read_as_a_shared_place_still_answers(conversation: Conversation) -> None:
    in_reclamo(conversation, "direccion")
    conversation.user(
        "le mando la ubicación, es en los aromos 123",
        intent="compartir_ubicacion",
        entities={"direccion": "los aromos 123"},
        new_slots={"direccion": SHARED_LOCATION},
    )
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert result.slots["direccion"] == "los aromos 123"


def test_a_typed_factor_read_as_a_contact_card_still_verifies(conversation: Conversation) -> None:
    conversation.set(folio="RC-2026-000042", requested_slot="factor")
    sent(
        conversation,
        "compartir_contacto",
        text="mi contacto es el 987654321",
        new_slots={"factor": SHARED_CONTACT},
    )
    result = conversation.run(ValidateEstadoForm(), active_loop="estado_form")
    assert result.slots["factor"] == "+56987654321"
