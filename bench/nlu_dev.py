"""Compare NLU pipelines on a SPENT blind round (a development set, not a blind figure).

Trains an NLU-only model per candidate on data/nlu (minus nothing: the dev round must not be
folded into training yet) and scores it on `bench/blind/<round>/nlu.jsonl` with the same scoring
as the blind benchmark (`bench/understanding/nlu.py`). Only a round whose errors were already
read may be used here: choosing a pipeline on a round spends it. Blind figures come from
`bench/understanding.py` on a fresh round.

    .venv-bot/bin/python bench/nlu_dev.py --round bench/blind/r3 --exclude blind_r3.yml \
        [--only current diet]

Prints one JSON object per candidate on stdout: training seconds, model archive MB, macro-F1,
out-of-scope F1, FAQ key accuracy, parse p50/p95 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.nlu import _parse_all, quiet  # noqa: E402  (imports Rasa: the bot environment)
from bench.understanding.nlu import prediction_from_parse, score_nlu  # noqa: E402

WORK = ROOT / "var" / "bench" / "nlu_dev"


def project_pipeline() -> list[dict[str, Any]]:
    return list(yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"])


# The pipeline config.yml had until session 6 (DIET and Rasa's ResponseSelector), kept as the
# reference the linear models were chosen against.
DIET_PIPELINE: list[dict[str, Any]] = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer", "case_sensitive": False},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
    {
        "name": "DIETClassifier",
        "epochs": 40,
        "number_of_transformer_layers": 1,
        "transformer_size": 128,
        "constrain_similarities": True,
        "random_seed": 42,
    },
    {"name": "RegexEntityExtractor", "use_regexes": True, "use_lookup_tables": False},
    {"name": "EntitySynonymMapper"},
    {
        "name": "ResponseSelector",
        "random_seed": 1,
        "retrieval_intent": "faq",
        "epochs": 30,
        "constrain_similarities": True,
    },
    {"name": "FallbackClassifier", "threshold": 0.6, "ambiguity_threshold": 0.1},
]


def _with(pipeline: list[dict[str, Any]], name: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**c, **changes} if c["name"].endswith(name) else c for c in pipeline]


def candidates() -> dict[str, list[dict[str, Any]]]:
    current = project_pipeline()
    return {
        "current": current,
        "diet": DIET_PIPELINE,
        "linear_soft": _with(current, "LinearIntentClassifier", temperature=2.0),
        "linear_c3": _with(current, "LinearIntentClassifier", C=3.0),
        "linear_chars_1_4": _with(current, "LinearIntentClassifier", min_ngram=1, max_ngram=4),
    }


def training_data(exclude: list[str]) -> Path:
    """data/nlu without the files of the dev round itself (a folded round is not a dev set)."""
    source = ROOT / "data" / "nlu"
    if not exclude:
        return source
    target = WORK / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in source.glob("*.yml"):
        if path.name not in exclude:
            shutil.copy(path, target / path.name)
    return target


def run(name: str, pipeline: list[dict[str, Any]], lines: list[dict[str, Any]], data: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yml"
    config.write_text(
        yaml.safe_dump(
            {"recipe": "default.v1", "language": "es", "pipeline": copy.deepcopy(pipeline)},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    start = time.perf_counter()
    with quiet():
        model = train_nlu(str(config), str(data), str(folder), fixed_model_name=name)
    seconds = time.perf_counter() - start
    if model is None:
        raise RuntimeError(f"training failed: {name}")
    with quiet():
        agent = Agent.load(model)
        asyncio.run(_parse_all(agent, ["hola"]))
        parsed, times = asyncio.run(_parse_all(agent, [line["text"] for line in lines]))
    summary, errors = score_nlu(lines, [prediction_from_parse(p) for p in parsed])
    (folder / "errors.json").write_text(json.dumps(errors, ensure_ascii=False, indent=1))
    times.sort()
    return {
        "candidate": name,
        "train_s": round(seconds, 1),
        "model_mb": round(Path(model).stat().st_size / 1e6, 1),
        "macro_f1": summary["macro_f1"],
        "out_of_scope_f1": summary["out_of_scope_f1"],
        "faq_key": summary["faq_key"],
        "fallback": summary["fallback"],
        "parse_p50_ms": round(statistics.median(times), 1),
        "parse_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", required=True, type=Path)
    parser.add_argument("--only", nargs="*")
    parser.add_argument(
        "--exclude", nargs="*", default=[], help="data/nlu files left out (the folded round)"
    )
    args = parser.parse_args()
    data = training_data(args.exclude)
    lines = [
        json.loads(line)
        for line in (args.round / "nlu.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for name, pipeline in candidates().items():
        if args.only and name not in args.only:
            continue
        print(f"entrenando {name}…", file=sys.stderr, flush=True)
        print(json.dumps(run(name, pipeline, lines, data)), flush=True)


if __name__ == "__main__":
    main()
