"""A real Rasa server (tiny model, our credentials.yml) wired to loopback stand-ins of
Twilio, Telegram and the admin upload API."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.channels import providers

ROOT = Path(__file__).resolve().parents[2]
TINYBOT = Path(__file__).resolve().parent / "tinybot"


def free_port() -> int:
    """A port nobody listens on: parallel test runs (other helpers, CI) must not collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


RASA_PORT = int(os.environ.get("OIRS_TEST_RASA_PORT") or free_port())
PUBLIC_URL = "https://oirs.municipalidad.example.cl"  # what Twilio sees: behind a proxy
TWILIO_SID = "AC" + "1f" * 16
TWILIO_TOKEN = "twilio-test-auth-token-0123456789"
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "telegram-secret-token-abc"
API_TOKEN = "oirs_test-channel-token"


def rasa_bin() -> str:
    return str(Path(sys.executable).parent / "rasa")


@pytest.fixture(scope="session")
def provider_state() -> Iterator[providers.Providers]:
    state = providers.Providers(TWILIO_SID, TWILIO_TOKEN, TELEGRAM_TOKEN, API_TOKEN)
    server = providers.start(state)
    yield state
    server.shutdown()


@pytest.fixture
def fake_providers(provider_state: providers.Providers) -> providers.Providers:
    provider_state.clear()
    return provider_state


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    subprocess.run(
        [
            rasa_bin(),
            "train",
            "--config",
            str(TINYBOT / "config.yml"),
            "--domain",
            str(TINYBOT / "domain.yml"),
            "--data",
            str(TINYBOT / "data"),
            "--out",
            str(out),
            "--fixed-model-name",
            "tiny",
        ],
        cwd=out,
        check=True,
        capture_output=True,
        env=_rasa_env({}),
    )
    return out / "tiny.tar.gz"


def _rasa_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_"))}
    env.pop("REDIS_URL", None)
    env.update(SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONPATH=str(ROOT), **extra)
    return env


def channel_env(base_url: str) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_FROM": "+14155238886",
        "TWILIO_API_BASE": base_url,
        "OIRS_PUBLIC_URL": PUBLIC_URL,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": base_url,
        "OIRS_API_URL": base_url,
        "OIRS_API_TOKEN": API_TOKEN,
    }


@contextlib.contextmanager
def running_rasa(model: Path, work: Path, env: dict[str, str], port: int) -> Iterator[str]:
    """A real `rasa run` with the repository's credentials.yml; yields its URL."""
    (work / "endpoints.yml").write_text("{}\n")
    shutil.copy(ROOT / "credentials.yml", work / "credentials.yml")
    log = (work / "rasa.log").open("w")
    command = [
        rasa_bin(),
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--credentials",
        str(work / "credentials.yml"),
        "--endpoints",
        str(work / "endpoints.yml"),
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=_rasa_env(env), stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, work / "rasa.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def rasa_url(
    tiny_model: Path, provider_state: providers.Providers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The real Rasa server on RASA_PORT with every channel configured."""
    work = tmp_path_factory.mktemp("rasa")
    with running_rasa(tiny_model, work, channel_env(provider_state.base_url), RASA_PORT) as url:
        yield url


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("Rasa exited:\n" + log.read_text()[-3000:])
        try:
            if requests.get(f"{url}/status", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError("Rasa did not start:\n" + log.read_text()[-3000:])


def tracker(rasa_url: str, sender: str) -> dict:
    reply = requests.get(
        f"{rasa_url}/conversations/{requests.utils.quote(sender, safe=':+')}/tracker", timeout=10
    )
    reply.raise_for_status()
    return reply.json()


def user_texts(rasa_url: str, sender: str) -> list[str]:
    """What the resident said, as Rasa recorded it."""
    return [e["text"] for e in tracker(rasa_url, sender)["events"] if e["event"] == "user"]
