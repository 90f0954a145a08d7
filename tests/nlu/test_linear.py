"""The bot's own NLU components (nlu_components/linear.py): intent, FAQ key, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.linear import LinearIntentClassifier, LinearResponseSelector

EXAMPLES = {
    "reclamo": [
        "quiero reclamar porque no pasa el camión de la basura",
        "reclamo por un hoyo enorme en la calle",
        "hace un mes que la luminaria está apagada y nadie viene",
        "los vecinos hacen fiestas hasta las 5 de la mañana, quiero reclamar",
        "el camión de la basura no pasó otra vez",
    ],
    "saludo": ["hola", "buenas tardes", "buenos días", "hola buenas", "wena"],
    "despedida": ["chao", "adiós", "hasta luego", "nos vemos", "chao gracias"],
    "faq": [],
}
FAQ = {
    "faq/horario_atencion": [
        "a qué hora atienden",
        "cuál es el horario de atención",
        "hasta qué hora está abierta la municipalidad",
    ],
    "faq/plazo_transparencia": [
        "cuánto demoran en responder una solicitud de transparencia",
        "qué plazo tienen para contestar una solicitud de información",
        "en cuántos días responden la ley de transparencia",
    ],
}
RESPONSES = {
    "utter_faq/horario_atencion": [{"text": "Atendemos de lunes a viernes de 8:30 a 14:00."}],
    "utter_faq/plazo_transparencia": [{"text": "20 días hábiles, prorrogables por 10."}],
}


def training_data() -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    messages += [
        Message(data={"text": text, "intent": "faq", "intent_response_key": key})
        for key, texts in FAQ.items()
        for text in texts
    ]
    return TrainingData(training_examples=messages, responses=RESPONSES)


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


CONTEXT = ExecutionContext(GraphSchema({}), "test")


def trained_classifier(storage: LocalModelStorage) -> LinearIntentClassifier:
    resource = Resource("linear_intent")
    classifier = LinearIntentClassifier.create({}, storage, resource, CONTEXT)
    classifier.train(training_data())
    return classifier


def test_misspelt_messages_get_the_intent_of_their_meaning(storage: LocalModelStorage) -> None:
    classifier = trained_classifier(storage)
    texts = ["kiero reclamar xq el camion d la basura no pasa", "holaa buenas", "chaooo"]
    messages = classifier.process([Message(data={"text": text}) for text in texts])
    assert [m.get("intent")["name"] for m in messages] == ["reclamo", "saludo", "despedida"]
    ranking = messages[0].get("intent_ranking")
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert ranking[0] == messages[0].get("intent")
    assert sum(confidences) == pytest.approx(1.0)  # four intents, all in the ranking
    assert {entry["name"] for entry in ranking} == {"reclamo", "saludo", "despedida", "faq"}


def test_the_classifier_is_the_same_after_persisting_and_loading(
    storage: LocalModelStorage,
) -> None:
    trained = trained_classifier(storage)
    loaded = LinearIntentClassifier.load({}, storage, Resource("linear_intent"), CONTEXT)
    text = "a que hora abren la muni"
    before = trained.process([Message(data={"text": text})])[0].get("intent_ranking")
    after = loaded.process([Message(data={"text": text})])[0].get("intent_ranking")
    assert after == before
    assert before[0]["name"] == "faq"


def test_a_low_temperature_spreads_the_confidence(storage: LocalModelStorage) -> None:
    sharp = trained_classifier(storage)
    flat = LinearIntentClassifier({"temperature": 0.5}, storage, Resource("x"), sharp.model)
    text = [Message(data={"text": "quiero reclamar por la basura"})]
    assert (
        flat.process(text)[0].get("intent")["confidence"]
        < sharp.process([Message(data={"text": "quiero reclamar por la basura"})])[0].get("intent")[
            "confidence"
        ]
    )


def test_the_faq_key_comes_in_the_response_selectors_format(storage: LocalModelStorage) -> None:
    selector = LinearResponseSelector.create({}, storage, Resource("linear_faq"), CONTEXT)
    selector.train(training_data())
    loaded = LinearResponseSelector.load({}, storage, Resource("linear_faq"), CONTEXT)
    message = loaded.process([Message(data={"text": "en q horario atienden?"})])[0]
    output = message.get("response_selector")
    assert output["all_retrieval_intents"] == ["faq"]
    response = output["faq"]["response"]
    assert response["intent_response_key"] == "faq/horario_atencion"
    assert response["utter_action"] == "utter_faq/horario_atencion"
    assert response["responses"] == RESPONSES["utter_faq/horario_atencion"]
    ranking = output["faq"]["ranking"]
    assert [entry["intent_response_key"] for entry in ranking] == [
        "faq/horario_atencion",
        "faq/plazo_transparencia",
    ]
    assert ranking[0]["confidence"] == response["confidence"] > 0.5


class NotAModel:
    """A type no model file may hold."""


def test_a_model_file_holding_an_unknown_type_is_not_loaded(storage: LocalModelStorage) -> None:
    resource = Resource("tampered")
    with storage.write_to(resource) as directory:
        sio.dump({"svm": NotAModel()}, directory / "model.skops")
        (directory / "meta.json").write_text("{}")
    loaded = LinearIntentClassifier.load({}, storage, resource, CONTEXT)
    assert loaded.model is None
    message = loaded.process([Message(data={"text": "hola"})])[0]
    assert message.get("intent") is None
