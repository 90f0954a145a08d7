"""Every Rasa test story in tests/stories passes against the real action server and admin."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from oirs.settings import PROJECT_ROOT
from tests.e2e.stack import BOT_BIN, Stack, model_path

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_all_test_stories_pass(stack: Stack, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: {stack.actions_url}/webhook\n")
    result = subprocess.run(
        [
            str(BOT_BIN / "rasa"),
            "test",
            "core",
            "--stories",
            "tests/stories",
            "--model",
            str(model_path()),
            "--endpoints",
            str(endpoints),
            "--out",
            str(tmp_path / "results"),
            "--fail-on-prediction-errors",
        ],
        cwd=PROJECT_ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    report = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (report or result.stdout[-4000:]) + result.stderr[-4000:]
    assert "None of the test stories failed" in report or not report.strip(), report
