"""The classifier learns from staff: a reclassification is a training example, a training is
a recorded run with its measured accuracy, and every process follows the newest run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.accounts import create_user
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case
from oirs.cases.triage import classify
from oirs.errors import InvalidTransition
from oirs.models import Case, Category, ThemeModelRun, ThemeTrainingExample, Unit
from oirs.themes.classifier import Evaluation, ThemeSuggestion, evaluate
from oirs.themes.store import (
    classifier,
    load_training_set,
    model_source,
    needs_training,
    record_run,
    suggest,
)

CAL = BusinessCalendar()
FILED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
OIRS = Actor("Paula Rojas", None, "oirs")
# Pests: a category this commune's admin added; only staff corrections teach it.
PESTS = [
    "hay vinchucas en las casas del sector rural y pican a los niños de noche",
    "encontramos termitas en las vigas de la sede vecinal",
    "el pasaje esta lleno de cucarachas que salen de la camara del alcantarillado",
    "pedimos fumigacion contra las termitas que hay en toda la villa",
    "chinches y vinchucas en la poblacion, necesitamos que vengan a fumigar",
]


def file_reclamo(session: Session, description: str, category: str = "otro") -> Case:
    with session.begin():
        case, _ = file_case(
            session,
            NewCase(
                type="reclamo",
                channel="whatsapp",
                description=description,
                category=category,
                contact=ContactData(name="Ana Pérez", phone="+56987654321"),
            ),
            CAL,
            now=FILED,
        )
    return case


def reclassify(session: Session, case: Case, category: str, actor: Actor = OIRS) -> None:
    with session.begin():
        session.add(case)
        classify(session, case, actor, category)


def fake_evaluation(threshold: float = 0.4) -> Evaluation:
    return Evaluation(5, 0.9, 0.98, threshold, 0.96, 0.8, {"aseo": 1})


def source_of(session: Session):  # type: ignore[no-untyped-def]
    with session.begin():
        return model_source(session)


def test_a_staff_reclassification_becomes_a_masked_training_example(
    db_session: Session,
) -> None:
    with db_session.begin():
        user = create_user(db_session, "paula@muni.cl", "Paula Rojas", "oirs", "x" * 16, "OIRS")
    case = file_reclamo(
        db_session,
        "Soy Ana, RUT 12.345.678-5, el vecino subió un segundo piso y nos tapa la luz",
        category="alumbrado",
    )
    reclassify(db_session, case, "construccion", Actor("Paula Rojas", user.id, "oirs"))
    with db_session.begin():
        [example] = db_session.scalars(select(ThemeTrainingExample)).all()
        assert example.category.code == "construccion"
        assert (example.source, example.case_id) == ("staff", case.id)
        assert (example.created_by_user_id, example.created_by_label) == (user.id, "Paula Rojas")
        assert "12.345.678" not in example.text and "segundo piso" in example.text


def test_confirming_the_category_teaches_nothing(db_session: Session) -> None:
    case = file_reclamo(db_session, "hay un hoyo enorme en la calle", category="pavimento")
    with pytest.raises(InvalidTransition):  # filed with its theme: already classified
        reclassify(db_session, case, "pavimento")
    with db_session.begin():
        assert db_session.scalars(select(ThemeTrainingExample)).all() == []


def test_the_newest_correction_of_a_case_replaces_the_earlier_one(db_session: Session) -> None:
    case = file_reclamo(db_session, "el paradero de la avenida no tiene techo")
    reclassify(db_session, case, "construccion")
    with db_session.begin():
        db_session.add(case)
        case.status = "ingresado"  # reopened by hand: the test only needs a second correction
    reclassify(db_session, case, "transito")
    with db_session.begin():
        training = load_training_set(db_session)
    staff = [e for e in training.examples if e.source == "staff"]
    assert [(e.text, e.category) for e in staff] == [
        ("el paradero de la avenida no tiene techo", "transito")
    ]
    assert training.staff_examples == 1


def test_a_retraining_learns_a_category_only_staff_taught(db_session: Session) -> None:
    with db_session.begin():
        unit = db_session.scalars(select(Unit).where(Unit.code == "MAMB")).one()
        db_session.add(Category(code="plagas", name="Plagas y vectores", unit=unit))
    for text in PESTS:
        reclassify(db_session, file_reclamo(db_session, text), "plagas")
    question = "llegaron las termitas a mi casa y se estan comiendo el techo, hay que fumigar"
    before = suggest(source_of(db_session), question)
    assert "plagas" not in {s.code for s in before.top}

    with db_session.begin():
        assert needs_training(db_session)
        training = load_training_set(db_session)
    assert training.staff_examples == len(PESTS)
    evaluation = evaluate(training.examples, training.names, folds=2)
    with db_session.begin():
        run = record_run(db_session, training, evaluation, "test")
        assert not needs_training(db_session)
    assert run.staff_examples == len(PESTS) and "plagas" in run.categories
    assert 0 < run.top1 <= run.top3 <= 1 and run.precision_at_threshold >= 0.95

    after = suggest(source_of(db_session), question)
    assert after.top[0].code == "plagas"
    assert after.top[0].name == "Plagas y vectores"

    reclassify(db_session, file_reclamo(db_session, "hay ratones en la bodega"), "plagas")
    with db_session.begin():
        assert needs_training(db_session)


def test_every_process_follows_the_newest_recorded_run(db_session: Session) -> None:
    with db_session.begin():
        training = load_training_set(db_session)
        record_run(db_session, training, fake_evaluation(0.4), "test")
    first = source_of(db_session)
    model = classifier(first)
    again = source_of(db_session)
    assert again.training is None and classifier(again) is model  # built once, then cached

    with db_session.begin():
        record_run(db_session, training, fake_evaluation(), "test", threshold=0.97)
    newer = source_of(db_session)
    assert newer.key != first.key and newer.training is not None
    suggestion: ThemeSuggestion = suggest(newer, "la luminaria de mi pasaje se apagó")
    assert suggestion.threshold == 0.97
    assert suggestion.category is None or suggestion.confidence >= 0.97


def test_a_threshold_fixed_by_hand_survives_automatic_retraining(db_session: Session) -> None:
    with db_session.begin():
        training = load_training_set(db_session)
        fixed = record_run(db_session, training, fake_evaluation(0.35), "cli", threshold=0.6)
        kept = record_run(db_session, training, fake_evaluation(0.35), "job")
        auto = record_run(db_session, training, fake_evaluation(0.35), "cli", keep_fixed=False)
        runs = db_session.scalars(select(ThemeModelRun).order_by(ThemeModelRun.id)).all()
    assert [(r.threshold, r.threshold_fixed) for r in runs] == [
        (0.6, True),
        (0.6, True),
        (0.35, False),
    ]
    assert (fixed.trigger, kept.trigger, auto.trigger) == ("cli", "job", "cli")


def test_deactivated_categories_leave_the_suggestions(db_session: Session) -> None:
    with db_session.begin():
        db_session.scalars(select(Category).where(Category.code == "otro")).one().active = False
    suggestion = suggest(source_of(db_session), "en el cementerio no hay agua para las flores")
    assert "otro" not in {s.code for s in suggestion.top}
