"""Scale-out: two Rasa processes behind one port share conversations through the SQL tracker
store (PostgreSQL) and Redis locks; the admin runs several gunicorn workers.

Ports 26100-26199: admin :26100 (4 workers), Rasa :26105 and :26106, actions :26155, the
round-robin proxy :26110, our own redis-server :26379 (never the machine's shared 6379).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e import faults
from tests.e2e.proxy import Proxy
from tests.e2e.stack import Stack, running_stack
from tests.support.app_fixtures import _drop_postgres_database, _postgres_database
from tests.support.redis_server import RedisProcess, redis_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN, RASA_A, RASA_B, ACTIONS, PROXY, REDIS = 26100, 26105, 26106, 26155, 26110, 26379
CONVERSATIONS, TURNS = 20, 6
LINES = faults.STATELESS_LINES


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    with redis_server(REDIS, tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory, redis: RedisProcess) -> Iterator[Stack]:
    """Admin (4 workers), actions, Rasa A, Rasa B: SQL trackers on PostgreSQL, Redis locks."""
    suffix = uuid.uuid4().hex[:8]
    admin_db, tracker_db = f"oirs_scale_{suffix}", f"rasa_scale_{suffix}"
    url, tracker_url = _postgres_database(admin_db), _postgres_database(tracker_db)
    extra = {
        "RASA_LOCK_STORE": "redis",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(REDIS),
        "REDIS_LOCK_DB": "1",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS}/2",
    }
    tracker = ("postgresql", tracker_url.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with running_stack(
            tmp_path_factory.mktemp("scale"),
            url,
            tracker=tracker,
            ports=(ADMIN, RASA_A, ACTIONS),
            extra_env=extra,
            admin_workers=4,
            more_rasa_ports=(RASA_B,),
        ) as running:
            yield running
    finally:
        _drop_postgres_database(admin_db)
        _drop_postgres_database(tracker_db)


@pytest.fixture(scope="module")
def front(scaled: Stack) -> Iterator[Proxy]:
    proxy = Proxy(PROXY, [RASA_A, RASA_B]).start()
    yield proxy
    proxy.stop()


def converse(base_url: str, sender: str) -> list[list[dict[str, object]]]:
    """One resident's turns, one after the other, each tagged with the sender's own mark."""
    return [faults.say(base_url, sender, f"{line} {sender}") for line in LINES[:TURNS]]


def test_concurrent_conversations_through_two_rasa_processes_lose_and_mix_nothing(
    scaled: Stack, front: Proxy
) -> None:
    url = f"http://127.0.0.1:{PROXY}"
    senders = [f"scale-{i:02d}-{uuid.uuid4().hex[:6]}" for i in range(CONVERSATIONS)]
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        replies = dict(zip(senders, pool.map(lambda s: converse(url, s), senders), strict=True))
    assert front.served[RASA_A] > 0 and front.served[RASA_B] > 0, front.served
    for sender in senders:
        for reply in replies[sender]:
            assert reply, f"{sender}: a turn got no answer"
            assert {m.get("recipient_id") for m in reply} == {sender}
        said = faults.user_texts(faults.tracker(scaled, sender))
        assert said == [f"{line} {sender}" for line in LINES[:TURNS]], said


def test_a_conversation_alternating_between_processes_keeps_its_form(scaled: Stack) -> None:
    """Every turn goes to the other Rasa process: the form and its slots still carry over."""
    sender = faults.new_sender("alternate")
    bases = [scaled.rasa_url, f"http://127.0.0.1:{RASA_B}"]
    turns = iter(range(100))

    def turn(message: str) -> str:
        return faults.texts(faults.say(bases[next(turns) % 2], sender, message))

    faults.reach_confirmation(turn)
    answer = turn("si")
    folio = faults.FOLIO.search(answer)
    assert folio, answer
    assert [c.folio for c in faults.cases_of(scaled, sender)] == [folio.group(0)]


def test_redis_down_drops_no_processed_turn_and_recovers_when_it_returns(
    scaled: Stack, front: Proxy, redis: RedisProcess
) -> None:
    url = f"http://127.0.0.1:{PROXY}"
    sender = faults.new_sender("redis-down")
    assert faults.say(url, sender, "hola")
    redis.stop()
    try:
        during = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "que horario tiene la municipalidad"},
            timeout=60,
        )
        # Rasa's REST channel answers 200 with no messages when the lock store fails:
        # the turn is not processed (no lock, no tracker write), nothing half-done.
        assert during.json() == [], during.text
    finally:
        redis.start()
    assert faults.user_texts(faults.tracker(scaled, sender)) == ["hola"]
    assert faults.say(url, sender, "que horario tiene la municipalidad")
    said = faults.user_texts(faults.tracker(scaled, sender))
    assert said == ["hola", "que horario tiene la municipalidad"], said
