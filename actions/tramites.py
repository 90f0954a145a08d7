"""Municipal procedures outside the OIRS: the resident learns where to go, nothing is filed.

The procedures are data (actions/tramites.yml, or the file named by OIRS_TRAMITES_FILE), so a
commune lists its own offices and links without touching code.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import say
from actions.outcomes import FAQ_ANSWERED, report_outcome
from actions.validators import fold

DEFAULT_PATH = Path(__file__).with_name("tramites.yml")
PATH_VARIABLE = "OIRS_TRAMITES_FILE"
_FIELDS = ("key", "name", "keywords", "where", "link")


class TramitesConfigError(ValueError):
    """The procedures file is missing, unreadable or lacks a required field."""


@dataclass(frozen=True)
class Tramite:
    key: str
    name: str
    where: str
    link: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class TramiteCatalog:
    website: str
    tramites: tuple[Tramite, ...]

    def match(self, text: str) -> Tramite | None:
        """The procedure named in the text: the one with the longest keyword found there."""
        folded = fold(text or "")
        best: tuple[int, Tramite] | None = None
        for tramite in self.tramites:
            found = [len(k) for k in tramite.keywords if _keyword_pattern(k).search(folded)]
            if found and (best is None or max(found) > best[0]):
                best = (max(found), tramite)
        return best[1] if best else None


@functools.lru_cache(maxsize=256)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # a keyword starts a word; its end may run on ("subsidio" matches "subsidios")
    return re.compile(r"(?<![a-z0-9ñ])" + re.escape(fold(keyword)))


def configured_path() -> Path:
    """The procedures file this deployment uses."""
    return Path(os.environ.get(PATH_VARIABLE) or DEFAULT_PATH)


@functools.lru_cache(maxsize=4)
def load_catalog(path: Path) -> TramiteCatalog:
    """Read and check a procedures file once per process; a broken file fails loudly."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise TramitesConfigError(f"cannot read procedures file {path}: {error}") from error
    website = str(data.get("sitio_web") or "").strip()
    if not website:
        raise TramitesConfigError(f"{path}: sitio_web is required")
    entries = data.get("tramites") or []
    return TramiteCatalog(website, tuple(_tramite(entry, website, path) for entry in entries))


def _tramite(entry: dict[str, Any], website: str, path: Path) -> Tramite:
    missing = [field for field in _FIELDS if not entry.get(field)]
    if missing:
        raise TramitesConfigError(f"{path}: {entry.get('key', '?')} lacks {', '.join(missing)}")
    return Tramite(
        key=str(entry["key"]),
        name=str(entry["name"]),
        where=str(entry["where"]),
        link=str(entry["link"]).replace("{sitio_web}", website),
        keywords=tuple(str(keyword) for keyword in entry["keywords"]),
    )


def catalog() -> TramiteCatalog:
    """The configured procedures."""
    return load_catalog(configured_path())


class ActionTramite(Action):
    """Says which office handles the procedure asked about, with a link; files nothing."""

    def name(self) -> str:
        return "action_tramite"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        procedures = catalog()
        tramite = procedures.match((tracker.latest_message or {}).get("text") or "")
        if tramite is None:
            say(dispatcher, tracker, "tramite_general", sitio_web=procedures.website)
            return []
        say(
            dispatcher,
            tracker,
            "tramite_encontrado",
            tramite_nombre=tramite.name,
            tramite_donde=tramite.where,
            tramite_enlace=tramite.link,
        )
        report_outcome(tracker, FAQ_ANSWERED)
        return []
