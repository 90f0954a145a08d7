"""Turn latency, throughput, cold start and memory of the real stack on Rasa's REST channel.

Starts the admin (gunicorn), the action server and Rasa with the model in models/ (never
retrains an up-to-date one) on ports 27000-27099, and, as the baseline measured in the same
run, a bare three-intent Rasa bot (bench/bare_bot, trained into var/bench/bare_bot once,
seconds) on port 27105. Times (a) a greeting (no custom action), (b) the confirmation turn
that files a reclamo through the action server and the admin API, against (c) the bare
bot's greeting; cold start (process start -> first REST reply); RSS after warm-up; and the
`rasa train` time of our model from its training log. Prints one JSON object.
Options: --turns N (default 60 per kind), --filings N (default 15).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import stack as e2e  # noqa: E402

PORTS = (27000, 27005, 27055)  # admin, rasa, actions
BARE_PORT = 27105
BARE_DIR = ROOT / "bench" / "bare_bot"
BARE_MODEL = ROOT / "var" / "bench" / "bare_bot" / "bare.tar.gz"
TRAIN_LOGS = [
    ROOT / "var" / "train.log",
    ROOT / "var" / "bench" / "train.log",
    Path("/tmp/train.log"),
]
FILING_ANSWERS = ["Ana Perez", "987654321", "ana.perez@example.cl", "Los Aromos 123", "no"]
FOLIO = re.compile(r"RC-\d{4}-\d{6}")


def say(url: str, sender: str, text: str, timeout: float = 60) -> tuple[float, str]:
    """One REST turn: (seconds, joined reply text)."""
    start = time.perf_counter()
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, "\n".join(str(m.get("text", "")) for m in response.json())


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean in milliseconds."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def greeting_turns(url: str, turns: int) -> dict[str, Any]:
    """Sequential greetings, each in a fresh conversation, then 4 concurrent senders."""
    say(url, "warm-" + uuid.uuid4().hex[:6], "hola")
    start = time.perf_counter()
    samples = [say(url, f"b-{uuid.uuid4().hex[:10]}", "hola")[0] for _ in range(turns)]
    sequential = turns / (time.perf_counter() - start)
    start = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: say(url, f"c-{uuid.uuid4().hex[:10]}", "hola"), range(turns)))
    concurrent = turns / (time.perf_counter() - start)
    return {
        **percentiles(samples),
        "turns_per_s_sequential": round(sequential, 2),
        "turns_per_s_4_senders": round(concurrent, 2),
    }


def filing_turns(url: str, filings: int) -> dict[str, Any]:
    """Walk a reclamo to its summary (untimed), then time the confirmation that files it."""
    samples, folios = [], 0
    for _ in range(filings):
        sender = f"f-{uuid.uuid4().hex[:10]}"
        say(url, sender, "hola")
        _, reply = say(
            url,
            sender,
            "hace dos semanas que no pasa el camion de la basura por los aromos 123, "
            "soy Ana Perez, mi telefono es 987654321",
        )
        answers = iter(FILING_ANSWERS)
        for _ in range(6):
            if re.search(r"(?i)confirm|correct|resumen", reply):
                break
            _, reply = say(url, sender, next(answers, "no"))
        elapsed, reply = say(url, sender, "si")
        samples.append(elapsed)
        folios += bool(FOLIO.search(reply))
    return {**percentiles(samples), "cases_filed": folios}


def first_reply_after(url: str, started: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds from `started` until the REST channel answers a greeting."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"Rasa terminó al iniciar (código {process.returncode})")
        try:
            say(url, "cold-" + uuid.uuid4().hex[:6], "hola", timeout=30)
            return round(time.perf_counter() - started, 2)
        except requests.RequestException:
            time.sleep(0.2)


def children(pid: int) -> list[int]:
    """The pid and all its descendants (gunicorn workers, Rasa's helpers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process tree in MiB (from /proc, no extra dependency)."""
    total = 0
    for member in children(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def train_seconds() -> dict[str, Any]:
    """Our model's `rasa train` time: from its training log, or timed here when it is missing."""
    models = ROOT / "models"
    if not list(models.glob("*.tar.gz")):
        start = time.perf_counter()
        subprocess.run([str(ROOT / "scripts" / "train.sh")], check=True)
        return {"seconds": round(time.perf_counter() - start, 1), "source": "timed now"}
    for log in TRAIN_LOGS:
        if log.exists():
            found = re.findall(r"Modelo entrenado en (\d+) s", log.read_text(errors="replace"))
            if found:
                return {"seconds": int(found[-1]), "source": str(log)}
    return {"seconds": None, "source": "model up to date and no training log found"}


def bare_model() -> float | None:
    """Train the bare baseline bot once (seconds taken, or None when it already exists)."""
    if BARE_MODEL.exists():
        return None
    start = time.perf_counter()
    subprocess.run(
        [
            str(e2e.BOT_BIN / "rasa"),
            "train",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--out",
            str(BARE_MODEL.parent),
            "--fixed-model-name",
            "bare",
        ],
        cwd=BARE_DIR,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        check=True,
        capture_output=True,
    )
    return round(time.perf_counter() - start, 1)


def measure_bare(turns: int, data_dir: Path) -> dict[str, Any]:
    """The baseline: a bare Rasa bot, no action server, in-memory tracker."""
    url = f"http://127.0.0.1:{BARE_PORT}"
    log = open(data_dir / "bare.log", "wb")  # noqa: SIM115 (closed below)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            str(e2e.BOT_BIN / "rasa"),
            "run",
            "--enable-api",
            "--port",
            str(BARE_PORT),
            "--model",
            str(BARE_MODEL),
        ],
        cwd=BARE_DIR,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        cold = first_reply_after(url, started, process)
        greeting = greeting_turns(url, turns)
        return {"cold_start_s": cold, "greeting": greeting, "rss_mb": rss_mb(process.pid)}
    finally:
        e2e.stop(process)
        log.close()


def measure_ours(turns: int, filings: int, data_dir: Path) -> dict[str, Any]:
    """The real stack: greeting turns, filing turns, cold start and memory."""
    rasa_started: list[float] = []
    original = e2e.start_rasa

    def timed_start_rasa(*args: Any, **kwargs: Any) -> Any:
        rasa_started.append(time.perf_counter())
        return original(*args, **kwargs)

    e2e.start_rasa = timed_start_rasa  # type: ignore[assignment]
    try:
        with e2e.running_stack(data_dir, f"sqlite:///{data_dir / 'oirs.db'}", ports=PORTS) as st:
            cold = first_reply_after(st.rasa_url, rasa_started[0], st.processes["rasa"])
            greeting = greeting_turns(st.rasa_url, turns)
            filing = filing_turns(st.rasa_url, filings)
            rss = {name: rss_mb(p.pid) for name, p in st.processes.items()}
            workers = children(st.processes["admin"].pid)[1:]
            rss["admin_workers_each"] = [rss_mb(w) for w in workers]
    finally:
        e2e.start_rasa = original  # type: ignore[assignment]
    return {"cold_start_s": cold, "greeting": greeting, "filing": filing, "rss_mb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--filings", type=int, default=15)
    args = parser.parse_args()
    bare_train = bare_model()
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        data_dir = Path(tmp)
        bare = measure_bare(args.turns, data_dir)
        ours = measure_ours(args.turns, args.filings, data_dir)
    result = {
        "benchmark": "turns",
        "machine": {"cpus": os.cpu_count()},
        "baseline_bare_bot": {**bare, "train_s": bare_train},
        "ours": {**ours, "train": train_seconds()},
        "ratio_to_baseline": {
            "greeting_p50": round(ours["greeting"]["p50_ms"] / bare["greeting"]["p50_ms"], 2),
            "filing_p50": round(ours["filing"]["p50_ms"] / bare["greeting"]["p50_ms"], 2),
            "cold_start": round(ours["cold_start_s"] / bare["cold_start_s"], 2),
        },
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
