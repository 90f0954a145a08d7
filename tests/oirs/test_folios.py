"""Folios: format, loose parsing, and gap-free numbering per type and year."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from oirs.cases.folios import Folio, next_folio, parse_folio


def test_folio_is_prefix_year_and_six_digits() -> None:
    assert str(Folio("RC", 2026, 123)) == "RC-2026-000123"


@pytest.mark.parametrize(
    "text",
    [
        "RC-2026-000123",
        "rc 2026 123",
        "Rc2026-123",
        "rc-2026-123",
        " RC 2026 000123 ",
        "rc.2026.123",
    ],
)
def test_loosely_written_folios_are_understood(text: str) -> None:
    assert parse_folio(text) == Folio("RC", 2026, 123)


@pytest.mark.parametrize("text", ["", "hola", "XX-2026-000001", "RC-26-1", "RC-2026-1234567"])
def test_non_folios_are_rejected(text: str) -> None:
    assert parse_folio(text) is None


def test_each_type_and_year_counts_from_one_without_gaps(db_session: Session) -> None:
    with db_session.begin():
        numbers = [str(next_folio(db_session, "reclamo", 2026)) for _ in range(3)]
        other = str(next_folio(db_session, "sai", 2026))
        next_year = str(next_folio(db_session, "reclamo", 2027))
    assert numbers == ["RC-2026-000001", "RC-2026-000002", "RC-2026-000003"]
    assert other == "SAI-2026-000001"
    assert next_year == "RC-2027-000001"


def test_a_rolled_back_filing_gives_its_number_back(db_session: Session) -> None:
    with db_session.begin():
        next_folio(db_session, "reclamo", 2026)
    db_session.begin()
    assert str(next_folio(db_session, "reclamo", 2026)) == "RC-2026-000002"
    db_session.rollback()
    with db_session.begin():
        assert str(next_folio(db_session, "reclamo", 2026)) == "RC-2026-000002"
