"""Scale-out under load: one Rasa process against two behind a round-robin port.

Run with the app environment (needs PostgreSQL, redis-server and the trained model in models/):
    .venv/bin/python bench/scale_out.py [--conversations 40] [--turns 6]
The real admin (4 gunicorn workers), action server and two Rasa processes on loopback
(ports 26200-26299, our own redis-server on 26389 for the lock store, SQL trackers on
PostgreSQL). The same conversations run first against Rasa A alone (the baseline), then
through the proxy over A and B. Every turn is checked afterwards in the stored trackers:
lost, duplicated or foreign turns are counted. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e import faults  # noqa: E402
from tests.e2e.proxy import Proxy  # noqa: E402
from tests.e2e.stack import Stack, running_stack  # noqa: E402
from tests.support.app_fixtures import (  # noqa: E402
    _drop_postgres_database,
    _postgres_database,
)
from tests.support.redis_server import redis_server  # noqa: E402

ADMIN, RASA_A, RASA_B, ACTIONS, PROXY, REDIS = 26200, 26205, 26206, 26255, 26210, 26389
LINES = faults.STATELESS_LINES


def converse(base_url: str, sender: str, turns: int) -> list[float]:
    """One resident's turns in order; returns each turn's latency in seconds."""
    latencies = []
    for index in range(turns):
        started = time.perf_counter()
        faults.say(base_url, sender, f"{LINES[index % len(LINES)]} {sender}")
        latencies.append(time.perf_counter() - started)
    return latencies


def check(stack: Stack, senders: list[str], turns: int) -> dict[str, int]:
    """Lost, duplicated and foreign user turns, read back from the tracker store."""
    lost = duplicated = foreign = 0
    for sender in senders:
        said = faults.user_texts(faults.tracker(stack, sender))
        expected = [f"{LINES[i % len(LINES)]} {sender}" for i in range(turns)]
        lost += sum(1 for text in expected if text not in said)
        duplicated += len(said) - len(set(said))
        foreign += sum(1 for text in said if not text.endswith(sender))
    return {"lost": lost, "duplicated": duplicated, "foreign": foreign}


def run(stack: Stack, base_url: str, label: str, conversations: int, turns: int) -> dict:
    senders = [f"bench-{label}-{i:03d}-{uuid.uuid4().hex[:6]}" for i in range(conversations)]
    started = time.perf_counter()
    with ThreadPoolExecutor(conversations) as pool:
        per_sender = list(pool.map(lambda s: converse(base_url, s, turns), senders))
    elapsed = time.perf_counter() - started
    latencies = sorted(t for sender in per_sender for t in sender)
    return {
        "turns": len(latencies),
        "seconds": round(elapsed, 2),
        "turns_per_second": round(len(latencies) / elapsed, 2),
        "median_ms": round(statistics.median(latencies) * 1000),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000),
        **check(stack, senders, turns),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    suffix = uuid.uuid4().hex[:8]
    admin_db, tracker_db = f"oirs_bench_{suffix}", f"rasa_bench_{suffix}"
    url, tracker_url = _postgres_database(admin_db), _postgres_database(tracker_db)
    tracker = ("postgresql", tracker_url.replace("postgresql://", "postgresql+psycopg2://"))
    extra = {
        "RASA_LOCK_STORE": "redis",
        "REDIS_PORT": str(REDIS),
        "REDIS_LOCK_DB": "1",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS}/2",
    }
    with tempfile.TemporaryDirectory() as work:
        try:
            with (
                redis_server(REDIS, Path(work)),
                running_stack(
                    Path(work),
                    url,
                    tracker=tracker,
                    ports=(ADMIN, RASA_A, ACTIONS),
                    extra_env=extra,
                    admin_workers=4,
                    more_rasa_ports=(RASA_B,),
                ) as stack,
            ):
                one = run(stack, stack.rasa_url, "one", args.conversations, args.turns)
                proxy = Proxy(PROXY, [RASA_A, RASA_B]).start()
                try:
                    two = run(
                        stack, f"http://127.0.0.1:{PROXY}", "two", args.conversations, args.turns
                    )
                finally:
                    proxy.stop()
        finally:
            _drop_postgres_database(admin_db)
            _drop_postgres_database(tracker_db)
    print(
        json.dumps(
            {
                "benchmark": "scale_out",
                "conversations": args.conversations,
                "turns_per_conversation": args.turns,
                "one_rasa": one,
                "two_rasa_round_robin": two,
                "speedup": round(two["turns_per_second"] / one["turns_per_second"], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
