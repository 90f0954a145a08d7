"""Folios PREFIX-YYYY-NNNNNN: a counter per type and year, gap-free under concurrent filing."""

from __future__ import annotations

from dataclasses import dataclass

from oirs_rules.folio import LOOSE_FOLIO_RE, PREFIXES, TYPE_BY_PREFIX
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from oirs.models import FolioCounter

__all__ = ["PREFIXES", "Folio", "next_folio", "parse_folio"]


@dataclass(frozen=True)
class Folio:
    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.number:06d}"

    @property
    def case_type(self) -> str:
        return TYPE_BY_PREFIX[self.prefix]


def parse_folio(text: str) -> Folio | None:
    """Read a folio written loosely ("rc 2026 123", "RC-2026-000123"); None if it is not one."""
    match = LOOSE_FOLIO_RE.fullmatch((text or "").strip())
    if not match:
        return None
    return Folio(match.group(1).upper(), int(match.group(2)), int(match.group(3)))


def next_folio(session: Session, case_type: str, year: int) -> Folio:
    """Take the next number inside the caller's transaction; a rollback gives it back."""
    prefix = PREFIXES[case_type]
    bump = (
        update(FolioCounter)
        .where(FolioCounter.case_type == case_type, FolioCounter.year == year)
        .values(last_value=FolioCounter.last_value + 1)
        .returning(FolioCounter.last_value)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(FolioCounter)
            .values(case_type=case_type, year=year, last_value=0)
            .on_conflict_do_nothing()
        )
        number = session.execute(bump).scalar_one()
    return Folio(prefix, year, number)
