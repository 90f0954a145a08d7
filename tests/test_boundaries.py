"""Where the layers stop (issue 15): the core names no folder of the bot or the admin."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# a path built or written with a top-level folder of another layer: ROOT / "bot", "admin/templates"
OTHER_LAYER_PATH = re.compile(
    r"""/\s*["'](?:bot|admin|channels|actions|nlu)["']|["'](?:bot|admin|channels|actions|data/nlu)/"""
)


def test_the_core_reads_no_file_of_the_bot_or_the_admin_by_path() -> None:
    """Letters and the FAQ are given to the core (package data, arguments), never looked up."""
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{number}"
        for path in sorted((ROOT / "oirs").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OTHER_LAYER_PATH.search(line)
    ]
    assert found == []
