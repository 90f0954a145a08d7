"""The user_account columns failed_logins and locked_until, retired when the login throttle
(admin/auth/throttle.py) replaced them, are dropped by a migration that runs on SQLite and
PostgreSQL with staff who already signed case events, and that can be undone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from admin.cli import alembic_config
from oirs.db import make_engine
from oirs.models import User
from oirs.settings import Settings
from tests.support.app_fixtures import BACKENDS, _drop_postgres_database, _postgres_database

RETIRED = {"failed_logins", "locked_until"}


def _revision_that_drops_them(config: Config) -> tuple[str, str]:
    """(revision, the one before it) of the migration dropping the retired columns."""
    scripts = ScriptDirectory.from_config(config)
    for script in scripts.walk_revisions():
        source = Path(script.path).read_text()
        if "failed_logins" in source and script.down_revision is not None:
            assert isinstance(script.down_revision, str)
            return script.revision, script.down_revision
    raise AssertionError("no migration drops failed_logins and locked_until")


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend, for this test alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'antes.db'}"
        return
    name = f"oirs_mig_{uuid.uuid4().hex[:10]}"
    yield _postgres_database(name)
    _drop_postgres_database(name)


def _columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("user_account")}


def test_the_model_no_longer_has_the_retired_columns() -> None:
    assert not RETIRED & set(User.__table__.columns.keys())


def test_the_migration_drops_the_retired_columns_and_keeps_staff_and_their_events(
    empty_url: str,
) -> None:
    config = alembic_config(Settings(database_url=empty_url))
    config.attributes["skip_logging"] = True
    revision, before = _revision_that_drops_them(config)
    command.upgrade(config, before)
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, role, active,"
                    " failed_logins, locked_until, created_at) VALUES (7, 'oirs@prueba.cl',"
                    " 'Marta OIRS', 'x', 'oirs', :yes, 3, '2026-12-01 10:15:00',"
                    " '2026-11-01 09:00:00')"
                ),
                {"yes": True},
            )
            conn.execute(
                text(
                    "INSERT INTO case_file (id, folio, type, channel, status, description,"
                    " created_at, received_on, term_business_days, due_date, extended,"
                    " transcript, details) VALUES (1, 'RC-2026-000001', 'reclamo', 'web',"
                    " 'ingresado', 'Poste', '2026-12-01 10:00:00', '2026-12-01', 15,"
                    " '2026-12-22', :no, '[]', '{}')"
                ),
                {"no": False},
            )
            # a staff member's event: the user row must survive whatever the migration does
            conn.execute(
                text(
                    "INSERT INTO case_event (case_id, at, actor_user_id, actor_label, kind,"
                    " data) VALUES (1, '2026-12-01 10:05:00', 7, 'Marta OIRS', 'nota', '{}')"
                )
            )
        assert _columns(engine) >= RETIRED

        command.upgrade(config, revision)
        assert not RETIRED & _columns(engine)
        with engine.begin() as conn:
            staff = conn.execute(text("SELECT id, email, role FROM user_account")).all()
            actors = conn.execute(text("SELECT actor_user_id FROM case_event")).scalars().all()
        assert [tuple(row) for row in staff] == [(7, "oirs@prueba.cl", "oirs")]
        assert actors == [7]

        command.downgrade(config, before)
        assert _columns(engine) >= RETIRED
        with engine.begin() as conn:
            restored = conn.execute(
                text("SELECT failed_logins, locked_until FROM user_account")
            ).one()
        assert tuple(restored) == (0, None)
        command.upgrade(config, "head")
        assert not RETIRED & _columns(engine)
    finally:
        engine.dispose()
