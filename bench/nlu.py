"""Pick the NLU pipeline by measurement: k-fold CV on data/nlu, held-out data/test, latency.

Run with the bot environment:
    .venv-bot/bin/python bench/nlu.py [--folds 5] [--epochs 40] [--only A B]
Prints one JSON object on stdout; intermediate models and predictions go to var/bench/.
Training only ever reads data/nlu (never data/test), like `rasa train --data data/nlu ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import logging
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("NLU_BENCH_DIR", ROOT / "var" / "bench"))  # intermediate files
os.environ.setdefault("RASA_CACHE_DIRECTORY", str(WORK / "cache"))

from rasa.core.agent import Agent  # noqa: E402
from rasa.model_training import train_nlu  # noqa: E402
from rasa.nlu.utils.pattern_utils import extract_patterns  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.shared.utils.io import write_yaml  # noqa: E402

TRAIN_DIR = ROOT / "data" / "nlu"
SNAPSHOT = WORK / "snapshot" / "nlu"  # data/nlu as it was when the run started
TEST_GLOB = str(ROOT / "data" / "test" / "*.yml")
OUT_OF_SCOPE = "fuera_de_alcance"
FALLBACK = "nlu_fallback"
THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 .. 0.90
AMBIGUITY = 0.1
OOS_TARGET = 0.90
DEFAULT_THRESHOLD = 0.5
SEED = 42


def _diet(epochs: int, **extra: Any) -> dict[str, Any]:
    """DIET as every candidate shares it (no transformer unless asked: 2 shared cores)."""
    return {
        "name": "DIETClassifier",
        "epochs": epochs,
        "number_of_transformer_layers": 0,
        "constrain_similarities": True,
        "random_seed": SEED,
        **extra,
    }


def _sparse(char_ngrams: tuple[int, int]) -> list[dict[str, Any]]:
    """Regex, lexical and bag-of-words plus char n-gram features."""
    lo, hi = char_ngrams
    return [
        {"name": "RegexFeaturizer", "case_sensitive": False},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": lo, "max_ngram": hi},
    ]


def candidates(epochs: int) -> dict[str, list[dict[str, Any]]]:
    """The pipelines compared; A is the baseline."""
    ws = [{"name": "WhitespaceTokenizer"}]
    spacy = [
        {"name": "SpacyNLP", "model": "es_core_news_sm"},
        {"name": "SpacyTokenizer"},
        {"name": "SpacyFeaturizer"},
    ]
    syn = [{"name": "EntitySynonymMapper"}]
    transformer = {"number_of_transformer_layers": 1, "transformer_size": 128}  # "larger" DIET
    return {
        "A_ws_char14_diet": ws + _sparse((1, 4)) + [_diet(epochs)] + syn,
        "B_spacy_char14_diet": spacy + _sparse((1, 4)) + [_diet(epochs)] + syn,
        "C_ws_char25_diet_transformer": ws + _sparse((2, 5)) + [_diet(epochs, **transformer)] + syn,
    }


def gold_intent(msg: Message) -> str:
    """Scoring label: retrieval intents count as their base intent (faq)."""
    return str(msg.get("intent")).split("/")[0]


def stratified_folds(examples: list[Message], k: int) -> list[list[Message]]:
    """Split examples into k folds, stratified by full intent (faq keys kept apart)."""
    by_label: dict[str, list[Message]] = defaultdict(list)
    for m in examples:
        by_label[m.get("intent_response_key") or m.get("intent")].append(m)
    rng = random.Random(SEED)
    folds: list[list[Message]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        items = by_label[label]
        rng.shuffle(items)
        for i, m in enumerate(items):
            folds[(i + offset) % k].append(m)
        offset += len(items)
    return folds


def write_training(base: TrainingData, examples: list[Message], path: Path) -> None:
    """Persist examples plus the synonyms/regexes of base as Rasa YAML."""
    td = TrainingData(
        training_examples=examples,
        entity_synonyms=base.entity_synonyms,
        regex_features=base.regex_features,
        lookup_tables=base.lookup_tables,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(td.nlu_as_yaml(), encoding="utf-8")


def write_config(pipeline: list[dict[str, Any]], path: Path) -> None:
    """Write an NLU-only Rasa config file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_yaml(
        {
            "recipe": "default.v1",
            "assistant_id": "bench",
            "language": "es",
            "pipeline": pipeline,
            "policies": [],
        },
        path,
    )


@contextlib.contextmanager
def quiet() -> Any:
    """Keep Rasa/TF progress output off stdout, which carries the JSON."""
    with (
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stdout(devnull),
        contextlib.redirect_stderr(devnull),
    ):
        yield


def train(config: Path, data: Path, out: Path, name: str) -> tuple[Path, float]:
    """Train an NLU model in-process and return its path and wall time."""
    start = time.perf_counter()
    with quiet():
        model = train_nlu(str(config), str(data), str(out), fixed_model_name=name)
    if model is None:
        raise RuntimeError(f"training failed for {config}")
    return Path(model), time.perf_counter() - start


async def _parse_all(agent: Agent, texts: list[str]) -> tuple[list[dict[str, Any]], list[float]]:
    """Parse each text in-process, timing every call."""
    results, times = [], []
    for text in texts:
        start = time.perf_counter()
        results.append(await agent.parse_message(text))
        times.append((time.perf_counter() - start) * 1000.0)
    return results, times


def regex_entities(patterns: list[dict[str, str]], text: str) -> list[tuple[str, int, int, str]]:
    """What RegexEntityExtractor (case-insensitive) would add for text."""
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern["pattern"], text, flags=re.IGNORECASE):
            found.append((pattern["name"], match.start(), match.end(), match.group(0)))
    return found


def with_regex_entities(
    rows: list[dict[str, Any]], patterns: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Rows as if RegexEntityExtractor ran after DIET (appended output, duplicates collapse)."""
    return [
        {
            **r,
            "pred_entities": sorted(
                set(r["pred_entities"]) | set(regex_entities(patterns, r["text"]))
            ),
        }
        for r in rows
    ]


def predict(model: Path, examples: list[Message]) -> tuple[list[dict[str, Any]], list[float]]:
    """Load a model once and return compact predictions and per-message latency (ms)."""
    with quiet():
        agent = Agent.load(str(model))
        asyncio.run(_parse_all(agent, ["hola", "calentamiento"]))  # first call builds graphs
        parsed, times = asyncio.run(_parse_all(agent, [m.get("text") for m in examples]))
    rows = []
    for m, p in zip(examples, parsed, strict=True):
        ranking = p.get("intent_ranking") or [p.get("intent")]
        rows.append(
            {
                "text": m.get("text"),
                "gold": gold_intent(m),
                "ranking": [(r["name"], float(r["confidence"])) for r in ranking[:2]],
                "gold_entities": [
                    (e["entity"], e["start"], e["end"], str(e["value"]))
                    for e in m.get("entities") or []
                ],
                "pred_entities": sorted(
                    {
                        (e["entity"], e["start"], e["end"], str(e["value"]))
                        for e in p.get("entities") or []
                    }
                ),
            }
        )
    return rows, times


def decide(row: dict[str, Any], threshold: float | None) -> str:
    """Predicted label after FallbackClassifier-style thresholds (None = no fallback)."""
    ranking = row["ranking"]
    top, conf = ranking[0]
    if threshold is None:
        return top
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if conf < threshold or conf - second < AMBIGUITY:
        return FALLBACK
    return top


def intent_scores(rows: list[dict[str, Any]], threshold: float | None) -> dict[str, float]:
    """Macro-F1 over gold intents and OOS recall; fallback is correct only for OOS examples."""
    labels = sorted({r["gold"] for r in rows})
    pairs = []
    for r in rows:
        pred = decide(r, threshold)
        if pred == FALLBACK and r["gold"] == OUT_OF_SCOPE:
            pred = OUT_OF_SCOPE
        pairs.append((r["gold"], pred))
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    oos = [p for g, p in pairs if g == OUT_OF_SCOPE]
    in_scope = [(g, p) for g, p in pairs if g != OUT_OF_SCOPE]
    return {
        "macro_f1": round(statistics.mean(f1s), 4),
        "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4),
        "oos_recall": round(sum(p == OUT_OF_SCOPE for p in oos) / len(oos), 4)
        if oos
        else float("nan"),
        "in_scope_fallback_rate": round(sum(p == FALLBACK for _, p in in_scope) / len(in_scope), 4),
    }


def entity_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Exact-span micro-F1 per entity type and overall, plus categoria value accuracy."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    cat_total = cat_ok = 0
    for r in rows:
        gold = {(e, s, t) for e, s, t, _ in r["gold_entities"]}
        pred = {(e, s, t) for e, s, t, _ in r["pred_entities"]}
        for ent in {x[0] for x in gold | pred}:
            g = {x for x in gold if x[0] == ent}
            p = {x for x in pred if x[0] == ent}
            counts[ent][0] += len(g & p)
            counts[ent][1] += len(p - g)
            counts[ent][2] += len(g - p)
        gold_cats = {v for e, _, _, v in r["gold_entities"] if e == "categoria"}
        if gold_cats:
            cat_total += 1
            cat_ok += gold_cats <= {v for e, _, _, v in r["pred_entities"] if e == "categoria"}

    def f1(tp: int, fp: int, fn: int) -> float:
        return round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0

    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {
        "micro_f1": f1(*total),
        "per_entity_f1": {k: f1(*v) for k, v in sorted(counts.items())},
        "categoria_value_accuracy": round(cat_ok / cat_total, 4) if cat_total else None,
    }


def tune_threshold(rows: list[dict[str, Any]]) -> float:
    """Best CV macro-F1 among thresholds reaching the OOS target, else best mean of both."""
    scored = [(t, intent_scores(rows, t)) for t in THRESHOLDS]
    ok = [(s["macro_f1"], t) for t, s in scored if s["oos_recall"] >= OOS_TARGET]
    if ok:
        return max(ok)[1]
    return max((s["macro_f1"] + s["oos_recall"], t) for t, s in scored)[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def run_config(
    name: str,
    pipeline: list[dict[str, Any]],
    base: TrainingData,
    folds: list[list[Message]],
    held_out: list[Message],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Cross-validate, train on everything, evaluate on held-out and time parsing."""
    work = WORK / name
    config = work / "config.yml"
    write_config(pipeline, config)
    cv_rows: list[dict[str, Any]] = []
    for k, test in enumerate(folds):
        train_examples = [m for j, fold in enumerate(folds) if j != k for m in fold]
        data = work / f"fold{k}" / "train.yml"
        write_training(base, train_examples, data)
        model, secs = train(config, data, work / f"fold{k}", "model")
        rows, _ = predict(model, test)
        cv_rows.extend(rows)
        log(f"{name} fold {k}: trained in {secs:.0f}s")
    threshold = tune_threshold(cv_rows) if cv_rows else DEFAULT_THRESHOLD
    model, train_secs = train(config, SNAPSHOT, work / "full", "model")
    ho_rows, latency = predict(model, held_out)
    (work / "predictions.json").write_text(
        json.dumps({"cv": cv_rows, "held_out": ho_rows}, ensure_ascii=False)
    )
    patterns = extract_patterns(base, use_lookup_tables=False, use_only_entities=True)

    def scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "no_fallback": intent_scores(rows, None),
            "with_fallback": intent_scores(rows, threshold),
            "entities": entity_scores(rows),
            "entities_plus_regex_extractor": entity_scores(with_regex_entities(rows, patterns)),
        }

    result = {
        "cv": scores(cv_rows) if cv_rows else None,
        "held_out": scores(ho_rows),
        "fallback_threshold": threshold,
        "train_seconds_full": round(train_secs, 1),
        "parse_ms_p50": percentile(latency, 0.50),
        "parse_ms_p95": percentile(latency, 0.95),
        "held_out_errors": [
            {"text": r["text"], "gold": r["gold"], "pred": decide(r, threshold)}
            for r in ho_rows
            if decide(r, threshold) not in (r["gold"],)
            and not (r["gold"] == OUT_OF_SCOPE and decide(r, threshold) == FALLBACK)
        ][:40],
    }
    log(f"{name}: {json.dumps({k: v for k, v in result.items() if k != 'held_out_errors'})}")
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def winner(results: dict[str, dict[str, Any]]) -> str:
    """Chosen on CV (held-out only confirms): OOS target met, then macro-F1, then speed."""

    def key(name: str) -> tuple[bool, float, float]:
        r = results[name]
        scores = (r["cv"] or r["held_out"])["with_fallback"]
        return (scores["oos_recall"] >= OOS_TARGET, scores["macro_f1"], -r["parse_ms_p95"])

    return max(results, key=key)


def main() -> None:
    """Run every candidate and print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5, help="0 or 1: skip cross-validation")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="names (prefixes) of configs to run")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    WORK.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
        with open(WORK / "progress.log", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    shutil.copytree(TRAIN_DIR, SNAPSHOT)
    base = load_data(str(SNAPSHOT))
    held_out = [m for path in sorted(glob.glob(TEST_GLOB)) for m in load_data(path).intent_examples]
    folds = stratified_folds(list(base.intent_examples), args.folds) if args.folds > 1 else []
    configs = {
        n: p
        for n, p in candidates(args.epochs).items()
        if not args.only or any(n.startswith(o) for o in args.only)
    }
    started = time.perf_counter()
    results = {
        name: run_config(name, pipe, base, folds, held_out, log) for name, pipe in configs.items()
    }
    best = winner(results)
    baseline = next(iter(results))
    base_r, best_r = results[baseline], results[best]
    summary = {
        "train_examples": len(base.intent_examples),
        "held_out_examples": len(held_out),
        "folds": args.folds,
        "epochs": args.epochs,
        "configs": results,
        "winner": best,
        "baseline": baseline,
        "winner_vs_baseline": {
            "held_out_macro_f1_ratio": round(
                best_r["held_out"]["with_fallback"]["macro_f1"]
                / base_r["held_out"]["with_fallback"]["macro_f1"],
                4,
            ),
            "cv_macro_f1_ratio": round(
                best_r["cv"]["with_fallback"]["macro_f1"]
                / base_r["cv"]["with_fallback"]["macro_f1"],
                4,
            )
            if base_r["cv"]
            else None,
            "train_time_ratio": round(
                best_r["train_seconds_full"] / base_r["train_seconds_full"], 3
            ),
            "parse_p95_ratio": round(best_r["parse_ms_p95"] / base_r["parse_ms_p95"], 3),
        },
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
