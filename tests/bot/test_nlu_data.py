"""NLU training data: contract names, enough examples, a clean held-out split, working regexes.

The intent and entity names are an interface (../shared/nlu-contract.md), the
held-out set in data/test must never leak into training, and the regexes in
data/nlu/regex.yml feed RegexFeaturizer/RegexEntityExtractor, so they must match
the folio, RUT and phone forms residents type. Needs PyYAML only, not Rasa.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU = ROOT / "data" / "nlu"
TEST = ROOT / "data" / "test"
OWN_FILES = [
    "core.yml", "emergencia.yml", "estado.yml", "felicitacion.yml", "handoff.yml",
    "informar.yml", "reclamo.yml", "sai.yml", "sugerencia.yml",
]  # fmt: skip
CATEGORIES = {
    "aseo", "alumbrado", "pavimento", "areas_verdes", "ruido", "animales",
    "transito", "seguridad", "construccion", "atencion", "otro",
}  # fmt: skip
ENTITIES = {"folio", "rut", "email", "telefono", "direccion", "categoria", "nombre"}
MAIN_INTENTS = [
    "reclamo", "sugerencia", "felicitacion", "solicitud_informacion", "consultar_estado",
    "informar",
]  # fmt: skip
SMALL_INTENTS = [
    "saludo", "despedida", "agradecer", "afirmar", "negar", "bot_challenge", "fuera_de_alcance",
    "ayuda", "cancelar", "hablar_con_humano", "emergencia",
]  # fmt: skip
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([^):]+)(?::([^)]+))?\)")


def _examples(path: Path) -> list[tuple[str, str]]:
    """(intent, annotated example) pairs of one Rasa NLU file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for item in doc.get("nlu", []):
        if "intent" in item:
            for line in item["examples"].splitlines():
                if line.strip():
                    pairs.append((item["intent"], line.strip()[2:]))
    return pairs


def _training() -> list[tuple[str, str]]:
    return [pair for name in OWN_FILES for pair in _examples(NLU / name)]


def _plain(example: str) -> str:
    """Example text without annotations, lower-cased, as the model sees it."""
    return " ".join(ANNOTATION.sub(r"\1", example).lower().split())


def _patterns(name: str) -> list[re.Pattern[str]]:
    doc = yaml.safe_load((NLU / "regex.yml").read_text(encoding="utf-8"))
    for item in doc["nlu"]:
        if item.get("regex") == name:
            return [re.compile(p.strip()[2:]) for p in item["examples"].splitlines() if p.strip()]
    raise AssertionError(f"no regex {name}")


def _matches(name: str, text: str) -> set[str]:
    return {m.group(0) for p in _patterns(name) for m in p.finditer(text)}


def _rut_is_valid(rut: str) -> bool:
    digits = re.sub(r"[^0-9kK]", "", rut).upper()
    body, check = digits[:-1], digits[-1]
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body)))
    expected = {11: "0", 10: "K"}.get(11 - total % 11, str(11 - total % 11))
    return check == expected


@pytest.mark.parametrize("intent", MAIN_INTENTS)
def test_main_intents_have_at_least_60_training_examples(intent: str) -> None:
    assert Counter(i for i, _ in _training())[intent] >= 60


@pytest.mark.parametrize("intent", SMALL_INTENTS)
def test_small_intents_have_at_least_25_training_examples(intent: str) -> None:
    assert Counter(i for i, _ in _training())[intent] >= 25


def test_every_reclamo_category_has_at_least_60_training_examples() -> None:
    text = (NLU / "reclamo.yml").read_text(encoding="utf-8")
    section = r"# categoria (\w+)\n- intent: reclamo\n  examples: \|\n((?:    - .*\n)+)"
    blocks = re.findall(section, text)
    counts = {category: block.count("\n    - ") + 1 for category, block in blocks}
    assert set(counts) == CATEGORIES
    assert min(counts.values()) >= 60, counts


def test_annotations_use_only_contract_entities_and_categories() -> None:
    own_tests = [f for f in TEST.glob("nlu_*.yml") if f.name != "nlu_faq.yml"]
    pairs = _training() + [p for f in own_tests for p in _examples(f)]
    for _, example in pairs:
        for _, entity, value in ANNOTATION.findall(example):
            assert entity in ENTITIES, example
            if entity == "categoria":
                assert value in CATEGORIES, example


def test_synonyms_map_only_onto_contract_categories() -> None:
    doc = yaml.safe_load((NLU / "synonyms.yml").read_text(encoding="utf-8"))
    assert {item["synonym"] for item in doc["nlu"]} == CATEGORIES - {"otro"}


def test_held_out_examples_never_appear_in_training() -> None:
    seen = {_plain(e) for f in NLU.glob("*.yml") for _, e in _examples(f)}
    held_out = [e for f in TEST.glob("nlu_*.yml") for _, e in _examples(f)]
    assert len(held_out) >= 200
    assert [e for e in held_out if _plain(e) in seen] == []


@pytest.mark.parametrize(
    ("text", "folio"),
    [
        ("como va mi reclamo RC-2026-000123", "RC-2026-000123"),
        ("en que esta el caso rc 2026 123", "rc 2026 123"),
        ("solicitud SAI2026000021", "SAI2026000021"),
        ("quiero saber del folio 123", "123"),
    ],
)
def test_folio_regex_matches_the_written_forms(text: str, folio: str) -> None:
    assert folio in _matches("folio", text)


def test_folio_regex_ignores_street_numbers() -> None:
    assert _matches("folio", "vivo en los aromos 123") == set()


@pytest.mark.parametrize(
    "rut", ["12.345.678-5", "12345678-5", "123456785", "7.430.558-K", "6620223-2"]
)
def test_rut_regex_matches_with_and_without_dots_and_dash(rut: str) -> None:
    assert rut in _matches("rut", f"mi rut es {rut}")


@pytest.mark.parametrize(
    "phone", ["+56 9 8765 4321", "987654321", "9 8765 4321", "+56987654321", "22 345 6789"]
)
def test_telefono_regex_matches_chilean_formats(phone: str) -> None:
    assert phone in _matches("telefono", f"mi fono es {phone}")


def test_email_regex_matches_addresses() -> None:
    assert _matches("email", "escribame a juan.perez@gmail.com porfa") == {"juan.perez@gmail.com"}


def test_every_annotated_rut_has_a_valid_check_digit() -> None:
    pairs = _training() + _examples(TEST / "nlu_informar.yml")
    ruts = [text for _, e in pairs for text, entity, _ in ANNOTATION.findall(e) if entity == "rut"]
    assert len(ruts) >= 20
    assert [r for r in ruts if not _rut_is_valid(r)] == []
