"""The channel store: each provider message claimed once, also across processes via Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from channels.store import ChannelStore

REDIS_URL = os.environ.get("OIRS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_a_claim_is_granted_once_until_released() -> None:
    store = ChannelStore("test")

    async def scenario() -> list[bool]:
        first, again = await store.claim("sid:1"), await store.claim("sid:1")
        await store.release("sid:1")
        return [first, again, await store.claim("sid:1")]

    assert asyncio.run(scenario()) == [True, False, True]


def test_memory_store_forgets_the_oldest_beyond_its_bound() -> None:
    store = ChannelStore("test", max_items=2)

    async def scenario() -> bool:
        for key in ("a", "b", "c"):
            await store.claim(key)
        return await store.claim("a")

    assert asyncio.run(scenario()) is True


def test_two_processes_sharing_redis_agree_on_what_was_processed() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL} (SKIPPED)")
    prefix = f"test-{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[bool, bool, str | None, str | None]:
        one, two = ChannelStore(prefix, REDIS_URL), ChannelStore(prefix, REDIS_URL)
        claims = await one.claim("sid:SM1", ttl=60), await two.claim("sid:SM1", ttl=60)
        await one.put("options:x", '["/reclamo"]', ttl=60)
        return (*claims, await two.pop("options:x"), await one.get("options:x"))

    assert asyncio.run(scenario()) == (True, False, '["/reclamo"]', None)


def test_server_starts_without_channel_variables_and_logs_what_is_off(tiny_model, tmp_path) -> None:
    import requests

    from tests.channels.conftest import free_port, running_rasa

    with running_rasa(tiny_model, tmp_path, {}, free_port()) as url:
        assert requests.post(
            url + "/webhooks/rest/webhook", json={"sender": "a", "message": "hola"}, timeout=30
        ).ok
        assert requests.post(url + "/webhooks/whatsapp/webhook", timeout=10).status_code == 404
        assert requests.post(url + "/webhooks/telegram/webhook", timeout=10).status_code == 404
    log = (tmp_path / "rasa.log").read_text()
    assert "channel=whatsapp status=disabled reason=missing_configuration" in log
    assert "TWILIO_ACCOUNT_SID" in log
    assert "channel=telegram status=disabled" in log
