"""Start the real admin, action server and Rasa server on loopback ports for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from oirs.settings import PROJECT_ROOT

ADMIN_PORT, RASA_PORT, ACTIONS_PORT = 28000, 25005, 25055
BOT_BIN = PROJECT_ROOT / ".venv-bot" / "bin"
APP_BIN = PROJECT_ROOT / ".venv" / "bin"
# The admin's gunicorn settings (threads, the masked access log), as the Procfile uses them.
GUNICORN_CONF = PROJECT_ROOT / "admin" / "gunicorn_conf.py"


@dataclass
class Stack:
    data_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_port: int = ADMIN_PORT
    rasa_port: int = RASA_PORT
    actions_port: int = ACTIONS_PORT

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def token(self) -> str:
        return self.env["OIRS_API_TOKEN"]

    def log(self, name: str) -> str:
        return (self.data_dir / f"{name}.log").read_text(errors="replace")


def _wait(url: str, process: subprocess.Popen[bytes], name: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} terminó al iniciar (código {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{name} no respondió en {timeout} s")


def model_path() -> Path:
    """The model `make test` trained once for this run (trained here if missing)."""
    models = Path(os.environ.get("OIRS_TEST_MODEL_DIR", PROJECT_ROOT / "models"))
    if not list(models.glob("*.tar.gz")):
        subprocess.run([str(PROJECT_ROOT / "scripts" / "train.sh")], check=True)
    return models


def base_env(
    data_dir: Path,
    database_url: str,
    ports: tuple[int, int, int] = (ADMIN_PORT, RASA_PORT, ACTIONS_PORT),
) -> dict[str, str]:
    """Environment of the three services; `ports` are (admin, rasa, actions)."""
    admin_port, rasa_port, actions_port = ports
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIRS_", "RASA_", "DATABASE_"))}
    env.update(
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        DATABASE_URL=database_url,
        OIRS_DATA_DIR=str(data_dir),
        OIRS_API_URL=f"http://127.0.0.1:{admin_port}",
        OIRS_PUBLIC_URL=f"http://127.0.0.1:{admin_port}",
        OIRS_RASA_URL=f"http://127.0.0.1:{rasa_port}",
        RASA_ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook",
        RASA_TRACKER_DIALECT="sqlite",
        RASA_TRACKER_URL=f"sqlite:///{data_dir / 'tracker.db'}",
        RASA_LOCK_STORE="in_memory",
        RASA_AUTH_TOKEN="e2e-rasa-token",
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_LOCK_DB="1",
        SANIC_HOST="127.0.0.1",
    )
    return env


# What the Procfile gives Rasa (scripts/env.sh's OIRS_RASA_MAX_BODY_BYTES default).
RASA_MAX_BODY_BYTES = "1000000"


def _spawn(
    stack: Stack, name: str, command: list[str], env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log = open(stack.data_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**stack.env, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.processes[name] = process
    return process


def start_admin(stack: Stack, workers: int = 2) -> None:
    process = _spawn(
        stack,
        "admin",
        [
            str(APP_BIN / "gunicorn"),
            "-c",
            str(GUNICORN_CONF),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{stack.admin_port}",
            "admin:create_app()",
        ],
    )
    _wait(f"{stack.admin_url}/healthz", process, "admin")


def start_actions(stack: Stack) -> None:
    # rasa_sdk's own server, as the Procfile runs it: `rasa run actions` starts the same server
    # after importing Rasa itself (2.1 s and 1.2 s of CPU against 0.7 s and 0.4 s here, while
    # Rasa loads its model on the same two cores)
    process = _spawn(
        stack,
        "actions",
        [
            str(BOT_BIN / "python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(stack.actions_port),
        ],
    )
    _wait(f"{stack.actions_url}/health", process, "actions")


def start_rasa(
    stack: Stack, name: str = "rasa", port: int | None = None, wait: bool = True
) -> subprocess.Popen[bytes]:
    """One Rasa server; a second one for the same stack needs its own name and port."""
    port = port or stack.rasa_port
    process = _spawn(
        stack,
        name,
        [
            str(BOT_BIN / "python"),
            str(PROJECT_ROOT / "scripts" / "rasa_server.py"),  # `rasa`, as the Procfile runs it
            "run",
            "--enable-api",
            "--auth-token",
            stack.env["RASA_AUTH_TOKEN"],
            "--port",
            str(port),
            "--model",
            str(model_path()),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
        env={
            "SANIC_REQUEST_MAX_SIZE": stack.env.get("OIRS_RASA_MAX_BODY_BYTES", RASA_MAX_BODY_BYTES)
        },
    )
    if wait:
        wait_rasa(process, name, port)
    return process


def wait_rasa(process: subprocess.Popen[bytes], name: str, port: int) -> None:
    _wait(f"http://127.0.0.1:{port}/", process, name, timeout=300)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """Ask every process to end at once, then wait for each (a slow one delays no other)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        stop(process)


@contextmanager
def running_stack(
    data_dir: Path,
    database_url: str,
    tracker: tuple[str, str] | None = None,
    ports: tuple[int, int, int] = (ADMIN_PORT, RASA_PORT, ACTIONS_PORT),
    extra_env: dict[str, str] | None = None,
    admin_workers: int = 2,
    more_rasa_ports: tuple[int, ...] = (),
) -> Iterator[Stack]:
    """Migrate, seed, issue the bot token, then run the three services until the block ends.

    Rasa (the slow one to load) starts first and the admin and actions start while it loads;
    `more_rasa_ports` adds Rasa processes named rasa_<port> serving the same conversations."""
    env = base_env(data_dir, database_url, ports)
    if tracker is not None:
        env["RASA_TRACKER_DIALECT"], env["RASA_TRACKER_URL"] = tracker
    env.update(extra_env or {})
    admin_port, rasa_port, actions_port = ports
    stack = Stack(
        data_dir, env, admin_port=admin_port, rasa_port=rasa_port, actions_port=actions_port
    )
    oirs = str(APP_BIN / "oirs")
    subprocess.run([oirs, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([oirs, "seed-demo"], env=env, check=True, capture_output=True)
    # The stack's bot also stands in for the tests' (and bench/'s) reads of the cases it filed:
    # scope bot as deployed, plus read (the bot's own calls are pinned to `bot` by
    # tests/admin/test_api_scopes.py).
    made = subprocess.run(
        [oirs, "create-token", "bot e2e", "--scope", "bot", "--scope", "read"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = made.stdout.strip().splitlines()[-1]
    env["OIRS_API_TOKEN"] = token
    try:
        rasas = {"rasa": (start_rasa(stack, wait=False), rasa_port)}
        for port in more_rasa_ports:
            rasas[f"rasa_{port}"] = (start_rasa(stack, f"rasa_{port}", port, wait=False), port)
        start_admin(stack, admin_workers)
        start_actions(stack)
        for name, (process, port) in rasas.items():
            wait_rasa(process, name, port)
        yield stack
    finally:
        stop_all(list(reversed(stack.processes.values())))


def outbox_once(stack: Stack) -> str:
    """One round of the outbox worker against the stack's database; its last output line."""
    done = subprocess.run(
        [str(APP_BIN / "oirs"), "outbox-worker", "--once"],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]
