"""Inbox, case-page and map latency on 100 000 cases in PostgreSQL, through the real Flask views.

Loads BENCH_INBOX_CASES cases (default 100 000) into a database of its own (BENCH_INBOX_DB,
default oirs_bench, created on the server of OIRS_TEST_PG_URL) once, then logs in as OIRS staff
and times inbox queries (filters, search, sort, deep pages) and case pages, with GET /healthz
in the same process as the baseline. The statistics page is timed over 12 months and over the
last month (and the case-level CSV export, for information). Three cases in four have
coordinates (a grid commune of 60 street axes, with hot spots); the reclamos map page and its
data are timed with their filters. Prints one JSON object; the goals are p95 <= 150 ms for the
inbox and case page, <= 1 s for the statistics page and the map.
Pass --reload to rebuild the data; --map-only times the map alone, --stats-only the statistics.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, insert, select, text

from oirs.db import make_engine

PG_ADMIN_URL = os.environ.get("OIRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
DB_NAME = os.environ.get("BENCH_INBOX_DB", "oirs_bench")
CASES = int(os.environ.get("BENCH_INBOX_CASES", "100000"))
REQUESTS = int(os.environ.get("BENCH_INBOX_REQUESTS", "200"))
GOAL_P95_MS = 150.0
MAP_GOAL_P95_MS = 1000.0
MAP_REQUESTS = int(os.environ.get("BENCH_MAP_REQUESTS", "40"))
STATS_GOAL_P95_MS = 1000.0
STATS_REQUESTS = int(os.environ.get("BENCH_STATS_REQUESTS", "20"))
MAP_QUERIES = (
    "",
    "?tema=alumbrado",
    "?estado=abiertos",
    "?estado=vencidos&tema=aseo",
    "?desde={month_ago}",
)
# a fictional commune: a 6 x 6 km grid of streets every 200 m around this corner
ORIGIN_LAT, ORIGIN_LON = -33.48, -70.68
GRID_STREETS = 30
STEP_LAT, STEP_LON = 0.0018, 0.00216
HOT_SPOTS = [(-33.465, -70.665), (-33.45, -70.645), (-33.47, -70.635)]
PASSWORD = "clave-de-banco-de-pruebas"
EMAIL = "bench-oirs@municipalidad.cl"
BATCH = 5000
INBOX_QUERIES = (
    "",
    "?estado=todos",
    "?estado=todos&orden=ingreso",
    "?unidad=DIMAO",
    "?plazo=vencidos",
    "?tipo=sai",
    "?categoria=alumbrado&estado=todos",
    "?q=RC-{year}-000123",
    "?q=luminaria",
    "?estado=todos&pagina=200",
)
TYPES = [("reclamo", 60), ("consulta", 15), ("sugerencia", 10), ("felicitacion", 5), ("sai", 10)]
CHANNELS = ["whatsapp", "telegram", "web", "voice", "presencial", "email"]
WORDS = [
    "luminaria apagada en la esquina",
    "basura acumulada frente al colegio",
    "bache profundo en la calzada",
    "ruidos molestos de madrugada",
    "perros sueltos en la plaza",
    "semáforo con falla intermitente",
    "árbol con riesgo de caída",
    "solicito copia del contrato de aseo",
]
NAMES = ["Ana Pérez", "Luis Rojas", "María González", "Jorge Soto", "Carla Muñoz", "Pedro Díaz"]


def database_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME


def ensure_database() -> str:
    """Create the bench database when missing and bring it to the current migrations."""
    from alembic import command

    from admin.cli import alembic_config
    from oirs.settings import Settings

    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    config = alembic_config(Settings(database_url=database_url()))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
    return database_url()


def _due_dates() -> Any:
    """Due date per (received day, type), computed once per pair with the real calendar."""
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.calendar.deadlines import compute_deadline
    from oirs.calendar.terms import DEFAULT_TERMS

    calendar = BusinessCalendar()
    cache: dict[tuple[date, str], date] = {}

    def due(day: date, case_type: str) -> date:
        if (day, case_type) not in cache:
            cache[(day, case_type)] = compute_deadline(day, DEFAULT_TERMS[case_type], calendar).due
        return cache[(day, case_type)]

    return due


def _case_rows(
    count: int,
    units: dict[str, int],
    categories: list[tuple[int, str]],
    counters: dict[tuple[str, int], int],
) -> Any:
    """Plausible cases over the last year: older ones answered, recent ones mostly open."""
    from oirs.cases.folios import PREFIXES

    rng = random.Random(20261125)
    due = _due_dates()
    now = datetime.now(UTC)
    kinds = [t for t, weight in TYPES for _ in range(weight)]
    for case_id in range(1, count + 1):
        case_type = rng.choice(kinds)
        created = now - timedelta(days=rng.random() * 365, seconds=rng.randint(0, 86_399))
        received = created.date()
        year = received.year
        counters[(case_type, year)] = counters.get((case_type, year), 0) + 1
        category_id, unit_code = rng.choice(categories)
        age = (now - created).days
        answered = (age > 30 and rng.random() < 0.9) or (age > 5 and rng.random() < 0.4)
        if case_type == "sai":
            status = (
                "entregada" if answered else rng.choice(["recibida", "en_analisis", "asignada"])
            )
        else:
            status = (
                "respondido"
                if answered
                else rng.choice(["ingresado", "clasificado", "derivado", "en_gestion"])
            )
        name = rng.choice(NAMES)
        latitude, longitude = _position(rng)
        yield {
            "id": case_id,
            "folio": f"{PREFIXES[case_type]}-{year}-{counters[(case_type, year)]:06d}",
            "type": case_type,
            "channel": rng.choice(CHANNELS),
            "status": status,
            "description": f"{rng.choice(WORDS)} (caso {case_id})",
            "category_id": None if case_type == "sai" else category_id,
            "unit_id": units["TRANSP"] if case_type == "sai" else units[unit_code],
            "address": f"Calle {rng.randint(1, 400)} #{rng.randint(1, 3000)}",
            "latitude": latitude,
            "longitude": longitude,
            "location_source": "vecino" if latitude is not None else None,
            "location_precision": "exacta" if latitude is not None else None,
            "created_at": created,
            "received_on": received,
            "term_business_days": 20 if case_type == "sai" else 15,
            "due_date": due(received, case_type),
            "extended": False,
            "contact_name": name,
            "contact_email": f"vecino{case_id}@example.cl",
            "contact_phone": f"+5699{case_id:07d}",
            "preferred_channel": "email",
            "transcript": [],
            "details": {},
        }


def _position(rng: random.Random) -> tuple[float | None, float | None]:
    """Three cases in four are on the map, a third of those around a hot spot."""
    if rng.random() >= 0.75:
        return None, None
    if rng.random() < 0.33:
        lat, lon = rng.choice(HOT_SPOTS)
        return lat + rng.gauss(0, 0.002), lon + rng.gauss(0, 0.002)
    return (
        ORIGIN_LAT + rng.random() * GRID_STREETS * STEP_LAT,
        ORIGIN_LON + rng.random() * GRID_STREETS * STEP_LON,
    )


def _street_axes() -> list[Any]:
    """The grid commune's axes: "Norte A" … running north-south, "Oriente A" … east-west."""
    from oirs.reporting.geocoding import Axis, street_name_key

    letters = [chr(65 + n % 26) * (1 + n // 26) for n in range(GRID_STREETS + 1)]
    axes = []
    for n, letter in enumerate(letters):
        lon, lat = ORIGIN_LON + n * STEP_LON, ORIGIN_LAT + n * STEP_LAT
        column = tuple((lon, ORIGIN_LAT + k * STEP_LAT) for k in range(GRID_STREETS + 1))
        row = tuple((ORIGIN_LON + k * STEP_LON, lat) for k in range(GRID_STREETS + 1))
        for name, points in ((f"Norte {letter}", column), (f"Oriente {letter}", row)):
            axes.append(Axis(name, street_name_key(name), points))
    return axes


def _event_rows(case: dict[str, Any]) -> list[dict[str, Any]]:
    from oirs.cases.workflow import INITIAL_STATUS

    first = INITIAL_STATUS[case["type"]]
    events = [
        {
            "case_id": case["id"],
            "at": case["created_at"],
            "actor_label": "vecino",
            "kind": "filed",
            "to_status": first,
            "data": {},
        }
    ]
    if case["status"] != first:
        events.append(
            {
                "case_id": case["id"],
                "at": case["created_at"] + timedelta(days=3),
                "actor_label": "Bench OIRS",
                "kind": "bench",
                "from_status": first,
                "to_status": case["status"],
                "data": {},
            }
        )
    return events


def load(engine: Engine, count: int) -> float:
    """Replace all data with `count` generated cases, a staff user and the reference data."""
    from oirs.db import make_session_factory
    from oirs.models import Base, Case, CaseEvent, Category, FolioCounter, Unit, User
    from oirs.seed import seed_reference_data

    started = time.perf_counter()
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        seed_reference_data(session)
        from argon2 import PasswordHasher

        session.add(
            User(
                email=EMAIL,
                name="Bench OIRS",
                role="oirs",
                password_hash=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
                    PASSWORD
                ),
            )
        )
        units = {u.code: u.id for u in session.scalars(select(Unit))}
        categories = [(c.id, c.unit.code) for c in session.scalars(select(Category))]
    cases: list[dict[str, Any]] = []
    counters: dict[tuple[str, int], int] = {}
    with engine.begin() as conn:
        for row in _case_rows(count, units, categories, counters):
            cases.append(row)
            if len(cases) == BATCH:
                conn.execute(insert(Case), cases)
                conn.execute(insert(CaseEvent), [e for c in cases for e in _event_rows(c)])
                cases = []
        if cases:
            conn.execute(insert(Case), cases)
            conn.execute(insert(CaseEvent), [e for c in cases for e in _event_rows(c)])
        conn.execute(
            insert(FolioCounter),
            [{"case_type": t, "year": y, "last_value": n} for (t, y), n in counters.items()],
        )
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('case_file', 'id'), :n)"), {"n": count}
        )
    from oirs.reporting.geocoding import replace_street_axes

    with sessions.begin() as session:
        replace_street_axes(session, _street_axes())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def _summary(samples: list[float]) -> dict[str, float | int]:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95 + 0.999999) - 1, 0)]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


def _timed(client: Any, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return elapsed


def _logged_in_client(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    login = client.post(
        "/ingresar", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}")
    return client


def _app(url: str, data_dir: str) -> Any:
    import logging

    from admin import create_app
    from oirs.settings import Settings

    logging.disable(logging.INFO)
    return create_app(Settings(database_url=url, data_dir=Path(data_dir)), TESTING=True)


def measure(url: str) -> dict[str, Any]:
    """Log in as OIRS staff and time the real views; /healthz is the in-process baseline."""
    with tempfile.TemporaryDirectory() as tmp:
        client = _logged_in_client(_app(url, tmp))
        engine = make_engine(url)
        with engine.connect() as conn:
            folios = list(
                conn.scalars(text("SELECT folio FROM case_file ORDER BY random() LIMIT 500"))
            )
            year = conn.scalar(text("SELECT max(received_on) FROM case_file")).year
        engine.dispose()
        queries = [q.format(year=year) for q in INBOX_QUERIES]
        for path in ("/healthz", *(f"/casos/{q}" for q in queries), f"/casos/{folios[0]}"):
            _timed(client, path)  # warm-up: templates compiled, pool filled
        baseline = [_timed(client, "/healthz") for _ in range(REQUESTS)]
        by_query: dict[str, list[float]] = {q: [] for q in queries}
        for i in range(REQUESTS):
            q = queries[i % len(queries)]
            by_query[q].append(_timed(client, f"/casos/{q}"))
        case_page = [_timed(client, f"/casos/{folios[i % len(folios)]}") for i in range(REQUESTS)]
    inbox = [ms for samples in by_query.values() for ms in samples]
    return {
        "baseline_healthz": _summary(baseline),
        "inbox": _summary(inbox),
        "inbox_by_query": {q or "(por defecto)": _summary(s) for q, s in by_query.items()},
        "case_page": _summary(case_page),
    }


def measure_stats(url: str) -> dict[str, Any]:
    """The statistics page over the last 12 months (its default) and over the last month,
    STATS_REQUESTS times each, with /healthz as the baseline; the case-level CSV export over
    12 months three times, for information. Nothing is cached between requests."""
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        client = _logged_in_client(_app(url, tmp))
        for path in ("/healthz", "/estadisticas/"):
            _timed(client, path)  # warm-up: templates compiled, pool filled
        baseline = [_timed(client, "/healthz") for _ in range(STATS_REQUESTS)]
        year = [_timed(client, "/estadisticas/") for _ in range(STATS_REQUESTS)]
        month = [_timed(client, f"/estadisticas/?desde={month_ago}") for _ in range(STATS_REQUESTS)]
        export = [_timed(client, "/estadisticas/exportar.csv") for _ in range(3)]
    return {
        "baseline_healthz": _summary(baseline),
        "statistics_page_12_months": _summary(year),
        "statistics_page_last_month": _summary(month),
        "cases_csv_12_months": _summary(export),
    }


def measure_map(url: str) -> dict[str, Any]:
    """The reclamos map page and its JSON over the last 12 months, with each filter of
    MAP_QUERIES in turn (points capped, zones grouped in SQL); /healthz as the baseline.

    Cold: the map's cache emptied before each request, as after any filing or status change;
    warm: the same filters again with nothing changed, each computed once beforehand."""
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    queries = [q.format(month_ago=month_ago) for q in MAP_QUERIES]
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(url, tmp)
        client = _logged_in_client(app)

        def cold(path: str) -> float:
            app.extensions.pop("oirs_map_cache", None)
            return _timed(client, path)

        for path in ("/healthz", "/estadisticas/mapa", "/estadisticas/mapa/datos.json"):
            cold(path)  # warm-up: templates compiled, pool filled
        first = client.get("/estadisticas/mapa/datos.json").get_json()
        baseline = [_timed(client, "/healthz") for _ in range(MAP_REQUESTS)]
        page: dict[str, list[float]] = {q: [] for q in queries}
        data: dict[str, list[float]] = {q: [] for q in queries}
        for i in range(MAP_REQUESTS):
            q = queries[i % len(queries)]
            page[q].append(cold(f"/estadisticas/mapa{q}"))
            data[q].append(cold(f"/estadisticas/mapa/datos.json{q}"))
        for q in queries:
            _timed(client, f"/estadisticas/mapa{q}")  # each filter computed once, then kept
        warm = [_timed(client, f"/estadisticas/mapa{queries[i % len(queries)]}") for i in range(50)]
        axes = [_timed(client, "/estadisticas/mapa/calles.json") for _ in range(10)]
    return {
        "baseline_healthz": _summary(baseline),
        "map_page": _summary([ms for samples in page.values() for ms in samples]),
        "map_data_json": _summary([ms for samples in data.values() for ms in samples]),
        "map_page_by_query": {q or "(por defecto)": _summary(s) for q, s in page.items()},
        "map_page_warm": _summary(warm),
        "map_axes_json": _summary(axes),
        "cases_with_location_12_months": first["cases_with_location"],
        "points_sent": first["points_shown"],
        "zones": len(first["zones"]),
    }


def main() -> None:
    url = ensure_database()
    engine = make_engine(url)
    with engine.connect() as conn:
        present = conn.scalar(select(func.count()).select_from(text("case_file"))) or 0
        # data loaded before the map had no coordinates nor street axes
        mapped = conn.scalar(select(func.count()).select_from(text("street_axis"))) or 0
    load_seconds = None
    if "--reload" in sys.argv or present != CASES or not mapped:
        load_seconds = round(load(engine, CASES), 1)
    engine.dispose()
    result: dict[str, Any] = {
        "benchmark": "inbox",
        "database": f"postgresql/{DB_NAME}",
        "cases": CASES,
        "load_seconds": load_seconds,
        "goal_p95_ms": GOAL_P95_MS,
        "map_goal_p95_ms": MAP_GOAL_P95_MS,
        "statistics_goal_p95_ms": STATS_GOAL_P95_MS,
    }
    only = {"map": "--map-only" in sys.argv, "stats": "--stats-only" in sys.argv}
    checks: list[float] = []
    stats_p95 = 0.0
    if not any(only.values()):
        result.update(measure(url))
        checks += [result["inbox"]["p95_ms"], result["case_page"]["p95_ms"]]
    if not only["map"]:
        result["statistics"] = measure_stats(url)
        stats_p95 = result["statistics"]["statistics_page_12_months"]["p95_ms"]
    if not only["stats"]:
        result["map"] = measure_map(url)
    result["ok"] = (
        all(p95 <= GOAL_P95_MS for p95 in checks)
        and (only["map"] or stats_p95 <= STATS_GOAL_P95_MS)
        and (
            only["stats"]
            or max(result["map"]["map_page"]["p95_ms"], result["map"]["map_data_json"]["p95_ms"])
            <= MAP_GOAL_P95_MS
        )
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
