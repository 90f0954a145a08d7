"""The theme classifier against the database: staff corrections become examples, each
training is a recorded run, and every process keeps the model of the newest run.

A run stores its measurements, not the model: a process rebuilds it from the seed and the
staff examples the run used (ids up to `last_example_id`), which takes about a second, so
no pickled code ever lives in the database and a library upgrade cannot strand a model.
Reading happens in the caller's transaction (`model_source`); fitting and cross-validation
happen outside it, since a SQLite transaction here holds the write lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.cases.filing import Actor
from oirs.models import Case, Category, ThemeModelRun, ThemeTrainingExample, utcnow
from oirs.privacy.masking import mask_text
from oirs.themes.classifier import (
    DEFAULT_THRESHOLD,
    Evaluation,
    ThemeClassifier,
    ThemeExample,
    ThemeSuggestion,
    fit,
    folded_examples,
    seed_document,
    seed_examples,
)

log = logging.getLogger(__name__)
STAFF = "staff"
MIN_EXAMPLE_CHARS = 3


@dataclass(frozen=True)
class TrainingSet:
    """Everything one training reads: the examples, the active categories, and their origin."""

    examples: list[ThemeExample]
    names: dict[str, str]
    last_example_id: int
    staff_examples: int
    seed_digest: str


def seed_digest() -> str:
    """Changes whenever the package's seed examples do, so a new release retrains."""
    folded = [(example.text, example.category) for example in folded_examples()]
    text = json.dumps([seed_document(), folded], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def active_categories(session: Session) -> dict[str, str]:
    """code -> name of the categories staff can choose today."""
    rows = session.execute(
        select(Category.code, Category.name)
        .where(Category.active.is_(True))
        .order_by(Category.code)
    )
    return {code: name for code, name in rows}


def record_correction(
    session: Session, case: Case, category: Category, actor: Actor
) -> ThemeTrainingExample | None:
    """A staff reclassification teaches the classifier: the description (RUT, phones and
    e-mails masked, as anonymisation would leave it) labelled with the category staff chose."""
    text = mask_text(case.description or "").strip()
    if len(text) < MIN_EXAMPLE_CHARS:
        return None
    example = ThemeTrainingExample(
        text=text,
        category=category,
        source=STAFF,
        case_id=case.id,
        created_by_user_id=actor.user_id,
        created_by_label=actor.label,
    )
    session.add(example)
    session.flush()
    return example


def _staff_examples(session: Session, up_to: int | None = None) -> list[ThemeTrainingExample]:
    """Stored examples, only the newest per case: a second correction replaces the first."""
    query = select(ThemeTrainingExample).order_by(ThemeTrainingExample.id)
    if up_to is not None:
        query = query.where(ThemeTrainingExample.id <= up_to)
    newest: dict[object, ThemeTrainingExample] = {}
    for row in session.scalars(query):
        newest[row.case_id if row.case_id is not None else ("row", row.id)] = row
    return sorted(newest.values(), key=lambda row: row.id)


def load_training_set(session: Session, up_to: int | None = None) -> TrainingSet:
    """Seed examples, the category names as examples, and staff examples (ids <= up_to)."""
    names = active_categories(session)
    rows = _staff_examples(session, up_to)
    examples = [
        *seed_examples(),
        *(ThemeExample(name, code) for code, name in names.items()),
        *(ThemeExample(row.text, row.category.code, row.source) for row in rows),
    ]
    last = up_to if up_to is not None else max((row.id for row in rows), default=0)
    return TrainingSet(examples, names, last, len(rows), seed_digest())


def latest_run(session: Session) -> ThemeModelRun | None:
    return session.scalar(select(ThemeModelRun).order_by(ThemeModelRun.id.desc()).limit(1))


def needs_training(session: Session) -> bool:
    """True when there is no run yet, or staff examples, categories or the seed changed."""
    run = latest_run(session)
    if run is None:
        return True
    newest = session.scalar(select(func.max(ThemeTrainingExample.id))) or 0
    return (
        newest > run.last_example_id
        or sorted(active_categories(session)) != sorted(run.categories)
        or run.seed_digest != seed_digest()
    )


def record_run(
    session: Session,
    training: TrainingSet,
    evaluation: Evaluation,
    trigger: str,
    threshold: float | None = None,
    keep_fixed: bool = True,
    now: datetime | None = None,
) -> ThemeModelRun:
    """Record a training measured by `oirs.themes.classifier.evaluate` (outside any transaction).

    The threshold is the one given, else the previous run's when it was fixed by hand (unless
    `keep_fixed` is off), else the cross-validated one: the lowest cut-off whose accepted
    suggestions were >= 95% right."""
    fixed = threshold is not None
    if threshold is None and keep_fixed:
        previous = latest_run(session)
        if previous is not None and previous.threshold_fixed:
            threshold, fixed = previous.threshold, True
    run = ThemeModelRun(
        trained_at=now or utcnow(),
        trigger=trigger,
        seed_digest=training.seed_digest,
        last_example_id=training.last_example_id,
        examples=len(training.examples),
        staff_examples=training.staff_examples,
        categories=sorted(training.names),
        per_category=evaluation.per_category,
        folds=evaluation.folds,
        top1=evaluation.top1,
        top3=evaluation.top3,
        threshold=evaluation.threshold if threshold is None else threshold,
        threshold_fixed=fixed,
        precision_at_threshold=evaluation.precision_at_threshold,
        coverage=evaluation.coverage,
    )
    session.add(run)
    session.flush()
    log.info(
        "theme model trained run_id=%s examples=%d staff=%d top1=%.3f top3=%.3f threshold=%.2f",
        run.id,
        run.examples,
        run.staff_examples,
        run.top1,
        run.top3,
        run.threshold,
    )
    return run


def run_summary(run: ThemeModelRun) -> dict[str, Any]:
    """What a run measured, as `oirs train-themes` prints it."""
    return {
        "run_id": run.id,
        "trained_at": run.trained_at.isoformat(),
        "trigger": run.trigger,
        "folds": run.folds,
        "top1": round(run.top1, 4),
        "top3": round(run.top3, 4),
        "threshold": round(run.threshold, 4),
        "threshold_fixed": run.threshold_fixed,
        "precision_at_threshold": round(run.precision_at_threshold, 4),
        "coverage": round(run.coverage, 4),
        "examples": run.examples,
        "staff_examples": run.staff_examples,
        "examples_per_category": dict(sorted(run.per_category.items())),
    }


@dataclass(frozen=True)
class ModelSource:
    """What a process needs to classify, read in a short transaction: which model (the
    newest run), the categories active now, and the training set only if it must be built."""

    database: str
    key: object
    names: dict[str, str]
    threshold: float
    categories: tuple[str, ...]
    training: TrainingSet | None


class _ModelCache:
    """Per process and database, the classifier of the newest run; built once per run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, tuple[object, ThemeClassifier]] = {}

    def has(self, database: str, key: object) -> bool:
        cached = self._models.get(database)
        return cached is not None and cached[0] == key

    def get(self, source: ModelSource) -> ThemeClassifier:
        cached = self._models.get(source.database)
        if cached is not None and (cached[0] == source.key or source.training is None):
            return cached[1]
        with self._lock:
            cached = self._models.get(source.database)
            if cached is not None and cached[0] == source.key:
                return cached[1]
            assert source.training is not None
            known = {code: code for code in source.categories}
            model = fit(source.training.examples, known, source.threshold)
            self._models[source.database] = (source.key, model)
            log.info(
                "theme model loaded key=%s examples=%d", source.key, len(source.training.examples)
            )
            return model

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


MODELS = _ModelCache()


def model_source(session: Session) -> ModelSource:
    """Read, inside the caller's transaction, what `classifier` needs; fit nothing here."""
    run = latest_run(session)
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    key: object = (run.id, run.trained_at.isoformat()) if run else None
    names = active_categories(session)
    threshold = run.threshold if run else DEFAULT_THRESHOLD
    if MODELS.has(database, key):
        return ModelSource(database, key, names, threshold, (), None)
    if run is None:
        # Before the first training: the seed alone, with the default threshold.
        seed = seed_examples()
        categories = tuple(sorted({e.category for e in seed}))
        return ModelSource(
            database, key, names, threshold, categories, TrainingSet(seed, {}, 0, 0, "")
        )
    training = load_training_set(session, run.last_example_id)
    return ModelSource(database, key, names, threshold, tuple(run.categories), training)


def classifier(source: ModelSource) -> ThemeClassifier:
    """The model of `source` (fitted on first use in this process, about a second)."""
    return MODELS.get(source)


def suggest(source: ModelSource, text: str) -> ThemeSuggestion:
    """The likeliest themes of a description among the categories active today."""
    return classifier(source).classify(text, source.names)
