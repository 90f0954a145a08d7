"""A resident's reply to the satisfaction question, matched to the answer that asked it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import jsonify
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.cases import _json_body, _str_field
from admin.api.scopes import requires_scope
from admin.database import db
from admin.errors import error_response
from oirs.errors import InvalidField
from oirs.reporting.satisfaction import (
    acknowledgement,
    awaiting_rating,
    parse_rating,
    record_satisfaction,
)

log = logging.getLogger(__name__)
MESSAGES = {
    "missing": "Indique el canal, la identidad en el canal y el texto del vecino.",
    "not_a_rating": "El mensaje no contiene una evaluación.",
    "none_pending": "No hay una respuesta reciente esperando evaluación de este vecino.",
    "bad_time": "Debe ser un instante en segundos desde 1970.",
}


@bp.post("/residents/satisfaction")
@requires_scope("bot")
def rate_last_answer() -> ResponseReturnValue:
    """Record "5", "un 7"… sent by the resident the last answer asked to rate; 404 if none."""
    body = _json_body()
    errors: dict[str, str] = {}
    channel = _str_field(body, "channel", errors)
    user_id = _str_field(body, "channel_user_id", errors)
    text = _str_field(body, "text", errors)
    if errors or not channel or not user_id or text is None:
        raise InvalidField(errors or {"channel_user_id": MESSAGES["missing"]})
    spoke = body.get("bot_spoke_at")  # epoch seconds of the bot's last message, if known
    if spoke is not None and (isinstance(spoke, bool) or not isinstance(spoke, int | float)):
        raise InvalidField({"bot_spoke_at": MESSAGES["bad_time"]})
    try:
        bot_spoke_at = datetime.fromtimestamp(spoke, UTC) if spoke is not None else None
    except (ValueError, OverflowError, OSError) as exc:  # beyond the years a clock can say
        raise InvalidField({"bot_spoke_at": MESSAGES["bad_time"]}) from exc
    rating = parse_rating(text)
    if rating is None:
        return error_response(422, "not_a_rating", MESSAGES["not_a_rating"])
    session = db()
    with session.begin():
        case = awaiting_rating(session, channel, user_id, bot_spoke_at=bot_spoke_at)
        if case is None:
            return error_response(404, "no_pending_rating", MESSAGES["none_pending"])
        record_satisfaction(case, rating.score)
        log.info("satisfaction folio=%s channel=%s score=%s", case.folio, channel, rating.score)
        answer = {
            "folio": case.folio,
            "score": rating.score,
            "given": rating.given,
            "grade": rating.grade,
            "message": acknowledgement(rating),
        }
        return jsonify(answer), 201
