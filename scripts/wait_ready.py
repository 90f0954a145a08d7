#!/usr/bin/env python3
"""Wait until the admin, Rasa and the action server answer, print the URLs, then stay up."""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.request

ADMIN = "http://" + (os.environ.get("OIRS_ADMIN_BIND") or "127.0.0.1:8000").replace(
    "0.0.0.0:",
    "127.0.0.1:",  # a wildcard bind is reached on loopback
)
SERVICES = [
    ("Panel OIRS (admin)", f"{ADMIN}/healthz", f"{ADMIN}/"),
    ("Servidor Rasa", "http://127.0.0.1:5005/", "http://127.0.0.1:5005/webhooks/rest/webhook"),
    ("Servidor de acciones", "http://127.0.0.1:5055/health", "http://127.0.0.1:5055"),
]
EXTRA = [
    ("Widget web (demo)", f"{ADMIN}/widget/demo"),
    ("Script del widget", f"{ADMIN}/widget.js"),
    ("Política de privacidad", f"{ADMIN}/privacidad"),
]


def up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status < 500
    except OSError:
        return False


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deadline = time.monotonic() + 600
    pending = list(SERVICES)
    while pending and time.monotonic() < deadline:
        pending = [s for s in pending if not up(s[1])]
        if pending:
            time.sleep(2)
    if pending:
        print("No respondieron: " + ", ".join(s[0] for s in pending), flush=True)
        return 1
    print("\nOIRS Conversacional está en marcha:", flush=True)
    for label, _health, url in SERVICES:
        print(f"  {label:24} {url}", flush=True)
    for label, url in EXTRA:
        print(f"  {label:24} {url}", flush=True)
    print("Detener: Ctrl-C. Registros: var/log/\n", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
