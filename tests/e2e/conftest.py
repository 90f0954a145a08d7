"""Running stacks (admin + actions + Rasa) shared by the end-to-end tests of a session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.e2e import channel_env
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.faults import FakeTwilio
from tests.e2e.stack import Stack, running_stack
from tests.support.app_fixtures import _drop_postgres_database, _postgres_database

PG_STACK_PORTS = (28100, 25105, 25155)


@pytest.fixture(scope="session")
def twilio_standin() -> Iterator[FakeTwilio]:
    """api.twilio.com for the session stack: checks the account's credentials, serves media."""
    fake = FakeTwilio(
        channel_env.TWILIO_PORT, channel_env.TWILIO_ACCOUNT, channel_env.TWILIO_TOKEN
    ).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def telegram_standin() -> Iterator[FakeTelegram]:
    """api.telegram.org for the session stack."""
    fake = FakeTelegram(channel_env.TELEGRAM_PORT, channel_env.TELEGRAM_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    twilio_standin: FakeTwilio,
    telegram_standin: FakeTelegram,
) -> Iterator[Stack]:
    """The default deployment: SQLite for the admin and for Rasa's tracker store, with
    WhatsApp and Telegram mounted against loopback stand-ins of their providers."""
    data_dir = tmp_path_factory.mktemp("e2e")
    extra = channel_env.channel_env(twilio_standin.base_url, telegram_standin.base_url)
    with running_stack(data_dir, f"sqlite:///{data_dir / 'oirs.db'}", extra_env=extra) as running:
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
