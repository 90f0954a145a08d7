"""FAQ content: every contract key has examples, an answer, a held-out set and a legal source.

The answers are legal statements shown to residents, so the checks below pin the
facts of ../shared/faq-facts.md that a careless edit could break (deadlines,
gratuidad, no RUT or reason for a SAI) and keep out claims the fact sheet marks
UNVERIFIED. Runs in any environment that has PyYAML; it needs neither Rasa nor a model.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "data" / "nlu" / "faq.yml"
HELD_OUT = ROOT / "data" / "test" / "nlu_faq.yml"
DOMAIN = ROOT / "bot" / "faq.yml"
RULES = ROOT / "data" / "rules" / "faq.yml"

# ../shared/nlu-contract.md, "FAQ keys": an interface, spelled exactly.
CONTRACT_KEYS = [
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
]

# The legal source each answer must cite. Opening hours have no national rule
# (each municipality sets them), so that answer must say so instead.
LEGAL_SOURCE = {
    "plazo_transparencia": ["Ley 20.285, art. 14"],
    "como_solicitar_informacion": ["Ley 20.285, art. 12", "arts. 11 letra g y 12"],
    "amparo": ["Ley 20.285, art. 24"],
    "transparencia_activa": ["Ley 20.285, art. 7", "Ley 20.285, art. 8"],
    "costo_solicitud": ["Ley 20.285, art. 18"],
    "horario_atencion": ["No hay un horario fijado por ley"],
    "canales_atencion": ["Ley 18.695, art. 93"],
    "plazo_reclamo": ["Ordenanza de Participación Ciudadana", "Ley 18.695, art. 93"],
    "constituir_organizacion": ["Ley 19.418"],
    "certificado_vigencia": ["Ley 21.146", "20.500"],
    "modificar_organizacion": ["Ley 21.146", "Ley 19.418, art. 34"],
    "declaracion_intereses": ["Ley 20.880"],
    "concejo_municipal": ["Ley 18.695, art. 84", "Ley 21.534"],
    "oficina_partes": ["Ley 19.880"],
    "datos_personales": ["Ley 21.719"],
}

# National sites may be written literally; anything commune-specific comes from a slot.
NATIONAL_HOSTS = {
    "www.bcn.cl",
    "www.consejotransparencia.cl",
    "www.portaltransparencia.cl",
    "www.infoprobidad.cl",
    "www.registrocivil.cl",
}
# The commune values action_session_start fills from GET /api/v1/commune (slots in bot/core.yml).
COMMUNE_SLOTS = {
    "municipalidad",
    "url_transparencia",
    "url_transparencia_activa",
    "url_privacidad",
    "oirs_horario",
    "oirs_direccion",
    "oirs_telefono",
}
# Intents a button may trigger: plain intents of the contract. A "/faq/<key>" payload carries
# no response-selector output, so utter_faq would have nothing to say.
BUTTON_INTENTS = {
    "reclamo",
    "sugerencia",
    "felicitacion",
    "solicitud_informacion",
    "consultar_estado",
}
MIN_TRAINING = 60
MIN_HELD_OUT = 10


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _examples(path: Path) -> dict[str, list[str]]:
    """Map each faq key to its examples, as Rasa reads the `examples: |` block."""
    found: dict[str, list[str]] = {}
    for block in _load(path)["nlu"]:
        intent = block["intent"]
        assert intent.startswith("faq/"), f"{path}: non-FAQ intent {intent}"
        key = intent.removeprefix("faq/")
        assert key not in found, f"{path}: faq/{key} appears twice"
        lines = [line.strip() for line in block["examples"].splitlines() if line.strip()]
        assert all(line.startswith("- ") for line in lines), (
            f"{path}: faq/{key} has a malformed line"
        )
        found[key] = [line[2:].strip() for line in lines]
    return found


def _words(text: str) -> frozenset[str]:
    """Lower-case, accent-free word set, so copies differing only in case or accents match."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return frozenset(re.sub(r"[^a-z0-9ñ]+", " ", plain).split())


def _responses() -> dict[str, list[dict[str, Any]]]:
    responses = _load(DOMAIN)["responses"]
    return {name.removeprefix("utter_faq/"): variants for name, variants in responses.items()}


def _answer(key: str) -> str:
    """The answer shown in writing (the variant without a channel)."""
    [written] = [v["text"] for v in _responses()[key] if not v.get("channel")]
    return str(written)


def _variants(key: str) -> list[str]:
    """Every text of an answer: the written one and any channel's own (the phone's)."""
    return [str(variant["text"]) for variant in _responses()[key]]


def _spoken(key: str) -> str:
    """What the phone line reads aloud: its own variant, or the written one."""
    voice = [v["text"] for v in _responses()[key] if v.get("channel") == "voice"]
    return str(voice[0]) if voice else _answer(key)


def _sentences(text: str) -> list[str]:
    """Split an answer into sentences, ignoring the dots inside URLs, numbers and 'art.'."""
    text = re.sub(r"https?://\S+", "URL", text)
    text = re.sub(r"\barts?\.", "art", text)
    text = re.sub(r"(\d)\.(\d)", r"\1\2", text)
    return [part for part in re.split(r"(?<=[.?!])\s+", text.strip()) if part]


TRAINING_EXAMPLES = _examples(TRAINING)
HELD_OUT_EXAMPLES = _examples(HELD_OUT)


def test_training_data_has_exactly_the_contract_keys() -> None:
    assert sorted(TRAINING_EXAMPLES) == sorted(CONTRACT_KEYS)


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_every_key_has_enough_distinct_training_examples(key: str) -> None:
    examples = TRAINING_EXAMPLES[key]
    assert len({_words(example) for example in examples}) >= MIN_TRAINING


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_every_key_has_a_held_out_set(key: str) -> None:
    assert len(HELD_OUT_EXAMPLES.get(key, [])) >= MIN_HELD_OUT


def test_no_training_example_is_labelled_with_two_keys() -> None:
    owner: dict[frozenset[str], str] = {}
    clashes = []
    for key, examples in TRAINING_EXAMPLES.items():
        for example in examples:
            words = _words(example)
            if owner.setdefault(words, key) != key:
                clashes.append((example, owner[words], key))
    assert clashes == []


def test_held_out_examples_are_not_copies_of_training_examples() -> None:
    """Near-copies (80 % of words shared or more) would flatter the evaluation."""
    training = [
        (example, _words(example))
        for examples in TRAINING_EXAMPLES.values()
        for example in examples
    ]
    copies = []
    for examples in HELD_OUT_EXAMPLES.values():
        for example in examples:
            words = _words(example)
            for original, original_words in training:
                if len(words & original_words) / len(words | original_words) >= 0.8:
                    copies.append((example, original))
    assert copies == []


def test_examples_are_questions_about_procedure_not_document_requests_or_status_checks() -> None:
    document_request = re.compile(
        r"^(necesito|quiero|solicito|pido|envienme|mandenme)\s+(una\s+)?copia\b"
    )
    folio = re.compile(r"\b(rc|sg|fl|cs|sai)[- ]?20\d\d\b|\bfolio\b")
    offending = [
        example
        for examples in (*TRAINING_EXAMPLES.values(), *HELD_OUT_EXAMPLES.values())
        for example in examples
        if document_request.search(example.lower()) or folio.search(example.lower())
    ]
    assert offending == []


def test_domain_declares_the_faq_intent() -> None:
    assert "faq" in _load(DOMAIN)["intents"]


def test_domain_answers_exactly_the_contract_keys() -> None:
    assert sorted(_responses()) == sorted(CONTRACT_KEYS)


def test_rule_answers_every_faq_with_the_retrieval_action() -> None:
    steps = [rule["steps"] for rule in _load(RULES)["rules"]]
    # then the silent report of the answer, for containment (actions/outcomes.py)
    assert [
        {"intent": "faq"},
        {"action": "utter_faq"},
        {"action": "action_faq_respondida"},
    ] in steps


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_every_answer_cites_its_legal_source(key: str) -> None:
    for answer in _variants(key):
        missing = [source for source in LEGAL_SOURCE[key] if source not in answer]
        assert missing == []


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_every_answer_is_short(key: str) -> None:
    """2 to 5 sentences, plus at most a closing offer of more help."""
    for answer in _variants(key):
        sentences = _sentences(answer)
        closing = 1 if sentences[-1].startswith("¿") else 0
        assert 2 <= len(sentences) - closing <= 5, sentences


@pytest.mark.parametrize("key", [key for key in CONTRACT_KEYS if key != "horario_atencion"])
def test_every_answer_with_a_legal_basis_gives_a_link(key: str) -> None:
    for answer in _variants(key):
        assert re.search(r"https://\S+", answer) or re.search(r"\{url_\w+\}", answer)


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_literal_links_point_only_to_national_sites(key: str) -> None:
    for answer in _variants(key):
        hosts = set(re.findall(r"https?://([A-Za-z0-9.-]*[A-Za-z0-9])", answer))
        assert hosts <= NATIONAL_HOSTS


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_commune_values_come_from_the_session_slots(key: str) -> None:
    for answer in _variants(key):
        assert set(re.findall(r"\{(\w+)\}", answer)) <= COMMUNE_SLOTS
        hardcoded = re.search(r"\b\d{1,2}:\d{2}\b|\blunes a viernes\b|\+?56\s?\d|\b\d{9}\b", answer)
        assert hardcoded is None, hardcoded


def test_the_commune_slots_are_declared_in_the_domain() -> None:
    declared: set[str] = set()
    for path in (ROOT / "bot").glob("*.yml"):
        declared |= set((_load(path).get("slots") or {}).keys())
    assert declared >= COMMUNE_SLOTS


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_buttons_trigger_plain_contract_intents(key: str) -> None:
    payloads = [
        button["payload"] for variant in _responses()[key] for button in variant.get("buttons", [])
    ]
    assert all(payload.startswith("/") and payload[1:] in BUTTON_INTENTS for payload in payloads), (
        payloads
    )


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_answers_address_the_resident_as_usted(key: str) -> None:
    for answer in _variants(key):
        informal = re.search(
            r"\b(puedes|tienes|debes|quieres|necesitas|tu|tus|te)\b", answer, re.IGNORECASE
        )
        assert informal is None, informal


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_answers_read_aloud_on_the_phone_speak_of_the_call_not_a_chat(key: str) -> None:
    written = re.search(r"(?i)\b(chat|escrib\w*|toque|pinche|clic|bot[oó]n)\b", _spoken(key))
    assert written is None, written


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_a_spoken_variant_keeps_the_written_buttons(key: str) -> None:
    variants = _responses()[key]
    buttons = [variant.get("buttons") for variant in variants]
    assert all(b == buttons[0] for b in buttons), key


def test_transparency_deadline_is_twenty_business_days_with_one_notified_extension_of_ten() -> None:
    answer = _answer("plazo_transparencia")
    assert "20 días hábiles" in answer
    assert "una sola vez por 10 días hábiles" in answer
    assert "antes de que venza" in answer and "motivos" in answer
    # Bill 15.478-06 (15 + 5 days) is not law.
    assert "15 días" not in answer and "5 días" not in answer.replace("15 días", "")


def test_amparo_is_fifteen_business_days_before_the_consejo_para_la_transparencia() -> None:
    answer = _answer("amparo")
    assert "15 días hábiles" in answer and "Consejo para la Transparencia" in answer
    assert "consejotransparencia.cl" in answer


def test_requesting_information_is_free_except_direct_reproduction_costs() -> None:
    answer = _answer("costo_solicitud")
    assert "gratuito" in answer and "costos directos de reproducción" in answer


def test_sai_answers_never_ask_for_rut_or_reason() -> None:
    """Art. 11 g) and 12: RUT or a reason appear only to say they are not required."""
    for key in ("como_solicitar_informacion", "plazo_transparencia", "amparo", "costo_solicitud"):
        for answer in _variants(key):
            for sentence in _sentences(answer):
                if re.search(r"\bRUT\b|para qué|motivo de su solicitud", sentence):
                    assert sentence.startswith("No "), sentence


def test_reclamo_deadline_is_the_communes_own_not_a_national_legal_term() -> None:
    for answer in _variants("plazo_reclamo"):
        assert "15 días hábiles" in answer and "Ordenanza" in answer
        assert not re.search(r"Ley 19\.880|30 días|la ley (fija|establece)", answer)


def test_personal_data_answer_stays_true_after_the_law_enters_into_force() -> None:
    answer = _answer("datos_personales")
    assert "Desde el 1 de diciembre de 2026" in answer
    assert not re.search(r"entrará|entra en vigencia|a partir del próximo|Ley 19\.628", answer)
    rights = ["acceso", "rectificación", "supresión", "oposición", "portabilidad", "bloqueo"]
    assert [right for right in rights if right not in answer] == []
    assert "30 días corridos" in answer and "{url_privacidad}" in answer


@pytest.mark.parametrize(
    ("key", "unverified"),
    [
        ("amparo", r"Gobernación|Delegación Presidencial"),
        ("transparencia_activa", r"presupuesto|auditor"),
        ("modificar_organizacion", r"Tricel|fusi[oó]n|30 días"),
        ("certificado_vigencia", r"\$|gratis|gratuito|costo"),
        ("plazo_reclamo", r"art\. 98|seis meses|6 meses"),
        ("constituir_organizacion", r"14 años|art\. (?!8)\d+"),
        ("declaracion_intereses", r"directivos|jefes de servicio"),
        ("plazo_transparencia", r"15\.478"),
    ],
)
def test_answers_assert_nothing_the_fact_sheet_marks_unverified(key: str, unverified: str) -> None:
    for answer in _variants(key):
        assert re.search(unverified, answer) is None
