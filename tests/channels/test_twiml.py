"""The phone channel's TwiML, built from bot messages without any network."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from oirs_rules.hours import CallCenterHours

from channels.voice import answers, speech, twiml
from channels.voice.twiml import Turn, VoiceSettings

SETTINGS = VoiceSettings(public_url="https://oirs.example.cl/")


def parse(document: str) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> list[str]:
    return [say.text or "" for say in root.iter("Say")]


def confirm_turn() -> Turn:
    return twiml.turn_from_messages(
        [
            {"text": "Revise sus datos: reclamo de alumbrado en Los Aromos 123."},
            {
                "text": "¿Está todo correcto?",
                "buttons": [
                    {"title": "Sí, registrar", "payload": "/afirmar"},
                    {"title": "Corregir un dato", "payload": "/negar"},
                ],
            },
        ]
    )


def test_every_gather_listens_to_chilean_speech_and_keys_and_posts_back_even_on_silence():
    root = parse(twiml.greeting(SETTINGS, "Municipalidad de Ñuñoa"))
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("language") == "es-CL"
    assert gather.get("input") == "speech dtmf"
    assert gather.get("speechTimeout") == "auto"
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("action") == "https://oirs.example.cl/webhooks/voice/gather"
    hints = gather.get("hints", "")
    for word in ("reclamo", "basura", "luminaria", "folio", "transparencia"):
        assert word in hints


def test_every_say_uses_a_spanish_polly_voice_with_its_matching_language():
    root = parse(twiml.bot_turn(confirm_turn(), SETTINGS))
    says = list(root.iter("Say"))
    assert says
    for say in says:
        assert say.get("voice") == "Polly.Lupe-Neural"
        assert say.get("language") == "es-US"


def test_greeting_says_it_is_an_automated_assistant_with_the_data_notice_and_menu():
    root = parse(twiml.greeting(SETTINGS, "Municipalidad de Ñuñoa"))
    text = " ".join(spoken(root))
    assert "Municipalidad de Ñuñoa" in text
    assert "asistente automatizado" in text
    assert "protección de datos" in text
    assert "en el sitio web municipal" in text
    assert "http" not in text
    for key_phrase in ("1 para un reclamo", "2 para el estado", "3 para información pública", "0"):
        assert key_phrase in text
    # the menu is inside the Gather so the caller can barge in
    gather = root.find("Gather")
    assert gather is not None
    assert "marque" in " ".join(spoken(gather))


def test_folio_is_read_digit_by_digit():
    assert speech.spell_folio("RC-2026-000123") == (
        "R C, dos cero dos seis, cero cero cero uno dos tres"
    )
    assert speech.spell_folio("sai-2027-104560") == (
        "S A I, dos cero dos siete, uno cero cuatro cinco seis cero"
    )
    with pytest.raises(ValueError):
        speech.spell_folio("RC-26-123")


def test_bot_reply_with_a_folio_is_spoken_digit_by_digit_with_the_due_date_in_words():
    turn = twiml.turn_from_messages(
        [{"text": "Listo. Su folio es RC-2026-000123 y la respuesta vence el 16-12-2026."}]
    )
    text = " ".join(spoken(parse(twiml.bot_turn(turn, SETTINGS))))
    assert "R C, dos cero dos seis, cero cero cero uno dos tres" in text
    assert "16 de diciembre de 2026" in text
    assert "RC-2026" not in text


def test_read_back_spells_rut_phone_and_email_and_never_reads_links():
    text = speech.speakable(
        "Nombre: Ana Pérez. RUT 12.345.678-K. Teléfono +56 9 8765 4321. "
        "Correo ana.perez@correo.cl. Política completa: https://muni.example.cl/privacidad «ok» 😀"
    )
    assert "uno dos tres cuatro cinco seis siete ocho, guion K" in text
    assert "más cinco seis, nueve, ocho siete seis cinco, cuatro tres dos uno" in text
    assert "ana punto perez arroba correo punto cl" in text
    assert speech.speakable("Contacto: 987654321.") == (
        "Contacto: nueve, ocho siete seis cinco, cuatro tres dos uno."
    )
    assert speech.speakable("Fono 22 123 4567") == (
        "Fono dos, dos uno dos tres, cuatro cinco seis siete"
    )
    assert speech.speakable("En 2026 hubo 15 días.") == "En 2026 hubo 15 días."
    assert "Política completa: en el sitio web municipal" in text
    assert "http" not in text and "«" not in text and "😀" not in text


def test_buttons_are_read_as_numbered_options_inside_the_gather_with_a_person_at_zero():
    root = parse(twiml.bot_turn(confirm_turn(), SETTINGS))
    gather = root.find("Gather")
    assert gather is not None
    options = spoken(gather)[-1]
    assert "Opción 1: Sí, registrar." in options
    assert "Opción 2: Corregir un dato." in options
    assert "marque 0" in options
    # the summary is read before the question, outside the Gather
    assert spoken(root)[0].startswith("Revise sus datos")


def test_keys_answer_the_buttons_then_the_menu_and_zero_reaches_a_person():
    buttons = confirm_turn().buttons
    assert answers.keys_to_message("1", buttons, menu_active=False) == "/afirmar"
    assert answers.keys_to_message("2#", buttons, menu_active=True) == "/negar"
    assert answers.keys_to_message("0", buttons, menu_active=False) == answers.HANDOFF
    assert answers.keys_to_message("1", [], menu_active=True) == "/reclamo"
    assert answers.keys_to_message("2", [], menu_active=True) == "/consultar_estado"
    assert answers.keys_to_message("3", [], menu_active=True) == "/solicitud_informacion"
    # outside a menu, keys are data (a phone, a RUT whose check digit K is the star key)
    assert answers.keys_to_message("987654321", [], menu_active=False) == "987654321"
    assert answers.keys_to_message("12345678*", [], menu_active=False) == "12345678K"
    assert answers.keys_to_message("7", buttons, menu_active=False) == "7"


def test_silence_is_met_with_a_reprompt_then_the_keypad_then_a_person():
    assert [answers.recovery_step(n) for n in (1, 2, 3, 4)] == [
        "reprompt",
        "keys",
        "person",
        "person",
    ]
    turn = twiml.turn_from_messages([{"text": "¿En qué dirección ocurre el problema?"}])
    first = spoken(parse(twiml.reprompt(turn, SETTINGS)))
    assert first[0].startswith("Disculpe, no le escuché bien")
    assert first[-1] == "¿En qué dirección ocurre el problema?"
    second = " ".join(spoken(parse(twiml.keys_prompt(turn, SETTINGS))))
    assert "teclado" in second and "Marque 1 para un reclamo" in second


def test_keypad_fallback_reads_the_pending_buttons_when_there_are_some():
    text = " ".join(spoken(parse(twiml.keys_prompt(confirm_turn(), SETTINGS))))
    assert "Opción 1: Sí, registrar." in text
    assert "Marque 1 para un reclamo" not in text


def test_transfer_enqueues_the_caller_in_the_configured_queue():
    settings = VoiceSettings(public_url="https://oirs.example.cl", queue="callcenter")
    root = parse(twiml.transfer(settings))
    enqueue = root.find("Enqueue")
    assert enqueue is not None
    assert enqueue.text == "callcenter"
    assert enqueue.get("action") == "https://oirs.example.cl/webhooks/voice/queue"
    assert "persona" in spoken(root)[0]
    assert root.find("Gather") is None


def test_voicemail_states_the_hours_and_records_with_a_status_callback():
    hours = twiml.hours_in_spanish(CallCenterHours.from_spec("mon-fri 08:30-17:30"))
    root = parse(twiml.voicemail(SETTINGS, hours))
    assert "de lunes a viernes, de 8:30 a 17:30 horas" in spoken(root)[0]
    record = root.find("Record")
    assert record is not None
    assert record.get("action") == "https://oirs.example.cl/webhooks/voice/recording"
    assert record.get("recordingStatusCallback") == (
        "https://oirs.example.cl/webhooks/voice/recording-status"
    )
    assert record.get("maxLength") == "120"
    assert root[-1].tag == "Hangup"


def test_voicemail_after_an_explained_closure_does_not_state_hours_again():
    notice = "Hoy es feriado; le llamaremos a partir del lunes 08-12-2026 a las 8:30 horas."
    text = " ".join(spoken(parse(twiml.voicemail(SETTINGS, None, [notice]))))
    assert text.startswith("Hoy es feriado")
    assert "8 de diciembre de 2026" in text
    assert "horario de atención" not in text
    assert "después del tono" in text


def test_a_schedule_to_midnight_is_said_as_24_hours():
    hours = twiml.hours_in_spanish(CallCenterHours.from_spec("mon-sun 00:00-24:00"))
    assert hours == "de lunes a domingo, de 0:00 a 24:00 horas"


def test_voicemail_confirmation_reads_the_consulta_folio_and_hangs_up():
    root = parse(twiml.voicemail_filed(SETTINGS, "CS-2026-000042"))
    assert "C S, dos cero dos seis, cero cero cero cero cuatro dos" in spoken(root)[0]
    assert root[-1].tag == "Hangup"


def test_two_windows_are_said_as_one_sentence_and_no_hours_as_office_hours():
    hours = CallCenterHours.from_spec("mon-fri 08:30-13:00, sat 09:00-13:00")
    assert twiml.hours_in_spanish(hours) == (
        "de lunes a viernes, de 8:30 a 13:00 horas; y sábado, de 9:00 a 13:00 horas"
    )
    assert twiml.hours_in_spanish(CallCenterHours.from_spec("closed")) == (
        "de lunes a viernes en horario de oficina"
    )


def test_yes_to_the_sms_offer_is_recognised_by_voice_or_key():
    for answer in ("sí", "Si, por favor", "claro", "ya", "1"):
        assert answers.is_affirmative(answer)
    for answer in ("no", "no gracias", "2", "simplemente no"):
        assert not answers.is_affirmative(answer)


def test_folio_is_found_in_any_message_of_the_turn():
    assert speech.find_folio(["Gracias.", "Su folio: rc-2026-000007."]) == "RC-2026-000007"
    assert speech.find_folio(["Sin folio aquí."]) is None


def test_a_link_is_said_as_its_site_once_and_the_sentence_keeps_its_end() -> None:
    """Found on the phone line by blind round r9's voice personas: callers heard "en en el sitio
    web municipal", other institutions' sites named as the municipality's, and the "). " after
    a link swallowed."""
    said = speech.speakable(
        "Puede reclamar ante el Consejo en https://www.consejotransparencia.cl (Ley 20.285, "
        "art. 8). Texto: https://www.bcn.cl/leychile/navegar?idNorma=251693)."
    )
    assert "en en" not in said
    assert "en el sitio del Consejo para la Transparencia (Ley 20.285, art. 8)." in said
    assert said.endswith("Texto: en el sitio Ley Chile de la Biblioteca del Congreso).")
