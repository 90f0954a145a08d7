"""Looking for a resident's values wherever the system keeps text: every table of the admin
database (all text and JSON columns, read from the SQLAlchemy metadata), Rasa's tracker store,
and files on disk. Values are searched in the formats people write them, not only as stored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Engine, String, Text, create_engine, inspect, select, text
from sqlalchemy.types import TypeEngine

from oirs.models import Base

_SEP = r"[\s.\-()+]{0,3}"


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _digits(digits: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\d)" + _SEP.join(digits) + r"(?!\d)")


@dataclass(frozen=True)
class Resident:
    """What a resident told the bot; `leaks` names each value found in a text."""

    name: str
    phone_national: str  # 9 digits, "987654321"
    email: str
    rut_body: str  # digits before the check digit, "12345678"

    def leaks(self, value: str) -> list[str]:
        folded = _fold(value)
        found = []
        if _fold(self.name) in folded:
            found.append("name")
        for word in _fold(self.name).split():
            if len(word) > 3 and re.search(rf"\b{re.escape(word)}\b", folded):
                found.append(f"name word {word!r}")
        if _digits(self.phone_national).search(value):
            found.append("phone")
        if self.email.lower() in folded or self.email.split("@")[0].lower() in folded:
            found.append("e-mail")
        if _digits(self.rut_body).search(value):
            found.append("RUT")
        return found


def _texty(kind: TypeEngine[object]) -> bool:
    return isinstance(kind, String | Text | JSON)


def admin_database_leaks(engine: Engine, resident: Resident) -> list[str]:
    """Every (table.column, what) of the admin database that still holds a value."""
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if _texty(column.type)]
            if not columns or not inspect(conn).has_table(table.name):
                continue
            for row in conn.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        for what in resident.leaks(str(value)):
                            found.append(f"{table.name}.{column.name}: {what}")
    return found


def tracker_leaks(url: str, resident: Resident) -> list[str]:
    """Every column of every table of Rasa's tracker store that still holds a value."""
    url = url.replace("postgresql+psycopg2://", "postgresql+psycopg://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    found = []
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                for row in conn.execute(text(f'SELECT * FROM "{name}"')):
                    for column, value in row._mapping.items():
                        if isinstance(value, str):
                            for what in resident.leaks(value):
                                found.append(f"{name}.{column}: {what}")
    finally:
        engine.dispose()
    return found


def _files(root: Path) -> Iterator[Path]:
    yield from (path for path in root.rglob("*") if path.is_file())


def file_leaks(root: Path, resident: Resident, marker: bytes | None = None) -> list[str]:
    """Files under `root` whose bytes hold a value (or the `marker` planted in an upload)."""
    found = []
    for path in _files(root):
        data = path.read_bytes()
        if marker is not None and marker in data:
            found.append(f"{path}: uploaded file")
        for what in resident.leaks(data.decode("utf-8", errors="replace")):
            found.append(f"{path}: {what}")
    return found
