"""Every route of the app, walked by every role and by an anonymous visitor: the answer
(200 / 302 to the login / 403) must match the one permission table."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.permissions import PERMISSIONS
from admin.auth.web import STAFF_BLUEPRINTS
from oirs.calendar.business_days import BusinessCalendar
from oirs.models import (
    Attachment,
    Category,
    DeadlineRule,
    ExtraHoliday,
    ReplyTemplate,
    Unit,
    User,
)
from tests.admin.staff import ROLES, csrf, login, make_user, new_case

ALL = set(ROLES)
# The matrix as intended, pinned here so a change to the permission table is a visible decision.
EXPECTED = {
    "auth.change_password": ALL,
    "cases.inbox": ALL,
    "cases.detail": ALL,
    "cases.attachment": ALL,
    "cases.add_note": ALL,
    "cases.act": {"agent", "oirs", "transparency", "unit", "admin"},
    "cases.reply": {"oirs", "transparency", "admin"},
    "cases.new": {"agent", "oirs", "transparency", "admin"},
    "cases.correct_contact_data": {"oirs", "transparency", "admin"},
    "cases.publish_description": {"oirs", "admin"},
    **{
        f"settings_ui.{name}": {"admin"}
        for name in [
            "index",
            "units",
            "edit_unit",
            "categories",
            "edit_category",
            "rules",
            "delete_rule",
            "holidays",
            "delete_holiday",
            "templates",
            "edit_template",
            "users",
            "edit_user",
            "reset_password",
            "unlock_user",
        ]
    },
}
PUBLIC_STAFF_ROUTES = {"auth.home", "auth.login", "auth.logout"}
MUST_BE_200 = {
    e
    for e in EXPECTED
    if e.startswith(("cases.inbox", "cases.detail", "cases.new", "settings_ui."))
}


@pytest.fixture
def ids(app: Flask, db_session: Session) -> dict[str, Any]:
    """A value for every URL argument of the app (real rows where screens need them)."""
    case = new_case(db_session, BusinessCalendar(), category="aseo")  # DIMAO, the unit user's
    sai = new_case(
        db_session,
        BusinessCalendar(),
        type_="sai",
        category=None,  # type: ignore[arg-type]
        channel="web",
        description="Copia de los contratos de aseo 2025",
        contact=__import__("oirs.cases.filing", fromlist=["ContactData"]).ContactData(
            name="Ana Pérez Soto", email="ana@example.cl"
        ),
    )
    from datetime import date, timedelta

    data_dir = app.extensions["oirs_settings"].data_dir
    (data_dir / "attachments").mkdir(parents=True, exist_ok=True)
    (data_dir / "attachments" / "matriz.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with db_session.begin():
        attachment = Attachment(
            case_id=case.id,
            filename="f.png",
            content_type="image/png",
            size=8,
            sha256="0" * 64,
            storage_key="matriz.png",
        )
        rule = DeadlineRule(case_type="reclamo", category_code=None, business_days=15)
        holiday = ExtraHoliday(day=date.today() + timedelta(days=400), reason="prueba")
        template = ReplyTemplate(code="matriz", name="Matriz", body="Hola {nombre}")
        db_session.add_all([attachment, rule, holiday, template])
        db_session.flush()
        target = User(email="objetivo@prueba.cl", name="Objetivo", role="oirs", password_hash="x")
        db_session.add(target)
        db_session.flush()
        unit = db_session.scalar(select(Unit).where(Unit.code == "DIMAO"))
        category = db_session.scalar(select(Category).where(Category.code == "aseo"))
        values = {
            "folio": case.folio,
            "action": "tomar",
            "attachment_id": attachment.id,
            "unit_id": unit.id if unit else 0,
            "category_id": category.id if category else 0,
            "template_id": template.id,
            "rule_id": rule.id,
            "user_id": target.id,
            "holiday_id": holiday.id,
            "step": "analizar",
            "handoff_id": 999999,
            "index": 0,
            "fmt": "json",
            "request_id": case.folio,
            "filename": "admin.css",
            "_any": "x",
            "sai_folio": sai.folio,
        }
    return values


def url_for_rule(rule: Any, ids: dict[str, Any]) -> str:
    values = {}
    for arg in rule.arguments:
        assert arg in ids, f"route {rule.rule} needs a test value for <{arg}>"
        values[arg] = ids[arg]
    if rule.endpoint.startswith("sai.") and "folio" in values:
        values["folio"] = ids["sai_folio"]
    url = rule.rule
    for arg, value in values.items():
        for converter in ("", "int:", "path:"):
            url = url.replace(f"<{converter}{arg}>", str(value))
    return url


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every session-authenticated route."""
    routes = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else None
        if blueprint not in STAFF_BLUEPRINTS or rule.endpoint in PUBLIC_STAFF_ROUTES:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule))
    return routes


def test_every_staff_route_declares_a_permission_of_the_table(app: Flask) -> None:
    undeclared = []
    for endpoint, _method, _rule in staff_routes(app):
        permission = getattr(app.view_functions[endpoint], "required_permission", None)
        if permission not in PERMISSIONS:
            undeclared.append(endpoint)
    assert not undeclared, f"staff routes without @requires(...): {sorted(set(undeclared))}"


def test_pinned_matrix_matches_the_permission_table(app: Flask) -> None:
    for endpoint, roles in EXPECTED.items():
        permission = app.view_functions[endpoint].required_permission  # type: ignore[attr-defined]
        assert set(PERMISSIONS[permission]) == roles, endpoint


def _call(client: FlaskClient, method: str, url: str, token: str) -> tuple[int, str]:
    if method == "GET":
        response = client.get(url)
    else:
        response = client.open(url, method=method, data={"csrf_token": token})
    status, location = response.status_code, response.headers.get("Location", "")
    response.close()
    return status, location


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_route_answers_each_role_as_the_table_says(
    app: Flask, client: FlaskClient, db_session: Session, ids: dict[str, Any], role: str | None
) -> None:
    if role is not None:
        make_user(db_session, role)
        assert login(client, f"{role}@prueba.cl").status_code == 302
    token = csrf(client, "/cuenta/contrasena" if role else "/ingresar")
    wrong = []
    routes = staff_routes(app)
    for endpoint, method, rule in sorted(routes, key=lambda r: (r[1] != "GET", r[0])):
        permission = getattr(app.view_functions[endpoint], "required_permission", None)
        if permission is None:
            continue  # reported by the declaration test
        status, location = _call(client, method, url_for_rule(rule, ids), token)
        to_login = status == 302 and "/ingresar" in location
        if role is None:
            ok = to_login
            want = "302 → /ingresar"
        elif role in PERMISSIONS[permission]:
            ok = status != 403 and not to_login and status < 500
            if method == "GET" and endpoint in MUST_BE_200:
                ok = status == 200
            want = "200" if method == "GET" and endpoint in MUST_BE_200 else "allowed"
        else:
            ok = status == 403
            want = "403"
        if not ok:
            wrong.append(f"{method} {rule.rule} ({endpoint}) as {role}: {status}, want {want}")
    assert not wrong, "\n".join(wrong)


def public_get_routes(app: Flask, ids: dict[str, Any]) -> list[str]:
    """GET routes outside the staff areas: public, token or widget doors."""
    urls = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else rule.endpoint
        if blueprint in STAFF_BLUEPRINTS or "GET" not in (rule.methods or set()):
            continue
        urls.append(url_for_rule(rule, ids))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_routes_outside_the_staff_areas_answer_every_role_as_anonymous(
    app: Flask, client: FlaskClient, db_session: Session, ids: dict[str, Any], role: str
) -> None:
    """A staff session cookie neither opens nor changes the token API, Open311 or the widget."""
    urls = public_get_routes(app, ids)
    anonymous = {url: _call(client, "GET", url, "")[0] for url in urls}
    assert 401 in anonymous.values(), "the token API must refuse a visitor without a token"
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    with_cookie = {url: _call(client, "GET", url, "")[0] for url in urls}
    assert with_cookie == anonymous
