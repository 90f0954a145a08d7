"""Folio throughput: cases filed per second by 1 writer (baseline) and 8 concurrent writers,
on SQLite and PostgreSQL, each in a fresh migrated database. Prints one JSON object."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from oirs.db import make_engine

PG_ADMIN_URL = os.environ.get("OIRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
CASES = int(os.environ.get("BENCH_FOLIO_CASES", "800"))


def _writer(url: str, count: int) -> tuple[float, float, list[str]]:
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.cases.filing import ContactData, NewCase, file_case
    from oirs.db import make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    calendar = BusinessCalendar()
    folios = []
    started = time.time()
    for i in range(count):
        data = NewCase(
            type="reclamo",
            channel="web",
            description=f"bench {i}",
            category="aseo",
            contact=ContactData(name="Bench"),
        )
        with sessions.begin() as session:
            folios.append(file_case(session, data, calendar)[0].folio)
    finished = time.time()
    engine.dispose()
    return started, finished, folios


def _fresh(backend: str, tmp: Path) -> str:
    from alembic import command

    from admin.cli import alembic_config
    from oirs.db import make_session_factory
    from oirs.seed import seed_reference_data
    from oirs.settings import Settings

    if backend == "sqlite":
        url = f"sqlite:///{tmp / (uuid.uuid4().hex + '.db')}"
    else:
        name = f"oirs_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    config = alembic_config(Settings(database_url=url))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        seed_reference_data(session)
    engine.dispose()
    return url


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()


def measure(backend: str, writers: int, tmp: Path) -> dict[str, float | int | bool]:
    url = _fresh(backend, tmp)
    each = CASES // writers
    with mp.get_context("spawn").Pool(writers) as pool:
        results = pool.starmap(_writer, [(url, each)] * writers)
    # Filing time only: from the first writer's first case to the last writer's last one.
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    numbers = sorted(int(f.rsplit("-", 1)[1]) for r in results for f in r[2])
    _drop(url)
    return {
        "writers": writers,
        "cases": writers * each,
        "seconds": round(elapsed, 3),
        "cases_per_second": round(writers * each / elapsed, 1),
        "gap_free": numbers == list(range(1, writers * each + 1)),
    }


def main() -> None:
    result: dict[str, object] = {"benchmark": "folios", "cases_per_run": CASES}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            try:
                baseline = measure(backend, 1, Path(tmp))
                concurrent = measure(backend, 8, Path(tmp))
            except Exception as exc:  # report an unreachable backend instead of dying
                result[backend] = {"error": type(exc).__name__}
                continue
            result[backend] = {
                "baseline_1_writer": baseline,
                "concurrent_8_writers": concurrent,
                "ratio_vs_baseline": round(
                    float(concurrent["cases_per_second"]) / float(baseline["cases_per_second"]), 2
                ),
            }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
