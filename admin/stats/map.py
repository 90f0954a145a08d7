"""The reclamos map: cases with coordinates as points, and zones of a grid shaded by how many
cases they hold, with each zone's on-time share (the statistics' own verdict, computed by
oirs.reporting.stats in SQL).

Staff only, like every statistics screen: residents' exact positions never leave it (the public
Open311 listing keeps its coarse coordinates). Counts are grouped in SQL; at most MAX_POINTS
points, the most recent, are sent to the browser; the result is kept per filters until the data
changes (PayloadCache). docs/bench/map.md has the figures at 100 000 cases.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session
from wtforms import SelectField

from admin.auth.permissions import requires
from admin.auth.web import CSP
from admin.database import db, settings
from admin.stats import bp
from admin.stats.views import PeriodForm, chilean_today, period_of
from oirs.cases import workflow
from oirs.labels import STATUS_LABELS
from oirs.models import Case, CaseEvent, Category, StreetAxis
from oirs.reporting.geocoding import EXACT, NOT_FOUND, PRECISIONS, SOURCE_RESIDENT, STREET
from oirs.reporting.stats import LATE, ON_TIME, UnitCompliance, judged_cases, verdict

MAX_POINTS = 2000
CELL_METRES = 500
MAX_AXIS_POINTS = 60_000
CACHE_SIZE, CACHE_SECONDS = 32, 120.0
STATUS_CHOICES = [
    ("todos", "Todos"),
    ("abiertos", "Abiertos"),
    ("vencidos", "Abiertos y vencidos"),
    ("respondidos", "Respondidos o cerrados"),
]


class MapForm(PeriodForm):
    """The statistics page's period, plus the theme and the state shown."""

    tema = SelectField("Tema", choices=[("", "Todos los temas")], default="")
    estado = SelectField("Estado", choices=STATUS_CHOICES, default="todos")
    category_names: dict[int, str]  # id -> name, set per request by _form()


@dataclass(frozen=True)
class Grid:
    """Cells of about CELL_METRES on a side from a south-west corner."""

    south: float
    west: float
    dlat: float
    dlon: float

    @classmethod
    def around(cls, south: float, west: float, north: float) -> Grid:
        dlat = CELL_METRES / 110_540.0
        middle = math.radians((south + north) / 2)
        return cls(south, west, dlat, CELL_METRES / (111_320.0 * max(math.cos(middle), 0.1)))

    def cell_bounds(self, row: int, column: int) -> list[list[float]]:
        south, west = self.south + row * self.dlat, self.west + column * self.dlon
        return [
            [round(south, 6), round(west, 6)],
            [round(south + self.dlat, 6), round(west + self.dlon, 6)],
        ]


def _floor(session: Session, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """floor() where the database has it; SQLite's CAST truncates, so shift above zero first."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(value + 1_000_000, Integer) - 1_000_000
    return func.floor(value)


def _filters(form: MapForm, start: date, end: date, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Case.received_on.between(start, end),
        Case.latitude.is_not(None),
        Case.longitude.is_not(None),
    ]
    answered = Case.status.in_(workflow.ANSWERED_STATUSES)
    if form.tema.data:
        theme = select(Category.id).where(Category.code == form.tema.data).scalar_subquery()
        conditions.append(Case.category_id == theme)
    if form.estado.data == "abiertos":
        conditions.append(~answered)
    elif form.estado.data == "vencidos":
        conditions.append(and_(~answered, Case.due_date < today))
    elif form.estado.data == "respondidos":
        conditions.append(answered)
    return conditions


def _grid(session: Session, conditions: list[ColumnElement[bool]]) -> Grid | None:
    """The grid over the commune's axes, or over the cases when no axes are loaded."""
    axes = session.execute(
        select(
            func.min(StreetAxis.min_lat), func.min(StreetAxis.min_lon), func.max(StreetAxis.max_lat)
        )
    ).one()
    if axes[0] is not None:
        return Grid.around(axes[0], axes[1], axes[2])
    cases = session.execute(
        select(func.min(Case.latitude), func.min(Case.longitude), func.max(Case.latitude)).where(
            *conditions
        )
    ).one()
    return Grid.around(cases[0], cases[1], cases[2]) if cases[0] is not None else None


def _zones(
    session: Session,
    grid: Grid,
    conditions: list[ColumnElement[bool]],
    period: tuple[date, date],
    today: date,
) -> list[dict[str, Any]]:
    """Cases per cell and, per cell, on time / late / open within term, grouped in SQL with
    the statistics' own verdict (oirs.reporting.stats.judged_cases and verdict)."""
    judged = judged_cases(session, *period, *conditions).subquery()
    outcome = verdict(judged, today)
    row = _floor(session, (judged.c.latitude - grid.south) / grid.dlat).label("row")
    column = _floor(session, (judged.c.longitude - grid.west) / grid.dlon).label("col")
    query = select(
        row,
        column,
        func.count(),
        func.sum(case((outcome == ON_TIME, 1), else_=0)),
        func.sum(case((outcome == LATE, 1), else_=0)),
    ).group_by(row, column)
    zones = []
    for cell_row, cell_column, count, on_time, late in session.execute(query):
        key = (int(cell_row), int(cell_column))
        zone = UnitCompliance(
            _zone_label(*key),
            on_time=int(on_time or 0),
            late=int(late or 0),
            pending=int(count) - int(on_time or 0) - int(late or 0),
        )
        zones.append(
            {
                "label": zone.unit,
                "bounds": grid.cell_bounds(*key),
                "cases": int(count),
                "on_time": zone.on_time,
                "late": zone.late,
                "pending": zone.pending,
                "on_time_pct": zone.on_time_pct,
            }
        )
    return sorted(zones, key=lambda z: (-z["cases"], z["label"]))


def _zone_label(row: int, column: int) -> str:
    """Row from the south, column from the west: 'F-12' (A is the southernmost row)."""
    letters = ""
    n = row
    while True:
        letters = chr(65 + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            break
    return f"{letters}-{column + 1}" if row >= 0 else f"S{-row}-{column + 1}"


def _points(session: Session, conditions: list[ColumnElement[bool]]) -> list[list[Any]]:
    """[lat, lon, folio, status, category id, precision] of the most recent cases."""
    query = (
        select(
            Case.latitude,
            Case.longitude,
            Case.folio,
            Case.status,
            Case.category_id,
            Case.location_source,
            Case.location_precision,
        )
        .where(*conditions)
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(MAX_POINTS)
    )
    points = []
    for lat, lon, folio, status, category_id, source, precision in session.execute(query):
        # coordinates a resident shared before sources were recorded are exact too
        precision = precision or (EXACT if source in (None, SOURCE_RESIDENT) else NOT_FOUND)
        points.append([round(lat, 6), round(lon, 6), folio, status, category_id, precision])
    return points


def _payload(form: MapForm, start: date, end: date) -> dict[str, Any]:
    session = db()
    today = chilean_today()
    conditions = _filters(form, start, end, today)
    period_cases = (
        session.scalar(
            select(func.count()).select_from(Case).where(Case.received_on.between(start, end))
        )
        or 0
    )
    grid = _grid(session, conditions) if period_cases else None
    zones = _zones(session, grid, conditions, (start, end), today) if grid else []
    total = sum(zone["cases"] for zone in zones)
    points = _points(session, conditions) if total else []
    return {
        "cases_with_location": total,
        "cases_in_period": period_cases,
        "points": points,
        "points_shown": len(points),
        "cell_metres": CELL_METRES,
        "zones": zones,
        "axes_url": url_for("stats.map_axes"),
        "case_url": url_for("cases.detail", folio="FOLIO"),
        "labels": {
            "status": STATUS_LABELS,
            "theme": {str(k): v for k, v in form.category_names.items()},
            "precision": PRECISIONS,
            "approximate": [STREET, NOT_FOUND],
        },
    }


def _form() -> tuple[MapForm, tuple[date, date] | None]:
    form = MapForm(request.args)
    categories = db().scalars(select(Category).order_by(Category.name)).all()
    form.tema.choices = [("", "Todos los temas")] + [(c.code, c.name) for c in categories]
    form.category_names = {c.id: c.name for c in categories}
    return form, period_of(form)


def _csp_with_tiles(tiles_url: str | None) -> str:
    """The staff CSP, with the tile server's host allowed for images when one is set."""
    if not tiles_url:
        return CSP
    parts = urlsplit(tiles_url.replace("{s}", "tiles"))
    host = parts.netloc.replace("tiles.", "*.", 1) if "{s}." in tiles_url else parts.netloc
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {parts.scheme}://{host}")


class PayloadCache:
    """The map's data per filters, kept while nothing changed (every status change and filing
    adds an event row; new street axes get new ids) and at most CACHE_SECONDS (the worker's
    geocoding adds no event). Grouping 100 000 cases takes a few hundred milliseconds; staff
    flipping between filters should not pay it each time."""

    def __init__(self, size: int = CACHE_SIZE, seconds: float = CACHE_SECONDS) -> None:
        self.size, self.seconds = size, seconds
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, dict[str, Any]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or monotonic() - found[0] > self.seconds:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: tuple[Any, ...], payload: dict[str, Any]) -> None:
        with self.lock:
            self.entries[key] = (monotonic(), payload)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _cache() -> PayloadCache:
    cache: PayloadCache = current_app.extensions.setdefault("oirs_map_cache", PayloadCache())
    return cache


def _data_version(session: Session) -> tuple[Any, ...]:
    """What changes when a case is filed or moves, or the axes are loaded again."""
    return tuple(
        session.execute(
            select(
                select(func.max(CaseEvent.id)).scalar_subquery(),
                select(func.max(Case.id)).scalar_subquery(),
                select(func.max(StreetAxis.id)).scalar_subquery(),
            )
        ).one()
    )


def _cached_payload(form: MapForm, start: date, end: date) -> dict[str, Any]:
    key = (
        start,
        end,
        form.tema.data,
        form.estado.data,
        chilean_today(),
        *_data_version(db()),
    )
    payload = _cache().get(key)
    if payload is None:
        payload = _payload(form, start, end)
        _cache().put(key, payload)
    return payload


@bp.get("/mapa")
@requires("stats.read")
def map_page() -> ResponseReturnValue:
    with db().begin():
        form, period = _form()
        if period is None:
            return render_template("stats/map.html", form=form, data=None), 400
        data = _cached_payload(form, *period)
    tiles = settings().map_tiles_url
    html = render_template(
        "stats/map.html",
        form=form,
        data=data,
        data_json=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
        tiles_url=tiles,
        tiles_attribution=settings().map_tiles_attribution,
        max_points=MAX_POINTS,
        data_args={k: v for k, v in request.args.items() if k in form.data},
    )
    response = Response(html)
    response.headers["Content-Security-Policy"] = _csp_with_tiles(tiles)
    return response


@bp.get("/mapa/datos.json")
@requires("stats.read")
def map_data() -> ResponseReturnValue:
    with db().begin():
        form, period = _form()
        if period is None:
            errors = {name: f.errors for name, f in form._fields.items() if f.errors}
            return jsonify({"errors": errors}), 400
        return jsonify(_cached_payload(form, *period))


@bp.get("/mapa/calles.json")
@requires("stats.read")
def map_axes() -> ResponseReturnValue:
    """The commune's street axes as [[lat, lon], …] lines, drawn when there are no tiles."""
    lines: list[list[list[float]]] = []
    budget = MAX_AXIS_POINTS
    with db().begin():
        for (points,) in db().execute(select(StreetAxis.points).order_by(StreetAxis.id)):
            if budget <= 0:
                break
            lines.append([[round(lat, 5), round(lon, 5)] for lon, lat in points])
            budget -= len(points)
    return jsonify({"lines": lines, "complete": budget > 0})
