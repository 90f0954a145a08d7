"""Rate limits of the public webhooks (channels/ratelimit.py).

HTTP level: a real Rasa server (tiny model, our credentials.yml) started with low limits and
SANIC_PROXIES_COUNT=1, so each test speaks from its own X-Forwarded-For address as it would
behind the municipality's proxy; payloads in Twilio's and Telegram's real shapes, signed.
Counter level: two channel instances sharing a redis-server of our own (never the machine's
shared one), and that server killed to show the limiter fails open.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from channels import messages, ratelimit
from channels.ratelimit import Limiter, MemoryStore, Rate, RedisStore, WebhookLimits
from channels.store import ChannelStore
from channels.voice.texts import TEXTS
from channels.whatsapp import TwilioConfig, WhatsAppInput
from tests.channels import test_telegram as tg
from tests.channels import test_whatsapp as wa
from tests.channels.conftest import (
    PUBLIC_URL,
    TWILIO_SID,
    TWILIO_TOKEN,
    channel_env,
    free_port,
    running_rasa,
    user_texts,
)
from tests.support.redis_server import RedisProcess, redis_server

WINDOW = 600  # long windows: a test never straddles two of them (see within_one_window)
LIMITS = {
    "OIRS_WEBHOOK_RATE_PER_IP": "3/10minutes",
    "OIRS_WEBHOOK_RATE_PER_SENDER": "3/10minutes",
    "OIRS_VOICE_RATE_PER_CALLER": "2/10minutes",
    "SANIC_PROXIES_COUNT": "1",  # one trusted proxy in front: its X-Forwarded-For counts
}
VOICE_PATH = "/webhooks/voice/webhook"


def address() -> str:
    """A client address of its own for each request or test: no two tests share a bucket."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def within_one_window(seconds: int = WINDOW, margin: float = 30.0) -> None:
    """Wait for a fresh fixed window when the current one ends too soon for the test."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 0.2)


@pytest.fixture(scope="module")
def limited(
    tiny_model: Path, provider_state, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """Rasa with every channel and low limits; yields its URL and its log file."""
    work = tmp_path_factory.mktemp("rasa-limited")
    env = {**channel_env(provider_state.base_url), **LIMITS}
    with running_rasa(tiny_model, work, env, free_port()) as url:
        yield url, work / "rasa.log"


# --- WhatsApp ---------------------------------------------------------------------------------


def post_whatsapp(
    url: str, params: dict[str, str], ip: str, signature: str | None = None
) -> requests.Response:
    if signature is None:
        signature = wa.twilio_signature(PUBLIC_URL + wa.PATH, params)
    headers = {"X-Forwarded-For": ip}
    if signature:
        headers["X-Twilio-Signature"] = signature
    return requests.post(url + wa.PATH, data=params, headers=headers, timeout=30)


def test_unsigned_flood_from_one_address_gets_429_before_any_check(limited, fake_providers):
    url, log = limited
    flooder, resident_ip = address(), address()
    within_one_window()
    statuses = []
    for _ in range(10):
        params = wa.inbound(wa.resident(), "hola")
        statuses.append(post_whatsapp(url, params, flooder, signature="").status_code)
    # three refused requests are tolerated, the fourth goes over; from then on only 429
    assert statuses == [403] * 4 + [429] * 6
    last = post_whatsapp(url, wa.inbound(wa.resident(), "hola"), flooder, signature="")
    assert last.status_code == 429
    assert last.text == "Demasiadas solicitudes. Intente nuevamente más tarde."
    assert 1 <= int(last.headers["Retry-After"]) <= WINDOW + 1
    # the flood logs one line, not one per request
    assert log.read_text().count(f"event=ip_rate_limited ip={flooder}") == 1
    # a signed message from another address is served as always
    sender = wa.resident()
    assert post_whatsapp(url, wa.inbound(sender, "hola"), resident_ip).status_code == 200
    assert user_texts(url, sender) == ["hola"]


def test_signed_requests_never_count_against_their_address(limited, fake_providers):
    """Twilio sends every resident's messages from a few addresses of its own."""
    url, _ = limited
    twilio_ip = address()
    within_one_window()
    senders = [wa.resident() for _ in range(8)]
    for sender in senders:
        assert post_whatsapp(url, wa.inbound(sender, "hola"), twilio_ip).status_code == 200
    assert all(user_texts(url, sender) == ["hola"] for sender in senders)


def test_a_resident_over_the_limit_gets_one_notice_and_rasa_never_sees_the_rest(
    limited, fake_providers
):
    url, log = limited
    sender, other = wa.resident(), wa.resident()
    within_one_window()
    replies = []
    for n in range(1, 7):
        replies.append(post_whatsapp(url, wa.inbound(sender, f"reclamo {n}"), address()))
    assert [r.status_code for r in replies] == [200] * 6  # Twilio must not see an error
    notices = [ET.fromstring(r.text).findtext("Message") for r in replies]
    assert notices == [None, None, None, messages.RATE_LIMITED, None, None]
    assert user_texts(url, sender) == ["reclamo 1", "reclamo 2", "reclamo 3"]
    # the bot answered the three it saw, through the Messages API, and nothing else
    sent = [r.form for r in fake_providers.matching("/Messages.json") if r.form["To"] == sender]
    assert [form["Body"] for form in sent] == ["Cuénteme qué ocurrió."] * 3
    # every drop is logged, masked: the number itself never appears
    drops = [line for line in log.read_text().splitlines() if "event=rate_limited" in line]
    mine = [line for line in drops if f"from=***{sender[-3:]}" in line]
    assert len(mine) == 3
    assert sum("notice=True" in line for line in mine) == 1
    assert sender not in log.read_text() and sender.removeprefix("whatsapp:") not in log.read_text()
    # another resident at the same moment is not affected
    assert post_whatsapp(url, wa.inbound(other, "hola"), address()).status_code == 200
    assert user_texts(url, other) == ["hola"]


def test_a_twilio_redelivery_does_not_count_twice(limited, fake_providers):
    url, _ = limited
    sender = wa.resident()
    within_one_window()
    first = wa.inbound(sender, "reclamo")
    for _ in range(4):  # Twilio retrying one message: handled once, counted once
        assert post_whatsapp(url, first, address()).status_code == 200
    for text in ("uno", "dos"):
        reply = post_whatsapp(url, wa.inbound(sender, text), address())
        assert ET.fromstring(reply.text).findtext("Message") is None
    assert user_texts(url, sender) == ["reclamo", "uno", "dos"]


# --- Telegram ---------------------------------------------------------------------------------


def post_telegram(url: str, body: dict, ip: str, secret: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": ip}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return requests.post(url + tg.PATH, json=body, headers=headers, timeout=30)


def test_telegram_chat_over_the_limit_gets_one_notice(limited, fake_providers):
    url, log = limited
    chat_id = tg.resident()
    within_one_window()
    for n in range(1, 7):
        update = tg.update(chat_id, text=f"reclamo {n}")
        reply = post_telegram(url, update, address(), tg.TELEGRAM_SECRET)
        assert reply.status_code == 200  # Telegram resends anything else
    assert user_texts(url, str(chat_id)) == ["reclamo 1", "reclamo 2", "reclamo 3"]
    calls = [tg._params(c) for c in fake_providers.matching("/sendMessage")]
    sent = [p["text"] for p in calls if str(p["chat_id"]) == str(chat_id)]
    assert sent == ["Cuénteme qué ocurrió."] * 3 + [messages.RATE_LIMITED]
    drops = [line for line in log.read_text().splitlines() if "event=rate_limited" in line]
    assert sum(f"chat=***{str(chat_id)[-3:]} " in line for line in drops) == 3


def test_telegram_requests_without_the_secret_are_throttled_by_address(limited, fake_providers):
    url, _ = limited
    flooder = address()
    within_one_window()
    statuses = [
        post_telegram(url, tg.update(tg.resident(), text="x"), flooder, "adivinado").status_code
        for _ in range(8)
    ]
    assert statuses == [403] * 4 + [429] * 4


# --- voice ------------------------------------------------------------------------------------


def call(url: str, caller: str, ip: str) -> requests.Response:
    params = {
        "AccountSid": TWILIO_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "ringing",
        "Called": "+56223456789",
        "Caller": caller,
        "Direction": "inbound",
        "From": caller,
        "FromCountry": "CL",
        "To": "+56223456789",
        "ToCountry": "CL",
    }
    headers = {
        "X-Twilio-Signature": wa.twilio_signature(PUBLIC_URL + VOICE_PATH, params, TWILIO_TOKEN),
        "X-Forwarded-For": ip,
    }
    return requests.post(url + VOICE_PATH, data=params, headers=headers, timeout=30)


def said(reply: requests.Response) -> str:
    return " ".join(say.text or "" for say in ET.fromstring(reply.content).iter("Say"))


def test_a_number_calling_again_and_again_hears_why_and_the_call_ends(limited, fake_providers):
    url, log = limited
    caller = f"+5698{random.randint(1000000, 9999999)}"
    within_one_window()
    replies = [call(url, caller, address()) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert "Le atiende un asistente automatizado" in said(replies[0])
    assert "Le atiende un asistente automatizado" in said(replies[1])
    refused = ET.fromstring(replies[2].content)
    assert said(replies[2]) == TEXTS["rate_limited"]
    assert [child.tag for child in refused] == ["Say", "Hangup"]
    assert "action=call_refused" in log.read_text()
    assert caller not in log.read_text()


def test_callers_with_a_withheld_number_are_not_limited_as_one(limited, fake_providers):
    url, _ = limited
    within_one_window()
    for _ in range(4):
        reply = call(url, "+266696687", address())  # Twilio's "Anonymous"
        assert "Le atiende un asistente automatizado" in said(reply)


# --- the default limits never touch a normal conversation --------------------------------------


def test_a_burst_of_five_photos_with_the_default_limits_reaches_the_bot(rasa_url, fake_providers):
    sender = wa.resident()
    for index in range(5):
        sid = "MM" + uuid.uuid4().hex
        media = (
            f"{fake_providers.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}"
            f"/Media/ME{uuid.uuid4().hex}"
        )
        params = wa.inbound(
            sender, "", NumMedia="1", MessageType="image", MediaContentType0="image/jpeg"
        )
        params.update(MediaUrl0=media, MessageSid=sid, SmsMessageSid=sid, SmsSid=sid)
        reply = wa.post(rasa_url, params)
        assert reply.status_code == 200
        assert ET.fromstring(reply.text).findtext("Message") is None, index
    assert user_texts(rasa_url, sender) == ["/enviar_adjunto"] * 5
    assert len(fake_providers.matching("/api/v1/uploads")) == 5


# --- counters: configuration, windows, Redis shared and Redis down ------------------------------


def test_rates_are_read_from_the_environment_and_typos_stop_the_server() -> None:
    assert ratelimit.parse_rates("40/minute;300/hour") == (Rate(40, 60), Rate(300, 3600))
    assert ratelimit.parse_rates("5 per 10 minutes") == (Rate(5, 600),)
    assert ratelimit.parse_rates("20/30s, 100/d") == (Rate(20, 30), Rate(100, 86400))
    assert ratelimit.parse_rates("off") == ()
    with pytest.raises(ValueError, match="OIRS_WEBHOOK_RATE_PER_SENDER"):
        WebhookLimits.from_env("whatsapp", environ={"OIRS_WEBHOOK_RATE_PER_SENDER": "40/minuto"})
    with pytest.raises(ValueError):
        ratelimit.parse_rates("0/minute")


def test_counters_go_to_redis_when_the_rasa_processes_share_one() -> None:
    assert ratelimit.redis_url_from_env({}) is None
    assert ratelimit.redis_url_from_env({"RASA_LOCK_STORE": "in_memory"}) is None
    lock_store = {
        "RASA_LOCK_STORE": "redis",
        "REDIS_HOST": "10.0.0.5",
        "REDIS_PORT": "6380",
        "REDIS_LOCK_DB": "3",
    }
    assert ratelimit.redis_url_from_env(lock_store) == "redis://10.0.0.5:6380/3"
    shared = {**lock_store, "REDIS_URL": "redis://cache:6379/2"}
    assert ratelimit.redis_url_from_env(shared) == "redis://cache:6379/2"
    assert isinstance(ratelimit.store_from_env({}), MemoryStore)
    assert isinstance(ratelimit.store_from_env(shared), RedisStore)


def test_moving_windows_refuse_over_the_limit_and_say_so_once_per_window() -> None:
    limiter = Limiter("test", [Rate(3, 2), Rate(5, 3600)], MemoryStore())

    async def hits(count: int) -> list[tuple[bool, bool]]:
        verdicts = [await limiter.hit("+56912345678") for _ in range(count)]
        return [(v.allowed, v.first_refusal) for v in verdicts]

    async def scenario() -> None:
        allowed, first, again = (True, False), (False, True), (False, False)
        assert await hits(5) == [allowed] * 3 + [first, again]  # refused ones are not counted
        refused = await limiter.hit("+56912345678")
        assert 1 <= refused.retry_after <= 3
        await asyncio.sleep(2.1)  # the short window slid past: 3 counted in the hour
        assert await hits(3) == [allowed, allowed, first]  # now the hour's limit, said once
        assert (await limiter.hit("+56987654321")).allowed  # someone else: untouched

    asyncio.run(scenario())


def test_an_address_is_screened_only_after_a_refusal_while_its_window_is_full() -> None:
    """The per-address check: three refused requests pass to be refused (403), the fourth is
    counted as refused, and from then on the address gets 429 until its window has room."""
    limiter = Limiter("test:ip", [Rate(3, 2)], MemoryStore())

    async def scenario() -> list[str]:
        seen = []
        for _ in range(6):
            if not (await limiter.check("10.0.0.1")).allowed:
                seen.append("429")
                continue
            verdict = await limiter.hit("10.0.0.1")
            seen.append("403" + (" logged" if verdict.first_refusal else ""))
        await asyncio.sleep(2.1)
        seen.append("429" if not (await limiter.check("10.0.0.1")).allowed else "403")
        return seen

    assert asyncio.run(scenario()) == ["403"] * 3 + ["403 logged"] + ["429"] * 2 + ["403"]


def test_memory_keeps_a_bounded_number_of_identities() -> None:
    store = MemoryStore(max_keys=50)
    limiter = Limiter("test", [Rate(5, 60)], store)

    async def scenario() -> None:
        for n in range(500):
            assert (await limiter.hit(f"+5691{n:07d}")).allowed

    asyncio.run(scenario())
    assert len(store.storage.events) <= 51


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisProcess]:
    with redis_server(free_port(), tmp_path) as server:
        yield server


def straddling_burst(environ: dict[str, str], limit: int = 3, window: int = 2) -> list[bool]:
    """`limit` messages just before a window boundary and `limit` just after it."""
    limits = WebhookLimits.from_env("whatsapp", environ=environ)
    sender = wa.resident()

    async def scenario() -> list[bool]:
        while not 0.55 * window <= time.time() % window <= 0.7 * window:
            await asyncio.sleep(0.01)
        before = [(await limits.resident(sender)).allowed for _ in range(limit)]
        await asyncio.sleep(window - time.time() % window + 0.05)  # just past the boundary
        after = [(await limits.resident(sender)).allowed for _ in range(limit)]
        return before + after

    return asyncio.run(scenario())


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_twice_the_limit_straddling_a_window_boundary_does_not_all_pass(
    store: str, tmp_path: Path
) -> None:
    """Fixed windows let 3 through at 1.2 s and 3 more at 2.05 s for "3 per 2 s": a moving
    window counts the last 2 s, wherever the clock's boundaries fall."""
    environ = {"OIRS_WEBHOOK_RATE_PER_SENDER": "3/2s"}
    if store == "memory":
        assert straddling_burst(environ) == [True] * 3 + [False] * 3
        return
    with redis_server(free_port(), tmp_path) as server:
        assert straddling_burst({**environ, "REDIS_URL": server.url}) == [True] * 3 + [False] * 3


def whatsapp_channel(redis_url: str, per_sender: str = "3/10minutes") -> WhatsAppInput:
    """One Rasa process's WhatsApp channel, its counters in the shared Redis."""
    config = TwilioConfig(TWILIO_SID, TWILIO_TOKEN, "+14155238886", PUBLIC_URL)
    environ = {"OIRS_WEBHOOK_RATE_PER_SENDER": per_sender, "REDIS_URL": redis_url}
    limits = WebhookLimits.from_env("whatsapp", environ=environ)
    return WhatsAppInput(config, ChannelStore("whatsapp"), limits)


def test_two_processes_count_one_resident_together_in_redis(redis) -> None:
    """Messages of one resident alternate between two Rasa processes: one limit, one notice."""
    one, two = whatsapp_channel(redis.url), whatsapp_channel(redis.url)
    seen: list[Any] = []
    sender = wa.resident()
    within_one_window()

    async def on_new_message(message: Any) -> None:
        seen.append(message)

    async def scenario() -> list[str]:
        bodies = []
        for n in range(6):
            channel = (one, two)[n % 2]
            reply = await channel.handle(wa.inbound(sender, f"m{n}"), on_new_message)
            bodies.append(reply.body.decode())
        return bodies

    bodies = asyncio.run(scenario())
    assert [m.text for m in seen] == ["m0", "m1", "m2"]
    assert [messages.RATE_LIMITED in body for body in bodies] == [False] * 3 + [True, False, False]


def test_redis_down_fails_open_and_logs(redis, caplog) -> None:
    channel = whatsapp_channel(redis.url, per_sender="2/10minutes")
    seen: list[Any] = []
    sender = wa.resident()
    within_one_window()

    async def on_new_message(message: Any) -> None:
        seen.append(message)

    async def scenario() -> None:  # one event loop, like the Rasa server's
        for text in ("a", "b", "c"):
            await channel.handle(wa.inbound(sender, text), on_new_message)
        assert [m.text for m in seen] == ["a", "b"]  # the limit works while Redis is up
        redis.stop()
        for text in ("d", "e", "f"):
            await channel.handle(wa.inbound(sender, text), on_new_message)

    with caplog.at_level(logging.ERROR, logger="channels.ratelimit"):
        asyncio.run(scenario())
    assert [m.text for m in seen] == ["a", "b", "d", "e", "f"]  # down: nothing refused
    failures = [r.getMessage() for r in caplog.records if "store_unavailable" in r.getMessage()]
    assert len(failures) == 1  # logged once, then Redis is left alone for a pause
    assert "error=ConnectionError action=fail_open" in failures[0]


def test_a_limiter_tries_redis_again_after_its_pause(redis) -> None:
    limiter = Limiter("test", [Rate(1, WINDOW)], RedisStore(redis.url), pause=0.2)
    within_one_window()

    async def scenario() -> list[bool]:
        async def hit() -> bool:
            return (await limiter.hit("+56911111111")).allowed

        results = [await hit(), await hit()]  # up: the second one is refused
        redis.stop()
        results.append(await hit())  # down: open
        redis.start()  # back on the same port, empty: counting starts over
        await asyncio.sleep(0.3)
        return [*results, await hit(), await hit()]

    assert asyncio.run(scenario()) == [True, False, True, True, False]


def test_log_lines_never_hold_the_number(caplog) -> None:
    channel = WhatsAppInput(
        TwilioConfig(TWILIO_SID, TWILIO_TOKEN, "+14155238886", PUBLIC_URL),
        ChannelStore("whatsapp"),
        WebhookLimits.from_env("whatsapp", environ={"OIRS_WEBHOOK_RATE_PER_SENDER": "1/hour"}),
    )
    sender = "whatsapp:+56987654321"

    async def nothing(message: Any) -> None:
        return None

    async def scenario() -> None:
        for text in ("hola", "¿sigue ahí?", "RUT 12.345.678-5"):
            await channel.handle(wa.inbound(sender, text), nothing)

    with caplog.at_level(logging.INFO):
        asyncio.run(scenario())
    text = caplog.text
    assert "event=rate_limited" in text
    assert not re.search(r"9876543|12\.345\.678|sigue ah", text)
