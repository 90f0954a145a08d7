#!/usr/bin/env python3
"""Fold a spent blind evaluation set into training data (DEVELOPERS.md, "Measure understanding
blind"): once a set under bench/blind/<name>/ has been measured, its lines may train the bot
and the theme classifier; the next measurement then needs a new set.

Writes data/nlu/blind_<name>.yml (intents, FAQ keys, and the case type of each description)
and oirs/data/theme_examples_<name>.yml (descriptions with their gold theme). Usage:
    .venv/bin/python scripts/fold-blind-set.py bench/blind/r1
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# descriptions teach the intent of their case type too, except reclamos: the training data has
# them in plenty, and more tilted every doubtful message towards "reclamo" (blind set r1)
TYPE_INTENTS = {"sugerencia": "sugerencia", "felicitacion": "felicitacion"}


# Questions about the municipality's own procedures: some writers label them out of scope
# (the contract's reading), the bot answers them as tramite_municipal; never fold them as
# fuera_de_alcance, or the two intents would be taught the same lines.
MUNICIPAL_PROCEDURE = re.compile(
    r"(?i)permiso de circulaci|licencia|patente|certificado de residencia|registro social|"
    r"rsh|subsidio|beca|carnet|c[eé]dula|pago de (?:la )?basura|derechos de aseo|"
    r"permiso de edificaci|recepci[oó]n final|matr[ií]cula"
)


def lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def clean(text: str) -> str:
    """One line per example: Rasa's markdown-like syntax must not read brackets as entities."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def _held_out_texts() -> set[str]:
    """data/test's examples: the project's own held-out split must never be trained on."""
    texts = set()
    for path in (ROOT / "data" / "test").glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith("- intent:"):
                texts.add(stripped[2:].strip().lower())
    return texts


def _labelled_elsewhere(name: str) -> dict[str, str]:
    """Examples the other training files already label: text (lower case) -> intent. A folded
    line labelled otherwise ("mejor no": cancelar in core.yml, negar in a round) would fail
    `rasa data validate`; the existing label stays."""
    labels: dict[str, str] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path.name == f"blind_{name}.yml":
            continue
        intent = None
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- intent:"):
                intent = stripped.removeprefix("- intent:").strip()
            elif intent and stripped.startswith("- ") and line.startswith("    "):
                labels.setdefault(stripped[2:].strip().lower(), intent)
    return labels


def main(set_dir: str) -> None:
    folder = ROOT / set_dir
    name = folder.name
    intents: dict[str, list[str]] = defaultdict(list)
    for item in lines(folder / "nlu.jsonl"):
        intent = item["intent"]
        if intent == "faq":
            intent = f"faq/{str(item['faq_key']).removeprefix('faq/')}"  # "x" or "faq/x"
        if intent == "fuera_de_alcance" and MUNICIPAL_PROCEDURE.search(item["text"]):
            continue  # the bot's tramite_municipal answers these: not out of scope to it
        intents[intent].append(clean(item["text"]))
    themes: dict[str, list[str]] = defaultdict(list)
    for item in lines(folder / "themes.jsonl"):
        themes[item["category"]].append(clean(item["text"]))
        if item["type"] in TYPE_INTENTS:
            intents[TYPE_INTENTS[item["type"]]].append(clean(item["text"]))
    for item in lines(folder / "fields.jsonl"):
        if item["kind"] == "opening" and item["gold"].get("type") in TYPE_INTENTS:
            intents[TYPE_INTENTS[item["gold"]["type"]]].append(clean(item["text"]))
    held_out = _held_out_texts()
    elsewhere = _labelled_elsewhere(name)
    intents = {
        k: [t for t in v if t.lower() not in held_out and elsewhere.get(t.lower(), k) == k]
        for k, v in intents.items()
    }
    nlu = ROOT / "data" / "nlu" / f"blind_{name}.yml"
    with nlu.open("w", encoding="utf-8") as out:
        out.write(
            f"# Blind evaluation set {name} (bench/blind/{name}), measured first and then folded\n"
            "# into training by scripts/fold-blind-set.py: written apart from this repository.\n"
            'version: "3.1"\nnlu:\n'
        )
        for intent in sorted(intents):
            examples = list(dict.fromkeys(intents[intent]))
            out.write(f"- intent: {intent}\n  examples: |\n")
            out.writelines(f"    - {text}\n" for text in examples)
    seed = ROOT / "oirs" / "data" / f"theme_examples_{name}.yml"
    document = {
        "version": 1,
        "source": f"bench/blind/{name}/themes.jsonl, folded after its blind measurement",
        "categories": {code: {"examples": texts} for code, texts in sorted(themes.items())},
    }
    seed.write_text(
        "# Theme examples from a spent blind set (scripts/fold-blind-set.py).\n"
        + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000),
        encoding="utf-8",
    )
    print(
        json.dumps(
            {
                "nlu": str(nlu.relative_to(ROOT)),
                "themes": str(seed.relative_to(ROOT)),
                "intents": {k: len(v) for k, v in sorted(intents.items())},
                "theme_examples": sum(len(v) for v in themes.values()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
