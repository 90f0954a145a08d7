"""Each shared rule is written once, in packages/oirs_rules: a copy elsewhere in the source tree
fails here (issue 15: the copies had already drifted apart)."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

from oirs_rules.folio import FOLIO_RE, PREFIXES
from oirs_rules.text import STOPWORDS

ROOT = Path(__file__).resolve().parents[2]
# Tests may spell out what they check; migrations are history; the package is the one place.
SKIPPED = {"tests", "migrations", "packages", "node_modules", "models", "var"}

# Copies left in files other people were changing when the rules moved (issue 15): none left.
KNOWN_TIME_ZONE_COPIES: set[str] = set()

TIME_ZONE = re.compile(r"""ZoneInfo\(\s*["']America/Santiago["']\s*\)""")
FOLIO_PREFIXES = re.compile(r"RC\|SG|[\"']RC[\"']\s*,\s*[\"']SG[\"']", re.IGNORECASE)


def source_files() -> Iterator[Path]:
    """The project's Python files outside SKIPPED, hidden folders and virtual environments."""
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith((".", "__"))
            and not (here == ROOT and name in SKIPPED)
            and not (here / name / "pyvenv.cfg").exists()
        )
        yield from (here / name for name in sorted(files) if name.endswith(".py"))


def where(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def string_literals(path: Path) -> Iterator[tuple[int, set[str]]]:
    """Every list, tuple or set literal of strings in a module, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set) and node.elts:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
                yield node.lineno, {v for v in values if isinstance(v, str)}


def test_the_time_zone_is_only_oirs_rules_dates_santiago() -> None:
    found = {where(p) for p in source_files() if TIME_ZONE.search(p.read_text(encoding="utf-8"))}
    assert found - KNOWN_TIME_ZONE_COPIES == set(), "use oirs_rules.dates.SANTIAGO"
    assert KNOWN_TIME_ZONE_COPIES - found == set(), "a copy went: take it off the known list"


def test_folio_prefixes_are_only_written_in_oirs_rules_folio() -> None:
    found = [
        f"{where(p)}:{n}"
        for p in source_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if FOLIO_PREFIXES.search(line)
    ]
    assert found == [], "use oirs_rules.folio (FOLIO_RE, LOOSE_FOLIO_RE, PREFIXES)"


def test_spanish_month_and_day_names_are_only_in_oirs_rules_dates() -> None:
    months = {"enero", "febrero", "marzo", "abril", "septiembre", "diciembre"}
    days = {"lunes", "martes", "miércoles", "jueves", "viernes"}
    found = [
        f"{where(p)}:{line}"
        for p in source_files()
        for line, words in string_literals(p)
        if months <= words or days <= words
    ]
    assert found == [], "use oirs_rules.dates (MONTHS, WEEKDAYS)"


def test_call_center_hours_are_only_parsed_in_oirs_rules_hours() -> None:
    found = [
        f"{where(p)}:{line}"
        for p in source_files()
        for line, words in string_literals(p)
        if {"mon", "tue", "wed", "thu", "fri"} <= words
    ]
    assert found == [], "use oirs_rules.hours (parse_hours, CallCenterHours)"


def test_the_spanish_stop_words_are_only_listed_in_oirs_rules_text() -> None:
    found = [
        f"{where(p)}:{line}"
        for p in source_files()
        for line, words in string_literals(p)
        if len(words & STOPWORDS) >= 12  # the two copies shared 28; a short list is no copy
    ]
    assert found == [], "extend oirs_rules.text.STOPWORDS instead of listing them again"


def test_personal_data_is_masked_only_by_oirs_rules_masking() -> None:
    defined = re.compile(r"^\s*def (mask_(?:rut|email|phone|id|text))\b")
    found = [
        f"{where(p)}:{n}"
        for p in source_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if defined.match(line)
    ]
    assert found == [], "use oirs_rules.masking"


def test_whatsapp_addresses_are_only_written_by_oirs_rules_contact() -> None:
    defined = re.compile(r"^\s*def whatsapp_address\b")
    found = [
        f"{where(p)}:{n}"
        for p in source_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if defined.match(line)
    ]
    assert found == [], "use oirs_rules.contact.whatsapp_address"


def test_the_api_contract_names_the_same_folios() -> None:
    """admin/api/openapi.json cannot import the pattern: it must describe the same folios."""
    contract = (ROOT / "admin" / "api" / "openapi.json").read_text(encoding="utf-8")
    patterns = set(
        re.findall(r'"pattern": "\^\(([A-Z|]+)\)-\[0-9\]\{4\}-\[0-9\]\{6\}\$"', contract)
    )
    assert patterns == {"|".join(PREFIXES.values())}
    assert FOLIO_RE.pattern.startswith(r"\b(" + "|".join(PREFIXES.values()) + ")")


def test_the_folio_regex_of_the_training_data_knows_every_prefix() -> None:
    """data/nlu/regex.yml is Rasa training data and cannot import the shared pattern: its folio
    regex must still name every prefix of oirs_rules.folio (it lacked DP, issue 15)."""
    from oirs_rules.folio import PREFIXES

    text = (ROOT / "data" / "nlu" / "regex.yml").read_text(encoding="utf-8")
    alternatives = re.search(r"\\b\(((?:[A-Z]+\|)+[A-Z]+)\)", text)
    assert alternatives is not None
    assert set(alternatives.group(1).split("|")) == set(PREFIXES.values())
