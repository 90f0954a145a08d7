"""The reclamos map in the statistics: zones and points, filters by theme, status and period,
each zone's on-time share (the same verdict as the statistics), staff only, tiles optional."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from oirs_rules.dates import SANTIAGO
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.models import Case
from oirs.reporting.geocoding import Axis, replace_street_axes
from oirs.reporting.stats import case_facts
from oirs.settings import Settings
from tests.admin.staff import login, make_user

CAL = BusinessCalendar()
OIRS = Actor("Paula Rojas", role="oirs")
# noon of today in Santiago, the day the admin's periods count in (a UTC date runs ahead of it
# from 21:00 or 20:00 Chilean time: the tests failed every evening)
NOW = datetime.now(SANTIAGO).replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)
# two streets crossing at (-33.45, -70.60); the grid starts at their south-west corner
AXES = [
    Axis("Los Aromos", "los aromos", ((-70.61, -33.45), (-70.59, -33.45))),
    Axis("Pedro de Valdivia", "pedro de valdivia", ((-70.60, -33.46), (-70.60, -33.44))),
]
ZONE_A1 = (-33.459, -70.609)  # row A (southernmost), column 1 (westernmost)
ZONE_D3 = (-33.445, -70.595)


def file(
    session: Session,
    category: str,
    days_ago: int,
    where: tuple[float, float] | None,
    address: str | None = None,
) -> Case:
    data = NewCase(
        type="sugerencia",
        channel="whatsapp",
        description="Caso para el mapa",
        category=category,
        address=address,
        latitude=where[0] if where else None,
        longitude=where[1] if where else None,
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    case, _ = file_case(session, data, CAL, now=NOW - timedelta(days=days_ago))
    return case


@pytest.fixture(autouse=True)
def fresh_cache(app: Flask) -> None:
    """Tests wipe the tables, and SQLite reuses ids: no payload may outlive its test."""
    app.extensions.pop("oirs_map_cache", None)


@pytest.fixture
def cases(db_session: Session) -> dict[str, str]:
    """In A-1: aseo answered on time, aseo answered late. In D-3: alumbrado open and overdue,
    alumbrado filed today. Without coordinates: one. Before the default year: one."""
    with db_session.begin():
        replace_street_axes(db_session, AXES)
        on_time = file(db_session, "aseo", 60, ZONE_A1)
        transition(db_session, on_time, "responder", OIRS, "Listo", now=NOW - timedelta(days=58))
        late = file(db_session, "aseo", 90, ZONE_A1)
        transition(db_session, late, "responder", OIRS, "Tarde", now=NOW - timedelta(days=20))
        overdue = file(db_session, "alumbrado", 60, ZONE_D3)
        fresh = file(db_session, "alumbrado", 0, ZONE_D3)
        nowhere = file(db_session, "aseo", 10, None)
        old = file(db_session, "aseo", 500, ZONE_A1)
        return {
            "on_time": on_time.folio,
            "late": late.folio,
            "overdue": overdue.folio,
            "fresh": fresh.folio,
            "nowhere": nowhere.folio,
            "old": old.folio,
        }


@pytest.fixture
def supervisor(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, "supervisor")
    assert login(client, "supervisor@prueba.cl").status_code == 302
    return client


def data(client: FlaskClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/estadisticas/mapa/datos.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    payload: dict[str, Any] = response.get_json()
    return payload


def zones(payload: dict[str, Any]) -> dict[str, tuple[int, int, int, int, float | None]]:
    return {
        z["label"]: (z["cases"], z["on_time"], z["late"], z["pending"], z["on_time_pct"])
        for z in payload["zones"]
    }


def folios(payload: dict[str, Any]) -> set[str]:
    return {point[2] for point in payload["points"]}


def test_the_map_is_for_staff_who_read_statistics(client: FlaskClient, db_session: Session) -> None:
    paths = (
        "/estadisticas/mapa",
        "/estadisticas/mapa/datos.json",
        "/estadisticas/mapa/calles.json",
    )
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/ingresar" in response.headers["Location"]
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    for path in paths:
        assert client.get(path).status_code == 403
    assert "Mapa de reclamos" not in client.get("/casos/").get_data(as_text=True)


def test_zones_count_cases_and_their_on_time_share(
    supervisor: FlaskClient, cases: dict[str, str]
) -> None:
    payload = data(supervisor)
    assert payload["cases_with_location"] == 4
    assert payload["cases_in_period"] == 5  # one has no coordinates
    # one on time, one late (50 %); D-3: one overdue, one still within its term
    assert zones(payload) == {"A-1": (2, 1, 1, 0, 50.0), "D-3": (2, 0, 1, 1, 0.0)}
    assert folios(payload) == {cases[k] for k in ("on_time", "late", "overdue", "fresh")}
    cell = next(z for z in payload["zones"] if z["label"] == "A-1")
    (south, west), (north, east) = cell["bounds"]
    assert south <= ZONE_A1[0] < north and west <= ZONE_A1[1] < east
    assert north - south == pytest.approx(500 / 110_540, rel=1e-3)  # 500 m cells


def test_filters_by_theme_status_and_period(supervisor: FlaskClient, cases: dict[str, str]) -> None:
    assert folios(data(supervisor, "?tema=alumbrado")) == {cases["overdue"], cases["fresh"]}
    assert folios(data(supervisor, "?estado=vencidos")) == {cases["overdue"]}
    assert folios(data(supervisor, "?estado=abiertos")) == {cases["overdue"], cases["fresh"]}
    assert folios(data(supervisor, "?estado=respondidos&tema=aseo")) == {
        cases["on_time"],
        cases["late"],
    }
    assert zones(data(supervisor, "?tema=aseo")) == {"A-1": (2, 1, 1, 0, 50.0)}
    old_day = (NOW - timedelta(days=500)).date()
    earlier = data(supervisor, f"?desde={old_day - timedelta(days=1)}&hasta={old_day}")
    assert folios(earlier) == {cases["old"]}
    refused = supervisor.get("/estadisticas/mapa?desde=2026-03-31&hasta=2026-03-01")
    assert refused.status_code == 400
    assert "La fecha «hasta» debe ser igual o posterior a «desde»." in refused.get_data(
        as_text=True
    )
    assert supervisor.get("/estadisticas/mapa/datos.json?estado=todo").status_code == 400


def test_zone_shares_add_up_to_the_statistics_own_verdict(
    supervisor: FlaskClient, cases: dict[str, str], db_session: Session
) -> None:
    start, end = (NOW - timedelta(days=120)).date(), NOW.date()
    payload = data(supervisor, f"?desde={start}&hasta={end}")
    with db_session.begin():
        facts = case_facts(db_session, start, end, CAL, datetime.now(SANTIAGO).date())
    with_location = {cases[k] for k in ("on_time", "late", "overdue", "fresh")}
    verdicts = [f.on_time for f in facts if f.folio in with_location]
    assert sum(z["on_time"] for z in payload["zones"]) == verdicts.count(True)
    assert sum(z["late"] for z in payload["zones"]) == verdicts.count(False)
    assert sum(z["pending"] for z in payload["zones"]) == verdicts.count(None)


def test_a_case_that_moves_is_on_the_map_at_once_despite_the_cache(
    supervisor: FlaskClient, cases: dict[str, str], db_session: Session
) -> None:
    assert zones(data(supervisor, "?tema=alumbrado"))["D-3"][1:4] == (0, 1, 1)
    assert zones(data(supervisor, "?tema=alumbrado"))["D-3"][1:4] == (0, 1, 1)  # cached
    with db_session.begin():
        fresh = db_session.scalar(select(Case).where(Case.folio == cases["fresh"]))
        assert fresh is not None
        transition(db_session, fresh, "responder", OIRS, "Listo")
    assert zones(data(supervisor, "?tema=alumbrado"))["D-3"][1:4] == (1, 1, 0)


def test_the_page_renders_offline_with_the_axes_and_a_table_of_zones(
    supervisor: FlaskClient, cases: dict[str, str]
) -> None:
    response = supervisor.get("/estadisticas/mapa?tema=aseo&estado=todos")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-tiles=""' in html  # no tile server configured: the axes are the base map
    assert "/static/vendor/leaflet/leaflet.js" in html and "//unpkg" not in html
    assert "cuadrícula de celdas de 500 × 500 m" in html
    assert '<th scope="row">A-1</th><td>2</td><td>1</td><td>1</td><td>0</td><td>50,0 %</td>' in html
    # the menu links the map next to the statistics, and only the map is the current page
    assert '<a href="/estadisticas/mapa" aria-current="page">Mapa de reclamos</a>' in html
    assert html.count('aria-current="page"') == 1
    index = supervisor.get("/estadisticas/").get_data(as_text=True)
    assert '<a href="/estadisticas/" aria-current="page">Estadísticas</a>' in index
    assert index.count('aria-current="page"') == 1
    assert response.headers["Content-Security-Policy"].count("img-src 'self' data:;") == 1
    axes = supervisor.get("/estadisticas/mapa/calles.json").get_json()
    assert axes == {
        "complete": True,
        "lines": [[[-33.45, -70.61], [-33.45, -70.59]], [[-33.46, -70.6], [-33.44, -70.6]]],
    }


def test_tiles_come_from_the_configured_url_and_the_policy_allows_only_that_host(
    app_settings: Settings, clean_db: Any, db_session: Session
) -> None:
    from dataclasses import replace

    from admin import create_app

    tiled = create_app(
        replace(app_settings, map_tiles_url="https://{s}.tiles.municipalidad.cl/{z}/{x}/{y}.png"),
        TESTING=True,
        RATELIMIT_ENABLED=False,
    )
    client = tiled.test_client()
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    response = client.get("/estadisticas/mapa")
    assert response.status_code == 200
    assert 'data-tiles="https://{s}.tiles.municipalidad.cl/{z}/{x}/{y}.png"' in response.get_data(
        as_text=True
    )
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.municipalidad.cl;" in policy
    assert "script-src 'self';" in policy


def test_the_worker_places_typed_addresses_for_the_map(
    app: Flask, cases: dict[str, str], db_session: Session
) -> None:
    from admin.jobs import run_geocoding

    with db_session.begin():
        typed = file(db_session, "aseo", 1, None, address="Los Aromos con Pedro de Valdivia")
    with app.app_context():
        assert run_geocoding() == 1  # the typed address; cases without one are not tried
    db_session.expunge_all()
    with db_session.begin():
        placed = db_session.scalar(select(Case).where(Case.folio == typed.folio))
        assert placed is not None
        assert (placed.latitude, placed.longitude) == pytest.approx((-33.45, -70.60))
        assert placed.location_precision == "interseccion"
