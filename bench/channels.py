"""Added latency of our WhatsApp and Telegram channels over Rasa's REST channel.

Run with the bot environment:  .venv-bot/bin/python bench/channels.py [--messages 60]
One real Rasa server (the channel tests' tiny model, our credentials.yml) and loopback
stand-ins for Twilio, Telegram and the admin. Each message is timed from the POST to the
webhook's answer, which for our channels includes the reply sent to the provider.
Prints one JSON object: per channel median/p95 in ms and the added median over REST.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.channels import conftest as harness  # noqa: E402
from tests.channels import providers  # noqa: E402
from tests.channels.test_telegram import update  # noqa: E402
from tests.channels.test_whatsapp import inbound, twilio_signature  # noqa: E402

PORT = harness.free_port()


def start_rasa(work: Path, base_url: str) -> subprocess.Popen[bytes]:
    rasa = harness.rasa_bin()
    tiny = harness.TINYBOT
    subprocess.run(
        [
            rasa,
            "train",
            "--config",
            str(tiny / "config.yml"),
            "--domain",
            str(tiny / "domain.yml"),
            "--data",
            str(tiny / "data"),
            "--out",
            str(work),
            "--fixed-model-name",
            "tiny",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env=harness._rasa_env({}),
    )
    (work / "endpoints.yml").write_text("{}\n")
    shutil.copy(ROOT / "credentials.yml", work / "credentials.yml")
    log = (work / "rasa.log").open("w")
    process = subprocess.Popen(
        [
            rasa,
            "run",
            "--model",
            str(work / "tiny.tar.gz"),
            "--credentials",
            str(work / "credentials.yml"),
            "--endpoints",
            str(work / "endpoints.yml"),
            "--port",
            str(PORT),
            "--interface",
            "127.0.0.1",
            "--enable-api",
        ],
        cwd=ROOT,
        env=harness._rasa_env(harness.channel_env(base_url)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    harness._wait_ready(f"http://127.0.0.1:{PORT}", process, work / "rasa.log")
    return process


def timed(send) -> float:
    start = time.perf_counter()
    reply = send()
    elapsed = (time.perf_counter() - start) * 1000
    assert reply.status_code == 200, reply.text
    return elapsed


def rest(url: str, sender: str) -> requests.Response:
    body = {"sender": sender, "message": "reclamo"}
    return requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)


def whatsapp(url: str, sender: str) -> requests.Response:
    params = inbound(sender, "reclamo")
    path = "/webhooks/whatsapp/webhook"
    signature = twilio_signature(harness.PUBLIC_URL + path, params)
    return requests.post(
        url + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )


def telegram(url: str, chat_id: int) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": harness.TELEGRAM_SECRET}
    return requests.post(
        f"{url}/webhooks/telegram/webhook",
        json=update(chat_id, text="reclamo"),
        headers=headers,
        timeout=30,
    )


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    state = providers.Providers(
        harness.TWILIO_SID, harness.TWILIO_TOKEN, harness.TELEGRAM_TOKEN, harness.API_TOKEN
    )
    server = providers.start(state)
    work = Path(tempfile.mkdtemp(prefix="bench-channels-"))
    process = start_rasa(work, state.base_url)
    url = f"http://127.0.0.1:{PORT}"
    senders = {
        "rest": lambda: rest(url, f"bench-{uuid.uuid4().hex[:6]}"),
        "whatsapp": lambda: whatsapp(url, f"whatsapp:+5699{random.randint(1000000, 9999999)}"),
        "telegram": lambda: telegram(url, random.randint(10**8, 10**9)),
    }
    samples: dict[str, list[float]] = {name: [] for name in senders}
    try:
        for send in senders.values():  # warm-up
            for _ in range(5):
                timed(send)
        for _ in range(args.messages):  # interleaved, so load drifts hit all channels alike
            for name, send in senders.items():
                samples[name].append(timed(send))
    finally:
        process.terminate()
        process.wait(timeout=30)
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    result = {name: summary(values) for name, values in samples.items()}
    base = result["rest"]["median_ms"]
    for name in ("whatsapp", "telegram"):
        result[name]["added_median_ms_over_rest"] = round(result[name]["median_ms"] - base, 2)
    print(json.dumps({"benchmark": "channel_added_latency", "results": result}))


if __name__ == "__main__":
    main()
