"""How fast compute_deadline is, cold and warm, against a weekday-only loop in the same run.

Prints one JSON object. Run: .venv/bin/python bench/deadlines.py
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import holidays

from oirs.calendar.business_days import BusinessCalendar, clear_holiday_caches
from oirs.calendar.deadlines import compute_deadline

SEED = 20240929
TERMS = (15, 20)
FIRST, LAST = date(2015, 1, 1), date(2030, 12, 31)
ROUNDS = {"baseline_weekday_only": 20000, "warm": 20000, "new_calendar": 5000, "cold": 200}


def weekday_only_due(received: date, business_days: int) -> date:
    """Baseline: the naive loop most code starts with, Monday-Friday and nothing else."""
    day, left = received, business_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def random_starts(count: int, rng: random.Random) -> list[date]:
    """Receipt dates spread over many years so the per-year caches see many years."""
    span = (LAST - FIRST).days
    return [FIRST + timedelta(days=rng.randrange(span)) for _ in range(count)]


def rate(run: Callable[[date], object], starts: list[date]) -> float:
    """Computations per second of `run` over `starts`."""
    began = time.perf_counter()
    for start in starts:
        run(start)
    return len(starts) / (time.perf_counter() - began)


def measure(days: int, rng: random.Random) -> dict[str, float]:
    """Rates for one term length in every scenario, and their ratios to the baseline."""
    warm_calendar = BusinessCalendar("Chillán")

    def cold(start: date) -> object:
        clear_holiday_caches()
        return compute_deadline(start, days, BusinessCalendar("Chillán"))

    scenarios: dict[str, Callable[[date], object]] = {
        "baseline_weekday_only": lambda start: weekday_only_due(start, days),
        "warm": lambda start: compute_deadline(start, days, warm_calendar),
        "new_calendar": lambda start: compute_deadline(start, days, BusinessCalendar("Chillán")),
        "cold": cold,
    }
    for year in range(FIRST.year, LAST.year + 2):  # warm-up: fill the process caches once
        warm_calendar.is_business_day(date(year, 1, 2))
    result = {
        f"{name}_per_s": round(rate(run, random_starts(ROUNDS[name], rng)), 1)
        for name, run in scenarios.items()
    }
    baseline = result["baseline_weekday_only_per_s"]
    for name in ("warm", "new_calendar", "cold"):
        result[f"{name}_vs_baseline"] = round(result[f"{name}_per_s"] / baseline, 4)
    return result


def main() -> None:
    """Measure every term and print one JSON object."""
    rng = random.Random(SEED)
    began = time.perf_counter()
    results = {str(days): measure(days, rng) for days in TERMS}
    clear_holiday_caches()
    print(
        json.dumps(
            {
                "benchmark": "oirs.calendar.deadlines.compute_deadline",
                "comuna": "Chillán",
                "seed": SEED,
                "start_dates": f"{FIRST.isoformat()}..{LAST.isoformat()}",
                "rounds": ROUNDS,
                "scenarios": {
                    "baseline_weekday_only": "naive Monday-Friday loop, no holidays",
                    "warm": "one calendar reused (per-year holiday caches filled)",
                    "new_calendar": "new BusinessCalendar per computation, process caches warm",
                    "cold": "all holiday caches cleared before each computation",
                },
                "terms": results,
                "python": platform.python_version(),
                "holidays": holidays.__version__,
                "elapsed_s": round(time.perf_counter() - began, 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
