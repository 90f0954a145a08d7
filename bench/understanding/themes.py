"""Theme set: each description through the admin's POST /api/v1/classify.

Top-1 reads `top[0]` (what the three buttons would lead with), top-3 the first three codes;
`category` not null means the classifier was sure enough to use it without asking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .compare import category_code
from .metrics import add, ratio, tally
from .sets import clip


def top_codes(answer: Mapping[str, Any]) -> list[str]:
    """The codes of the answer's `top` list, best first."""
    return [str(entry.get("code")) for entry in answer.get("top") or [] if entry.get("code")]


def score_themes(
    items: Sequence[dict[str, Any]],
    answers: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Summary and per-item errors; `names` maps category code -> Spanish name."""
    top1 = top3 = accepted = accepted_right = 0
    per: dict[str, Counter[str]] = {}
    by_type: dict[str, Counter[str]] = {}
    errors = []
    for item, answer in zip(items, answers, strict=True):
        gold = category_code(item["category"], names) or "?"
        codes = top_codes(answer)
        chosen = answer.get("category")
        hit1 = bool(codes) and codes[0] == gold
        hit3 = gold in codes[:3]
        top1 += hit1
        top3 += hit3
        if chosen is not None:
            accepted += 1
            accepted_right += chosen == gold
        for table, key in ((per, gold), (by_type, str(item.get("type") or "?"))):
            counts = table.setdefault(key, Counter())
            add(counts, n=1, top1=hit1, top3=hit3)
        if not hit1 or (chosen is not None and chosen != gold):
            errors.append(
                {
                    "line": item.get("_line"),
                    "text": clip(item.get("text")),
                    "gold": gold,
                    "top": codes[:3],
                    "category": chosen,
                    "confidence": answer.get("confidence"),
                }
            )
    count = len(items)
    summary = {
        "count": count,
        "top1_accuracy": ratio(top1, count),
        "top3_accuracy": ratio(top3, count),
        "accepted_share": ratio(accepted, count),
        "accepted": tally(accepted_right, accepted),
        "threshold": answers[0].get("threshold") if answers else None,
        "per_category": {code: _shares(c) for code, c in sorted(per.items())},
        "by_type": {kind: _shares(c) for kind, c in sorted(by_type.items())},
    }
    return summary, errors


def _shares(counts: Counter[str]) -> dict[str, Any]:
    return {
        "n": counts["n"],
        "top1_accuracy": ratio(counts["top1"], counts["n"]),
        "top3_accuracy": ratio(counts["top3"], counts["n"]),
    }


def run_themes(
    items: Sequence[dict[str, Any]],
    classify: Callable[[str], Mapping[str, Any]],
    names: Mapping[str, str],
    progress: Callable[[int], None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Classify every description (one request each) and score."""
    answers = []
    for done, item in enumerate(items, start=1):
        answers.append(classify(str(item["text"])))
        progress(done)
    return score_themes(items, answers, names)
