"""Running stacks (admin + actions + Rasa) shared by the end-to-end tests of a session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.stack import Stack, running_stack
from tests.support.app_fixtures import _drop_postgres_database, _postgres_database

PG_STACK_PORTS = (28100, 25105, 25155)

PG_STACK_PORTS = (28100, 25105, 25155)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The default deployment: SQLite for the admin and for Rasa's tracker store."""
    data_dir = tmp_path_factory.mktemp("e2e")
    with running_stack(data_dir, f"sqlite:///{data_dir / 'oirs.db'}") as running:
        yield running


@pytest.fixture(scope="session")
def pg_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The production shape: PostgreSQL for the admin and for Rasa's conversations."""
    suffix = uuid.uuid4().hex[:8]
    admin_db, tracker_db = f"oirs_e2e_{suffix}", f"rasa_e2e_{suffix}"
    url = _postgres_database(admin_db)
    tracker_url = _postgres_database(tracker_db)
    data_dir = tmp_path_factory.mktemp("e2e-pg")
    try:
        with running_stack(
            data_dir,
            url,
            tracker=("postgresql", tracker_url.replace("postgresql://", "postgresql+psycopg2://")),
            ports=PG_STACK_PORTS,  # both stacks live for the whole session
        ) as running:
            yield running
    finally:
        _drop_postgres_database(admin_db)
        _drop_postgres_database(tracker_db)
