"""Folios as the admin writes them and as residents type or dictate them (oirs_rules.folio)."""

from __future__ import annotations

import pytest
from oirs_rules.folio import FOLIO_RE, PREFIXES, find_folio, find_folios


@pytest.mark.parametrize(
    ("text", "folio"),
    [
        ("mi folio es RC-2026-000123", "RC-2026-000123"),
        ("rc 2026 123", "RC-2026-000123"),
        ("el dp-2026-7 por favor", "DP-2026-000007"),
        ("SAI_2026_45", "SAI-2026-000045"),
        ("sg/2026/12", "SG-2026-000012"),
        ("RC2026123", "RC-2026-000123"),
    ],
)
def test_a_folio_written_loosely_is_read_in_its_written_form(text: str, folio: str) -> None:
    assert find_folio(text) == folio


def test_every_case_type_has_a_prefix_the_patterns_know() -> None:
    for prefix in PREFIXES.values():
        assert FOLIO_RE.fullmatch(f"{prefix}-2026-000001")
        assert find_folio(f"{prefix.lower()} 2026 1") == f"{prefix}-2026-000001"


def test_not_a_folio() -> None:
    assert find_folio("calle los aromos 2026") is None
    assert find_folio("XX-2026-000001") is None
    assert find_folios("rc 2026 1 y cs 2026 2") == ["RC-2026-000001", "CS-2026-000002"]
