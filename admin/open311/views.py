"""GeoReport v2 endpoints. GET is public and shows only what the OIRS published (rate-limited
per address); an `open311` token as `api_key` files requests and reads back its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Response, abort, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from admin.api.scopes import PUBLIC, requires_scope
from admin.api.tokens import authenticate
from admin.database import calendar, db
from admin.open311 import bp
from admin.open311.render import document, errors, service, service_request
from oirs.cases import workflow
from oirs.cases.filing import ContactData, NewCase, due_date_display, file_case, get_case
from oirs.errors import CaseNotFound, InvalidField
from oirs.models import ApiToken, Case, Category, utcnow

FORMATS = ("json", "xml")
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MESSAGES = {
    "api_key": (
        "Falta un api_key válido de Open311 (créelo con «oirs create-token --scope open311»)."
    ),
    "service_code": "El service_code no existe.",
    "location": "Indique la ubicación: lat y long, o address_string.",
    "coordinates": "lat y long deben ser números válidos.",
    "date": "Las fechas deben estar en formato ISO 8601 (W3C).",
    "not_found": "No existe una solicitud con ese identificador.",
    "notice": "Reclamo {folio} ingresado; plazo de respuesta: {due}.",
}


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _services() -> list[Category]:
    query = (
        select(Category)
        .where(Category.active.is_(True), Category.open311_code.is_not(None))
        .options(joinedload(Category.unit))
        .order_by(Category.name)
    )
    return list(db().scalars(query))


@bp.get("/services.<fmt>")
@requires_scope(PUBLIC)
def services(fmt: str) -> Response:
    fmt = _format(fmt)
    with db().begin():
        return document("service", [service(c) for c in _services()], fmt)


def _case_query() -> Any:
    return (
        select(Case)
        .join(Category, Case.category_id == Category.id)
        .where(Case.type == "reclamo", Category.open311_code.is_not(None))
        .options(
            joinedload(Case.category),
            joinedload(Case.unit),
            selectinload(Case.events),
        )
    )


def _when(name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidField({name: MESSAGES["date"]}) from exc
    if moment.tzinfo is None:
        raise InvalidField({name: MESSAGES["date"]})
    return moment


def _filtered(query: Any) -> Any:
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return query.where(Case.folio.in_(ids))
    codes = [c.strip() for c in request.args.get("service_code", "").split(",") if c.strip()]
    if codes:
        query = query.where(Category.open311_code.in_(codes))
    start, end = _when("start_date"), _when("end_date")
    query = query.where(Case.created_at >= (start or (end or utcnow()) - DEFAULT_WINDOW))
    if end is not None:
        query = query.where(Case.created_at <= end)
    statuses = {s.strip() for s in request.args.get("status", "").split(",") if s.strip()}
    if statuses == {"open"}:
        query = query.where(Case.status.not_in(workflow.ANSWERED_STATUSES))
    elif statuses == {"closed"}:
        query = query.where(Case.status.in_(workflow.ANSWERED_STATUSES))
    return query.order_by(Case.created_at.desc()).limit(MAX_RESULTS)


class KeyRefused(Exception):
    """An api_key was given but it is not a live token with the open311 scope."""


def _client(key: str | None) -> ApiToken | None:
    """The Open311 client behind `api_key`; None without one; KeyRefused for a wrong one."""
    if not key or not key.strip():
        return None
    token = authenticate(key.strip())
    if token is None or "open311" not in token.scope_set:
        raise KeyRefused
    return token


def _filed_by(case: Case, client: ApiToken | None) -> bool:
    filer = (case.details or {}).get("open311", {}).get("token_id")
    return client is not None and filer == client.id


@bp.get("/requests.<fmt>")
@requires_scope(PUBLIC)
def list_requests(fmt: str) -> Response:
    fmt = _format(fmt)
    try:
        client = _client(request.args.get("api_key"))
        with db().begin():
            cases = db().scalars(_filtered(_case_query())).unique().all()
            items = [service_request(c, own=_filed_by(c, client)) for c in cases]
            return document("request", items, fmt)
    except KeyRefused:
        return errors(403, [MESSAGES["api_key"]], fmt)
    except InvalidField as exc:
        return errors(400, list(exc.fields.values()), fmt)


@bp.get("/requests/<request_id>.<fmt>")
@requires_scope(PUBLIC)
def read_request(request_id: str, fmt: str) -> Response:
    fmt = _format(fmt)
    try:
        client = _client(request.args.get("api_key"))
    except KeyRefused:
        return errors(403, [MESSAGES["api_key"]], fmt)
    with db().begin():
        try:
            case = get_case(db(), request_id)
        except CaseNotFound:
            case = None
        if case is None or case.type != "reclamo" or case.category is None:
            return errors(404, [MESSAGES["not_found"]], fmt)
        return document("request", [service_request(case, own=_filed_by(case, client))], fmt)


def _new_case(form: Any, category: Category, token: ApiToken) -> NewCase:
    """A reclamo from GeoReport fields; the resident's name joins first and last name."""
    lat = lon = None
    if form.get("lat") or form.get("long"):
        try:
            lat, lon = float(form.get("lat", "")), float(form.get("long", ""))
        except ValueError as exc:
            raise InvalidField({"lat": MESSAGES["coordinates"]}) from exc
    address = (form.get("address_string") or "").strip() or None
    if lat is None and address is None:
        raise InvalidField({"location": MESSAGES["location"]})
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    return NewCase(
        type="reclamo",
        channel="open311",
        description=form.get("description") or "",
        category=category.code,
        address=address,
        latitude=lat,
        longitude=lon,
        contact=ContactData(name=name, email=form.get("email"), phone=form.get("phone")),
        channel_user_id=form.get("device_id") or form.get("account_id") or None,
        details={
            "open311": {
                "client": token.name,
                "token_id": token.id,
                "media_url": form.get("media_url") or None,
                "address_id": form.get("address_id") or None,
            }
        },
    )


@bp.post("/requests.<fmt>")
@requires_scope("open311")
def create_request(fmt: str) -> Response:
    fmt = _format(fmt)
    form = request.form if request.form else request.args
    try:
        token = _client(form.get("api_key") or request.args.get("api_key"))
    except KeyRefused:
        token = None
    if token is None:
        return errors(403, [MESSAGES["api_key"]], fmt)
    session = db()
    try:
        with session.begin():
            category = session.scalar(
                select(Category).where(
                    Category.open311_code == (form.get("service_code") or ""),
                    Category.active.is_(True),
                )
            )
            if category is None:
                raise InvalidField({"service_code": MESSAGES["service_code"]})
            case, _ = file_case(session, _new_case(form, category, token), calendar())
            payload = {
                "service_request_id": case.folio,
                "service_notice": MESSAGES["notice"].format(
                    folio=case.folio, due=due_date_display(case.due_date)
                ),
                "account_id": None,
            }
    except InvalidField as exc:
        return errors(400, list(exc.fields.values()), fmt)
    return document("request", [payload], fmt, status=201)
