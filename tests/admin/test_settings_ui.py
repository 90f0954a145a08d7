"""Admin settings screens: units, categories, deadline rules, holidays, templates, users."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin import create_app
from oirs.calendar.terms import load_calendar, term_for
from oirs.models import Category, DeadlineRule, ExtraHoliday, ReplyTemplate, Unit, User
from oirs.settings import Settings
from tests.admin.staff import PASSWORD, login, make_user, post


@pytest.fixture
def admin_client(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, "admin")
    assert login(client, "admin@prueba.cl").status_code == 302
    return client


def send(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return post(client, path, data, token_page="/configuracion/")


def fresh(db_session: Session) -> Session:
    db_session.rollback()
    db_session.expire_all()
    return db_session


def next_weekday(days_ahead: int) -> date:
    day = date.today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("role", ["oirs", "supervisor", "unit", "agent", "transparency"])
def test_only_admins_reach_the_settings(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    make_user(db_session, role)
    login(client, f"{role}@prueba.cl")
    assert client.get("/configuracion/").status_code == 403
    assert client.get("/configuracion/usuarios").status_code == 403


def test_admin_adds_a_unit_and_duplicates_are_refused(
    admin_client: FlaskClient, db_session: Session
) -> None:
    ok = send(
        admin_client,
        "/configuracion/unidades",
        {"code": "cultura", "name": "Corporación Cultural", "active": "y"},
    )
    assert ok.status_code == 303
    again = send(
        admin_client, "/configuracion/unidades", {"code": "CULTURA", "name": "Otra", "active": "y"}
    )
    assert again.status_code == 400 and "Ya existe un registro con ese código." in again.get_data(
        as_text=True
    )
    bad = send(admin_client, "/configuracion/unidades", {"code": "con espacios", "name": ""})
    html = bad.get_data(as_text=True)
    assert (
        bad.status_code == 400
        and "Use solo letras sin tilde" in html
        and "Este campo es obligatorio." in html
    )
    unit = fresh(db_session).scalar(select(Unit).where(Unit.code == "CULTURA"))
    assert unit is not None and unit.name == "Corporación Cultural"
    db_session.rollback()


def test_moving_a_category_to_another_unit_routes_new_cases_there(
    admin_client: FlaskClient, db_session: Session
) -> None:
    from oirs.calendar.business_days import BusinessCalendar
    from tests.admin.staff import new_case

    category = db_session.scalar(select(Category).where(Category.code == "ruido"))
    assert category is not None
    category_id = category.id
    db_session.rollback()
    page = admin_client.get(f"/configuracion/categorias/{category_id}").get_data(as_text=True)
    assert '<option selected value="INSP">' in page
    response = send(
        admin_client,
        f"/configuracion/categorias/{category_id}",
        {"name": "Ruidos molestos", "unit": "SEGPUB", "copy_unit": "", "active": "y"},
    )
    assert response.status_code == 303
    case = new_case(db_session, BusinessCalendar(), category="ruido")
    fresh(db_session)
    stored = db_session.get(type(case), case.id)
    assert stored is not None and stored.unit is not None and stored.unit.code == "SEGPUB"
    db_session.rollback()


def test_deadline_rule_per_category_applies_and_is_capped(
    admin_client: FlaskClient, db_session: Session
) -> None:
    too_long = send(
        admin_client,
        "/configuracion/plazos",
        {"case_type": "reclamo", "category": "ruido", "business_days": "25"},
    )
    assert (
        too_long.status_code == 400
        and "Indique entre 1 y 20 días hábiles." in too_long.get_data(as_text=True)
    )
    ok = send(
        admin_client,
        "/configuracion/plazos",
        {"case_type": "reclamo", "category": "ruido", "business_days": "10"},
    )
    assert ok.status_code == 303
    send(
        admin_client,
        "/configuracion/plazos",
        {"case_type": "reclamo", "category": "ruido", "business_days": "8"},
    )
    session = fresh(db_session)
    assert term_for(session, "reclamo", "ruido") == 8
    assert term_for(session, "reclamo", "aseo") == 15
    assert len(session.scalars(select(DeadlineRule)).all()) == 1, (
        "the same rule is updated, not duplicated"
    )
    db_session.rollback()


def test_sai_term_is_fixed_by_law_and_cannot_be_configured(
    admin_client: FlaskClient, db_session: Session
) -> None:
    page = admin_client.get("/configuracion/plazos").get_data(as_text=True)
    assert '<option value="sai"' not in page
    refused = send(
        admin_client,
        "/configuracion/plazos",
        {"case_type": "sai", "category": "", "business_days": "15"},
    )
    assert refused.status_code == 400 and "Opción inválida" in refused.get_data(as_text=True)


def test_extra_holiday_is_added_to_the_calendar(
    admin_client: FlaskClient, db_session: Session
) -> None:
    day = next_weekday(20)
    ok = send(
        admin_client,
        "/configuracion/feriados",
        {"day": day.isoformat(), "reason": "Elección primaria"},
    )
    assert ok.status_code == 303
    again = send(
        admin_client, "/configuracion/feriados", {"day": day.isoformat(), "reason": "Otra vez"}
    )
    assert "ya está registrada" in again.get_data(as_text=True)
    saturday = date.today() + timedelta(days=(5 - date.today().weekday()) % 7 or 7)
    weekend = send(
        admin_client, "/configuracion/feriados", {"day": saturday.isoformat(), "reason": "x"}
    )
    assert "fin de semana" in weekend.get_data(as_text=True)
    garbage = send(admin_client, "/configuracion/feriados", {"day": "31-02-2026", "reason": "x"})
    assert garbage.status_code == 400 and "Indique una fecha válida." in garbage.get_data(
        as_text=True
    )
    calendar = load_calendar(fresh(db_session), None)
    assert calendar.why_not_business(day) is not None
    holiday = db_session.scalar(select(ExtraHoliday))
    assert holiday is not None
    holiday_id = holiday.id
    db_session.rollback()
    assert (
        send(admin_client, f"/configuracion/feriados/{holiday_id}/eliminar", {}).status_code == 303
    )
    assert fresh(db_session).scalar(select(ExtraHoliday)) is None
    db_session.rollback()


def test_reply_template_with_unknown_variable_is_refused(
    admin_client: FlaskClient, db_session: Session
) -> None:
    bad = send(
        admin_client,
        "/configuracion/plantillas",
        {
            "code": "cierre",
            "name": "Cierre",
            "case_type": "",
            "body": "Hola {apodo}",
            "active": "y",
        },
    )
    assert bad.status_code == 400 and "Variables desconocidas: {apodo}" in bad.get_data(
        as_text=True
    )
    ok = send(
        admin_client,
        "/configuracion/plantillas",
        {
            "code": "cierre",
            "name": "Cierre",
            "case_type": "reclamo",
            "body": "Hola {nombre}, folio {folio}.",
            "active": "y",
        },
    )
    assert ok.status_code == 303
    template = fresh(db_session).scalar(select(ReplyTemplate).where(ReplyTemplate.code == "cierre"))
    assert template is not None and template.case_type == "reclamo"
    db_session.rollback()


def test_admin_creates_a_user_who_can_then_log_in(
    admin_client: FlaskClient, db_session: Session
) -> None:
    no_unit = send(
        admin_client,
        "/configuracion/usuarios",
        {
            "email": "resp@muni.cl",
            "name": "Resp",
            "role": "unit",
            "unit": "",
            "active": "y",
            "password": "una-clave-bastante-larga",
        },
    )
    assert no_unit.status_code == 400 and "debe pertenecer a una unidad" in no_unit.get_data(
        as_text=True
    )
    short = send(
        admin_client,
        "/configuracion/usuarios",
        {
            "email": "resp@muni.cl",
            "name": "Resp",
            "role": "unit",
            "unit": "DOM",
            "active": "y",
            "password": "corta",
        },
    )
    assert "al menos 12 caracteres" in short.get_data(as_text=True)
    ok = send(
        admin_client,
        "/configuracion/usuarios",
        {
            "email": "Resp@Muni.cl",
            "name": "Resp DOM",
            "role": "unit",
            "unit": "DOM",
            "active": "y",
            "password": "una-clave-bastante-larga",
        },
    )
    assert ok.status_code == 303
    duplicate = send(
        admin_client,
        "/configuracion/usuarios",
        {
            "email": "resp@muni.cl",
            "name": "Otra",
            "role": "oirs",
            "unit": "",
            "active": "y",
            "password": "una-clave-bastante-larga",
        },
    )
    assert "Ya existe un usuario con ese correo." in duplicate.get_data(as_text=True)
    post(admin_client, "/salir", {}, token_page="/configuracion/")
    assert login(admin_client, "resp@muni.cl", "una-clave-bastante-larga").status_code == 302


def test_deactivating_and_resetting_a_user(admin_client: FlaskClient, db_session: Session) -> None:
    target = make_user(db_session, "oirs")
    path = f"/configuracion/usuarios/{target.id}"
    page = admin_client.get(path).get_data(as_text=True)
    assert "Cambiar la contraseña de esta persona" in page
    assert (
        send(
            admin_client, path, {"name": "Persona oirs", "role": "oirs", "unit": "OIRS"}
        ).status_code
        == 303
    )
    user = fresh(db_session).get(User, target.id)
    assert user is not None and not user.active
    db_session.rollback()
    send(
        admin_client,
        path,
        {"name": "Persona oirs", "role": "supervisor", "unit": "SECMU", "active": "y"},
    )
    assert send(admin_client, f"{path}/contrasena", {"password": "corta"}).status_code == 400
    assert (
        send(admin_client, f"{path}/contrasena", {"password": "otra-clave-muy-segura"}).status_code
        == 303
    )
    user = fresh(db_session).get(User, target.id)
    assert user is not None and user.active and user.role == "supervisor"
    db_session.rollback()
    post(admin_client, "/salir", {}, token_page="/configuracion/")
    assert login(admin_client, "oirs@prueba.cl", PASSWORD).status_code == 401
    assert login(admin_client, "oirs@prueba.cl", "otra-clave-muy-segura").status_code == 302


def test_admin_cannot_demote_or_deactivate_themselves(
    admin_client: FlaskClient, db_session: Session
) -> None:
    me = fresh(db_session).scalar(select(User).where(User.email == "admin@prueba.cl"))
    assert me is not None
    my_id = me.id
    db_session.rollback()
    response = send(
        admin_client,
        f"/configuracion/usuarios/{my_id}",
        {"name": "Yo", "role": "oirs", "unit": "", "active": "y"},
    )
    assert (
        response.status_code == 400
        and "No puede quitarse el rol de administración" in response.get_data(as_text=True)
    )


class _LimiterClock:
    """Stands in for the in-memory limiter storage's clock."""

    now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def _row_of(html: str, email: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if email in row)


def test_an_account_held_back_by_the_login_throttle_shows_and_is_released_everywhere(
    app_settings: Settings,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The users page asks the login throttle (not the retired locked_until column), and
    Desbloquear frees every address held back on that account, recorded in the log."""
    import limits.storage.memory as memory_storage

    clock = _LimiterClock()
    monkeypatch.setattr(memory_storage, "time", clock)
    app = create_app(app_settings, TESTING=True)  # rate limits on, fresh counters
    target = make_user(db_session, "agent", email="titular@prueba.cl")
    make_user(db_session, "admin")

    def at(address: str) -> FlaskClient:
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = address
        return browser

    def attempt(browser: FlaskClient, password: str = PASSWORD) -> int:
        clock.now += 7  # under the blanket 10 login posts a minute per address
        return int(login(browser, "titular@prueba.cl", password).status_code)

    admin = at("200.0.0.1")
    assert login(admin, "admin@prueba.cl").status_code == 302
    users = admin.get("/configuracion/usuarios").get_data(as_text=True)
    assert "Activa" in _row_of(users, "titular@prueba.cl")
    holder, attacker = at("200.0.0.2"), at("200.0.0.3")
    for browser in (holder, attacker):
        assert [attempt(browser, "clave-equivocada-123") for _ in range(5)] == [401] * 5
        assert attempt(browser) == 401  # held back, even with the right password

    users = admin.get("/configuracion/usuarios").get_data(as_text=True)
    assert "Retenida" in _row_of(users, "titular@prueba.cl")
    assert "Retenida" not in _row_of(users, "admin@prueba.cl")
    page = admin.get(f"/configuracion/usuarios/{target.id}").get_data(as_text=True)
    assert "Desbloquear" in page
    with caplog.at_level(logging.INFO, logger="admin.settings_ui.users"):
        released = send(admin, f"/configuracion/usuarios/{target.id}/desbloquear", {})
    assert released.status_code == 303
    assert f"settings user unlocked user_id={target.id}" in caplog.text
    users = admin.get("/configuracion/usuarios").get_data(as_text=True)
    assert "Activa" in _row_of(users, "titular@prueba.cl")
    page = admin.get(f"/configuracion/usuarios/{target.id}").get_data(as_text=True)
    assert "Desbloquear" not in page
    assert attempt(holder) == 302
    assert attempt(attacker, "clave-equivocada-123") == 401  # a fresh count, not held back
    assert attempt(attacker) == 302


def test_a_password_reset_releases_the_account_from_the_login_throttle(
    app_settings: Settings,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An admin resets the password of someone held back by their own typos: the new password
    opens the account at once, from the address that was failing, instead of 15 minutes on."""
    import limits.storage.memory as memory_storage

    clock = _LimiterClock()
    monkeypatch.setattr(memory_storage, "time", clock)
    app = create_app(app_settings, TESTING=True)  # rate limits on, fresh counters
    target = make_user(db_session, "agent", email="titular@prueba.cl")
    make_user(db_session, "admin")
    admin, holder = app.test_client(), app.test_client()
    admin.environ_base["REMOTE_ADDR"] = "200.0.0.1"
    holder.environ_base["REMOTE_ADDR"] = "200.0.0.2"

    def attempt(password: str) -> int:
        clock.now += 7  # under the blanket 10 login posts a minute per address
        return int(login(holder, "titular@prueba.cl", password).status_code)

    assert login(admin, "admin@prueba.cl").status_code == 302
    assert [attempt("clave-equivocada-123") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 401  # held back
    users = admin.get("/configuracion/usuarios").get_data(as_text=True)
    assert "Retenida" in _row_of(users, "titular@prueba.cl")

    reset = send(
        admin,
        f"/configuracion/usuarios/{target.id}/contrasena",
        {"password": "otra-clave-muy-segura"},
    )
    assert reset.status_code == 303
    users = admin.get("/configuracion/usuarios").get_data(as_text=True)
    assert "Activa" in _row_of(users, "titular@prueba.cl")
    assert attempt(PASSWORD) == 401  # the old password is gone, as before
    assert attempt("otra-clave-muy-segura") == 302
