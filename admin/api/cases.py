"""Case endpoints: file, read, status look-up with a second factor, "mis casos"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from oirs_rules.dates import SANTIAGO
from sqlalchemy import select

from admin.api import bp
from admin.api.scopes import requires_scope
from admin.api.serialise import case_json, case_summary
from admin.database import calendar, db
from admin.errors import error_response
from oirs.cases.filing import (
    ContactData,
    NewCase,
    due_date_display,
    file_case,
    get_case,
    matches_factor,
)
from oirs.errors import CaseNotFound, InvalidField
from oirs.models import Case
from oirs.outbox.folio_notice import queue_folio_notice
from oirs.reporting.satisfaction import record_satisfaction

TEXT_FIELDS = (
    "type",
    "channel",
    "description",
    "category",
    "address",
    "channel_user_id",
    "conversation_id",
    "idempotency_key",
)
CONTACT_FIELDS = ("name", "email", "phone", "rut", "postal_address", "preferred_channel")


def _today() -> Any:
    return datetime.now(SANTIAGO).date()


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidField({"body": "El cuerpo debe ser un objeto JSON."})
    return body


def _str_field(body: dict[str, Any], key: str, errors: dict[str, str], prefix: str = "") -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        errors[prefix + key] = "Debe ser texto."
        return None
    if isinstance(value, str) and len(value) > 10_000:
        errors[prefix + key] = "Es demasiado largo."
        return None
    return value


def parse_new_case(body: dict[str, Any]) -> NewCase:
    """Turn the JSON body into a NewCase, rejecting wrong types with Spanish messages."""
    errors: dict[str, str] = {}
    fields = {key: _str_field(body, key, errors) for key in TEXT_FIELDS}
    contact_body = body.get("contact") or {}
    if not isinstance(contact_body, dict):
        errors["contact"] = "Debe ser un objeto."
        contact_body = {}
    contact = {key: _str_field(contact_body, key, errors, "contact.") for key in CONTACT_FIELDS}
    coords = body.get("coordinates") or {}
    lat = lon = None
    if coords:
        try:
            lat, lon = float(coords["lat"]), float(coords["lon"])
        except (TypeError, KeyError, ValueError):
            errors["coordinates"] = "Las coordenadas deben tener lat y lon numéricos."
    transcript = body.get("transcript") or []
    if not isinstance(transcript, list) or not all(isinstance(t, dict) for t in transcript):
        errors["transcript"] = "La transcripción debe ser una lista de mensajes."
        transcript = []
    details = body.get("sai") or {}
    if not isinstance(details, dict):
        errors["sai"] = "Debe ser un objeto."
        details = {}
    for key in ("type", "channel", "description"):
        if not fields.get(key) and key not in errors:
            errors[key] = "Este campo es obligatorio."
    if errors:
        raise InvalidField(errors)
    return NewCase(
        type=fields["type"],
        channel=fields["channel"],
        description=fields["description"],
        category=fields["category"],
        address=fields["address"],
        latitude=lat,
        longitude=lon,
        contact=ContactData(**contact),
        channel_user_id=fields["channel_user_id"],
        conversation_id=fields["conversation_id"],
        transcript=transcript[:500],
        details=details,
        idempotency_key=fields["idempotency_key"],
    )


def _send_folio(body: dict[str, Any]) -> bool:
    """`send_folio`: the assistant stopped waiting for this answer, the outbox takes the folio
    to the resident instead."""
    value = body.get("send_folio", False)
    if not isinstance(value, bool):
        raise InvalidField({"send_folio": "Debe ser verdadero o falso."})
    return value


@bp.post("/cases")
@requires_scope("bot")
def create_case() -> ResponseReturnValue:
    body = _json_body()
    send_folio = _send_folio(body)
    data = parse_new_case(body)
    session = db()
    with session.begin():
        case, created = file_case(session, data, calendar())
        payload: dict[str, Any] = {
            "folio": case.folio,
            "type": case.type,
            "status": case.status,
            "category": case.category.code if case.category else None,
            "unit": case.unit.name if case.unit else None,
            "due_date": case.due_date.isoformat(),
            "due_date_display": due_date_display(case.due_date),
        }
        if send_folio:
            notice = queue_folio_notice(session, case)
            payload["folio_notice"] = "queued" if notice is not None else "no_route"
    return jsonify(payload), 201 if created else 200


@bp.get("/cases/<folio>")
@requires_scope("read")
def read_case(folio: str) -> ResponseReturnValue:
    session = db()
    with session.begin():
        return jsonify(case_json(get_case(session, folio), calendar(), _today()))


@bp.post("/status-lookup")
@requires_scope("bot")
def status_lookup() -> ResponseReturnValue:
    body = _json_body()
    folio, factor = body.get("folio"), body.get("factor")
    if not isinstance(folio, str) or not isinstance(factor, str):
        raise InvalidField({"folio": "Indique el folio y un dato de contacto registrado."})
    session = db()
    with session.begin():
        try:
            case = get_case(session, folio)
        except CaseNotFound:
            case = None
        if case is None or not matches_factor(case, factor):
            return error_response(
                404,
                "not_found_or_mismatch",
                "No encontramos un caso con ese folio y ese dato de contacto.",
            )
        return jsonify(case_summary(case, calendar(), _today()))


@bp.get("/residents/cases")
@requires_scope("bot")
def resident_cases() -> ResponseReturnValue:
    channel = request.args.get("channel", "")
    user_id = request.args.get("channel_user_id", "")
    if not channel or not user_id:
        raise InvalidField({"channel_user_id": "Indique el canal y la identidad en el canal."})
    session = db()
    with session.begin():
        cases = session.scalars(
            select(Case)
            .where(Case.channel == channel, Case.channel_user_id == user_id)
            .order_by(Case.id.desc())
            .limit(10)
        ).all()
        cal, today = calendar(), _today()
        return jsonify({"cases": [case_summary(c, cal, today) for c in cases]})


@bp.post("/cases/<folio>/satisfaction")
@requires_scope("bot")
def rate_case(folio: str) -> ResponseReturnValue:
    """The resident's 1-5 answer to the satisfaction question sent with the reply."""
    body = _json_body()
    score = body.get("score")
    if isinstance(score, bool) or not isinstance(score, int):
        raise InvalidField({"score": "La nota debe ser un número entero del 1 al 5."})
    session = db()
    with session.begin():
        case = get_case(session, folio)
        record_satisfaction(case, score)
        return jsonify({"folio": case.folio, "score": score}), 201
