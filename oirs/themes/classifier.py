"""Theme classifier: which of the commune's categories a case description is about.

A statistical reading of the whole description (word and character n-grams, logistic
regression) instead of a keyword: "el vecino hizo un segundo piso que nos tapa la luz" is
construccion although it says "luz". Pure: no Flask, no database; the examples and the
category names come in as data (oirs.themes.store reads them from the database).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

FALLBACK_CATEGORY = "otro"
TOP = 3
# Chosen by stratified 5-fold cross-validation on the seed data (`oirs train-themes`): the
# lowest probability at which accepted suggestions were still >= 95% right. Measured
# 2026-12-07 on 946 seed lines: 0.37-0.41 over five shuffles (median 0.40), accepting ~79%
# of descriptions; top-1 0.87-0.88, top-3 0.97-0.98. Every retraining measures it again and
# records its own; this is the value used before any training run is recorded.
DEFAULT_THRESHOLD = 0.40
TARGET_PRECISION = 0.95
FOLDS = 5
# Regularisation of the logistic regression, picked by cross-validation on the seed data.
C = 10.0
SEED_RESOURCE = "theme_examples.yml"

# Abbreviations and chat spellings -> the word they stand for (after accent folding).
ABBREVIATIONS = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xk": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "pa": "para",
    "pal": "para el",
    "d": "de",
    "x": "por",
    "xfa": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "plis": "por favor",
    "ntp": "no te preocupes",
    "grax": "gracias",
    "dpto": "departamento",
    "depto": "departamento",
    "av": "avenida",
    "psje": "pasaje",
}
# Chilean colloquial words: kept, and followed by the plain word so both count.
COLLOQUIAL = {
    "muni": "municipalidad",
    "micro": "bus",
    "micros": "buses",
    "cabros": "jovenes",
    "cabras": "jovenes",
    "chiquillos": "jovenes",
    "lolos": "jovenes",
    "carrete": "fiesta",
    "carretes": "fiestas",
    "carretean": "fiesta",
    "carreteando": "fiesta",
    "quiltro": "perro",
    "quiltros": "perros",
    "bulla": "ruido",
    "flaites": "delincuentes",
    "lanzas": "ladrones",
    "pacos": "carabineros",
    "guagua": "bebe",
    "pega": "trabajo",
    "cachureos": "muebles viejos",
    "hoyito": "hoyo",
    "curados": "borrachos",
    "volados": "drogados",
}
# Words that say nothing about the theme: greetings, fillers, insults, and the words that
# name the case type ("vengo a dejar un reclamo" is a reclamo about nothing yet).
FILLERS = frozenset(
    {
        *("hola", "ola", "wena", "buenas", "buenos", "po", "pos", "cachai", "oiga", "oigan"),
        *("disculpe", "disculpa", "molestia", "saludos", "fijese", "mire"),
        *("weon", "wn", "weona", "hueon", "huevon", "ctm", "csm", "jaja", "jajaja", "jeje"),
        *("reclamo", "reclamos", "reclamar", "reclamando", "queja", "quejas", "quejarme"),
        *("denuncia", "denuncias", "denunciar", "denuncio", "sugerencia", "sugerencias"),
        *("sugerir", "sugiero", "felicitar", "felicito", "felicitaciones", "felicitacion"),
    }
)
_WORD = re.compile(r"[a-z0-9]+")
_REPEATS = re.compile(r"(.)\1{2,}")
# Personal data carries no theme and would only teach the model names and numbers.
_CONTACT = re.compile(
    r"\S+@\S+|https?://\S+|www\.\S+"
    r"|\b(?:me llamo|mi nombre es|mi nombre|habla|le escribe)\b[^,.;:!?\n]*"
    r"|\b(?:mi )?(?:fono|telefono|celular|cel|whatsapp|wsp|numero|rut|correo|mail|email)"
    r"(?: es)?\s*:?\s*[+\d][\d .kK-]*"
)
_GREETING = re.compile(r"\bbuen[oa]s? (?:dias|tardes|noches)\b")


def fold(text: str) -> str:
    """Lower case without accents: ALL CAPS and 'áreas'/'areas' read the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _sound(word: str) -> str:
    """Spelling-blind form of a Spanish word: vasura/basura, ollo/hoyo, bago/vago meet."""
    if word.isdigit():
        return "0"
    w = word.replace("ch", "\x01").replace("h", "").replace("\x01", "ch")
    w = w.replace("ll", "y").replace("v", "b").replace("z", "s").replace("w", "gu")
    w = re.sub(r"c([ei])", r"s\1", w)
    w = w.replace("qu", "k").replace("c", "k").replace("kh", "ch")
    w = re.sub(r"g([ei])", r"j\1", w)
    return re.sub(r"y$", "i", w)


def normalise(text: str) -> str:
    """The description as the model reads it: folded, chat spellings expanded, sound-alike."""
    folded = _GREETING.sub(" ", _CONTACT.sub(" ", _REPEATS.sub(r"\1", fold(text))))
    words: list[str] = []
    for word in _WORD.findall(folded):
        if word in FILLERS:
            continue
        word = ABBREVIATIONS.get(word, word)
        words.append(word)
        if word in COLLOQUIAL:
            words.append(COLLOQUIAL[word])
    return " ".join(_sound(w) for w in " ".join(words).split())


@dataclass(frozen=True)
class ThemeExample:
    """One description with its category; source is 'seed' (package data) or 'staff'."""

    text: str
    category: str
    source: str = "seed"


@dataclass(frozen=True)
class ThemeScore:
    code: str
    name: str
    probability: float


@dataclass(frozen=True)
class ThemeSuggestion:
    """The three likeliest themes; `category` only when the first reaches the threshold."""

    category: str | None
    confidence: float
    threshold: float
    top: tuple[ThemeScore, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 4),
            "threshold": round(self.threshold, 4),
            "top": [
                {"code": s.code, "name": s.name, "probability": round(s.probability, 4)}
                for s in self.top
            ],
        }


@dataclass(frozen=True)
class Evaluation:
    """Stratified k-fold figures of a training set, and the threshold they support."""

    folds: int
    top1: float
    top3: float
    threshold: float
    precision_at_threshold: float
    coverage: float
    per_category: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "threshold": round(self.threshold, 4),
            "precision_at_threshold": round(self.precision_at_threshold, 4),
            "coverage": round(self.coverage, 4),
            "examples": sum(self.per_category.values()),
            "examples_per_category": dict(sorted(self.per_category.items())),
        }


def _pipeline() -> Pipeline:
    # scikit-learn is imported on first use: recording a staff correction needs none of it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", solver="newton-cg")
    return Pipeline([("features", features), ("model", model)])


class ThemeClassifier:
    """A fitted model plus the names to show and the threshold to accept a theme."""

    def __init__(self, pipeline: Pipeline, names: dict[str, str], threshold: float) -> None:
        self.pipeline = pipeline
        self.names = names
        self.threshold = threshold
        self.categories: tuple[str, ...] = tuple(str(c) for c in pipeline.classes_)

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability of every category the model knows, summing to 1."""
        row = self.pipeline.predict_proba([normalise(text)])[0]
        return {code: float(p) for code, p in zip(self.categories, row, strict=True)}

    def classify(self, text: str, active: dict[str, str] | None = None) -> ThemeSuggestion:
        """The top three themes; `active` (code -> name) hides categories no longer in use."""
        names = active if active is not None else self.names
        probs = {c: p for c, p in self.probabilities(text).items() if c in names}
        total = sum(probs.values()) or 1.0
        ranked = sorted(probs.items(), key=lambda item: (-item[1], item[0]))
        top = tuple(ThemeScore(c, names[c], p / total) for c, p in ranked[:TOP])
        confidence = top[0].probability if top else 0.0
        category = top[0].code if top and confidence >= self.threshold else None
        return ThemeSuggestion(category, confidence, self.threshold, top)


def fit(
    examples: Sequence[ThemeExample], names: dict[str, str], threshold: float = DEFAULT_THRESHOLD
) -> ThemeClassifier:
    """Fit on every example whose category is in `names` (the active categories), plus the
    seed's neutral phrases once per category, so that openings weigh nothing."""
    usable = [e for e in examples if e.category in names]
    categories = sorted({e.category for e in usable})
    if len(categories) < 2:
        raise ValueError("the theme classifier needs examples of at least two categories")
    neutral = [ThemeExample(t, c, "neutral") for t in neutral_phrases() for c in categories]
    training = [*usable, *neutral]
    pipeline = _pipeline()
    pipeline.fit([normalise(e.text) for e in training], [e.category for e in training])
    return ThemeClassifier(pipeline, names, threshold)


def choose_threshold(
    confidences: Sequence[float], correct: Sequence[bool], target: float = TARGET_PRECISION
) -> tuple[float, float, float]:
    """Lowest cut-off whose accepted predictions are >= target right: (t, precision, coverage)."""
    conf = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    for step in range(5, 100):
        t = step / 100
        accepted = conf >= t
        if not accepted.any():
            break
        precision = float(ok[accepted].mean())
        if precision >= target:
            return t, precision, float(accepted.mean())
    return 0.99, float(ok[conf >= 0.99].mean()) if (conf >= 0.99).any() else 1.0, 0.0


def evaluate(
    examples: Sequence[ThemeExample],
    names: dict[str, str],
    folds: int = FOLDS,
    target: float = TARGET_PRECISION,
    seed: int = 0,
) -> Evaluation:
    """Stratified k-fold top-1 and top-3 accuracy and the threshold for `target` precision."""
    from sklearn.model_selection import StratifiedKFold

    usable = [e for e in examples if e.category in names]
    counts = Counter(e.category for e in usable)
    # A category with fewer examples than folds cannot be stratified: it trains, never tests.
    testable = [i for i, e in enumerate(usable) if counts[e.category] >= folds]
    labels = np.array([usable[i].category for i in testable])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    hits1: list[bool] = []
    hits3: list[bool] = []
    confidences: list[float] = []
    for _train, test_idx in splitter.split(np.zeros(len(testable)), labels):
        held = {testable[i] for i in test_idx}
        train = [e for i, e in enumerate(usable) if i not in held]
        model = fit(train, names)
        for i in test_idx:
            example = usable[testable[i]]
            ranked = model.classify(example.text).top
            hits1.append(ranked[0].code == example.category)
            hits3.append(example.category in {s.code for s in ranked})
            confidences.append(ranked[0].probability)
    threshold, precision, coverage = choose_threshold(confidences, hits1, target)
    return Evaluation(
        folds=folds,
        top1=float(np.mean(hits1)),
        top3=float(np.mean(hits3)),
        threshold=threshold,
        precision_at_threshold=precision,
        coverage=coverage,
        per_category=dict(counts),
    )


@cache
def seed_document() -> dict[str, Any]:
    """The package's seed file: per category a description and resident-style examples
    (read once per process; treat it as read-only)."""
    text = resources.files("oirs.data").joinpath(SEED_RESOURCE).read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def neutral_phrases() -> list[str]:
    """Phrases with no theme (greetings, request formulas), from the seed file."""
    return list(seed_document().get("neutral", []))


def seed_examples(document: dict[str, Any] | None = None) -> list[ThemeExample]:
    """Seed examples, each category's description counted as one more example, plus the
    descriptions of blind sets already measured (theme_examples_<set>.yml, folded by
    scripts/fold-blind-set.py)."""
    extra = folded_examples() if document is None else []
    document = document or seed_document()
    examples = []
    for code, entry in document["categories"].items():
        examples.append(ThemeExample(entry["description"], code))
        examples.extend(ThemeExample(text, code) for text in entry["examples"])
    return examples + extra


@cache
def _folded_documents() -> tuple[str, ...]:
    folder = resources.files("oirs.data")
    return tuple(
        item.read_text(encoding="utf-8")
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if item.name.startswith("theme_examples_") and item.name.endswith(".yml")
    )


def folded_examples() -> list[ThemeExample]:
    """Examples from spent blind sets, for the categories this seed knows."""
    known = set(seed_document()["categories"])
    examples: list[ThemeExample] = []
    for text in _folded_documents():
        document = yaml.safe_load(text) or {}
        for code, entry in (document.get("categories") or {}).items():
            if code in known:
                examples.extend(ThemeExample(line, code) for line in entry.get("examples", []))
    return examples


def class_counts(examples: Iterable[ThemeExample]) -> dict[str, int]:
    return dict(sorted(Counter(e.category for e in examples).items()))
