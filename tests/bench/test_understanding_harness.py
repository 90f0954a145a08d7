"""The blind benchmark's own scoring, on a tiny synthetic set (no bot, no network)."""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bench.understanding import (
    cli,
    compare,
    conversations,
    fields,
    nlu,
    sets,
    themes,
    transports,
)
from bench.understanding.resident import (
    BotTurn,
    Persona,
    SimulatedResident,
    find_folio,
    unit_from,
)
from channels.messages import OPTIONS_HINT
from channels.options import render
from oirs.privacy.masking import mask_text

NAMES = {
    "aseo": "Aseo y recolección de residuos",
    "alumbrado": "Alumbrado público",
    "animales": "Animales y tenencia responsable",
    "otro": "Otros temas",
}
CATEGORY_BUTTONS = [
    {"title": "Aseo y basura", "payload": '/informar{"categoria": "aseo"}'},
    {"title": "Animales", "payload": '/informar{"categoria": "animales"}'},
    {"title": "Cancelar", "payload": "/cancelar"},
]


# --- comparison ---------------------------------------------------------------------------


def test_texts_compare_up_to_accents_case_punctuation_and_spaces() -> None:
    assert compare.same_text("  Pasaje  Ñuble 1022. ", "pasaje nuble 1022")
    assert compare.same_text("¡Villa Los Aromos, block 3!", "villa los aromos block 3")
    assert compare.same_text(None, None)
    assert not compare.same_text("Prat", "Prat esquina Serrano")
    assert not compare.same_text("Prat", None)


def test_phones_emails_and_ruts_compare_by_canonical_key() -> None:
    assert compare.phone_key("+56 9 7612 3345") == compare.phone_key("976123345")
    assert compare.phone_key("56976123345") == "56976123345"
    assert compare.email_key(" Ana.Perez@Example.CL ") == "ana.perez@example.cl"
    assert compare.rut_key("12.345.678-k") == compare.rut_key("12345678K") == "12345678-K"
    assert compare.rut_key(None) is None


def test_gold_types_and_categories_map_onto_codes() -> None:
    assert compare.type_code("solicitud_informacion") == "sai"
    assert compare.type_code("Felicitación") == "felicitacion"
    assert compare.category_code("Alumbrado público", NAMES) == "alumbrado"
    assert compare.category_code("aseo", NAMES) == "aseo"


# --- reading a set ------------------------------------------------------------------------


def test_unreadable_lines_are_reported_not_dropped() -> None:
    loaded = sets.parse_lines(
        "nlu", ['{"text": "hola", "intent": "saludo"}', "", "{roto", '{"text": "sin intent"}']
    )
    assert [item["_line"] for item in loaded.items] == [1]
    assert [bad["line"] for bad in loaded.invalid] == [3, 4]


# --- intents ------------------------------------------------------------------------------


def parse_answer(intent: str, confidence: float = 0.9, key: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent}, {"name": "reclamo"}],
    }
    if key:
        answer["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{key}"}, "ranking": []}
        }
    return answer


def test_fallback_counts_as_a_wrong_prediction_and_is_reported() -> None:
    prediction = nlu.prediction_from_parse(parse_answer("nlu_fallback", 0.4))
    assert prediction.intent == "nlu_fallback"
    assert prediction.behind_fallback == "reclamo"


def test_intent_scores_macro_f1_out_of_scope_and_faq_keys() -> None:
    lines: list[dict[str, Any]] = [
        {"text": "no pasa el camion", "intent": "reclamo", "faq_key": None, "_line": 1},
        {"text": "quien gano el partido", "intent": "fuera_de_alcance", "faq_key": None},
        {"text": "cuanto demoran", "intent": "faq", "faq_key": "plazo_reclamo"},
        {"text": "a que hora abren", "intent": "faq", "faq_key": "horario_atencion"},
    ]
    predictions = [
        nlu.prediction_from_parse(parse_answer("reclamo")),
        nlu.prediction_from_parse(parse_answer("nlu_fallback", 0.3)),
        nlu.prediction_from_parse(parse_answer("faq", key="plazo_reclamo")),
        nlu.prediction_from_parse(parse_answer("faq", key="plazo_transparencia")),
    ]
    summary, errors = nlu.score_nlu(lines, predictions)
    # reclamo F1 1, fuera_de_alcance 0 (never predicted), faq 1 (both lines predicted faq)
    assert summary["macro_f1"] == round(2 / 3, 4)
    assert summary["out_of_scope_f1"] == 0.0
    assert summary["fallback"] == {"count": 1, "share": 0.25}
    assert summary["faq_key"]["right"] == 1 and summary["faq_key"]["n"] == 2
    assert summary["confusion_top15"] == [
        {"gold": "fuera_de_alcance", "predicted": "nlu_fallback", "count": 1}
    ]
    assert [e["gold"] for e in errors] == ["fuera_de_alcance", "faq"]


# --- themes -------------------------------------------------------------------------------


def classified(category: str | None, *top: str) -> dict[str, Any]:
    return {
        "category": category,
        "confidence": 0.8,
        "threshold": 0.6,
        "top": [{"code": code, "name": code, "probability": 0.1} for code in top],
    }


def test_theme_scores_top1_top3_and_accepted_share() -> None:
    items = [
        {"text": "perros sueltos", "category": "animales", "type": "reclamo"},
        {"text": "luminaria apagada", "category": "Alumbrado público", "type": "reclamo"},
        {"text": "basura en la esquina", "category": "aseo", "type": "sugerencia"},
    ]
    answers = [
        classified("animales", "animales", "otro", "aseo"),
        classified(None, "otro", "alumbrado", "aseo"),
        classified("otro", "otro", "alumbrado", "animales"),
    ]
    summary, errors = themes.score_themes(items, answers, NAMES)
    assert summary["top1_accuracy"] == round(1 / 3, 4)
    assert summary["top3_accuracy"] == round(2 / 3, 4)
    assert summary["accepted_share"] == round(2 / 3, 4)
    assert summary["accepted"] == {"n": 2, "right": 1, "accuracy": 0.5}
    assert summary["per_category"]["alumbrado"]["top3_accuracy"] == 1.0
    assert len(errors) == 2


# --- fields -------------------------------------------------------------------------------


def fake_parsers() -> fields.Parsers:
    """Crude stand-ins: enough to tell right, wrong and invented apart."""
    return fields.Parsers(
        parse_place=lambda text: None if text.strip() == "calle" else text.strip(),
        find_place=lambda text: "Los Aromos 123" if "Aromos" in text else None,
        parse_name=lambda text: text.title(),
        find_name=lambda text: "Ana" if "soy Ana" in text else None,
        find_phones=lambda text: ["+56976123345"] if "97612" in text else [],
        find_emails=lambda text: [w for w in text.split() if "@" in w],
        find_ruts=lambda text: ["12345678-5"] if "12.345.678" in text else [],
        says_same_channel=lambda text: "mismo" in text,
    )


def test_fields_count_accuracy_per_field_and_invented_values() -> None:
    items = [
        {"kind": "answer", "asked": "direccion", "text": "calle", "gold": {"direccion": None}},
        {"kind": "answer", "asked": "nombre", "text": "ANA TORO", "gold": {"nombre": "Ana Toro"}},
        {
            "kind": "answer",
            "asked": "contacto",
            "text": "al mismo numero",
            "gold": {"telefono": None, "email": None, "same_channel": True},
        },
        {
            "kind": "opening",
            "text": "soy Ana, vivo en Los Aromos 123, mi rut 12.345.678-5",
            "gold": {"direccion": "los aromos 123", "nombre": "Ana Toro", "telefono": None},
        },
    ]
    summary, errors = fields.score_fields(items, fake_parsers())
    per = summary["per_field"]
    assert per["direccion"]["accuracy"] == 1.0 and per["direccion"]["null_items"] == 1
    assert per["nombre"] == {"n": 2, "right": 1, "accuracy": 0.5, "null_items": 0, "invented": 0}
    assert per["same_channel"]["accuracy"] == 1.0
    assert per["rut"]["invented"] == 1  # the opening's gold has no RUT: one found is invented
    # counts are numbers in the JSON, not true/false (a lone item once came out as `true`)
    assert all(type(per["rut"][key]) is int for key in ("n", "right", "null_items", "invented"))
    assert {(e["field"], e["invented"]) for e in errors} == {("nombre", False), ("rut", True)}


def hide_oirs_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package were not installed, also when other tests imported it already (the
    app environment imports oirs_rules.contact through the core)."""
    for name in ("oirs_rules", "oirs_rules.places", "oirs_rules.names", "oirs_rules.contact"):
        monkeypatch.setitem(sys.modules, name, None)


def test_fields_fail_with_an_install_hint_when_oirs_rules_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hide_oirs_rules(monkeypatch)  # import now raises ImportError
    with pytest.raises(fields.ParsersMissing, match="pip install -e packages/oirs_rules"):
        fields.load_parsers()


# --- the simulated resident ---------------------------------------------------------------


def persona(**gold: Any) -> Persona:
    return Persona.from_line(
        {
            "id": "p1",
            "channel": "whatsapp",
            "opening": ["hola", "quiero felicitar a la funcionaria del CAV que me atendio"],
            "answers": {
                "descripcion": "hace un mes no pasa el camion",
                "direccion": "Los Aromos 123",
                "nombre": ["Héctor", "Pizarro Lagos"],
                "contacto": "al mismo whatsapp nomas",
                "rut": None,
            },
            "gold": {"type": "reclamo", "category": "animales", **gold},
        }
    )


def asks(slot: str | None, buttons: list[dict[str, str]] | None = None, *texts: str) -> BotTurn:
    tracker = {"active_loop": {"name": "reclamo_form"}, "slots": {"requested_slot": slot}}
    reply = [{"text": t} for t in texts] + [{"text": "¿?", "buttons": buttons or []}]
    return BotTurn.from_reply(reply, tracker if slot else {"slots": {}})


def test_resident_answers_the_slot_the_tracker_says_is_asked() -> None:
    resident = SimulatedResident(persona(), NAMES)
    assert resident.decide(asks("direccion")).text == "Los Aromos 123"
    assert resident.decide(asks("rut")).text == "prefiero no darlo"
    assert resident.decide(asks("nombre")).text == "Héctor"
    assert resident.decide(asks("nombre")).text == "Pizarro Lagos"
    assert resident.decide(asks("nombre")).text == "Héctor Pizarro Lagos"
    assert resident.decide(asks("confirmacion")).text == "sí"


def test_resident_clicks_the_category_button_by_its_code_or_types_the_name() -> None:
    resident = SimulatedResident(persona(), NAMES)
    clicked = resident.decide(asks("categoria", CATEGORY_BUTTONS))
    assert clicked.text == '/informar{"categoria": "animales"}'
    assert clicked.button is not None and clicked.button["title"] == "Animales"  # pressed
    typed = SimulatedResident(persona(category="Alumbrado público"), NAMES)
    written = typed.decide(asks("categoria", CATEGORY_BUTTONS))
    assert written.text == "Alumbrado público" and written.button is None  # typed


def test_resident_declines_to_join_a_similar_case_and_names_the_praised_unit() -> None:
    offer = "Ya existe un reclamo abierto muy parecido: folio RC-2026-000007. ¿Prefiere adherir?"
    resident = SimulatedResident(persona(), NAMES)
    assert resident.decide(asks(None, None, offer)).text == "no, prefiero un caso nuevo"
    assert find_folio([offer]) is None
    assert find_folio(["Listo, su folio es RC-2026-000123."]) == "RC-2026-000123"
    assert unit_from(persona().opening) == "cav"
    assert unit_from(["gracias por todo"]) == "la unidad de la que le hablé"


def test_resident_records_improvised_buttons_and_stops_when_nothing_is_asked() -> None:
    resident = SimulatedResident(persona(), NAMES)
    menu = [{"title": "Cancelar", "payload": "/cancelar"}, {"title": "Otra", "payload": "/x"}]
    assert resident.decide(asks(None, menu)).text == "/x"
    assert resident.memory.improvised == ["botones sin pregunta de formulario: «Otra»"]
    silent = BotTurn(texts=["Gracias."], buttons=[])
    assert resident.decide(silent).text == "hace un mes no pasa el camion"
    assert resident.decide(silent).stop == "sin pregunta ni folio"


def test_resident_stops_when_the_same_question_keeps_coming() -> None:
    resident = SimulatedResident(persona(), NAMES)
    moves = [resident.decide(asks("direccion")) for _ in range(4)]
    assert moves[-1].text is None and moves[-1].stop == "atascado en direccion"


# --- conversations ------------------------------------------------------------------------

GOLD = {
    "type": "reclamo",
    "category": "animales",
    "direccion": "Los Aromos 123",
    "nombre": "Héctor Pizarro Lagos",
    "telefono": None,
    "email": None,
    "rut": "12.345.678-5",
    "same_channel_contact": True,
}


def filed_case(**changes: Any) -> conversations.FiledCase:
    api = {
        "folio": "RC-2026-000001",
        "type": "reclamo",
        "category": "animales",
        "address": "los aromos 123",
        "channel": "web",
        "contact": {"name": "Hector Pizarro Lagos", "preferred_channel": "web"},
    }
    row = {"phone": None, "email": None, "rut": "12345678-5", "channel_user_id": "bench-p1"}
    row.update(changes)
    return conversations.FiledCase.from_api(api, row)


def test_a_case_with_every_gold_field_is_right() -> None:
    verdicts = conversations.score_case(GOLD, filed_case(), NAMES)
    assert all(v["right"] for v in verdicts.values()), verdicts


def test_lost_and_invented_values_are_told_apart() -> None:
    verdicts = conversations.score_case(GOLD, filed_case(rut=None, email="x@y.cl"), NAMES)
    assert verdicts["rut"]["lost"] and not verdicts["rut"]["right"]
    assert verdicts["email"]["invented"] and not verdicts["email"]["right"]


def test_a_reclamo_that_has_no_place_is_no_place_not_an_invented_one() -> None:
    case = dataclasses.replace(filed_case(), address="Sin lugar específico (según el vecino)")
    verdicts = conversations.score_case({**GOLD, "direccion": None}, case, NAMES)
    assert verdicts["direccion"]["right"] and not verdicts["direccion"]["invented"]


def test_contact_read_only_through_the_api_compares_masked() -> None:
    api = {
        "folio": "RC-2026-000002",
        "type": "reclamo",
        "category": "animales",
        "address": "Los Aromos 123",
        "channel": "web",
        "contact": {
            "name": "Héctor Pizarro Lagos",
            "rut": mask_text("12345678-5"),
            "preferred_channel": "web",
        },
    }
    case = conversations.FiledCase.from_api(api, None)
    verdicts = conversations.score_case(GOLD, case, NAMES, mask_text)
    assert case.masked and verdicts["rut"]["right"]
    assert verdicts["same_channel_contact"]["right"]


class ScriptedBot:
    """A bot that asks for the place, then the name, then files (no Rasa)."""

    def __init__(self, asked: list[str | None] | None = None, numbered: bool = False) -> None:
        self.identity = conversations.Identity("rest", "bench-p1-0000")
        self.numbered = numbered  # buttons as WhatsApp shows them: numbered options
        self.asked = asked or ["direccion", "nombre", "confirmacion", None]
        self.heard: list[str] = []
        self.pressed: list[str] = []

    def say(self, text: str) -> list[dict[str, Any]]:
        self.heard.append(text)
        if self.asked[0] is None:
            return [{"text": "Listo. Su folio es RC-2026-000001."}]
        buttons = CATEGORY_BUTTONS if self.asked[0] == "categoria" else []
        if self.numbered:
            buttons = [{**b, "option": str(n)} for n, b in enumerate(buttons, start=1)]
        return [{"text": f"¿{self.asked[0]}?", "buttons": buttons}]

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        self.pressed.append(button["title"])
        return self.say(button["payload"])

    def tracker(self) -> dict[str, Any]:
        slot = self.asked.pop(0)
        return {"active_loop": {"name": "reclamo_form"}, "slots": {"requested_slot": slot}}


def test_a_conversation_runs_until_the_folio_and_is_summarized() -> None:
    bot = ScriptedBot()
    outcome = conversations.converse(persona(), bot, NAMES)
    assert outcome.folio == "RC-2026-000001" and outcome.stop == "folio"
    assert bot.heard[2:] == ["Los Aromos 123", "Héctor", "sí"]
    good = conversations.result_of(
        persona(), outcome, conversations.score_case(GOLD, filed_case(), NAMES)
    )
    lost = conversations.result_of(persona(), conversations.Outcome(None, "atascado", "s"), None)
    summary = conversations.summarize([good, lost], masked=False)
    assert summary["filed"] == {"n": 2, "right": 1, "accuracy": 0.5}
    assert summary["all_fields_right"] == {"count": 1, "share": 0.5}
    assert summary["not_filed"] == {"atascado": 1}
    assert good["transcript"] is None and lost["transcript"] == []


def test_a_button_the_resident_chooses_is_pressed_through_the_channel() -> None:
    bot = ScriptedBot(["categoria", "confirmacion", None])
    outcome = conversations.converse(persona(), bot, NAMES)
    assert outcome.folio == "RC-2026-000001"
    assert bot.pressed == ["Animales"]
    said = [entry for entry in outcome.transcript if "resident" in entry]
    assert said[-2]["button"] == "Animales" and "button" not in said[-1]
    assert said[-2]["resident"] == '/informar{"categoria": "animales"}'  # REST sends the payload
    numbered = conversations.converse(persona(), ScriptedBot(["categoria", None], True), NAMES)
    said = [entry for entry in numbered.transcript if "resident" in entry]
    assert said[-1]["resident"] == "2"  # WhatsApp: the option's number is what was typed


def test_a_value_lost_without_its_question_being_asked_is_told_apart() -> None:
    outcome = conversations.converse(persona(), ScriptedBot(), NAMES)
    verdicts = conversations.score_case(GOLD, filed_case(rut=None), NAMES)
    result = conversations.result_of(persona(), outcome, verdicts)
    assert result["fields"]["rut"]["asked"] is False
    assert result["fields"]["direccion"]["asked"] is True
    per_field = conversations.summarize([result], masked=False)["per_field"]
    assert per_field["rut"]["lost"] == per_field["rut"]["lost_never_asked"] == 1


# --- channels: WhatsApp and Telegram personas on their own channel --------------------------

WA_NUMBER = "+56971234567"
WHATSAPP = conversations.Identity("whatsapp", f"whatsapp:{WA_NUMBER}", WA_NUMBER)
TELEGRAM = conversations.Identity("telegram", "6123456789")
NO_PHONE_GOLD = {**GOLD, "telefono": None}


def channel_case(channel: str, preferred: str | None = None, **row: Any) -> conversations.FiledCase:
    api = {
        "folio": "RC-2026-000003",
        "type": "reclamo",
        "category": "animales",
        "address": "Los Aromos 123",
        "channel": channel,
        "contact": {"name": "Héctor Pizarro Lagos", "preferred_channel": preferred or channel},
    }
    stored = {"phone": None, "email": None, "rut": "12345678-5", "channel_user_id": None}
    return conversations.FiledCase.from_api(api, {**stored, **row})


def test_on_whatsapp_this_same_number_is_right_only_as_the_number_that_wrote() -> None:
    kept = channel_case("whatsapp", phone=WA_NUMBER, channel_user_id=WHATSAPP.sender)
    verdicts = conversations.score_case(NO_PHONE_GOLD, kept, NAMES, identity=WHATSAPP)
    assert all(v["right"] for v in verdicts.values()), verdicts  # the phone is not invented
    other = channel_case("whatsapp", phone="+56951112233", channel_user_id=WHATSAPP.sender)
    verdicts = conversations.score_case(NO_PHONE_GOLD, other, NAMES, identity=WHATSAPP)
    assert not verdicts["same_channel_contact"]["right"] and verdicts["telefono"]["invented"]
    missing = channel_case("whatsapp", channel_user_id=WHATSAPP.sender)
    verdicts = conversations.score_case(NO_PHONE_GOLD, missing, NAMES, identity=WHATSAPP)
    assert verdicts["same_channel_contact"]["lost"] and verdicts["telefono"]["right"]
    # the same phone on a case filed from elsewhere is not the channel answering
    web = channel_case("web", phone=WA_NUMBER, channel_user_id="bench-p1-0000")
    verdicts = conversations.score_case(NO_PHONE_GOLD, web, NAMES, identity=WHATSAPP)
    assert not verdicts["same_channel_contact"]["right"]


def test_a_whatsapp_persona_who_also_typed_a_phone_keeps_that_phone() -> None:
    gold = {**GOLD, "telefono": "9 5111 2233"}
    case = channel_case("whatsapp", phone="+56951112233", channel_user_id=WHATSAPP.sender)
    verdicts = conversations.score_case(gold, case, NAMES, identity=WHATSAPP)
    assert verdicts["telefono"]["right"] and verdicts["same_channel_contact"]["right"]


def test_on_telegram_this_same_channel_is_the_chat_that_filed_without_a_phone() -> None:
    kept = channel_case("telegram", channel_user_id=TELEGRAM.sender)
    verdicts = conversations.score_case(NO_PHONE_GOLD, kept, NAMES, identity=TELEGRAM)
    assert all(v["right"] for v in verdicts.values()), verdicts
    by_email = channel_case("telegram", "email", channel_user_id=TELEGRAM.sender)
    verdicts = conversations.score_case(NO_PHONE_GOLD, by_email, NAMES, identity=TELEGRAM)
    assert not verdicts["same_channel_contact"]["right"]
    another_chat = channel_case("telegram", channel_user_id="6000000001")
    verdicts = conversations.score_case(NO_PHONE_GOLD, another_chat, NAMES, identity=TELEGRAM)
    assert not verdicts["same_channel_contact"]["right"]


CONFIRM_BUTTONS = [
    {"title": "Sí, registrar", "payload": "/afirmar"},
    {"title": "Corregir un dato", "payload": "/negar"},
]


def test_whatsapp_options_become_buttons_with_their_number_and_payload() -> None:
    body = render("Revisemos su reclamo:\n• Lugar: Los Aromos 123", CONFIRM_BUTTONS)
    reply = transports.whatsapp_reply(["Gracias.", body], OPTIONS_HINT, CONFIRM_BUTTONS)
    assert reply[0] == {"text": "Gracias."}
    assert reply[1]["text"] == "Revisemos su reclamo:\n• Lugar: Los Aromos 123"
    assert reply[1]["buttons"] == [
        {"title": "Sí, registrar", "payload": "/afirmar", "option": "1"},
        {"title": "Corregir un dato", "payload": "/negar", "option": "2"},
    ]
    assert BotTurn.from_reply(reply, {}).buttons[1]["option"] == "2"
    # titles that are not the tracker's last buttons: chosen by title, never by a wrong payload
    stale = transports.whatsapp_reply([body], OPTIONS_HINT, CATEGORY_BUTTONS)
    assert [b["payload"] for b in stale[0]["buttons"]] == ["", ""]
    # only the latest list answers to a number
    later = transports.whatsapp_reply([body, render("¿Tema?", CATEGORY_BUTTONS)], OPTIONS_HINT, [])
    assert "buttons" not in later[0] and len(later[1]["buttons"]) == 3
    lone = "1. no es una opción"
    assert transports.read_options(lone, OPTIONS_HINT) == (lone, [])


class FakePhone:
    """WhatsAppPhone's surface: the channel renders buttons as numbered options."""

    number, address = WA_NUMBER, f"whatsapp:{WA_NUMBER}"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.last_reply: list[dict[str, str]] = []

    def post(self, body: str) -> str:
        self.sent.append(body)
        self.last_reply = [{"Body": "Listo."}]
        if body == "hola":
            self.last_reply = [{"Body": render("¿Cuál es el tema?", CATEGORY_BUTTONS)}]
        return self.last_reply[0]["Body"]


class FakeRasa:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def tracker(self, sender: str, events: str = "NONE") -> dict[str, Any]:
        self.asked.append((sender, events))
        bot = {"event": "bot", "text": "¿Cuál es el tema?", "data": {"buttons": CATEGORY_BUTTONS}}
        return {"events": [bot, {"event": "user", "text": "x"}]} if events != "NONE" else {}


def test_a_whatsapp_persona_answers_an_option_with_its_number() -> None:
    phone, rasa = FakePhone(), FakeRasa()
    talk = transports.WhatsAppTalk(rasa, phone)  # type: ignore[arg-type]
    assert talk.identity == WHATSAPP
    turn = BotTurn.from_reply(talk.say("hola"), {})
    move = SimulatedResident(persona(), NAMES).choose_category(turn)
    assert move.text == '/informar{"categoria": "animales"}'  # chosen as over REST
    assert move.button is not None
    talk.press(move.button)
    assert phone.sent == ["hola", "2"]  # typed as the option's number
    assert rasa.asked == [(WHATSAPP.sender, "AFTER_RESTART")]  # the tracker of whatsapp:+569…


class FakeChat:
    """TelegramChat's surface: buttons are inline keyboards, pressed by their title."""

    chat_id = 6123456789

    def __init__(self) -> None:
        self.pressed: list[str] = []
        self.last_reply: list[dict[str, Any]] = []

    def text(self, text: str) -> str:
        keyboard = [[{"text": b["title"], "callback_data": b["payload"]}] for b in CATEGORY_BUTTONS]
        self.last_reply = [{"text": "¿Tema?", "reply_markup": {"inline_keyboard": keyboard}}]
        return "¿Tema?"

    def press(self, title: str, data: str | None = None) -> str:
        self.pressed.append(f"{title} {data}")
        self.last_reply = [{"text": "Listo. Su folio es RC-2026-000004."}]
        return self.last_reply[0]["text"]


def test_a_telegram_persona_taps_the_inline_button() -> None:
    chat = FakeChat()
    talk = transports.TelegramTalk(FakeRasa(), chat)  # type: ignore[arg-type]
    assert talk.identity == TELEGRAM
    reply = talk.say("hola")
    assert reply[0]["buttons"][1] == {
        "title": "Animales",
        "payload": '/informar{"categoria": "animales"}',
    }
    assert talk.press(reply[0]["buttons"][1]) == [{"text": "Listo. Su folio es RC-2026-000004."}]
    assert chat.pressed == ['Animales /informar{"categoria": "animales"}']  # title and data


def test_personas_use_their_channel_only_where_the_stand_ins_run() -> None:
    rasa = FakeRasa()
    rest = transports.Channels(rasa)  # type: ignore[arg-type]
    assert rest.open(persona()).identity.transport == "rest"  # a stack given by URL
    target = types.SimpleNamespace(rasa_url="http://127.0.0.1:1", env={"OIRS_PUBLIC_URL": "x"})
    stand_ins = transports.StandIns(target, object(), object())  # type: ignore[arg-type]
    routed = transports.Channels(rasa, stand_ins)  # type: ignore[arg-type]
    numbers = {routed.open(persona()).identity.phone for _ in range(200)}
    assert len(numbers) == 200  # a fresh number per persona
    # each one a mobile the bot accepts as the number to answer (9 70… once was not)
    contact = pytest.importorskip("oirs_rules.contact")
    assert all(n and contact.normalise_phone(n) == n for n in numbers), numbers
    talk = routed.open(persona())
    assert talk.identity.sender == f"whatsapp:{talk.identity.phone}"
    on_telegram = Persona.from_line({"id": "t", "channel": "telegram", "opening": "hola"})
    assert routed.open(on_telegram).identity.transport == "telegram"
    on_web = Persona.from_line({"id": "w", "channel": "web", "opening": "hola"})
    assert routed.open(on_web).identity.transport == "rest"


def test_a_busy_stand_in_port_is_reported_not_raised_as_an_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(transports.StandInsUnavailable, match=str(port)),
            transports.running_stand_ins(port, port),
        ):
            pass


def test_the_summary_reports_each_channel_and_what_carried_it() -> None:
    kept = channel_case("whatsapp", phone=WA_NUMBER, channel_user_id=WHATSAPP.sender)
    folio, sender = "RC-2026-000003", WHATSAPP.sender
    wa_outcome = conversations.Outcome(folio, "folio", sender, identity=WHATSAPP)
    wa = conversations.result_of(
        persona(),
        wa_outcome,
        conversations.score_case(NO_PHONE_GOLD, kept, NAMES, identity=WHATSAPP),
    )
    on_voice = Persona.from_line({"id": "v", "channel": "voice", "opening": "hola"})
    rest = conversations.Identity("rest", "bench-v-0000")
    stuck = conversations.Outcome(None, "atascado en contacto", rest.sender, identity=rest)
    voice = conversations.result_of(on_voice, stuck, None)
    summary = conversations.summarize([wa, voice], masked=False)
    assert summary["by_channel"]["whatsapp"] == {
        "n": 1,
        "filed": 1,
        "all_right": 1,
        "all_right_share": 1.0,
        "via": {"whatsapp": 1},
        "same_channel_contact": {"n": 1, "right": 1, "accuracy": 1.0},
    }
    assert summary["by_channel"]["voice"]["via"] == {"rest": 1}
    assert "voice por el canal REST" in summary["channel_note"]
    assert "whatsapp por el canal WhatsApp real" in summary["channel_note"]
    assert conversations.REST_CAVEAT in summary["channel_note"]


# --- the command line ---------------------------------------------------------------------


def write_set(folder: Path) -> None:
    lines = [
        {
            "kind": "answer",
            "asked": "direccion",
            "text": "Los Aromos 123",
            "gold": {"direccion": "Los Aromos 123"},
        },
        {"kind": "answer", "asked": "rut", "text": "12.345.678-5", "gold": {"rut": "12345678-5"}},
        {"kind": "opening", "text": "soy Ana, de Los Aromos", "gold": {"nombre": "Ana"}},
    ]
    folder.mkdir()
    (folder / "fields.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")


def test_fields_set_fails_clearly_without_oirs_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_set(tmp_path / "set")
    hide_oirs_rules(monkeypatch)
    code = cli.main(["--set", str(tmp_path / "set"), "--only", "fields", "--out", str(tmp_path)])
    printed = json.loads(capsys.readouterr().out)
    assert code == 1
    assert printed["sets"]["fields"]["status"] == "failed"
    assert "packages/oirs_rules" in printed["sets"]["fields"]["reason"]


def test_fields_set_prints_its_summary_and_writes_errors_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_set(tmp_path / "set")
    fake = fake_parsers()
    modules = {
        "oirs_rules": types.ModuleType("oirs_rules"),
        "oirs_rules.places": types.SimpleNamespace(
            parse_place=fake.parse_place, find_place=fake.find_place
        ),
        "oirs_rules.names": types.SimpleNamespace(
            parse_name=fake.parse_name, find_name=fake.find_name
        ),
        "oirs_rules.contact": types.SimpleNamespace(
            find_phones=fake.find_phones,
            find_emails=fake.find_emails,
            find_ruts=fake.find_ruts,
            says_same_channel=fake.says_same_channel,
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    code = cli.main(["--set", str(tmp_path / "set"), "--only", "fields", "--out", str(tmp_path)])
    printed = json.loads(capsys.readouterr().out)["sets"]["fields"]
    assert code == 0 and printed["status"] == "ok"
    assert printed["summary"]["per_field"]["rut"]["accuracy"] == 1.0
    assert "errors" not in printed
    written = json.loads((tmp_path / "understanding-fields.json").read_text())
    # the opening's gold names no place: the one read there is invented
    assert [(e["field"], e["invented"]) for e in written["errors"]] == [("direccion", True)]


@pytest.mark.parametrize(
    ("reading", "gold"),
    [
        ("pasaje los claveles numero 402", "pasaje los claveles 402"),
        ("Pasaje Los Claveles N° 402", "pasaje los claveles #402"),
        ("calle Sargento Menadier 1780", "Sargento Menadier 1780"),
        ("la esquina de Maipú y Chacabuco", "Maipu con Chacabuco"),
        ("Prat esquina Serrano", "prat y serrano"),
    ],
)
def test_a_place_said_another_way_is_the_same_place(reading: str, gold: str) -> None:
    from bench.understanding.compare import normalize_place

    assert normalize_place(reading) == normalize_place(gold)


@pytest.mark.parametrize(
    ("reading", "gold"),
    [
        ("calle 5 norte 1245", "5 norte 1245"),
        ("Los Aromos 1240", "Los Aromos 1420"),
        ("Prat", "Prat con Serrano"),
    ],
)
def test_a_different_place_stays_different(reading: str, gold: str) -> None:
    from bench.understanding.compare import normalize_place

    assert normalize_place(reading) != normalize_place(gold)


def test_the_menu_button_for_public_information_is_the_sai_one() -> None:
    """Blind round r9: a SAI persona pressed «Hacer un reclamo» (the first button, improvised)
    because «Pedir información pública» matched none of the SAI words."""
    from bench.understanding.resident import type_button

    menu = [
        {"title": "Hacer un reclamo", "payload": "/reclamo"},
        {"title": "Pedir información pública", "payload": "/solicitud_informacion"},
    ]
    assert type_button(menu, "sai") == menu[1]


def test_a_sai_persona_notified_by_letter_gives_its_postal_address() -> None:
    """Blind round r10: four SAI personas who chose a letter answered «a mi correo» three
    times and were never filed."""
    resident = SimulatedResident(persona(), NAMES)  # no e-mail for notifications
    assert resident.decide(asks("sai_notificacion")).text == "Los Aromos 123"


def test_the_lead_in_of_a_crossing_is_not_part_of_the_place() -> None:
    from bench.understanding.compare import normalize_place

    assert normalize_place("el cruce de santa julia con la primavera") == normalize_place(
        "santa julia con la primavera"
    )
    assert normalize_place("esq. Los Nogales con Av. Central") == normalize_place(
        "Los Nogales con Av. Central"
    )
