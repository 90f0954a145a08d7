"""Soak: bounded steady traffic on the real stack for a while, memory sampled every 10 s.

Runs the admin, the action server and Rasa (model in models/, never retrained) on ports
27200-27299, stays idle for a baseline phase (10 % of the run, at most 60 s), then sends a
steady, bounded load (default 2 turns/s: greetings, and a reclamo filed every 20 turns) and
samples the RSS of each process tree every 10 s. Reports each process's slope in MiB per
minute under load against its idle slope, so "flat memory" is a figure, not an impression.
Prints one JSON object. Options: --minutes (default 30; 2 for a quick check), --rate.
Run only by `make bench` (too long for `make test`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.turns import FILING_ANSWERS, percentiles, rss_mb, say  # noqa: E402
from tests.e2e import stack as e2e  # noqa: E402

PORTS = (27200, 27205, 27255)  # admin, rasa, actions
SAMPLE_EVERY_S = 10.0
FLAT_MIB_PER_MIN = 1.0  # above this under load, and above the idle slope, memory grows


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB) in MiB per minute."""
    if len(points) < 3:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return round(statistics.linear_regression(xs, ys).slope * 60, 3)


def sample(
    processes: dict[str, Any], started: float, into: dict[str, list[tuple[float, float]]]
) -> None:
    """One RSS reading per process tree, stamped with seconds since the start."""
    now = time.perf_counter() - started
    for name, process in processes.items():
        into.setdefault(name, []).append((round(now, 1), rss_mb(process.pid)))


def file_one(url: str) -> None:
    """One reclamo to confirmation, as a resident would write it."""
    sender = f"soak-f-{uuid.uuid4().hex[:10]}"
    _, reply = say(url, sender, "se rompio el semaforo de la esquina de arturo prat con libertad")
    answers = iter(FILING_ANSWERS)
    for _ in range(6):
        if "confirm" in reply.lower() or "resumen" in reply.lower():
            break
        _, reply = say(url, sender, next(answers, "no"))
    say(url, sender, "si")


def load(url: str, rate: float, stop: threading.Event, latencies: list[float]) -> int:
    """Steady traffic at `rate` turns per second until `stop`; returns the errors seen."""
    errors, turn = 0, 0
    period = 1.0 / rate
    next_at = time.perf_counter()
    while not stop.is_set():
        turn += 1
        try:
            if turn % 20 == 0:
                file_one(url)
            else:
                latencies.append(say(url, f"soak-{uuid.uuid4().hex[:10]}", "hola")[0])
        except requests.RequestException:
            errors += 1
        next_at += period
        stop.wait(max(0.0, next_at - time.perf_counter()))
    return errors


def run(minutes: float, rate: float) -> dict[str, Any]:
    total = minutes * 60
    idle = min(60.0, total * 0.1)
    idle_points: dict[str, list[tuple[float, float]]] = {}
    load_points: dict[str, list[tuple[float, float]]] = {}
    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'oirs.db'}"
        with e2e.running_stack(data_dir, url, ports=PORTS) as st:
            say(st.rasa_url, "soak-warm", "hola")
            started = time.perf_counter()
            while time.perf_counter() - started < idle:
                sample(st.processes, started, idle_points)
                time.sleep(SAMPLE_EVERY_S)
            stop = threading.Event()
            errors: list[int] = []
            worker = threading.Thread(
                target=lambda: errors.append(load(st.rasa_url, rate, stop, latencies))
            )
            worker.start()
            while time.perf_counter() - started < total:
                time.sleep(SAMPLE_EVERY_S)
                sample(st.processes, started, load_points)
            stop.set()
            worker.join()
    processes = {}
    for name, points in load_points.items():
        under_load = slope_per_minute(points[1:])  # the first sample still holds warm-up
        at_idle = slope_per_minute(idle_points.get(name, []))
        processes[name] = {
            "rss_start_mib": points[0][1],
            "rss_end_mib": points[-1][1],
            "slope_mib_per_min": under_load,
            "idle_slope_mib_per_min": at_idle,
            "flat": under_load is None or under_load <= FLAT_MIB_PER_MIN,
            "samples": points,
        }
    return {
        "benchmark": "soak",
        "minutes": minutes,
        "rate_turns_per_s": rate,
        "idle_baseline_s": idle,
        "turns": len(latencies),
        "errors": errors[0] if errors else None,
        "latency": percentiles(latencies) if latencies else None,
        "flat_threshold_mib_per_min": FLAT_MIB_PER_MIN,
        "all_flat": all(p["flat"] for p in processes.values()),
        "processes": processes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=2.0, help="turns per second")
    args = parser.parse_args()
    print(json.dumps(run(args.minutes, args.rate), ensure_ascii=False))


if __name__ == "__main__":
    main()
