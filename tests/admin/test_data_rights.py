"""Ley 21.719 data rights: the holder's export for staff, logged views, and retention-driven
anonymisation run by the worker and by `oirs anonymise`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.jobs import retention_years, run_anonymise
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, get_case
from oirs.models import Case, CaseView
from oirs.privacy.rights import ANONYMISED
from oirs.settings import Settings
from tests.admin.staff import login, make_user, new_case

CAL = BusinessCalendar()
MARIA = ContactData(name="María González", email="maria.gonzalez@example.cl", phone="+56987654321")


@pytest.fixture
def request_and_history(db_session: Session) -> tuple[Case, Case, Case]:
    """A data-rights request by María, an earlier reclamo of hers, and someone else's case."""
    earlier = new_case(db_session, CAL, description="Bache frente a mi casa", contact=MARIA)
    other = new_case(
        db_session,
        CAL,
        description="Luminaria apagada",
        contact=ContactData(name="Pedro Soto", email="pedro@example.cl"),
    )
    request = new_case(
        db_session,
        CAL,
        type_="datos_personales",
        category=None,  # type: ignore[arg-type]
        description="Quiero saber qué datos míos tienen",
        contact=MARIA,
        details={"right": "acceso"},
    )
    return request, earlier, other


def as_role(client: FlaskClient, db_session: Session, role: str) -> FlaskClient:
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    return client


def views(db_session: Session, case: Case) -> list[str]:
    case_id = case.id
    db_session.rollback()
    rows = db_session.scalars(select(CaseView.what).where(CaseView.case_id == case_id)).all()
    db_session.rollback()
    return list(rows)


@pytest.mark.parametrize("role", ["oirs", "admin"])
def test_oirs_staff_download_everything_held_about_the_holder_as_json(
    client: FlaskClient,
    db_session: Session,
    request_and_history: tuple[Case, Case, Case],
    role: str,
) -> None:
    request, earlier, other = request_and_history
    as_role(client, db_session, role)
    response = client.get(f"/datos-personales/{request.folio}/exportacion.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    folios = {c["folio"] for c in data["cases"]}
    assert folios == {request.folio, earlier.folio}
    assert other.folio not in folios
    assert data["request_folio"] == request.folio
    assert {c["contact"]["email"] for c in data["cases"]} == {"maria.gonzalez@example.cl"}
    assert views(db_session, request) == ["exportación de datos del titular"]


def test_holder_screen_lists_the_holders_cases_and_is_logged(
    client: FlaskClient, db_session: Session, request_and_history: tuple[Case, Case, Case]
) -> None:
    request, earlier, _ = request_and_history
    as_role(client, db_session, "oirs")
    html = client.get(f"/datos-personales/{request.folio}").get_data(as_text=True)
    assert earlier.folio in html and request.folio in html
    assert "exportacion.json" in html
    assert views(db_session, request) == ["datos del titular"]


@pytest.mark.parametrize("role", ["agent", "unit", "transparency", "supervisor"])
def test_other_roles_cannot_export_holder_data(
    client: FlaskClient,
    db_session: Session,
    request_and_history: tuple[Case, Case, Case],
    role: str,
) -> None:
    request, _, _ = request_and_history
    as_role(client, db_session, role)
    response = client.get(f"/datos-personales/{request.folio}/exportacion.json")
    assert response.status_code == 403
    assert views(db_session, request) == []


def test_export_exists_only_for_data_rights_cases(
    client: FlaskClient, db_session: Session, request_and_history: tuple[Case, Case, Case]
) -> None:
    _, earlier, _ = request_and_history
    as_role(client, db_session, "oirs")
    assert client.get(f"/datos-personales/{earlier.folio}/exportacion.json").status_code == 404
    assert client.get("/datos-personales/DP-2026-999999/exportacion.json").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(
    client: FlaskClient, request_and_history: tuple[Case, Case, Case]
) -> None:
    request, _, _ = request_and_history
    response = client.get(f"/datos-personales/{request.folio}/exportacion.json")
    assert response.status_code == 302 and "/ingresar" in response.headers["Location"]


def test_retention_years_come_from_the_environment_over_the_defaults() -> None:
    years = retention_years("reclamo=3, sai=7")
    assert years["reclamo"] == 3 and years["sai"] == 7
    assert years["felicitacion"] == 2  # untouched default
    assert retention_years("")["reclamo"] == 5


@pytest.mark.parametrize("text", ["reclamo=cinco", "desconocido=3", "reclamo"])
def test_a_malformed_retention_setting_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="OIRS_RETENTION_YEARS"):
        retention_years(text)


def test_the_worker_refuses_to_start_with_a_malformed_retention_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from admin.jobs import run_worker

    monkeypatch.setenv("OIRS_RETENTION_YEARS", "reclamo=cinco")
    with pytest.raises(ValueError, match="OIRS_RETENTION_YEARS"):
        run_worker()


def test_the_anonymisation_runs_once_a_day_at_night(app: Flask, tmp_path: Path) -> None:
    from admin.jobs import make_huey, register

    huey = make_huey(Settings(data_dir=tmp_path))
    register(huey, app)

    def due(hour: int, minute: int) -> bool:
        moment = datetime(2026, 3, 2, hour, minute)
        return "oirs.anonymise" in {t.name for t in huey.read_periodic(moment)}

    assert due(7, 30)
    assert not any(due(h, 30) for h in range(24) if h != 7)
    assert not due(7, 0)


def closed_case(db_session: Session, years_ago: int) -> Case:
    """A closed reclamo received `years_ago` years back."""
    case = new_case(
        db_session,
        CAL,
        contact=MARIA,
        when=datetime.now(UTC) - timedelta(days=365 * years_ago + 10),
    )
    with db_session.begin():
        row = get_case(db_session, case.folio)
        row.status = "cerrado"
    return case


def reloaded(db_session: Session, folio: str) -> Case:
    db_session.rollback()
    db_session.expire_all()
    case = get_case(db_session, folio)
    db_session.rollback()
    return case


def test_the_daily_job_anonymises_closed_cases_past_their_retention(
    app: Flask, db_session: Session
) -> None:
    old = closed_case(db_session, 6)
    recent = closed_case(db_session, 1)
    with app.app_context():
        folios = run_anonymise(years=retention_years("reclamo=5"))
    assert folios == [old.folio]
    assert reloaded(db_session, old.folio).contact_name == ANONYMISED
    assert reloaded(db_session, old.folio).contact_email is None
    assert reloaded(db_session, recent.folio).contact_email == "maria.gonzalez@example.cl"


def test_the_anonymise_command_honours_the_configured_retention(
    app_settings: Settings, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin.cli import main

    case = closed_case(db_session, 2)
    monkeypatch.setenv("DATABASE_URL", app_settings.database_url)
    monkeypatch.setenv("OIRS_DATA_DIR", str(app_settings.data_dir))
    monkeypatch.setenv("OIRS_RETENTION_YEARS", "reclamo=10")
    kept = CliRunner().invoke(main, ["anonymise"])
    assert kept.exit_code == 0, kept.output
    assert "anonymised=0" in kept.output
    monkeypatch.setenv("OIRS_RETENTION_YEARS", "reclamo=1")
    done = CliRunner().invoke(main, ["anonymise"])
    assert done.exit_code == 0, done.output
    assert "anonymised=1" in done.output and case.folio in done.output
    assert reloaded(db_session, case.folio).contact_name == ANONYMISED
