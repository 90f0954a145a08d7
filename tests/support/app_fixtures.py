"""Shared fixtures of the app environment: migrated databases on SQLite and PostgreSQL,
the admin app, an API token, and a clean, seeded database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from oirs.db import make_engine, make_session_factory
from oirs.models import Base
from oirs.settings import PROJECT_ROOT, Settings

PG_ADMIN_URL = os.environ.get("OIRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("OIRS_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def migrate(url: str) -> None:
    """Run the real Alembic migrations, as production does."""
    from alembic import command

    from admin.cli import alembic_config

    config = alembic_config(Settings(database_url=url))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")


def _postgres_database(name: str) -> str:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {type(exc).__name__} (SKIPPED)")
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(name: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A freshly migrated database of each backend, shared by the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'oirs.db'}"
        migrate(url)
        yield url
        return
    name = f"oirs_test_{uuid.uuid4().hex[:10]}"
    url = _postgres_database(name)
    migrate(url)
    yield url
    _drop_postgres_database(name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def wipe(engine: Engine) -> None:
    """Empty every table (children first) so each test starts from the seed alone."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clean_db(engine: Engine, sessions: sessionmaker[Session]) -> Engine:
    """An empty database with the reference units and categories."""
    from oirs.seed import seed_reference_data

    wipe(engine)
    with sessions.begin() as session:
        seed_reference_data(session)
    return engine


@pytest.fixture
def db_session(clean_db: Engine, sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session on a clean database; the test owns its transactions."""
    session = sessions()
    yield session
    session.close()


@pytest.fixture(scope="session")
def app_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("var")
    return Settings(database_url=database_url, data_dir=data_dir)


@pytest.fixture(scope="session")
def app(app_settings: Settings) -> Flask:
    from admin import create_app

    return create_app(app_settings, TESTING=True, RATELIMIT_ENABLED=False)


@pytest.fixture
def client(app: Flask, clean_db: Engine) -> FlaskClient:
    return app.test_client()


def _token(sessions: sessionmaker[Session], name: str, *scopes: str) -> str:
    from admin.api.tokens import issue_token

    with sessions.begin() as session:
        return issue_token(session, name, scopes)


@pytest.fixture
def api_token(clean_db: Engine, sessions: sessionmaker[Session]) -> str:
    """A token with every scope, for tests of what the routes do (scope tests use the others)."""
    return _token(sessions, "tests", "bot", "open311", "read")


@pytest.fixture
def bot_token(clean_db: Engine, sessions: sessionmaker[Session]) -> str:
    return _token(sessions, "bot", "bot")


@pytest.fixture
def read_token(clean_db: Engine, sessions: sessionmaker[Session]) -> str:
    return _token(sessions, "informes", "read")


@pytest.fixture
def open311_token(clean_db: Engine, sessions: sessionmaker[Session]) -> str:
    return _token(sessions, "App Barrio", "open311")


@pytest.fixture
def auth(api_token: str) -> dict[str, str]:
    """Headers of an authenticated API client."""
    return {"Authorization": f"Bearer {api_token}"}


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
