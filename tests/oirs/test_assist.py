"""Suggested replies for agents: ranked, sourced, at most three, and never sent by themselves."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest
import yaml

from oirs.handoffs.assist import (
    METHODS,
    FaqEntry,
    ReplyAssistant,
    ResidentCase,
    Suggestion,
    load_faq,
    normalise,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "assist"
FAQ_FILES = (ROOT / "bot" / "faq.yml", ROOT / "data" / "nlu" / "faq.yml")
FAQ_KEYS = {
    "plazo_transparencia",
    "como_solicitar_informacion",
    "amparo",
    "transparencia_activa",
    "costo_solicitud",
    "horario_atencion",
    "canales_atencion",
    "plazo_reclamo",
    "constituir_organizacion",
    "certificado_vigencia",
    "modificar_organizacion",
    "declaracion_intereses",
    "concejo_municipal",
    "oficina_partes",
    "datos_personales",
}
LUMINARIA = ResidentCase(
    folio="RC-2026-000123",
    type_label="reclamo",
    status_label="En gestión",
    due_date=date(2026, 12, 16),
    unit="Alumbrado Público",
    category_label="alumbrado público (luminaria)",
    business_days_left=14,
)
SAI = ResidentCase(
    folio="SAI-2026-000045",
    type_label="solicitud de acceso a la información (transparencia)",
    status_label="En análisis",
    due_date=date(2026, 12, 22),
    unit="Oficina de Transparencia",
    category_label="contrato de recolección de basura",
)


@pytest.fixture(scope="module")
def templates() -> list[dict[str, str]]:
    return yaml.safe_load((DATA / "templates.yml").read_text(encoding="utf-8"))["templates"]


@pytest.fixture(scope="module")
def assistant(templates: list[dict[str, str]]) -> ReplyAssistant:
    return ReplyAssistant(load_faq(*FAQ_FILES), templates)


def test_the_fifteen_faq_answers_of_the_contract_are_read_from_the_rasa_responses():
    faqs = load_faq(*FAQ_FILES)
    assert {f.key for f in faqs} == FAQ_KEYS
    assert all(f.answer and f.examples for f in faqs)


def test_at_most_three_replies_are_proposed_best_first_each_with_its_source(assistant):
    suggestions = assistant.suggest("cuánto se demoran en responder un reclamo", limit=10)
    assert 1 <= len(suggestions) <= 3
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert suggestions[0].key == "faq/plazo_reclamo"
    assert suggestions[0].source == "faq"
    assert all(s.source in ("faq", "template", "case") for s in suggestions)
    assert all(s.key.startswith(f"{s.source}/") for s in suggestions)


def test_faq_answer_is_proposed_with_the_commune_values_filled_in(assistant):
    values = {"municipalidad": "la Municipalidad de Ñuñoa", "oirs_direccion": "Irarrázaval 3550"}
    top = assistant.suggest("a qué hora atiende la oirs y dónde queda", values=values)[0]
    assert top.key == "faq/horario_atencion"
    assert "la Municipalidad de Ñuñoa" in top.text
    assert "Irarrázaval 3550" in top.text
    assert "{oirs_horario}" in top.text  # a value the caller did not give stays visible


def test_staff_template_is_proposed_for_its_topic_even_in_colloquial_words(assistant):
    top = assistant.suggest("los vecinos tienen la media bulla con la música hasta las 4")[0]
    assert top.source == "template"
    assert top.key == "template/ruidos_molestos"
    assert top.title == "Ruidos molestos"


def test_case_aware_text_gives_folio_status_unit_and_due_date_as_dd_mm_yyyy(assistant):
    suggestions = assistant.suggest("cómo va mi reclamo de la luminaria", cases=[LUMINARIA, SAI])
    top = suggestions[0]
    assert top.source == "case"
    assert top.key == "case/RC-2026-000123"
    assert "RC-2026-000123" in top.text
    assert "16-12-2026" in top.text
    assert "En gestión" in top.text
    assert "Alumbrado Público" in top.text
    assert "14 días hábiles" in top.text


def test_naming_a_folio_loosely_puts_that_case_first(assistant):
    for message in ("SAI-2026-000045?", "que pasa con la sai 2026 45", "mi solicitud 45"):
        top = assistant.suggest(message, cases=[LUMINARIA, SAI])[0]
        assert top.key == "case/SAI-2026-000045", message
        assert "22-12-2026" in top.text


def test_a_general_deadline_question_gets_the_faq_even_when_the_resident_has_cases(assistant):
    top = assistant.suggest(
        "en general cuántos días hábiles tiene la muni para contestar solicitudes de transparencia",
        cases=[LUMINARIA, SAI],
    )[0]
    assert top.key == "faq/plazo_transparencia"


def test_without_cases_no_case_text_is_ever_proposed(assistant):
    suggestions = assistant.suggest("cómo va mi reclamo RC-2026-000123")
    assert suggestions
    assert all(s.source != "case" for s in suggestions)


def test_suggesting_only_proposes_it_opens_no_connection_and_changes_nothing(
    assistant, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("suggest() tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    cases = [LUMINARIA]
    suggestions = assistant.suggest("cómo va mi reclamo", cases=cases)
    assert suggestions and all(isinstance(s, Suggestion) for s in suggestions)
    assert cases == [LUMINARIA]
    with pytest.raises(AttributeError):
        suggestions[0].text = "enviado"  # type: ignore[misc]


def test_nothing_is_proposed_for_an_empty_or_unrelated_message(assistant):
    assert assistant.suggest("") == []
    assert assistant.suggest("zzz qqq") == []
    assert assistant.suggest("cómo va mi reclamo", limit=0) == []


@pytest.mark.parametrize("method", METHODS)
def test_every_benchmarked_method_ranks_a_plain_faq_question_first(method, templates):
    assistant = ReplyAssistant(load_faq(*FAQ_FILES), templates, method=method)
    top = assistant.suggest("dónde veo los sueldos de los funcionarios municipales")[0]
    assert top.key == "faq/transparencia_activa"


def test_templates_given_by_the_caller_are_used_as_they_are():
    faq = [FaqEntry("horario_atencion", "Atendemos de 8:30 a 14:00.", ("a qué hora abren",))]
    templates = [{"code": "nevazon", "name": "Nieve", "body": "Despeje de nieve en caminos"}]
    top = ReplyAssistant(faq, templates).suggest("hay mucha nieve en el camino")[0]
    assert (top.source, top.key, top.text) == (
        "template",
        "template/nevazon",
        "Despeje de nieve en caminos",
    )


def test_a_case_summary_of_the_api_becomes_a_case_aware_suggestion(assistant):
    summary = {
        "folio": "SG-2026-000007",
        "type": "sugerencia",
        "type_label": "Sugerencia",
        "status": "clasificado",
        "status_label": "Clasificada",
        "due_date": "2027-01-05",
        "due_date_display": "05-01-2027",
        "business_days_left": 9,
        "unit": "DIMAO",
    }
    case = ResidentCase.from_summary(summary)
    assert case.due_date == date(2027, 1, 5)
    top = assistant.suggest("qué pasó con mi sugerencia SG-2026-000007", cases=[case])[0]
    assert top.key == "case/SG-2026-000007"
    assert top.text.startswith("Su sugerencia con folio SG-2026-000007")
    assert "05-01-2027" in top.text and "Clasificada" in top.text and "9 días hábiles" in top.text


def test_colloquial_words_and_accents_meet_the_municipal_vocabulary():
    assert normalise("Señora, la MUNI q hace?") == "senora la municipalidad que hace"
    assert "conceptoluminaria" in normalise("el foco del pasaje")
    assert "conceptoluminaria" in normalise("la luminaria")
