"""The theme of a case from its meaning: the admin's classifier (POST /api/v1/classify)."""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from actions.api_client import ApiError
from actions.common import api_client, infer_category

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=256)
def _classified(description: str) -> str:
    return json.dumps(api_client().classify(description))


def classify(description: str) -> dict[str, Any]:
    """The classifier's answer; one call per description even when two validators ask (the
    opening message validates the description and the theme in the same turn)."""
    return dict(json.loads(_classified(description)))


def theme_of(description: str) -> dict[str, Any]:
    """The theme the classifier reads in the description; below its threshold the form asks,
    offering its three most likely themes (never "otro" in silence)."""
    try:
        suggestion = classify(description)
    except ApiError as error:
        # the admin is away: a clear keyword match will do, otherwise the resident chooses
        logger.warning("classify_failed error=%s", type(error).__name__)
        return {"categoria": infer_category(description), "categorias_sugeridas": None}
    top = [item.get("code") for item in suggestion.get("top") or [] if item.get("code")]
    return {"categoria": suggestion.get("category"), "categorias_sugeridas": top[:3] or None}


# a sugerencia or felicitación is never asked its theme: the likeliest one is kept when it is
# this probable (staff reclassify; below it the case goes without theme to OIRS triage)
UNASKED_THEME_FLOOR = 0.25


def confident_theme(description: str) -> str | None:
    """The theme of a case that never asks it (sugerencia, felicitación): the classifier's
    first choice when reasonably probable; nothing is filed under "otro" by default."""
    try:
        suggestion = classify(description)
    except ApiError as error:
        logger.warning("classify_failed error=%s", type(error).__name__)
        return None
    if suggestion.get("category"):
        return str(suggestion["category"])
    top = suggestion.get("top") or []
    if top and float(top[0].get("probability") or 0) >= UNASKED_THEME_FLOOR:
        code = top[0].get("code")
        return str(code) if code and code != "otro" else None
    return None
