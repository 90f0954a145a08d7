"""Shares, per-label precision/recall/F1, macro-F1 and confusion pairs (no dependencies)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any


def ratio(part: int, whole: int) -> float | None:
    """part/whole rounded to 4 places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def tally(right: int, count: int) -> dict[str, Any]:
    """{n, right, accuracy}: the shape every accuracy in the output has."""
    return {"n": count, "right": right, "accuracy": ratio(right, count)}


def add(counts: Counter[str], **flags: int | bool) -> None:
    """Add each flag as 0 or 1 (Counter.update would store a first bool as a bool)."""
    for name, value in flags.items():
        counts[name] += int(value)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def per_label(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Precision, recall, F1 and support of every label seen in gold or predictions."""
    pairs = list(zip(gold, predicted, strict=True))
    support = Counter(gold)
    guessed = Counter(predicted)
    hits = Counter(g for g, p in pairs if g == p)
    report = {}
    for label in sorted(set(support) | set(guessed)):
        precision = hits[label] / guessed[label] if guessed[label] else 0.0
        recall = hits[label] / support[label] if support[label] else 0.0
        report[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": support[label],
            "predicted": guessed[label],
        }
    return report


def macro_f1(report: dict[str, dict[str, Any]], labels: Iterable[str]) -> float | None:
    """Unweighted mean F1 over `labels` (the gold labels: a label never in gold is not averaged)."""
    scores = [report[label]["f1"] for label in labels if label in report]
    return round(sum(scores) / len(scores), 4) if scores else None


def confusion_pairs(
    gold: Sequence[str], predicted: Sequence[str], top: int = 15
) -> list[dict[str, Any]]:
    """The most frequent (gold, predicted) mistakes, most frequent first."""
    mistakes = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    ordered = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in ordered[:top]]
