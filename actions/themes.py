"""The theme of a case from its meaning: the admin's classifier (POST /api/v1/classify)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from actions.common import api_client, infer_category
from api_client import ApiError

logger = logging.getLogger(__name__)


# the classifier's latest answers by description, oldest first (failures are not kept)
_ANSWERS: OrderedDict[str, dict[str, Any]] = OrderedDict()
_KEPT_ANSWERS = 256


def forget_answers() -> None:
    """Drop the kept answers (a new classifier, or a test)."""
    _ANSWERS.clear()


async def classify(description: str) -> dict[str, Any]:
    """The classifier's answer; one call per description even when two validators ask (the
    opening message validates the description and the theme in the same turn)."""
    answer = _ANSWERS.get(description)
    if answer is None:
        answer = await api_client().classify(description)
        _ANSWERS[description] = answer
        while len(_ANSWERS) > _KEPT_ANSWERS:
            _ANSWERS.popitem(last=False)
    else:
        _ANSWERS.move_to_end(description)
    return dict(answer)


async def theme_of(description: str) -> dict[str, Any]:
    """The theme the classifier reads in the description; below its threshold the form asks,
    offering its three most likely themes (never "otro" in silence)."""
    try:
        suggestion = await classify(description)
    except ApiError as error:
        # the admin is away: a clear keyword match will do, otherwise the resident chooses
        logger.warning("classify_failed error=%s", type(error).__name__)
        return {"categoria": infer_category(description), "categorias_sugeridas": None}
    top = [item.get("code") for item in suggestion.get("top") or [] if item.get("code")]
    return {"categoria": suggestion.get("category"), "categorias_sugeridas": top[:3] or None}


# a sugerencia or felicitación is never asked its theme: the likeliest one is kept when it is
# this probable (staff reclassify; below it the case goes without theme to OIRS triage)
UNASKED_THEME_FLOOR = 0.25


async def confident_theme(description: str) -> str | None:
    """The theme of a case that never asks it (sugerencia, felicitación): the classifier's
    first choice when reasonably probable; nothing is filed under "otro" by default."""
    try:
        suggestion = await classify(description)
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
