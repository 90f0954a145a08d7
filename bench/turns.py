"""Issue 14's speed figures: this project's stack against a bare Rasa 3.6 bot, in one run.

Starts the admin, the action server and Rasa with the model in models/ the way the end-to-end
tests do (tests/e2e/stack.py, ports 27000-27055) and, beside it, the baseline: bench/bare_bot,
what `rasa init` gives in Spanish (Rasa's default pipeline and policies, a retrieval intent
faq, one trivial custom action on its own action server, ports 27105/27155), trained once from
the same .venv-bot into var/bench/bare_bot and retrained only when its files change. Requests
alternate between the two over Rasa's REST channel and measure (a) a greeting opening a new
session, (b) an FAQ question, (c) a turn that runs a custom action (ours: the confirmation that
files a reclamo; also timed: "¿cómo va mi reclamo?", whose action asks the admin), (d) turns/s
with 8 concurrent senders each holding short conversations, (e) a warm restart of each Rasa
server to its first REST reply, and of our whole stack as `make run` starts it, (f) the RSS of
each process after warm-up, (g) our model archive's size and its training time from
scripts/train.sh's log. Prints one JSON object with the figures, the ratios and the issue's
thresholds, each met or not, and writes it to var/bench/turns.json. docs/bench/turns.md has
the protocol. Options: --turns, --conversations, --rounds, --senders, --no-restart, --quick.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import faults  # noqa: E402
from tests.e2e import stack as e2e  # noqa: E402

PORTS = (27000, 27005, 27055)  # admin, rasa, actions
BARE_PORT = 27105
BARE_DIR = ROOT / "bench" / "bare_bot"
BARE_OUT = ROOT / "var" / "bench" / "bare_bot"
BARE_MODEL = BARE_OUT / "bare.tar.gz"
RESULT = ROOT / "var" / "bench" / "turns.json"
MODELS = ROOT / "models"
DATA_DIR = Path(os.environ.get("OIRS_DATA_DIR", ROOT / "var"))
BENCH_TRAIN_LOG = ROOT / "var" / "bench" / "train.log"  # when this script had to train
# scripts/train.sh's output as scripts/test.sh keeps it, and any var/train*.log kept by hand
TRAIN_LOGS = (DATA_DIR / "train.log", BENCH_TRAIN_LOG, *sorted((ROOT / "var").glob("train*.log")))
TRAINED = re.compile(r"Modelo entrenado en (\d+) s")
TRAINING = re.compile(r"Entrenando el modelo de Rasa \(huella ([0-9a-f]+)\)")
# bench/soak.py walks its reclamos with these answers
FILING_ANSWERS = [answer.format(number=123) for answer in faults.ANSWERS]

FAQ_QUESTION = "¿cuál es el horario de atención?"
# Issue 14's "Done when", compared as written: (figure, comparison, limit).
THRESHOLDS: dict[str, tuple[str, str, float]] = {
    "no_action_turn_p95_ratio": ("worst p95 ratio of the greeting and the FAQ turn", "<=", 1.3),
    "custom_action_turn_p95_ratio": ("p95 ratio of the turn that files a reclamo", "<=", 1.3),
    "throughput_ratio": ("turns/s ratio with 8 concurrent senders, and zero errors", ">=", 0.9),
    "make_run_ready_s": ("stack restart with a trained model to the first REST reply", "<=", 35),
    "training_s": ("full training of models/ (scripts/train.sh's log)", "<=", 180),
    "model_archive_mb": ("models/ archive, MB of 10^6 bytes", "<=", 60),
}


@dataclass
class Turn:
    """One message and how to tell that the bot answered it as intended."""

    text: str
    expect: re.Pattern[str]


@dataclass
class Bot:
    """One Rasa server under test, its lines and its latency samples."""

    name: str
    url: str
    greeting: Turn
    faq: Turn
    action: Turn
    samples: dict[str, list[float]] = field(default_factory=dict)
    unexpected: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def timed(self, kind: str, sender: str, turn: Turn) -> str | None:
        """One turn whose latency counts as `kind` when its reply is the expected one."""
        try:
            elapsed, reply = say(self.url, sender, turn.text)
        except requests.RequestException:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            return None
        if turn.expect.search(reply):
            self.samples.setdefault(kind, []).append(elapsed)
        else:
            self.unexpected[kind] = self.unexpected.get(kind, 0) + 1
        return reply

    def figures(self, kind: str) -> dict[str, Any]:
        return {
            **percentiles(self.samples.get(kind, [])),
            "unexpected_replies": self.unexpected.get(kind, 0),
            "errors": self.errors.get(kind, 0),
        }


OURS_LINES = {
    "greeting": Turn("hola", re.compile(r"(?i)ayudar")),
    "faq": Turn(FAQ_QUESTION, re.compile(r"(?s)atiende en .*en este horario")),
    "action": Turn(
        "como va mi reclamo", re.compile(r"casos registrados desde este canal|No encontré casos")
    ),
}
BARE_LINES = {
    "greeting": Turn("hola", re.compile(r"asistente de la municipalidad")),
    "faq": Turn(FAQ_QUESTION, re.compile(r"lunes a viernes")),
    "action": Turn("necesito un certificado de residencia", re.compile(r"Anoté su solicitud")),
}
FAREWELL = "chao"


# --- talking to a bot ---------------------------------------------------------------------


def say(url: str, sender: str, text: str, timeout: float = 60) -> tuple[float, str]:
    """One REST turn: (seconds, joined reply text)."""
    start = time.perf_counter()
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, "\n".join(str(m.get("text", "")) for m in response.json())


def percentiles(samples: list[float]) -> dict[str, Any]:
    """n, p50/p95/p99 and mean in milliseconds (nearest rank; None without samples)."""
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def file_reclamo(ours: Bot, conversation: str) -> None:
    """Tell a reclamo, answer up to the read-back (untimed), then time the confirmation."""
    turn = faults.rest_turn(ours.url, conversation)
    number = faults.next_number()
    try:
        faults.answer_until_summary(turn, turn(faults.RECLAMO.format(number=number)), number)
    except requests.RequestException:
        ours.errors["filing_setup"] = ours.errors.get("filing_setup", 0) + 1
        return
    except AssertionError:  # no read-back: the confirmation below would time something else
        ours.unexpected["filing_setup"] = ours.unexpected.get("filing_setup", 0) + 1
        return
    ours.timed("custom_action", conversation, Turn("si", faults.FOLIO))


def sequential(ours: Bot, bare: Bot, conversations: int) -> None:
    """Conversations side by side, each step alternating which bot is asked first."""
    for index in range(conversations):
        pair = [(ours, sender("t-ours")), (bare, sender("t-bare"))]
        if index % 2:
            pair.reverse()
        for bot, who in pair:
            bot.timed("greeting", who, bot.greeting)
        for bot, who in pair:
            bot.timed("faq", who, bot.faq)
        for bot, who in pair:
            if bot is ours:
                bot.timed("custom_action_lookup", who, bot.action)
                file_reclamo(bot, who)
            else:
                bot.timed("custom_action", who, bot.action)


def burst(bot: Bot, senders: int, conversations: int) -> dict[str, Any]:
    """`senders` residents at once, each holding `conversations` short conversations."""
    lines = [bot.greeting, bot.faq, bot.action, Turn(FAREWELL, re.compile(r"\S"))]

    def resident(_: int) -> tuple[list[float], int, int]:
        latencies, errors, unexpected = [], 0, 0
        for _ in range(conversations):
            who = sender("c-" + bot.name[:4])
            for line in lines:
                try:
                    elapsed, reply = say(bot.url, who, line.text)
                except requests.RequestException:
                    errors += 1
                    continue
                latencies.append(elapsed)
                unexpected += not line.expect.search(reply)
        return latencies, errors, unexpected

    start = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        results = list(pool.map(resident, range(senders)))
    return {
        "seconds": time.perf_counter() - start,
        "latencies": [x for r in results for x in r[0]],
        "errors": sum(r[1] for r in results),
        "unexpected_replies": sum(r[2] for r in results),
    }


def throughput(
    ours: Bot, bare: Bot, senders: int, conversations: int, rounds: int
) -> dict[str, Any]:
    """Bursts in ABBA order (ours, bare, bare, ours, ...): turns/s, errors, latency under load."""
    runs: dict[str, list[dict[str, Any]]] = {ours.name: [], bare.name: []}
    for index in range(rounds):
        order = [ours, bare] if index % 2 == 0 else [bare, ours]
        for bot in order:
            runs[bot.name].append(burst(bot, senders, conversations))
    figures = {}
    for name, bursts in runs.items():
        latencies = [x for b in bursts for x in b["latencies"]]
        seconds = sum(b["seconds"] for b in bursts)
        figures[name] = {
            "senders": senders,
            "turns": len(latencies),
            "seconds": round(seconds, 2),
            "turns_per_s": round(len(latencies) / seconds, 2) if seconds else None,
            "errors": sum(b["errors"] for b in bursts),
            "unexpected_replies": sum(b["unexpected_replies"] for b in bursts),
            "latency_under_load": percentiles(latencies),
        }
    return figures


# --- processes ------------------------------------------------------------------------------


def first_reply_after(url: str, started: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds from `started` until the REST channel answers a greeting in a new session."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"Rasa terminó al iniciar (código {process.returncode})")
        try:
            _, reply = say(url, sender("ready"), "hola", timeout=30)
            if reply.strip():
                return round(time.perf_counter() - started, 2)
        except requests.RequestException:
            pass
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


def bot_env() -> dict[str, str]:
    return {
        **os.environ,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_CACHE_DIRECTORY": str(BARE_OUT / "cache"),  # not .rasa/ in the source tree
    }


def bare_fingerprint() -> str:
    """Hash of the bare bot's training inputs and of the bot environment's requirements."""
    files = [BARE_DIR / "config.yml", BARE_DIR / "domain.yml"]
    files += sorted((BARE_DIR / "data").rglob("*.yml"))
    files.append(ROOT / "requirements" / "bot.txt")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def bare_model() -> dict[str, Any]:
    """Train the bare bot when its inputs changed; its training time and archive size."""
    stamp = BARE_OUT / "trained.json"
    fingerprint = bare_fingerprint()
    if BARE_MODEL.exists() and stamp.exists():
        known = json.loads(stamp.read_text())
        if known.get("fingerprint") == fingerprint:
            return {**known, "trained_now": False, "archive_mb": archive_mb(BARE_MODEL)}
    BARE_OUT.mkdir(parents=True, exist_ok=True)
    BARE_MODEL.unlink(missing_ok=True)
    start = time.perf_counter()
    with open(BARE_OUT / "train.log", "wb") as log:
        files = ["--domain", "domain.yml", "--data", "data", "--config", "config.yml"]
        out = ["--out", str(BARE_OUT), "--fixed-model-name", BARE_MODEL.name.split(".")[0]]
        subprocess.run(
            [str(e2e.BOT_BIN / "rasa"), "train", *files, *out],
            cwd=BARE_DIR,
            env=bot_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    known = {"fingerprint": fingerprint, "train_s": round(time.perf_counter() - start, 1)}
    stamp.write_text(json.dumps(known))
    return {**known, "trained_now": True, "archive_mb": archive_mb(BARE_MODEL)}


def spawn_bare(arguments: list[str], log: Path) -> subprocess.Popen[bytes]:
    """`rasa ARGUMENTS` in the bare bot's folder (its actions import from there), logged."""
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(e2e.BOT_BIN / "rasa"), *arguments],
            cwd=BARE_DIR,
            env=bot_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_bare_rasa(log_dir: Path) -> subprocess.Popen[bytes]:
    """The bare bot's Rasa server: REST channel, its own action server, trackers in memory."""
    server = ["--enable-api", "--port", str(BARE_PORT), "--model", str(BARE_MODEL)]
    files = ["--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    return spawn_bare(["run", *server, *files], log_dir / "bare-rasa.log")


def bare_actions_port() -> int:
    """The port the bare bot's endpoints.yml sends its actions to."""
    found = re.search(r":(\d+)/webhook", (BARE_DIR / "endpoints.yml").read_text())
    assert found, "bench/bare_bot/endpoints.yml has no action_endpoint url"
    return int(found.group(1))


@contextmanager
def bare_bot(log_dir: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The bare bot's action server and Rasa server, until the block ends."""
    processes = {
        "actions": spawn_bare(
            ["run", "actions", "--actions", "bare_actions", "--port", str(bare_actions_port())],
            log_dir / "bare-actions.log",
        ),
    }
    try:
        processes["rasa"] = start_bare_rasa(log_dir)
        yield processes
    finally:
        e2e.stop_all(list(processes.values()))


# --- restarts -------------------------------------------------------------------------------


def restart_rasa(
    url: str, stop: Callable[[], None], start: Callable[[], subprocess.Popen[bytes]]
) -> float:
    """Stop a warm Rasa server, start it again: seconds from start to the first REST reply."""
    stop()
    started = time.perf_counter()
    return first_reply_after(url, started, start())


def restart_stack(stack: e2e.Stack) -> dict[str, float]:
    """Stop every service, then what `make run` does with a trained model, timed to a reply.

    Migrations and the idempotent demo seed, then Rasa (loading) while the admin and the
    action server start, as tests/e2e/stack.py's running_stack starts them."""
    e2e.stop_all(list(reversed(stack.processes.values())))
    started = time.perf_counter()
    oirs = str(e2e.APP_BIN / "oirs")
    subprocess.run([oirs, "db", "upgrade"], env=stack.env, check=True, capture_output=True)
    subprocess.run([oirs, "seed-demo"], env=stack.env, check=True, capture_output=True)
    prepared = time.perf_counter() - started
    rasa = e2e.start_rasa(stack, wait=False)
    e2e.start_admin(stack)
    admin = time.perf_counter() - started
    e2e.start_actions(stack)
    actions = time.perf_counter() - started
    return {
        "ready_s": first_reply_after(stack.rasa_url, started, rasa),
        "migrate_and_seed_done_s": round(prepared, 2),
        "admin_up_s": round(admin, 2),
        "actions_up_s": round(actions, 2),
    }


def tree() -> dict[str, Any]:
    """The commit under test and how many tracked files differ from it (others' work too)."""

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line[:2] != "??"]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_files": len(changed)}


# --- our model ------------------------------------------------------------------------------


def archive_mb(path: Path) -> float:
    return round(path.stat().st_size / 1e6, 1)


def our_archive() -> Path:
    """The newest model archive in models/; trained (and timed) by scripts/train.sh if none."""
    archives = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if archives:
        return archives[-1]
    BENCH_TRAIN_LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(BENCH_TRAIN_LOG, "wb") as log:
        subprocess.run(
            [str(ROOT / "scripts" / "train.sh")], stdout=log, stderr=subprocess.STDOUT, check=True
        )
    return our_archive()


def model_facts(archive: Path) -> dict[str, Any]:
    """The archive's size (as judged: MB of 10^6 bytes) and scripts/train.sh's fingerprint."""
    size = archive.stat().st_size if archive.exists() else 0
    return {
        "model_archive_mb": round(size / 1e6, 1),
        "model_archive_bytes": size,
        "model_fingerprint": fingerprint(MODELS / ".fingerprint"),
        "model_modified": time.ctime(archive.stat().st_mtime) if archive.exists() else None,
    }


def fingerprint(path: Path) -> str | None:
    """scripts/train.sh's fingerprint of the trained model's inputs, when it wrote one."""
    return path.read_text().strip() if path.exists() else None


def training(logs: list[Path]) -> dict[str, Any]:
    """Seconds of the last full training in the newest log that has one, and whose model it was.

    scripts/train.sh prints 'Entrenando el modelo de Rasa (huella F)' and 'Modelo entrenado en
    N s'; the log's fingerprint against models/.fingerprint says whether N is this model's."""
    found = []
    for log in dict.fromkeys(logs):
        if log.is_file():
            text = log.read_text(errors="replace")
            seconds = TRAINED.findall(text)
            if seconds:
                prints = TRAINING.findall(text)
                found.append(
                    (log.stat().st_mtime, log, int(seconds[-1]), prints[-1] if prints else None)
                )
    if not found:
        return {"seconds": None, "source": "no training log: " + ", ".join(map(str, logs))}
    _, log, seconds, trained = max(found)
    return {
        "seconds": seconds,
        "source": str(log.relative_to(ROOT) if log.is_relative_to(ROOT) else log),
        "fingerprint": trained,
        "is_current_model": trained is not None and trained == fingerprint(MODELS / ".fingerprint"),
        "rasa_cache_present": (ROOT / ".rasa" / "cache").exists(),
    }


# --- the verdict ----------------------------------------------------------------------------


def ratio(ours: float | None, bare: float | None) -> float | None:
    """ours/bare, unrounded: a threshold is judged on it, only the printed value is rounded."""
    return ours / bare if ours is not None and bare else None


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def judge(figures: dict[str, float | None], errors: int | None) -> dict[str, dict[str, Any]]:
    """Each threshold of issue 14 with its figure and met true/false (None: not measured).

    `errors` are the throughput run's failed requests: the ratio counts only with none."""
    verdict = {}
    for name, (what, comparison, limit) in THRESHOLDS.items():
        value = figures.get(name)
        met = None
        if value is not None:
            met = value <= limit if comparison == "<=" else value >= limit
            if name == "throughput_ratio":
                met = met and errors == 0
        verdict[name] = {"figure": what, "value": rounded(value), comparison: limit, "met": met}
    return verdict


def ratios_and_verdict(result: dict[str, Any]) -> dict[str, Any]:
    """Project/bare ratios of the measured figures and the thresholds' verdict."""
    ours, bare = result["ours"], result["baseline_bare_bot"]
    p95 = {
        k: ratio(ours[k]["p95_ms"], bare[k]["p95_ms"]) for k in ("greeting", "faq", "custom_action")
    }
    ratios = {f"{k}_p95": v for k, v in p95.items()}
    ratios |= {f"{k}_p50": ratio(ours[k]["p50_ms"], bare[k]["p50_ms"]) for k in p95}
    ratios["custom_action_lookup_p95"] = ratio(
        ours["custom_action_lookup"]["p95_ms"], bare["custom_action"]["p95_ms"]
    )
    ratios["throughput"] = ratio(
        ours["throughput"]["turns_per_s"], bare["throughput"]["turns_per_s"]
    )
    ratios["warm_restart"] = ratio(ours["warm_restart_s"], bare["warm_restart_s"])
    ratios["rasa_rss"] = ratio(ours["rss_mb"]["rasa"], bare["rss_mb"]["rasa"])
    no_action = [v for v in (p95["greeting"], p95["faq"]) if v is not None]
    figures = {
        "no_action_turn_p95_ratio": max(no_action) if len(no_action) == 2 else None,
        "custom_action_turn_p95_ratio": p95["custom_action"],
        "throughput_ratio": ratios["throughput"],
        "make_run_ready_s": ours["make_run_ready_s"],
        "training_s": ours["training"]["seconds"],
        "model_archive_mb": ours["model_archive_bytes"] / 1e6,
    }
    errors = ours["throughput"]["errors"] + bare["throughput"]["errors"]
    thresholds = judge(figures, errors)
    met = [t["met"] for t in thresholds.values()]
    return {
        "ratios_ours_to_bare": {name: rounded(value) for name, value in ratios.items()},
        "thresholds": thresholds,
        "all_met": all(m is True for m in met),
    }


# --- the run --------------------------------------------------------------------------------


def measure(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    """Both bots up at once; latency, throughput, memory, then the restarts."""
    archive = our_archive()
    model = model_facts(archive)  # before Rasa loads it: the lead may swap models/ meanwhile
    bare_training = bare_model()
    with (
        bare_bot(data_dir) as bare_processes,
        e2e.running_stack(data_dir, f"sqlite:///{data_dir / 'oirs.db'}", ports=PORTS) as stack,
    ):
        bare_url = f"http://127.0.0.1:{BARE_PORT}"
        e2e.wait_rasa(bare_processes["rasa"], "bare rasa", BARE_PORT)
        e2e._wait(
            f"http://127.0.0.1:{bare_actions_port()}/health",
            bare_processes["actions"],
            "bare actions",
        )
        ours = Bot("ours", stack.rasa_url, **OURS_LINES)
        bare = Bot("baseline_bare_bot", bare_url, **BARE_LINES)
        warm = Bot("warm-ours", ours.url, **OURS_LINES), Bot("warm-bare", bare.url, **BARE_LINES)
        sequential(*warm, conversations=3)
        sequential(ours, bare, args.turns)
        load = throughput(ours, bare, args.senders, args.conversations, args.rounds)
        rss = {
            "ours": {name: rss_mb(p.pid) for name, p in stack.processes.items()},
            "bare": {name: rss_mb(p.pid) for name, p in bare_processes.items()},
        }
        restarts: dict[str, Any] = {"ours": None, "bare": None, "stack": {}}
        if not args.no_restart:
            rasa = stack.processes["rasa"]
            restarts["ours"] = restart_rasa(
                ours.url, lambda: e2e.stop(rasa), lambda: e2e.start_rasa(stack, wait=False)
            )
            old = bare_processes["rasa"]

            def start_bare() -> subprocess.Popen[bytes]:
                bare_processes["rasa"] = start_bare_rasa(data_dir)
                return bare_processes["rasa"]

            restarts["bare"] = restart_rasa(bare.url, lambda: e2e.stop(old), start_bare)
            restarts["stack"] = restart_stack(stack)
    ours_figures = {
        k: ours.figures(k) for k in ("greeting", "faq", "custom_action_lookup", "custom_action")
    }
    ours_figures["filing"] = ours_figures["custom_action"]  # the name bench/report.py plots
    ours_figures["filing_setup"] = {
        "errors": ours.errors.get("filing_setup", 0),
        "no_read_back": ours.unexpected.get("filing_setup", 0),
    }
    return {
        "ours": {
            **ours_figures,
            "throughput": load[ours.name],
            "warm_restart_s": restarts["ours"],
            "make_run_ready_s": restarts["stack"].get("ready_s"),
            "make_run_restart": restarts["stack"],
            "rss_mb": rss["ours"],
            **model,
            "model_changed_during_run": model_facts(archive) != model,
            "training": training([*args.train_log, *TRAIN_LOGS]),
        },
        "baseline_bare_bot": {
            **{k: bare.figures(k) for k in ("greeting", "faq", "custom_action")},
            "throughput": load[bare.name],
            "warm_restart_s": restarts["bare"],
            "rss_mb": rss["bare"],
            "model_archive_mb": bare_training["archive_mb"],
            "training": bare_training,
        },
    }


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60, help="conversations timed per bot (a-c)")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders (d)")
    parser.add_argument("--conversations", type=int, default=5, help="per sender and burst (d)")
    parser.add_argument("--rounds", type=int, default=2, help="bursts per bot, ABBA order (d)")
    parser.add_argument("--no-restart", action="store_true", help="skip the restarts (e)")
    parser.add_argument("--quick", action="store_true", help="smoke check: few turns, no restarts")
    parser.add_argument(
        "--train-log", type=Path, action="append", default=[], help="scripts/train.sh's output"
    )
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    if args.quick:
        args.turns, args.conversations, args.rounds, args.no_restart = 4, 1, 1, True
    return args


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    load_before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    try:
        figures = measure(args, data_dir)
    except BaseException:
        print(f"bench/turns.py falló; registros conservados en {data_dir}", file=sys.stderr)
        raise
    shutil.rmtree(data_dir, ignore_errors=True)
    result = {
        "benchmark": "turns",
        "tree": tree(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "options": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k != "train_log"
        },
        **figures,
    }
    result |= ratios_and_verdict(result)
    text = json.dumps(result, ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
