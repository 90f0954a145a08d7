"""The commune's street axes: importing an OpenStreetMap GeoJSON, placing typed addresses on it,
an external Nominatim-compatible geocoder (a local stand-in here), and geocoding filed cases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, NewCase, file_case
from oirs.models import Case, StreetAxis
from oirs.reporting.geocoding import (
    EXTERNAL,
    INTERSECTION,
    NOT_FOUND,
    NUMBER,
    SOURCE_STREETS,
    STREET,
    Axis,
    CommuneGeocoder,
    NominatimGeocoder,
    StreetDataError,
    StreetGeocoder,
    StreetIndex,
    commune_geocoder,
    geocode_pending,
    load_geojson,
    parse_address,
    read_streets,
    replace_street_axes,
    street_name_key,
)

# A small commune: Los Aromos runs east-west along lat -33.45 with numbers 1000 (west) to
# 1400 (east); Pedro de Valdivia runs north-south along lon -70.60 and crosses it; Las Acacias
# runs parallel to Los Aromos, 500 m north, with no numbers.
WEST, EAST = -70.61, -70.59
AROMOS_LAT, ACACIAS_LAT = -33.45, -33.4455
VALDIVIA_LON = -70.60


def feature(geometry: dict[str, Any], properties: dict[str, Any], id_: str | None = None) -> dict:  # type: ignore[type-arg]
    found: dict[str, Any] = {"type": "Feature", "properties": properties, "geometry": geometry}
    if id_:
        found["id"] = id_
    return found


def line(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def numbers(low: int, high: int) -> dict[str, str]:
    return {"addr:from": str(low), "addr:to": str(high)}


def commune_geojson() -> dict[str, Any]:
    """As osmtogeojson (flat tags, older nested tags) and ogr2ogr (other_tags) write ways."""
    return {
        "type": "FeatureCollection",
        "features": [
            # osmtogeojson: flat tags, "way/…" ids; the street in two ways, numbers on each
            feature(
                line((WEST, AROMOS_LAT), (VALDIVIA_LON, AROMOS_LAT)),
                {"highway": "residential", "name": "Los Aromos", **numbers(1000, 1198)},
                "way/1",
            ),
            feature(
                line((VALDIVIA_LON, AROMOS_LAT), (EAST, AROMOS_LAT)),
                {"highway": "residential", "name": "Los Aromos", **numbers(1200, 1400)},
                "way/2",
            ),
            # older osmtogeojson: tags nested
            feature(
                line((VALDIVIA_LON, -33.46), (VALDIVIA_LON, -33.44)),
                {"tags": {"highway": "primary", "name": "Avenida Pedro de Valdivia"}},
                "way/3",
            ),
            # ogr2ogr: highway and name as columns, the rest in other_tags
            feature(
                {
                    "type": "MultiLineString",
                    "coordinates": [
                        [[WEST, ACACIAS_LAT], [-70.605, ACACIAS_LAT]],
                        [[-70.605, ACACIAS_LAT], [EAST, ACACIAS_LAT]],
                    ],
                },
                {
                    "osm_id": "44",
                    "highway": "residential",
                    "name": "Las Acacias",
                    "other_tags": '"surface"=>"asphalt","maxspeed"=>"30"',
                },
            ),
            # not streets: a river, an unnamed service road, a building, a bus stop
            feature(line((WEST, -33.47), (EAST, -33.47)), {"waterway": "river", "name": "Mapocho"}),
            feature(line((WEST, -33.48), (EAST, -33.48)), {"highway": "service"}),
            feature(
                {
                    "type": "Polygon",
                    "coordinates": [[[WEST, -33.4], [WEST, -33.3], [EAST, -33.4], [WEST, -33.4]]],
                },
                {"highway": "pedestrian", "name": "Plaza de Armas"},
            ),
            feature(
                {"type": "Point", "coordinates": [WEST, -33.45]},
                {"highway": "bus_stop", "name": "Paradero 5"},
            ),
        ],
    }


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def index() -> StreetIndex:
    return StreetIndex(read_streets(commune_geojson()).axes)


# --- names and typed addresses ---------------------------------------------------------------


def test_street_names_meet_whatever_way_they_are_written() -> None:
    assert street_name_key("Avda. Gral. Bulnes") == street_name_key("General Bulnes")
    assert street_name_key("Avenida Pedro de Valdivia") == "pedro de valdivia"
    assert street_name_key("Pasaje Ñuble") == "nuble"
    assert street_name_key("LOS AROMOS") == "los aromos"
    # a kind followed by a bare number is the whole name: Pasaje 12 is not Calle 12
    assert street_name_key("Pje. 12") == "pasaje 12" != street_name_key("Calle 12")


@pytest.mark.parametrize(
    ("typed", "street", "number", "cross", "locality"),
    [
        ("Los Aromos 1240", "los aromos", 1240, None, None),
        ("Los Aromos #1240, villa Las Rosas", "los aromos", 1240, None, "villa Las Rosas"),
        ("Los Aromos con Pedro de Valdivia", "los aromos", None, "pedro de valdivia", None),
        ("Los Aromos esquina Pedro de Valdivia", "los aromos", None, "pedro de valdivia", None),
        ("los aromos esq. av. pedro de valdivia", "los aromos", None, "pedro de valdivia", None),
        ("Las Acacias", "las acacias", None, None, None),
        ("Los Aromos N° 1240 depto 5", "los aromos", 1240, None, None),
        ("10 de Julio 456", "10 de julio", 456, None, None),
        ("Avenida 5 de Abril 1200", "5 de abril", 1200, None, None),
        ("Psje. 12 #345", "pasaje 12", 345, None, None),
        ("Calle 3", "calle 3", None, None, None),
    ],
)
def test_a_typed_address_is_split_into_street_number_crossing_and_villa(
    typed: str, street: str, number: int | None, cross: str | None, locality: str | None
) -> None:
    parsed = parse_address(typed)
    assert parsed is not None
    assert (parsed.street, parsed.number, parsed.cross, parsed.locality) == (
        street,
        number,
        cross,
        locality,
    )


# --- import ----------------------------------------------------------------------------------


def test_import_keeps_named_highway_lines_from_every_converter_and_says_what_it_left(
    tmp_path: Path,
) -> None:
    imported = read_streets(load_geojson(write(tmp_path, "calles.geojson", commune_geojson())))
    names = sorted({(a.name, a.source_id) for a in imported.axes})
    assert names == [
        ("Avenida Pedro de Valdivia", "way/3"),
        ("Las Acacias", "44"),
        ("Los Aromos", "way/1"),
        ("Los Aromos", "way/2"),
    ]
    assert imported.streets == 3
    assert len(imported.axes) == 5  # the MultiLineString is two ways
    aromos = next(a for a in imported.axes if a.source_id == "way/2")
    assert (aromos.from_number, aromos.to_number) == (1200, 1400)
    assert imported.skipped == {
        "no es una vía (sin highway)": 1,
        "vía sin nombre (sin name)": 1,
        "geometría que no es una línea": 2,
    }


def test_import_replaces_the_previous_axes(db_session: Session) -> None:
    axes = read_streets(commune_geojson()).axes
    with db_session.begin():
        replace_street_axes(db_session, axes)
    with db_session.begin():
        replace_street_axes(db_session, axes[:1])
    with db_session.begin():
        stored = db_session.scalars(select(StreetAxis)).all()
        assert [(s.name, s.name_key, s.from_number) for s in stored] == [
            ("Los Aromos", "los aromos", 1000)
        ]
        assert stored[0].points == [[WEST, AROMOS_LAT], [VALDIVIA_LON, AROMOS_LAT]]
        assert (stored[0].min_lon, stored[0].max_lon) == (WEST, VALDIVIA_LON)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("comuna.osm.pbf", "", "formato .pbf, no GeoJSON. Conviértalo"),
        ("comuna.osm", "<osm/>", "osmtogeojson"),
        ("calles.csv", "a,b", "se espera un archivo GeoJSON (.geojson)"),
        ("calles.geojson", '{"type": "FeatureCollection",\n "features": [,]}', "línea 2"),
        ("calles.geojson", '{"type": "Feature"}', "«FeatureCollection» y el archivo dice"),
        ("calles.geojson", '{"type": "FeatureCollection"}', "no tiene la lista «features»"),
    ],
)
def test_a_bad_file_is_explained_in_spanish(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(StreetDataError) as raised:
        load_geojson(write(tmp_path, name, content))
    assert message in raised.value.message


def test_a_file_without_streets_says_why_each_element_was_left() -> None:
    rivers = {"type": "FeatureCollection", "features": commune_geojson()["features"][4:6]}
    with pytest.raises(StreetDataError) as raised:
        read_streets(rivers)
    assert raised.value.message == (
        "El archivo no tiene ejes de calles: ninguno de sus 2 elementos es una línea con las "
        "etiquetas highway y name (no es una vía (sin highway): 1; vía sin nombre (sin name): 1)."
    )


def test_projected_coordinates_are_refused_with_the_reason() -> None:
    projected = {
        "type": "FeatureCollection",
        "features": [
            feature(
                line((346_000.0, 6_297_000.0), (347_000.0, 6_297_000.0)),
                {"highway": "residential", "name": "Los Aromos"},
            )
        ],
    }
    with pytest.raises(StreetDataError, match="coordenadas fuera de longitud y latitud: 1"):
        read_streets(projected)


def test_the_command_imports_with_progress_and_explains_a_bad_file(
    tmp_path: Path, clean_db: Any, database_url: str
) -> None:
    from admin.cli import main

    runner = CliRunner()
    env = {"DATABASE_URL": database_url, "OIRS_ENV": "development"}
    good = write(tmp_path, "calles.geojson", commune_geojson())
    done = runner.invoke(main, ["import-streets", str(good)], env=env)
    assert done.exit_code == 0, done.output
    assert "Ejes cargados: 5 tramos de 3 calles (8 elementos revisados)." in done.output
    assert "omitidos, geometría que no es una línea: 2" in done.output

    bad = write(tmp_path, "calles2.geojson", "[1, 2]")
    refused = runner.invoke(main, ["import-streets", str(bad)], env=env)
    assert refused.exit_code == 1
    assert "no es una colección de elementos GeoJSON" in refused.output


# --- the street geocoder ---------------------------------------------------------------------


def test_two_streets_are_placed_where_their_axes_cross() -> None:
    found = StreetGeocoder(index()).locate("Los Aromos con Avda. Pedro de Valdivia")
    assert found is not None
    assert (found.precision, found.source) == (INTERSECTION, SOURCE_STREETS)
    assert found.latitude == pytest.approx(AROMOS_LAT, abs=1e-6)
    assert found.longitude == pytest.approx(VALDIVIA_LON, abs=1e-6)


def test_streets_that_almost_meet_still_cross_within_a_few_metres() -> None:
    gap = StreetIndex(
        [
            Axis("A", "a", ((WEST, AROMOS_LAT), (VALDIVIA_LON - 0.0001, AROMOS_LAT))),
            Axis("B", "b", ((VALDIVIA_LON, -33.46), (VALDIVIA_LON, -33.44))),
        ]
    )
    found = StreetGeocoder(gap).locate("A con B")
    assert found is not None and found.precision == INTERSECTION
    # parallel streets never meet: the first street is placed, flagged as the street only
    parallel = StreetGeocoder(index()).locate("Los Aromos con Las Acacias")
    assert parallel is not None and parallel.precision == STREET
    assert parallel.latitude == pytest.approx(AROMOS_LAT, abs=1e-6)


def test_a_house_number_is_interpolated_along_the_way_whose_range_holds_it() -> None:
    found = StreetGeocoder(index()).locate("Los Aromos 1300, villa Las Rosas")
    assert found is not None and found.precision == NUMBER
    assert found.latitude == pytest.approx(AROMOS_LAT, abs=1e-6)
    # 1300 is half way from 1200 (at Pedro de Valdivia) to 1400 (the east end)
    assert found.longitude == pytest.approx((VALDIVIA_LON + EAST) / 2, abs=1e-5)


def test_without_numbers_in_the_data_the_street_middle_is_flagged_as_street_only() -> None:
    found = StreetGeocoder(index()).locate("Las Acacias 455")
    assert found is not None and found.precision == STREET
    assert found.latitude == pytest.approx(ACACIAS_LAT, abs=1e-6)
    assert found.longitude == pytest.approx((WEST + EAST) / 2, abs=1e-5)
    outside = StreetGeocoder(index()).locate("Los Aromos 9000")  # beyond every range
    assert outside is not None and outside.precision == STREET


def test_unknown_streets_are_not_placed() -> None:
    assert StreetGeocoder(index()).locate("Gran Avenida 5000") is None
    assert StreetGeocoder(index()).locate("   ") is None
    assert StreetGeocoder(index()).locate("Valdivia 10") is not None  # a unique partial name


# --- the external geocoder, against a local stand-in -----------------------------------------


class _Nominatim(BaseHTTPRequestHandler):
    answers: dict[str, Any] = {}
    queries: list[str] = []

    def do_GET(self) -> None:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        _Nominatim.queries.append(query["q"][0])
        if "lento" in query["q"][0]:
            time.sleep(1.0)  # the client has given up by now: nothing to answer
            return
        if parts.path != "/search" or query.get("format") != ["jsonv2"]:
            self.send_response(404)
            self.end_headers()
            return
        if "error" in query["q"][0]:
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps(_Nominatim.answers.get(query["q"][0].split(",")[0], [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def nominatim() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Nominatim.queries.clear()
    _Nominatim.answers = {"Las Acacias 455": [{"lat": "-33.4457", "lon": "-70.6011"}]}
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_the_external_geocoder_places_what_the_axes_place_only_to_the_street(
    nominatim: str,
) -> None:
    external = NominatimGeocoder(nominatim + "/", timeout=0.5, comuna="Providencia")
    geocoder = CommuneGeocoder(StreetGeocoder(index()), external)
    found = geocoder.locate("Las Acacias 455")
    assert found is not None and found.precision == EXTERNAL
    assert (found.latitude, found.longitude) == (-33.4457, -70.6011)
    assert _Nominatim.queries == ["Las Acacias 455, Providencia, Chile"]
    # an intersection the axes know is not asked outside
    assert geocoder.locate("Los Aromos con Pedro de Valdivia").precision == INTERSECTION  # type: ignore[union-attr]
    assert len(_Nominatim.queries) == 1


def test_an_external_error_or_timeout_falls_back_to_the_axes_quickly(nominatim: str) -> None:
    geocoder = CommuneGeocoder(StreetGeocoder(index()), NominatimGeocoder(nominatim, timeout=0.3))
    started = time.perf_counter()
    slow = geocoder.locate("Las Acacias 455, villa lento")
    assert time.perf_counter() - started < 0.9
    assert slow is not None and slow.precision == STREET
    failed = geocoder.locate("Las Acacias 455, villa error")
    assert failed is not None and failed.precision == STREET
    assert NominatimGeocoder(nominatim).locate("Calle que no existe 1") is None


# --- geocoding filed cases -------------------------------------------------------------------


def _file(session: Session, address: str | None, lat: float | None = None) -> str:
    with session.begin():
        case, _ = file_case(
            session,
            NewCase(
                type="reclamo",
                channel="web",
                description="Luminaria apagada",
                category="alumbrado",
                address=address,
                latitude=lat,
                longitude=-70.6 if lat is not None else None,
                contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
            ),
            BusinessCalendar(),
        )
        return case.folio


def test_filed_cases_are_placed_once_and_a_shared_location_is_kept(
    db_session: Session, sessions: sessionmaker[Session]
) -> None:
    crossing = _file(db_session, "Los Aromos con Pedro de Valdivia")
    numbered = _file(db_session, "Los Aromos 1300")
    unknown = _file(db_session, "Calle Inventada 12")
    shared = _file(db_session, "Las Acacias 10", lat=-33.4)
    _file(db_session, None)

    def make(session: Session) -> Any:
        return commune_geocoder(session, None, 1.0, None)

    nothing = geocode_pending(sessions, make)  # no axes yet: nothing tried, nothing marked
    assert nothing.total == 0
    with db_session.begin():
        replace_street_axes(db_session, read_streets(commune_geojson()).axes)
    run = geocode_pending(sessions, make, batch=2)
    assert (dict(run.placed), run.not_found) == ({INTERSECTION: 1, NUMBER: 1}, 1)
    assert geocode_pending(sessions, make).total == 0  # a not-found address is not retried
    assert geocode_pending(sessions, make, retry=True).not_found == 1

    db_session.expunge_all()  # read what the geocoding wrote, not the filed objects
    with db_session.begin():
        rows = {
            c.folio: (c.location_precision, c.location_source, c.latitude)
            for c in db_session.scalars(select(Case))
        }
    assert rows[crossing][:2] == (INTERSECTION, SOURCE_STREETS)
    assert rows[crossing][2] == pytest.approx(AROMOS_LAT)
    assert rows[numbered][:2] == (NUMBER, SOURCE_STREETS)
    assert rows[unknown] == (NOT_FOUND, None, None)
    assert rows[shared] == (None, None, -33.4)  # the resident's own location stays


def test_the_geocoder_and_tiles_are_read_from_the_environment() -> None:
    from oirs.settings import ConfigurationError, Settings

    settings = Settings.from_env(
        {
            "OIRS_GEOCODER_URL": " https://nominatim.municipalidad.cl/ ",
            "OIRS_GEOCODER_TIMEOUT": "2.5",
            "OIRS_MAP_TILES_URL": "https://tiles.municipalidad.cl/{z}/{x}/{y}.png",
        }
    )
    assert settings.geocoder_url == "https://nominatim.municipalidad.cl"
    assert settings.geocoder_timeout == 2.5
    assert settings.map_tiles_url == "https://tiles.municipalidad.cl/{z}/{x}/{y}.png"
    defaults = Settings.from_env({})
    assert (defaults.geocoder_url, defaults.map_tiles_url) == (None, None)
    with pytest.raises(ConfigurationError, match="OIRS_GEOCODER_TIMEOUT"):
        Settings.from_env({"OIRS_GEOCODER_TIMEOUT": "cinco"})
