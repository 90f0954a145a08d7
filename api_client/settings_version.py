"""The version of the commune's settings named by the admin's latest answer to this process."""

from __future__ import annotations

_latest: str | None = None


def latest() -> str | None:
    """The version the admin's latest answer named (None until an answer carried one)."""
    return _latest


def note(version: str | None) -> None:
    global _latest
    if version:
        _latest = version


def forget() -> None:
    global _latest
    _latest = None
