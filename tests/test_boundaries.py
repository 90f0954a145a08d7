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


# Readers left in files other people were changing that day (issue 15), or that read a
# variable of gunicorn itself rather than a setting of ours; each must go or say why here.
KNOWN_ENVIRONMENT_READERS = {
    # OIRS_ATTACHMENT_MAX_BYTES: its callers include admin/api/attachments.py
    "oirs/files/attachments.py",
    # gunicorn's own GUNICORN_CMD_ARGS and PORT, to see where gunicorn binds
    "admin/startup.py",
}
ENVIRONMENT_READ = re.compile(r"os\.environ|getenv\(")


def test_the_app_reads_the_environment_only_through_settings() -> None:
    """oirs/settings.py reads every variable once into the typed Settings the app passes on."""
    found = {
        path.relative_to(ROOT).as_posix()
        for folder in ("oirs", "admin")
        for path in (ROOT / folder).rglob("*.py")
        if ENVIRONMENT_READ.search(path.read_text(encoding="utf-8"))
    }
    assert found - KNOWN_ENVIRONMENT_READERS == {"oirs/settings.py"}
    assert KNOWN_ENVIRONMENT_READERS - found == set(), "a reader went: take it off the list"
