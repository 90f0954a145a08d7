"""`.env.example` is meant to be copied to `.env`, which scripts/env.sh sources with bash and
the `oirs` command reads with python-dotenv: both must read the same values, without errors."""

from __future__ import annotations

import subprocess

from dotenv import dotenv_values

from oirs.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / ".env.example"


def test_env_example_reads_the_same_in_bash_and_python_dotenv() -> None:
    expected = {k: v or "" for k, v in dotenv_values(EXAMPLE).items()}
    script = 'set -a; . "$1"; set +a; for k in "${@:2}"; do printf "%s=%s\\0" "$k" "${!k}"; done'
    done = subprocess.run(
        ["bash", "-c", script, "bash", str(EXAMPLE), *expected],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stderr == ""
    from_bash = dict(item.split("=", 1) for item in done.stdout.split("\0") if item)
    assert from_bash == expected
    assert expected["OIRS_HOURS"] == "lunes a viernes de 8:30 a 14:00 horas"
