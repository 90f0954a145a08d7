"""Reading a set: JSON Lines, one object a line, with the line number kept for the reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("nlu", "themes", "fields", "conversations")
REQUIRED = {
    "nlu": ("text", "intent"),
    "themes": ("text", "category"),
    "fields": ("kind", "text", "gold"),
    "conversations": ("opening", "answers", "gold"),
}


@dataclass
class Loaded:
    """The valid items of one file (each with `_line`) and what could not be read."""

    items: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)


def parse_lines(kind: str, lines: Iterable[str]) -> Loaded:
    """Objects with the keys the kind needs; other lines are reported, never silently dropped."""
    loaded = Loaded()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            loaded.invalid.append({"line": number, "reason": f"JSON inválido: {error.msg}"})
            continue
        missing = [key for key in REQUIRED[kind] if not isinstance(item, dict) or key not in item]
        if missing:
            loaded.invalid.append({"line": number, "reason": f"faltan campos: {missing}"})
            continue
        loaded.items.append({**item, "_line": number})
    return loaded


def load(folder: Path, kind: str) -> Loaded:
    """The file <folder>/<kind>.jsonl (FileNotFoundError when the set has none)."""
    with (folder / f"{kind}.jsonl").open(encoding="utf-8") as lines:
        return parse_lines(kind, lines)


def clip(text: object, width: int = 80) -> str:
    """A text cut for the error lists."""
    value = " ".join(str(text or "").split())
    return value if len(value) <= width else value[: width - 1] + "…"
