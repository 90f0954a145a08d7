"""Typed addresses placed on the map: the commune's street axes first, an external geocoder after.

A commune loads its street axes once (`oirs import-streets calles.geojson`, an OpenStreetMap
extract as osmtogeojson or ogr2ogr write it). An address is then placed:

- "Los Aromos con Pedro de Valdivia": where the two axes cross (precision "interseccion");
- "Los Aromos 1240": interpolated along the way whose house-number range holds 1240, when the
  data has ranges (precision "numero"); otherwise the middle of the street ("calle"), which
  places the street, not the house;
- with an external Nominatim-compatible geocoder configured (OIRS_GEOCODER_URL), an address
  the axes place only to the street goes there first ("externa").

Whatever follows a comma ("…, villa Las Rosas") names the neighbourhood: it goes to the external
geocoder and is not part of the street. Geometry is plain Python on a local flat projection,
which is exact enough inside one commune.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from oirs_rules.text import fold
from sqlalchemy import ColumnElement, delete, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from oirs.errors import OirsError
from oirs.models import Case, StreetAxis

log = logging.getLogger(__name__)

SOURCE_RESIDENT = "vecino"  # a location the resident shared (WhatsApp, Telegram, widget, Open311)
SOURCE_STREETS = "ejes"  # the commune's street axes
SOURCE_EXTERNAL = "externo"  # the external geocoder
SOURCES = {
    SOURCE_RESIDENT: "Ubicación compartida por el vecino",
    SOURCE_STREETS: "Ejes de calles de la comuna",
    SOURCE_EXTERNAL: "Geocodificador externo",
}
EXACT, INTERSECTION, NUMBER, STREET, EXTERNAL = (
    "exacta",
    "interseccion",
    "numero",
    "calle",
    "externa",
)
NOT_FOUND = "no_encontrada"
PRECISIONS = {
    EXACT: "Exacta (ubicación compartida)",
    INTERSECTION: "Intersección de calles",
    NUMBER: "Número interpolado en la cuadra",
    EXTERNAL: "Geocodificador externo",
    STREET: "Solo la calle (punto medio)",
    NOT_FOUND: "Dirección no encontrada",
}
# two axes that come this close without crossing (a roundabout, a gap in the data) still meet
NEAR_METRES = 25.0
BATCH = 5000
_ABBREVIATED = {
    "gral": "general", "pdte": "presidente", "pte": "presidente", "cap": "capitan",
    "tte": "teniente", "sta": "santa", "sto": "santo", "dr": "doctor", "alm": "almirante",
    "cnel": "coronel", "prof": "profesor", "pbro": "presbitero", "sgto": "sargento",
    "av": "avenida", "avda": "avenida", "pje": "pasaje", "psje": "pasaje", "cll": "calle",
}  # fmt: skip
_KINDS = {"calle", "avenida", "pasaje"}
_NUMBER_MARKS = {"n", "nro", "num", "numero", "no"}
# what follows the house number without naming the street
_UNIT_WORDS = {
    "depto", "dpto", "departamento", "casa", "block", "blok", "torre", "oficina", "of", "local",
    "piso", "villa", "poblacion", "pobl", "condominio", "sector", "barrio",
}  # fmt: skip
_CROSSING = re.compile(r"\s+(?:con|esquina(?:\s+(?:de|con))?|esq\.?|y|/|&)\s+", re.IGNORECASE)
_NUMBER_KEYS = (
    ("addr:from", "addr:to"),
    ("numero_desde", "numero_hasta"),
    ("from_number", "to_number"),
)
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_OSM_FORMATS = {".osm", ".pbf", ".o5m", ".xml"}


class StreetDataError(OirsError):
    """The street file cannot be read as street axes; the message says why, in Spanish."""

    code = "street_data"


def _words(text: str) -> list[str]:
    """Folded words and numbers ("Psje. Ñuble #1022" -> pasaje, nuble, 1022), titles and kinds
    written out as street data spells them."""
    words = re.findall(r"\d+|[a-z]+", fold(text))
    return [w for w in (_ABBREVIATED.get(word, word) for word in words) if w]


def _name_key(words: list[str]) -> str:
    """Without the leading kind ('Avenida Pedro de Valdivia' is 'pedro de valdivia'), unless
    the kind is the name ('Pasaje 12', 'Calle 3')."""
    while len(words) > 1 and words[0] in _KINDS and not (len(words) == 2 and words[1].isdigit()):
        words = words[1:]
    return " ".join(words)


def street_name_key(name: str) -> str:
    """'Avda. Gral. Bulnes' -> 'general bulnes': the key both the data and residents meet on.

    Accent folding is oirs_rules.text.fold, as every parser of residents' words uses it;
    oirs_rules has no street normaliser to reuse."""
    return _name_key(_words(name))


@dataclass(frozen=True)
class TypedAddress:
    """What a resident typed, split: a street and number, or two crossing streets."""

    street: str
    number: int | None = None
    cross: str | None = None
    locality: str | None = None


def _street_and_number(text: str) -> tuple[str, int | None]:
    """'Los Aromos 1240 depto 5' -> ('los aromos', 1240); '10 de Julio 456' -> ('10 de julio',
    456); 'Pasaje 12 345' -> ('pasaje 12', 345); 'Calle 3' -> ('calle 3', None)."""
    words = _words(text)
    for index, word in enumerate(words):
        if word in _UNIT_WORDS and index > 0:
            words = words[:index]  # the flat or block inside the building, or the villa
            break
    numbers = [i for i, word in enumerate(words) if word.isdigit() and len(word) <= 6]
    if numbers and numbers[-1] > 0:
        last = numbers[-1]
        street = [w for w in words[:last]]
        while street and street[-1] in _NUMBER_MARKS:
            street.pop()
        if any(w not in _KINDS for w in street) and not (len(street) == 1 and street[0].isdigit()):
            return _name_key(street), int(words[last])
    return _name_key(words), None


def parse_address(text: str) -> TypedAddress | None:
    """'Los Aromos 1240, villa Las Rosas' -> street, number and locality; None when empty."""
    main, _, locality = (text or "").partition(",")
    main = main.strip()
    if not main:
        return None
    parts = _CROSSING.split(main, maxsplit=1)
    place = locality.strip() or None
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return TypedAddress(
            street=street_name_key(parts[0]), cross=street_name_key(parts[1]), locality=place
        )
    street, number = _street_and_number(main)
    return TypedAddress(street=street, number=number, locality=place)


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    precision: str
    source: str


@dataclass(frozen=True)
class Axis:
    """One way of a street: points as (lon, lat), numbers from its first point to its last."""

    name: str
    key: str
    points: tuple[tuple[float, float], ...]
    from_number: int | None = None
    to_number: int | None = None
    source_id: str | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon)."""
        lons = [p[0] for p in self.points]
        lats = [p[1] for p in self.points]
        return min(lats), min(lons), max(lats), max(lons)


# --- geometry on a local flat projection (metres) --------------------------------------------

Point = tuple[float, float]


@dataclass(frozen=True)
class _Plane:
    """Equirectangular projection around a latitude: metres east and north."""

    lat0: float

    def to_xy(self, lon: float, lat: float) -> Point:
        return lon * 111_320.0 * math.cos(math.radians(self.lat0)), lat * 110_540.0

    def to_lonlat(self, x: float, y: float) -> Point:
        return x / (111_320.0 * math.cos(math.radians(self.lat0))), y / 110_540.0


def _segment_crossing(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """Where segment ab crosses segment cd, or None."""
    rx, ry = b[0] - a[0], b[1] - a[1]
    sx, sy = d[0] - c[0], d[1] - c[1]
    denominator = rx * sy - ry * sx
    if abs(denominator) < 1e-12:
        return None  # parallel
    qx, qy = c[0] - a[0], c[1] - a[1]
    t = (qx * sy - qy * sx) / denominator
    u = (qx * ry - qy * rx) / denominator
    if -1e-9 <= t <= 1 + 1e-9 and -1e-9 <= u <= 1 + 1e-9:
        return a[0] + t * rx, a[1] + t * ry
    return None


def _closest_on_segment(p: Point, a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return a
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return a[0] + t * dx, a[1] + t * dy


def _distance(p: Point, q: Point) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


def _segments(line: Sequence[Point]) -> Iterator[tuple[Point, Point]]:
    return itertools.pairwise(line)


def _meeting_point(first: Sequence[Point], second: Sequence[Point]) -> Point | None:
    """Where two lines cross; else the middle of their closest approach within NEAR_METRES."""
    best: tuple[float, Point] | None = None
    for a, b in _segments(first):
        for c, d in _segments(second):
            crossing = _segment_crossing(a, b, c, d)
            if crossing is not None:
                return crossing
            for p, (s, e) in ((a, (c, d)), (b, (c, d)), (c, (a, b)), (d, (a, b))):
                q = _closest_on_segment(p, s, e)
                gap = _distance(p, q)
                if gap <= NEAR_METRES and (best is None or gap < best[0]):
                    best = (gap, ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2))
    return best[1] if best else None


def _length(line: Sequence[Point]) -> float:
    return sum(_distance(a, b) for a, b in _segments(line))


def _along(line: Sequence[Point], fraction: float) -> Point:
    """The point at `fraction` (0-1) of a line's length."""
    target = _length(line) * max(0.0, min(1.0, fraction))
    walked = 0.0
    for a, b in _segments(line):
        step = _distance(a, b)
        if step and walked + step >= target:
            t = (target - walked) / step
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        walked += step
    return line[-1]


# --- the street index and the geocoders --------------------------------------------------------


class Geocoder(Protocol):
    def locate(self, address: str) -> Location | None: ...


class StreetIndex:
    """The commune's axes by name key, for the street geocoder."""

    def __init__(self, axes: Iterable[Axis]) -> None:
        self.by_key: dict[str, list[Axis]] = {}
        for axis in axes:
            self.by_key.setdefault(axis.key, []).append(axis)

    @classmethod
    def load(cls, session: Session) -> StreetIndex:
        rows = session.execute(
            select(
                StreetAxis.name,
                StreetAxis.name_key,
                StreetAxis.points,
                StreetAxis.from_number,
                StreetAxis.to_number,
            )
        )
        return cls(
            Axis(name, key, tuple((float(p[0]), float(p[1])) for p in points), low, high)
            for name, key, points, low, high in rows
        )

    def __len__(self) -> int:
        return len(self.by_key)

    def lookup(self, key: str) -> list[Axis]:
        """The axes of a street; a partial name ('valdivia') only when it names one street."""
        if not key:
            return []
        if key in self.by_key:
            return self.by_key[key]
        pattern = re.compile(rf"(?:^|\s){re.escape(key)}(?:\s|$)")
        matches = [k for k in self.by_key if pattern.search(k)]
        return self.by_key[matches[0]] if len(matches) == 1 else []


class StreetGeocoder:
    """Places addresses on the commune's own street axes; no network."""

    def __init__(self, index: StreetIndex) -> None:
        self.index = index

    def locate(self, address: str) -> Location | None:
        typed = parse_address(address)
        if typed is None:
            return None
        if typed.cross is not None:
            # where they cross; else 'Ramón y Cajal' read as two streets; else the first street
            return (
                self._crossing(typed.street, typed.cross)
                or self._street_only(f"{typed.street} y {typed.cross}")
                or self._street_only(typed.street)
            )
        axes = self.index.lookup(typed.street)
        if not axes:
            return None
        if typed.number is not None:
            located = self._numbered(axes, typed.number)
            if located is not None:
                return located
        return self._middle(axes)

    def _street_only(self, key: str) -> Location | None:
        """The middle of a street, flagged as placing the street only."""
        axes = self.index.lookup(key)
        return self._middle(axes) if axes else None

    def _crossing(self, first_key: str, second_key: str) -> Location | None:
        first, second = self.index.lookup(first_key), self.index.lookup(second_key)
        if not first or not second or first is second:
            return None
        plane = _Plane(first[0].points[0][1])
        for a in first:
            line_a = [plane.to_xy(*p) for p in a.points]
            for b in second:
                if not _bounds_near(a.bounds, b.bounds):
                    continue
                meeting = _meeting_point(line_a, [plane.to_xy(*p) for p in b.points])
                if meeting is not None:
                    lon, lat = plane.to_lonlat(*meeting)
                    return Location(lat, lon, INTERSECTION, SOURCE_STREETS)
        return None

    def _numbered(self, axes: list[Axis], number: int) -> Location | None:
        for axis in axes:
            low, high = axis.from_number, axis.to_number
            if low is None or high is None or not min(low, high) <= number <= max(low, high):
                continue
            fraction = 0.5 if high == low else (number - low) / (high - low)
            plane = _Plane(axis.points[0][1])
            lon, lat = plane.to_lonlat(*_along([plane.to_xy(*p) for p in axis.points], fraction))
            return Location(lat, lon, NUMBER, SOURCE_STREETS)
        return None

    def _middle(self, axes: list[Axis]) -> Location:
        """The point of the street nearest to its length-weighted centre."""
        plane = _Plane(axes[0].points[0][1])
        lines = [[plane.to_xy(*p) for p in axis.points] for axis in axes]
        total = cx = cy = 0.0
        for line in lines:
            for a, b in _segments(line):
                step = _distance(a, b)
                total += step
                cx += step * (a[0] + b[0]) / 2
                cy += step * (a[1] + b[1]) / 2
        centre = (cx / total, cy / total) if total else lines[0][0]
        candidates = [
            _closest_on_segment(centre, a, b) for line in lines for a, b in _segments(line)
        ] or [lines[0][0]]
        nearest = min(candidates, key=lambda p: _distance(p, centre))
        lon, lat = plane.to_lonlat(*nearest)
        return Location(lat, lon, STREET, SOURCE_STREETS)


Bounds = tuple[float, float, float, float]


def _bounds_near(a: Bounds, b: Bounds) -> bool:
    margin = 0.0005  # about 50 m
    return not (
        a[2] + margin < b[0] or b[2] + margin < a[0] or a[3] + margin < b[1] or b[3] + margin < a[1]
    )


class NominatimGeocoder:
    """A Nominatim-compatible /search endpoint; an error or a timeout places nothing."""

    def __init__(
        self,
        url: str,
        timeout: float = 5.0,
        comuna: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.comuna = comuna
        self.client = client or httpx.Client(
            timeout=timeout, headers={"User-Agent": "OIRS-Conversacional/1.0"}
        )

    def locate(self, address: str) -> Location | None:
        query = ", ".join(part for part in (address.strip(), self.comuna, "Chile") if part)
        try:
            response = self.client.get(
                f"{self.url}/search",
                params={"q": query, "format": "jsonv2", "limit": "1", "countrycodes": "cl"},
            )
            response.raise_for_status()
            found = response.json()
            if not found:
                return None
            latitude, longitude = float(found[0]["lat"]), float(found[0]["lon"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError, IndexError) as exc:
            # the address is personal data: only the failure is logged
            log.warning("external geocoder failed error=%s", type(exc).__name__)
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        return Location(latitude, longitude, EXTERNAL, SOURCE_EXTERNAL)


@dataclass
class CommuneGeocoder:
    """The street axes, and the external geocoder where they place only the street."""

    streets: StreetGeocoder
    external: Geocoder | None = None

    @property
    def usable(self) -> bool:
        """Whether there is anything to place addresses with (axes loaded, or an external)."""
        return bool(len(self.streets.index)) or self.external is not None

    def locate(self, address: str) -> Location | None:
        local = self.streets.locate(address)
        if local is not None and local.precision in (INTERSECTION, NUMBER):
            return local
        if self.external is not None:
            remote = self.external.locate(address)
            if remote is not None:
                return remote
        return local


def commune_geocoder(
    session: Session, external_url: str | None, timeout: float, comuna: str | None
) -> CommuneGeocoder | None:
    """The geocoder the settings describe, with the axes as they are in the database now;
    None when there are no axes and no external geocoder."""
    external = NominatimGeocoder(external_url, timeout, comuna) if external_url else None
    geocoder = CommuneGeocoder(StreetGeocoder(StreetIndex.load(session)), external)
    return geocoder if geocoder.usable else None


# --- cases ------------------------------------------------------------------------------------


@dataclass
class GeocodeRun:
    placed: Counter[str] = field(default_factory=Counter)  # precision -> cases
    not_found: int = 0

    @property
    def total(self) -> int:
        return sum(self.placed.values()) + self.not_found


def pending_addresses(
    session: Session, limit: int, retry: bool = False, after_id: int = 0
) -> list[tuple[int, str]]:
    """Cases with a typed address and no coordinates, not yet tried (or tried, with retry)."""
    tried: ColumnElement[bool] = Case.location_precision.is_(None)
    if retry:
        tried = or_(tried, Case.location_precision == NOT_FOUND)
    query = (
        select(Case.id, Case.address)
        .where(Case.address.is_not(None), Case.latitude.is_(None), Case.id > after_id, tried)
        .order_by(Case.id)
        .limit(limit)
    )
    return [(case_id, address) for case_id, address in session.execute(query) if address]


def record_locations(session: Session, found: dict[int, Location | None]) -> None:
    """Write what was found; a case that got coordinates meanwhile (shared) keeps them."""
    for case_id, location in found.items():
        values: dict[str, Any] = {"location_precision": NOT_FOUND, "location_source": None}
        if location is not None:
            values = {
                "latitude": location.latitude,
                "longitude": location.longitude,
                "location_precision": location.precision,
                "location_source": location.source,
            }
        session.execute(
            update(Case).where(Case.id == case_id, Case.latitude.is_(None)).values(**values)
        )


def geocode_pending(
    sessions: sessionmaker[Session],
    make_geocoder: Callable[[Session], Geocoder | None],
    limit: int | None = 500,
    retry: bool = False,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> GeocodeRun:
    """Place cases in batches: each batch is read in one transaction, geocoded outside any
    (an external geocoder may take seconds) and written in another. Without a geocoder
    (no axes loaded yet) nothing is tried, so nothing is marked as not found."""
    run = GeocodeRun()
    with sessions.begin() as session:
        geocoder = make_geocoder(session)
    if geocoder is None:
        return run
    after = 0
    while limit is None or run.total < limit:
        size = batch if limit is None else min(batch, limit - run.total)
        with sessions.begin() as session:
            cases = pending_addresses(session, size, retry, after)
        if not cases:
            break
        found = {case_id: geocoder.locate(address) for case_id, address in cases}
        with sessions.begin() as session:
            record_locations(session, found)
        for location in found.values():
            if location is None:
                run.not_found += 1
            else:
                run.placed[location.precision] += 1
        after = cases[-1][0]
        if progress is not None:
            progress(len(cases))
    return run


# --- importing the axes -----------------------------------------------------------------------


@dataclass
class StreetImport:
    axes: list[Axis]
    features: int
    skipped: Counter[str]  # reason -> features

    @property
    def streets(self) -> int:
        return len({axis.key for axis in self.axes})


def _tags(properties: dict[str, Any]) -> dict[str, Any]:
    """Tags flat (osmtogeojson), under "tags" (older osmtogeojson), or in "other_tags" (ogr2ogr)."""
    tags = {k: v for k, v in properties.items() if k not in ("tags", "other_tags")}
    if isinstance(properties.get("tags"), dict):
        tags.update(properties["tags"])
    if isinstance(properties.get("other_tags"), str):
        tags.update(dict(_HSTORE.findall(properties["other_tags"])))
    return tags


def _house_number(value: Any) -> int | None:
    match = re.match(r"\s*(\d{1,6})", str(value)) if value is not None else None
    return int(match.group(1)) if match else None


def _numbers(tags: dict[str, Any]) -> tuple[int | None, int | None]:
    for low_key, high_key in _NUMBER_KEYS:
        low, high = _house_number(tags.get(low_key)), _house_number(tags.get(high_key))
        if low is not None and high is not None:
            return low, high
    return None, None


def _lines(geometry: Any) -> list[list[Any]] | None:
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "LineString":
        return [geometry.get("coordinates") or []]
    if geometry.get("type") == "MultiLineString":
        return list(geometry.get("coordinates") or [])
    return None


def _points(coordinates: Any) -> tuple[tuple[float, float], ...] | str:
    """(lon, lat) pairs, or the reason they are not usable."""
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return "geometría sin puntos suficientes"
    points = []
    for pair in coordinates:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) < 2
            or not all(isinstance(v, int | float) for v in pair[:2])
        ):
            return "coordenadas que no son números"
        lon, lat = float(pair[0]), float(pair[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return "coordenadas fuera de longitud y latitud"
        points.append((lon, lat))
    return tuple(points)


def _source_id(feature: dict[str, Any], tags: dict[str, Any]) -> str | None:
    for value in (feature.get("id"), tags.get("@id"), tags.get("id"), tags.get("osm_id")):
        if value not in (None, ""):
            return str(value)[:60]
    return None


def load_geojson(path: Path) -> dict[str, Any]:
    """The file's JSON, or a StreetDataError that says in Spanish what is wrong with it."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    if not path.exists():
        raise StreetDataError(f"No se encontró el archivo {path}.")
    if path.suffix.lower() in _OSM_FORMATS or suffixes.endswith(".osm.pbf"):
        raise StreetDataError(
            f"{path.name} es un extracto de OpenStreetMap en formato {path.suffix}, no GeoJSON. "
            "Conviértalo primero, por ejemplo con «osmtogeojson extracto.osm > calles.geojson» "
            "o «ogr2ogr -f GeoJSON -t_srs EPSG:4326 calles.geojson extracto.osm.pbf lines»."
        )
    if path.suffix.lower() not in (".geojson", ".json"):
        raise StreetDataError(
            f"{path.name}: se espera un archivo GeoJSON (.geojson) con los ejes de calles de la "
            "comuna."
        )
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except UnicodeDecodeError as exc:
        raise StreetDataError(f"{path.name} no está en UTF-8, como exige GeoJSON.") from exc
    except json.JSONDecodeError as exc:
        raise StreetDataError(
            f"{path.name} no es GeoJSON válido: error de sintaxis en la línea {exc.lineno}, "
            f"columna {exc.colno} ({exc.msg})."
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise StreetDataError(
            f"{path.name} no es una colección de elementos GeoJSON (se esperaba "
            f"«FeatureCollection» y el archivo dice «{found}»)."
        )
    if not isinstance(data.get("features"), list):
        raise StreetDataError(f"{path.name} no tiene la lista «features» de GeoJSON.")
    return data


def read_streets(
    data: dict[str, Any], progress: Callable[[int], None] | None = None
) -> StreetImport:
    """The named highway lines of a GeoJSON FeatureCollection, and why the others were left."""
    features = data["features"]
    axes: list[Axis] = []
    skipped: Counter[str] = Counter()
    for number, feature in enumerate(features, start=1):
        if progress is not None and number % 1000 == 0:
            progress(1000)
        if not isinstance(feature, dict):
            skipped["elemento que no es un objeto GeoJSON"] += 1
            continue
        tags = _tags(feature.get("properties") or {})
        name = str(tags.get("name") or "").strip()
        if not tags.get("highway"):
            skipped["no es una vía (sin highway)"] += 1
            continue
        if not name:
            skipped["vía sin nombre (sin name)"] += 1
            continue
        lines = _lines(feature.get("geometry"))
        if lines is None:
            skipped["geometría que no es una línea"] += 1
            continue
        key = street_name_key(name)
        low, high = _numbers(tags)
        for coordinates in lines:
            points = _points(coordinates)
            if isinstance(points, str):
                skipped[points] += 1
                continue
            axes.append(Axis(name[:200], key[:200], points, low, high, _source_id(feature, tags)))
    if progress is not None and len(features) % 1000:
        progress(len(features) % 1000)
    if not axes:
        why = "; ".join(f"{reason}: {n}" for reason, n in skipped.most_common()) or "vacío"
        raise StreetDataError(
            f"El archivo no tiene ejes de calles: ninguno de sus {len(features)} elementos es "
            f"una línea con las etiquetas highway y name ({why})."
        )
    return StreetImport(axes, len(features), skipped)


def replace_street_axes(
    session: Session, axes: Sequence[Axis], progress: Callable[[int], None] | None = None
) -> int:
    """The commune's axes become these (a new extract replaces the previous one whole)."""
    session.execute(delete(StreetAxis))
    for start in range(0, len(axes), BATCH):
        chunk = axes[start : start + BATCH]
        rows = []
        for axis in chunk:
            min_lat, min_lon, max_lat, max_lon = axis.bounds
            rows.append(
                {
                    "name": axis.name,
                    "name_key": axis.key,
                    "source_id": axis.source_id,
                    "from_number": axis.from_number,
                    "to_number": axis.to_number,
                    "points": [[round(lon, 7), round(lat, 7)] for lon, lat in axis.points],
                    "min_lat": min_lat,
                    "min_lon": min_lon,
                    "max_lat": max_lat,
                    "max_lon": max_lon,
                }
            )
        session.execute(insert(StreetAxis), rows)
        if progress is not None:
            progress(len(chunk))
    return len(axes)
