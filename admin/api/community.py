"""Duplicate-looking reclamos, adhesions, and the commune's public data for the bot."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from admin.api import bp
from admin.api.cases import CONTACT_FIELDS, _json_body, _str_field
from admin.api.scopes import requires_scope
from admin.database import db, settings
from oirs.cases.adhesions import adhere, similar_open_reclamos
from oirs.cases.filing import ContactData, due_date_display, get_case
from oirs.errors import InvalidField
from oirs.reporting.publication import coarse_address
from oirs.settings import CommuneInfo

# every answer of the API names the version of the commune's settings it was given with
SETTINGS_VERSION_HEADER = "X-OIRS-Settings-Version"


@bp.get("/cases/similar")
@requires_scope("bot")
def similar_cases() -> ResponseReturnValue:
    category = request.args.get("category", "")
    address = request.args.get("address", "")
    if not category or not address:
        raise InvalidField({"address": "Indique la categoría y la dirección."})
    session = db()
    with session.begin():
        cases = similar_open_reclamos(session, category, address)
        # What the bot words its offer with (actions/reclamo.py), nothing more: another
        # resident's reclamo shows its place as Open311 does, the street without the house.
        return jsonify(
            {
                "cases": [
                    {
                        "folio": c.folio,
                        "category": c.category.code if c.category else None,
                        "address": coarse_address(c.address, [c.contact_name]),
                        "adhesions": count,
                    }
                    for c, count in cases
                ]
            }
        )


@bp.post("/cases/<folio>/adhesions")
@requires_scope("bot")
def add_adhesion(folio: str) -> ResponseReturnValue:
    body = _json_body()
    errors: dict[str, str] = {}
    raw_contact = body.get("contact")
    contact_body: dict[str, Any] = raw_contact if isinstance(raw_contact, dict) else {}
    contact = ContactData(
        **{k: _str_field(contact_body, k, errors, "contact.") for k in CONTACT_FIELDS}
    )
    channel = _str_field(body, "channel", errors) or "web"
    user_id = _str_field(body, "channel_user_id", errors)
    if errors:
        raise InvalidField(errors)
    session = db()
    with session.begin():
        case = get_case(session, folio)
        total = adhere(session, case, contact, channel, user_id)
        answer = {
            "folio": case.folio,
            "adhesions": total,
            "due_date": case.due_date.isoformat(),
            "due_date_display": due_date_display(case.due_date),
        }
        return jsonify(answer), 201


@bp.get("/commune")
@requires_scope("bot", "read")
def commune() -> ResponseReturnValue:
    return jsonify(asdict(settings().commune))


@functools.lru_cache(maxsize=8)
def settings_version(commune: CommuneInfo) -> str:
    """A short digest of the commune's settings: it changes when any of them does."""
    text = json.dumps(asdict(commune), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@bp.after_request
def _name_settings_version(response: Response) -> Response:
    """The bot keeps the commune's settings a minute (actions/session.py); this header on any
    answer tells it at once that an admin changed them."""
    response.headers[SETTINGS_VERSION_HEADER] = settings_version(settings().commune)
    return response
