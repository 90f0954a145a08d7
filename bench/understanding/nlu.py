"""Intent set: each text parsed by Rasa's /model/parse; macro-F1, out-of-scope F1, FAQ keys.

The FallbackClassifier's `nlu_fallback` is a prediction of its own: always wrong (no gold line
carries it), and counted apart so a threshold that is too high shows as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .metrics import confusion_pairs, macro_f1, per_label, ratio, tally
from .sets import clip

OUT_OF_SCOPE = "fuera_de_alcance"
FALLBACK = "nlu_fallback"
FAQ = "faq"


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float | None
    faq_key: str | None
    # the best intent under the fallback, when the fallback won (for the error list)
    behind_fallback: str | None = None


def faq_key(value: object) -> str | None:
    """'plazo_reclamo' from 'faq/plazo_reclamo' or 'plazo_reclamo'."""
    if not value:
        return None
    return str(value).split("/", 1)[-1].strip() or None


def gold_of(line: dict[str, Any]) -> tuple[str, str | None]:
    """(intent, faq key) of a gold line; 'faq/x' as the intent counts as faq with key x."""
    intent = str(line["intent"]).strip()
    key = faq_key(line.get("faq_key"))
    if "/" in intent:
        intent, _, suffix = intent.partition("/")
        key = key or faq_key(suffix)
    return intent, key


def prediction_from_parse(parse: dict[str, Any]) -> Prediction:
    """Top intent, its confidence and the response selector's FAQ key from a /model/parse answer."""
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or "")
    key = None
    if "/" in name:
        name, _, key = name.partition("/")
    selector = (parse.get("response_selector") or {}).get(FAQ) or {}
    response = selector.get("response") or {}
    key = faq_key(response.get("intent_response_key")) or key
    if key is None and selector.get("ranking"):
        key = faq_key(selector["ranking"][0].get("intent_response_key"))
    behind = None
    if name == FALLBACK:
        behind = next(
            (
                str(r.get("name"))
                for r in parse.get("intent_ranking") or []
                if r.get("name") != FALLBACK
            ),
            None,
        )
    confidence = intent.get("confidence")
    return Prediction(name or "(ninguna)", confidence, key, behind)


def score_nlu(
    lines: Sequence[dict[str, Any]], predictions: Sequence[Prediction]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The summary and the per-line errors of the intent set."""
    golds = [gold_of(line) for line in lines]
    gold_intents = [g for g, _ in golds]
    predicted = [p.intent for p in predictions]
    report = per_label(gold_intents, predicted)
    faq_right = faq_both = faq_n = 0
    errors: list[dict[str, Any]] = []
    by_channel: Counter[str] = Counter()
    by_channel_right: Counter[str] = Counter()
    for line, (intent, key), prediction in zip(lines, golds, predictions, strict=True):
        channel = str(line.get("channel") or "?")
        by_channel[channel] += 1
        right_intent = prediction.intent == intent
        right_key = True
        if intent == FAQ:
            faq_n += 1
            right_key = key is not None and prediction.faq_key == key
            faq_right += right_key
            faq_both += right_key and right_intent
        by_channel_right[channel] += right_intent
        if not (right_intent and right_key):
            errors.append(_error(line, intent, key, prediction))
    fallback = predicted.count(FALLBACK)
    summary = {
        "count": len(lines),
        "macro_f1": macro_f1(report, set(gold_intents)),
        "accuracy": ratio(
            sum(g == p for g, p in zip(gold_intents, predicted, strict=True)), len(lines)
        ),
        "out_of_scope_f1": report.get(OUT_OF_SCOPE, {}).get("f1"),
        "fallback": {"count": fallback, "share": ratio(fallback, len(lines))},
        "faq_key": {
            **tally(faq_right, faq_n),
            "with_intent_right": tally(faq_both, faq_n),
        },
        "per_intent": report,
        "confusion_top15": confusion_pairs(gold_intents, predicted, 15),
        "by_channel": {c: tally(by_channel_right[c], n) for c, n in sorted(by_channel.items())},
    }
    return summary, errors


def _error(
    line: dict[str, Any], intent: str, key: str | None, prediction: Prediction
) -> dict[str, Any]:
    return {
        "line": line.get("_line"),
        "text": clip(line.get("text")),
        "channel": line.get("channel"),
        "gold": intent,
        "predicted": prediction.intent,
        "confidence": prediction.confidence,
        "behind_fallback": prediction.behind_fallback,
        "faq_gold": key,
        "faq_predicted": prediction.faq_key if intent == FAQ else None,
    }


def run_nlu(
    lines: Sequence[dict[str, Any]],
    parse: Callable[[str], dict[str, Any]],
    progress: Callable[[int], None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse every line (sequentially, one request each) and score."""
    predictions = []
    for done, line in enumerate(lines, start=1):
        predictions.append(prediction_from_parse(parse(str(line["text"]))))
        progress(done)
    return score_nlu(lines, predictions)
