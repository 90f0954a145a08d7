"""The API's rate limit counts per client: per live token (the bot, each Open311 app), and per
address only for requests without one, so the bot's calls from 127.0.0.1 do not share a
bucket with everything else that comes from there."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from admin import create_app, security
from admin.api.tokens import hash_token
from oirs.models import ApiToken
from oirs.settings import Settings

LIMIT = 5


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def another_token(sessions: sessionmaker[Session], like: str) -> str:
    """A second live token, a copy of `like`'s row under another secret."""
    token = "oirs_" + hashlib.sha256(b"another client").hexdigest()[:43]
    with sessions.begin() as session:
        first = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == hash_token(like))
        ).one()
        values = {c.key: getattr(first, c.key) for c in ApiToken.__table__.columns if c.key != "id"}
        values.update(name="otro cliente", token_hash=hash_token(token), prefix=token[:12])
        session.add(ApiToken(**values))
    return token


@pytest.fixture
def limited_app(app_settings: Settings, clean_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setattr(security, "API_LIMIT", f"{LIMIT} per minute")
    return create_app(app_settings, TESTING=True)


def codes(app: Flask, tokens: list[str]) -> list[int]:
    client = app.test_client()
    return [client.get("/api/v1/commune", headers=bearer(t)).status_code for t in tokens]


def test_each_token_has_its_own_api_limit_though_both_come_from_one_address(
    limited_app: Flask, api_token: str, sessions: sessionmaker[Session]
) -> None:
    other = another_token(sessions, api_token)
    first = codes(limited_app, [api_token] * (LIMIT + 1))
    assert first[:LIMIT] == [200] * LIMIT and first[-1] == 429
    assert codes(limited_app, [other]) == [200]


def test_requests_without_a_live_token_are_limited_by_address_not_by_what_they_send(
    limited_app: Flask, api_token: str
) -> None:
    """Inventing a new token per request does not buy a new bucket, and does not exhaust
    the bot's."""
    made_up = [f"oirs_invented-{n}" for n in range(LIMIT + 1)]
    refused = codes(limited_app, made_up)
    assert refused[:LIMIT] == [401] * LIMIT and refused[-1] == 429
    assert codes(limited_app, [""]) == [429]  # no token at all: the same address bucket
    assert codes(limited_app, [api_token]) == [200]


def test_the_limiter_storage_never_holds_the_token(limited_app: Flask, api_token: str) -> None:
    codes(limited_app, [api_token])
    storage = limited_app.extensions["oirs_limiter"].storage
    keys = " ".join([*storage.events, *storage.storage])
    assert "token" in keys
    assert api_token not in keys
    assert hash_token(api_token) not in keys  # nor the value the database looks it up by
