"""The blind benchmark's own scoring, on a tiny synthetic set (no bot, no network)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from bench.understanding import cli, compare, conversations, fields, nlu, sets, themes
from bench.understanding.resident import (
    BotTurn,
    Persona,
    SimulatedResident,
    find_folio,
    unit_from,
)
from oirs.masking import mask_text

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
    lines = [
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


def test_fields_fail_with_an_install_hint_when_oirs_rules_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "oirs_rules", None)  # import now raises ImportError
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
    assert resident.decide(asks("categoria", CATEGORY_BUTTONS)).text == (
        '/informar{"categoria": "animales"}'
    )
    typed = SimulatedResident(persona(category="Alumbrado público"), NAMES)
    assert typed.decide(asks("categoria", CATEGORY_BUTTONS)).text == "Alumbrado público"


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

    def __init__(self) -> None:
        self.asked = ["direccion", "nombre", "confirmacion", None]
        self.heard: list[str] = []

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.heard.append(text)
        if self.asked[0] is None:
            return [{"text": "Listo. Su folio es RC-2026-000001."}]
        return [{"text": f"¿{self.asked[0]}?"}]

    def tracker(self, sender: str) -> dict[str, Any]:
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


def test_a_value_lost_without_its_question_being_asked_is_told_apart() -> None:
    outcome = conversations.converse(persona(), ScriptedBot(), NAMES)
    verdicts = conversations.score_case(GOLD, filed_case(rut=None), NAMES)
    result = conversations.result_of(persona(), outcome, verdicts)
    assert result["fields"]["rut"]["asked"] is False
    assert result["fields"]["direccion"]["asked"] is True
    per_field = conversations.summarize([result], masked=False)["per_field"]
    assert per_field["rut"]["lost"] == per_field["rut"]["lost_never_asked"] == 1


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
    monkeypatch.setitem(sys.modules, "oirs_rules", None)
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
