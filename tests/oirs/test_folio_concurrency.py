"""Many writers filing at once still get unique, gap-free folios (SPEC §2)."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import Engine, select

from oirs.models import Case

WRITERS = 8
CASES_EACH = 200


def _file_many(url: str, writer: int, count: int) -> list[str]:
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.cases.filing import ContactData, NewCase, file_case
    from oirs.db import make_engine, make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    calendar = BusinessCalendar()
    folios = []
    for i in range(count):
        data = NewCase(
            type="reclamo",
            channel="web",
            description=f"Reclamo {writer}-{i}",
            category="alumbrado",
            contact=ContactData(name=f"Vecino {writer}"),
        )
        with sessions.begin() as session:
            case, _ = file_case(session, data, calendar)
            folios.append(case.folio)
    engine.dispose()
    return folios


@pytest.mark.slow
def test_concurrent_writers_get_unique_gap_free_folios(clean_db: Engine, database_url: str) -> None:
    with mp.get_context("spawn").Pool(WRITERS) as pool:
        results = pool.starmap(_file_many, [(database_url, w, CASES_EACH) for w in range(WRITERS)])
    issued = [folio for folios in results for folio in folios]
    total = WRITERS * CASES_EACH
    numbers = sorted(int(f.rsplit("-", 1)[1]) for f in issued)
    assert numbers == list(range(1, total + 1))
    with clean_db.connect() as conn:
        stored = conn.execute(select(Case.folio)).scalars().all()
    assert sorted(stored) == sorted(issued)
