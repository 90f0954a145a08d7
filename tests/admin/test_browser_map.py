"""Headless Chromium opens the reclamos map of an admin with cases and street axes, with no tile
server (as in every test): the axes, the zones and the points are drawn, nothing is fetched from
outside, and a screenshot goes to test-artifacts/map.png."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oirs.calendar.business_days import BusinessCalendar
from oirs.db import make_engine, make_session_factory
from oirs.reporting.geocoding import Axis, commune_geocoder, geocode_pending, replace_street_axes
from oirs.settings import PROJECT_ROOT, Settings
from tests.admin.browser import served
from tests.admin.staff import make_user, move, new_case
from tests.admin.test_browser_accessibility import DUPLICATE_IDS_JS, UNLABELLED_JS
from tests.admin.test_browser_workflow import log_in, page  # noqa: F401

pytestmark = pytest.mark.browser

SCREENSHOT = PROJECT_ROOT / "test-artifacts" / "map.png"
SOUTH, WEST = -33.46, -70.62
STREETS = 8
STEP = 0.004  # about 400 m between streets
NAMES_NS = ["Los Aromos", "Las Acacias", "Los Olmos", "Los Robles", "Las Lilas", "Los Boldos",
            "Los Maitenes", "Los Quillayes", "Los Peumos"]  # fmt: skip
NAMES_EW = ["Pedro de Valdivia", "Lautaro", "Caupolicán", "Galvarino", "Colo Colo", "Tucapel",
            "Rengo", "Lincoyán", "Janequeo"]  # fmt: skip


def _axes() -> list[Axis]:
    axes = []
    for n in range(STREETS + 1):
        lon, lat = WEST + n * STEP * 1.2, SOUTH + n * STEP
        column = ((lon, SOUTH), (lon, SOUTH + STREETS * STEP))
        row = ((WEST, lat), (WEST + STREETS * STEP * 1.2, lat))
        axes.append(Axis(NAMES_NS[n], NAMES_NS[n].lower(), column))
        axes.append(Axis(NAMES_EW[n], NAMES_EW[n].lower().replace("á", "a"), row))
    return axes


@pytest.fixture
def live_map_admin(tmp_path: Path) -> Iterator[str]:
    """The admin on a loopback port with a small commune: 18 street axes, 120 cases placed
    where residents shared them (more around two spots), 6 typed crossings geocoded."""
    from admin import create_app
    from oirs.seed import seed_reference_data
    from tests.support.app_fixtures import migrate

    url = f"sqlite:///{tmp_path / 'map.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    session = sessions()
    with session.begin():
        seed_reference_data(session)
        replace_street_axes(session, _axes())
    make_user(session, "oirs", email="paula@muni.cl")
    rng = random.Random(16)
    calendar = BusinessCalendar()
    now = datetime.now(UTC)
    spots = [(-33.447, -70.607), (-33.437, -70.589)]
    for n in range(120):
        if n % 3:
            lat, lon = rng.choice(spots)
            where = (lat + rng.gauss(0, 0.0015), lon + rng.gauss(0, 0.0015))
        else:
            where = (SOUTH + rng.random() * STREETS * STEP, WEST + rng.random() * STREETS * 0.0048)
        case = new_case(
            session,
            calendar,
            category=rng.choice(["aseo", "alumbrado", "transito"]),
            when=now - timedelta(days=rng.randint(0, 45)),
            latitude=where[0],
            longitude=where[1],
        )
        if rng.random() < 0.5:  # answered today: on time if filed lately, late if long ago
            move(session, case, "derivar", "responder_unidad", "validar", "responder")
    for n in range(6):
        new_case(
            session,
            calendar,
            category="aseo",
            address=f"{NAMES_NS[n + 1]} con {NAMES_EW[n + 2]}, villa Los Héroes",
        )
    session.close()
    run = geocode_pending(sessions, lambda s: commune_geocoder(s, None, 1.0, None))
    assert run.placed["interseccion"] == 6
    app = create_app(Settings(database_url=url, data_dir=tmp_path), TESTING=False)
    try:
        with served(app) as base_url:
            yield base_url
    finally:
        engine.dispose()


def test_the_map_draws_axes_zones_and_points_offline(live_map_admin: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    outside: list[str] = []
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_map_admin) else None,
    )

    log_in(page, live_map_admin, "paula@muni.cl")
    page.get_by_role("link", name="Mapa de reclamos").click()
    expect(page.get_by_role("heading", name="Mapa de reclamos")).to_be_visible()
    expect(page.locator("#mapa")).to_have_attribute("data-ready", "1")
    # Leaflet drew on its canvas: the axes, the zones, the points; the layer control names them
    expect(page.locator("#mapa canvas")).to_have_count(1)
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Zonas")
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Casos")
    expect(page.locator("#resumen")).to_contain_text("126 de 126 casos")
    expect(page.locator("table caption")).to_contain_text("Casos y cumplimiento de plazos por zona")
    painted = page.evaluate(
        """() => {
            const canvas = document.querySelector('#mapa canvas');
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) inked++; }
            return inked / (pixels.length / 4);
        }"""
    )
    assert painted > 0.02, painted  # not a blank map
    # every control labelled (the layer switches too), no id twice
    assert page.evaluate(UNLABELLED_JS) == []
    assert page.evaluate(DUPLICATE_IDS_JS) == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_label("Tema").select_option("alumbrado")
    page.get_by_role("button", name="Ver mapa").click()
    expect(page.locator("#mapa")).to_have_attribute("data-ready", "1")
    expect(page.locator("#resumen")).to_contain_text("cumplen los filtros")
    assert outside == []  # no tiles, no CDN: everything from the admin itself
    assert problems == []
