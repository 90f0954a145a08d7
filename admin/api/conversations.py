"""The bot reports how each conversation went (started, FAQ answered, case filed, status
given, handed off): the ground of the containment statistics."""

from __future__ import annotations

import logging

from flask import jsonify
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.cases import _json_body, _str_field
from admin.api.scopes import requires_scope
from admin.database import db
from oirs.errors import InvalidField
from oirs.handoffs.conversations import record_outcome

log = logging.getLogger(__name__)
MISSING = "Indique la conversación (hash), el canal y el resultado."


@bp.post("/conversations/outcomes")
@requires_scope("bot")
def report_outcome() -> ResponseReturnValue:
    """Record one start or outcome of a conversation, named by the bot's hash of its id."""
    body = _json_body()
    errors: dict[str, str] = {}
    fields = {key: _str_field(body, key, errors) for key in ("conversation", "channel", "outcome")}
    if errors or not all(fields.values()):
        raise InvalidField(errors or {"conversation": MISSING})
    session = db()
    with session.begin():
        row = record_outcome(session, fields["conversation"], fields["channel"], fields["outcome"])
    log.info("conversation_outcome channel=%s outcome=%s", row.channel, row.outcome)
    return jsonify({"outcome": row.outcome, "channel": row.channel}), 201
