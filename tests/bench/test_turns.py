"""bench/turns.py's verdict on issue 14's thresholds and its baseline bot (no bot is started)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench import turns

RASA_DEFAULT_CONFIG = (
    turns.ROOT
    / ".venv-bot/lib/python3.10/site-packages/rasa/engine/recipes/config_files/default_config.yml"
)


def timing(p50: float | None, p95: float | None) -> dict[str, Any]:
    return {"n": 60, "p50_ms": p50, "p95_ms": p95, "p99_ms": p95, "mean_ms": p50}


def measured(**ours_changes: Any) -> dict[str, Any]:
    """A run's figures shaped as bench/turns.py's measure() returns them."""
    bare = {
        "greeting": timing(20.0, 30.0),
        "faq": timing(20.0, 30.0),
        "custom_action": timing(50.0, 70.0),
        "throughput": {"turns_per_s": 30.0, "errors": 0},
        "warm_restart_s": 25.0,
        "rss_mb": {"rasa": 1000.0, "actions": 100.0},
    }
    ours = {
        "greeting": timing(25.0, 39.0),
        "faq": timing(25.0, 36.0),
        "custom_action_lookup": timing(60.0, 80.0),
        "custom_action": timing(60.0, 91.0),
        "throughput": {"turns_per_s": 27.0, "errors": 0},
        "warm_restart_s": 30.0,
        "make_run_ready_s": 35.0,
        "rss_mb": {"rasa": 1500.0, "actions": 150.0, "admin": 300.0},
        "model_archive_bytes": 60_000_000,
        "training": {"seconds": 180},
    }
    ours.update(ours_changes)
    return {"ours": ours, "baseline_bare_bot": bare}


def test_figures_exactly_at_the_issues_limits_meet_them() -> None:
    verdict = turns.ratios_and_verdict(measured())

    assert verdict["ratios_ours_to_bare"]["greeting_p95"] == 1.3
    assert verdict["ratios_ours_to_bare"]["custom_action_p95"] == 1.3
    assert verdict["ratios_ours_to_bare"]["throughput"] == 0.9
    assert {name: t["met"] for name, t in verdict["thresholds"].items()} == {
        name: True for name in turns.THRESHOLDS
    }
    assert verdict["all_met"] is True


def test_the_worse_of_greeting_and_faq_is_the_no_action_figure() -> None:
    verdict = turns.ratios_and_verdict(measured(faq=timing(25.0, 40.0)))

    no_action = verdict["thresholds"]["no_action_turn_p95_ratio"]
    assert no_action == {
        "figure": turns.THRESHOLDS["no_action_turn_p95_ratio"][0],
        "value": 1.333,
        "<=": 1.3,
        "met": False,
    }
    assert verdict["all_met"] is False


@pytest.mark.parametrize(
    ("changes", "missed"),
    [
        ({"custom_action": timing(60.0, 92.0)}, "custom_action_turn_p95_ratio"),
        ({"throughput": {"turns_per_s": 26.9, "errors": 0}}, "throughput_ratio"),
        ({"make_run_ready_s": 35.1}, "make_run_ready_s"),
        ({"training": {"seconds": 181}}, "training_s"),
        ({"model_archive_bytes": 60_000_001}, "model_archive_mb"),
    ],
)
def test_a_figure_past_its_limit_is_not_met(changes: dict[str, Any], missed: str) -> None:
    thresholds = turns.ratios_and_verdict(measured(**changes))["thresholds"]

    assert [name for name, t in thresholds.items() if not t["met"]] == [missed]


def test_throughput_with_a_failed_request_is_not_met_whatever_its_ratio() -> None:
    run = measured(throughput={"turns_per_s": 40.0, "errors": 1})

    throughput = turns.ratios_and_verdict(run)["thresholds"]["throughput_ratio"]
    assert throughput["value"] == 1.333
    assert throughput["met"] is False


def test_a_figure_not_measured_is_neither_met_nor_missed_and_all_met_is_false() -> None:
    verdict = turns.ratios_and_verdict(
        measured(make_run_ready_s=None, warm_restart_s=None, training={"seconds": None})
    )

    assert verdict["thresholds"]["make_run_ready_s"]["met"] is None
    assert verdict["thresholds"]["training_s"]["met"] is None
    assert verdict["ratios_ours_to_bare"]["warm_restart"] is None
    assert verdict["all_met"] is False


def test_no_samples_give_no_percentiles_and_no_ratio() -> None:
    empty = turns.percentiles([])
    verdict = turns.ratios_and_verdict(measured(custom_action=empty))

    assert empty["n"] == 0
    assert verdict["thresholds"]["custom_action_turn_p95_ratio"]["met"] is None


def test_training_time_is_read_from_the_newest_log_and_matched_to_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / ".fingerprint").write_text("abc123\n")
    monkeypatch.setattr(turns, "MODELS", models)
    old, new = tmp_path / "train.log", tmp_path / "train-timed.log"
    old.write_text("Entrenando el modelo de Rasa (huella 999)\nModelo entrenado en 400 s: x\n")
    new.write_text(
        "1796660600 Entrenando el modelo de Rasa (huella abc123); el progreso se ve abajo...\n"
        "1796660958 Modelo entrenado en 358 s: models/oirs.tar.gz\n"
    )
    old_time = new.stat().st_mtime - 60
    os.utime(old, (old_time, old_time))

    found = turns.training([old, new, tmp_path / "missing.log"])

    assert found["seconds"] == 358
    assert found["is_current_model"] is True
    assert turns.training([old])["is_current_model"] is False
    assert turns.training([tmp_path / "missing.log"])["seconds"] is None


@pytest.mark.skipif(not RASA_DEFAULT_CONFIG.exists(), reason="no .venv-bot with Rasa 3.6")
def test_the_bare_bot_trains_with_rasas_default_configuration() -> None:
    """What `rasa init` trains: its config.yml leaves pipeline and policies to these defaults."""
    default = yaml.safe_load(RASA_DEFAULT_CONFIG.read_text())
    bare = yaml.safe_load((turns.BARE_DIR / "config.yml").read_text())

    assert bare["pipeline"] == default["pipeline"]
    assert bare["policies"] == default["policies"]
    assert bare["language"] == "es"
