"""The theme classifier reads what the description means, not its keywords, and only
proposes a theme it is sure of; below the threshold it offers the three likeliest."""

from __future__ import annotations

import pytest

from oirs.seed import CATEGORIES
from oirs.themes.classifier import (
    DEFAULT_THRESHOLD,
    ThemeClassifier,
    ThemeExample,
    choose_threshold,
    evaluate,
    fit,
    normalise,
    seed_document,
    seed_examples,
)

NAMES = {code: name for code, name, _unit, _copy in CATEGORIES}

# Written for these tests, apart from the seed file: a keyword reader gets most of them wrong.
HARD_CASES = [
    (
        "mi vecino levantó una ampliación de dos pisos y ahora el living queda sin luz todo el día",
        "construccion",
    ),
    ("en la plaza de la villa no enciende ningún poste, de noche está negra", "alumbrado"),
    ("una jauría de quiltros anda suelta por la plaza y les ladra a los niños", "animales"),
    (
        "el refugio donde se espera la micro no tiene techo, con la lluvia quedamos empapados",
        "transito",
    ),
    ("el paradero de la esquina no tiene techo ni asiento", "transito"),
    ("en la plaza los lolos se juntan de noche a tomar copete y fumar pitos", "seguridad"),
    ("la compañía que instaló la fibra dejó un forado en la vereda sin tapar", "pavimento"),
    ("las raíces del plátano oriental quebraron la vereda frente a mi casa", "pavimento"),
    (
        "el camión recolector pasa de madrugada con un ruido que despierta a todo el pasaje",
        "aseo",
    ),
    ("los del frente tienen la música a todo chancho cada sábado", "ruido"),
    (
        "en el edificio que están construyendo trabajan con máquinas hasta la medianoche",
        "construccion",
    ),
    ("en el basural del sitio eriazo hay ratones del porte de un gato", "aseo"),
    ("la señora del mesón de la DOM me gritó y no me quiso atender", "atencion"),
    ("en el cementerio no hay baños para las visitas", "otro"),
    ("la biblioteca del centro cierra justo cuando salgo del trabajo", "otro"),
    ("me dejaron fuera del programa de ayuda social sin explicación", "otro"),
    ("la feria libre del sábado bloquea la entrada de mi pasaje", "otro"),
]
RESIDENT_WRITING = [
    ("AI VASURA TIRADA EN TODA LA ESQUINA", "aseo"),
    ("ollo gigante en la calle q nadie tapa", "pavimento"),
    ("perros bagos me persiguen cuando voy a la pega", "animales"),
    (
        "la muni no hace na con los carretes de los cabros en la casa del lado, "
        "musica toda la noche",
        "ruido",
    ),
    ("los cabros se curan en la plaza todas las noches y venden pasta", "seguridad"),
]


@pytest.fixture(scope="module")
def classifier() -> ThemeClassifier:
    return fit(seed_examples(), NAMES)


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_hard_cases_are_read_by_meaning_not_by_keyword(
    classifier: ThemeClassifier, text: str, expected: str
) -> None:
    suggestion = classifier.classify(text)
    assert suggestion.top[0].code == expected, suggestion


@pytest.mark.parametrize(("text", "expected"), RESIDENT_WRITING)
def test_misspellings_slang_and_capitals_are_understood(
    classifier: ThemeClassifier, text: str, expected: str
) -> None:
    suggestion = classifier.classify(text)
    assert suggestion.category == expected, suggestion


def test_spelling_variants_read_the_same() -> None:
    assert normalise("VASURA") == normalise("basura")
    assert normalise("ollo") == normalise("hoyo")
    assert normalise("perros bagos") == normalise("perros vagos")
    assert normalise("Áreas Verdes") == normalise("areas verdes")
    assert normalise("holaaaa, ke pasa xq no pasa el camion") == normalise(
        "que pasa porque no pasa el camion"
    )


def test_colloquial_words_keep_their_plain_meaning_beside_them() -> None:
    assert normalise("carrete").split() == [*normalise("carrete").split()[:1], normalise("fiesta")]
    assert normalise("la muni").endswith(normalise("municipalidad"))


def test_personal_data_is_not_read_as_part_of_the_theme() -> None:
    text = normalise(
        "bache en mi calle, me llamo Hugo Saavedra, fono +56 9 8877 6655, hugo.s@correo.cl"
    )
    assert "saavedra" not in text and "8877" not in text and "@" not in text
    assert text.startswith("bache")


def test_below_the_threshold_no_category_but_the_three_likeliest(
    classifier: ThemeClassifier,
) -> None:
    suggestion = classifier.classify("hola buenas, quería hacer un reclamo")
    assert suggestion.category is None
    assert suggestion.confidence < suggestion.threshold == DEFAULT_THRESHOLD
    assert len(suggestion.top) == 3
    probabilities = [s.probability for s in suggestion.top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(s.name == NAMES[s.code] for s in suggestion.top)


def test_the_threshold_decides_whether_the_first_theme_is_taken() -> None:
    text = "la luminaria del pasaje esta apagada"
    fitted = fit(seed_examples(), NAMES, threshold=0.0)
    confidence = fitted.classify(text).top[0].probability
    # just above this text's own confidence (the folded blind rounds make it 0.9993)
    strict = ThemeClassifier(fitted.pipeline, NAMES, threshold=(1 + confidence) / 2)
    suggestion = strict.classify(text)
    assert suggestion.category is None and suggestion.top[0].code == "alumbrado"
    lenient = ThemeClassifier(strict.pipeline, NAMES, threshold=0.0)
    assert lenient.classify(text).category == "alumbrado"


def test_inactive_categories_are_never_suggested(classifier: ThemeClassifier) -> None:
    active = {code: name for code, name in NAMES.items() if code != "otro"}
    suggestion = classifier.classify("en el cementerio no hay agua para las flores", active)
    assert "otro" not in {s.code for s in suggestion.top}
    assert sum(classifier.classify("x", active).top[i].probability for i in range(3)) <= 1.0


def test_suggestion_as_json_has_the_api_shape(classifier: ThemeClassifier) -> None:
    data = classifier.classify("hay un hoyo enorme en la calle").as_dict()
    assert set(data) == {"category", "confidence", "threshold", "top"}
    assert data["category"] == "pavimento"
    assert set(data["top"][0]) == {"code", "name", "probability"}


def test_threshold_is_the_lowest_cutoff_with_the_target_precision() -> None:
    confidences = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    correct = [True, True, True, True, True, False, True, False]
    threshold, precision, coverage = choose_threshold(confidences, correct, target=0.95)
    assert threshold == 0.51  # at 0.50 the wrong answer would be accepted
    assert precision == 1.0 and coverage == 5 / 8


def test_cross_validation_measures_top1_top3_and_picks_a_threshold() -> None:
    chosen = {"alumbrado", "animales", "ruido"}
    examples = [e for e in seed_examples() if e.category in chosen]
    few = [ThemeExample(f"ejemplo unico numero {i}", "otro") for i in range(2)]
    evaluation = evaluate(examples + few, NAMES, folds=3)
    assert 0.8 <= evaluation.top1 <= evaluation.top3 <= 1.0
    assert 0.05 <= evaluation.threshold <= 0.99
    assert evaluation.precision_at_threshold >= 0.95
    assert evaluation.per_category["otro"] == 2  # trained on, never tested (fewer than folds)


def test_seed_covers_every_category_with_forty_examples_or_more() -> None:
    document = seed_document()
    assert set(document["categories"]) == set(NAMES)
    for code, entry in document["categories"].items():
        assert entry["description"].strip(), code
        assert len(entry["examples"]) >= 40, code
        assert len(set(entry["examples"])) == len(entry["examples"]), code
