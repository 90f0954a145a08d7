#!/usr/bin/env python3
"""Run one service, copying its output to the terminal and to var/log/NAME.log.

Usage: logged.py NAME -- command [args...]. Signals are forwarded so Ctrl-C
under honcho stops the service cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def main() -> int:
    name, sep, *command = sys.argv[1:]
    if sep != "--" or not command:
        print("uso: logged.py NOMBRE -- comando ...", file=sys.stderr)
        return 2
    log_dir = Path(os.environ.get("OIRS_LOG_DIR", "var/log"))
    log_dir.mkdir(parents=True, exist_ok=True)
    # The command comes from our own Procfile, not from outside input.
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    with open(log_dir / f"{name}.log", "ab") as log:
        assert child.stdout is not None
        for line in iter(child.stdout.readline, b""):
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
            log.write(line)
            log.flush()
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
