"""Theme suggestion for a case description: the bot asks before it offers categories."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.cases import _json_body
from admin.api.scopes import requires_scope
from admin.database import db
from oirs.cases.filing import MAX_DESCRIPTION
from oirs.errors import InvalidField
from oirs.themes.store import model_source, suggest

MESSAGES = {
    "missing": "Escriba el texto que quiere clasificar.",
    "not_text": "El texto debe ser una cadena de caracteres.",
    "too_long": "El texto es demasiado largo (máximo {max} caracteres).",
}


def _text(body: dict[str, object]) -> str:
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise InvalidField({"text": MESSAGES["not_text"]})
    if not text or not text.strip():
        raise InvalidField({"text": MESSAGES["missing"]})
    if len(text) > MAX_DESCRIPTION:
        limit = f"{MAX_DESCRIPTION:,}".replace(",", ".")
        raise InvalidField({"text": MESSAGES["too_long"].format(max=limit)})
    return text


@bp.post("/classify")
@requires_scope("bot", "read")
def classify_text() -> ResponseReturnValue:
    """The three likeliest categories with probabilities; `category` only above the threshold."""
    text = _text(_json_body())
    session = db()
    with session.begin():
        source = model_source(session)
    # Fitting (first call of a process) and predicting happen outside the transaction.
    return jsonify(suggest(source, text).as_dict())
