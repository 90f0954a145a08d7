"""Linear models for the bot's NLU: the intent and the FAQ key (Rasa 3.6 graph components).

Each reads the text itself: TF-IDF over words (1-2) and characters within words (2-5), accents
and case folded, sublinear term frequency; a linear SVM (one against the rest, classes
balanced) scores each label, and a softmax over the scores, sharpened by `temperature`, gives
the confidences the FallbackClassifier and the policies read.

Why not DIET and Rasa's ResponseSelector: on two spent blind rounds (r6, 854 lines; r3, 831)
this reached intent macro-F1 0.966 / 0.966 where DIET had 0.923 / 0.926, and FAQ keys 0.989 /
0.987, training in seconds instead of a quarter of an hour, and a model of a few megabytes
instead of 260 (docs/understanding-results.md, docs/bench/).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

logger = logging.getLogger(__name__)

WORD = r"(?u)\b\w+\b"  # one letter or digit is a word too ("a", "5")
MODEL_FILE = "model.skops"
META_FILE = "meta.json"
# Module prefixes whose types a persisted pipeline may hold (skops refuses anything else).
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")

DEFAULTS: dict[str, Any] = {
    "C": 1.0,  # chosen on spent rounds r3 and r6 (0.3 and 3 within 0.005)
    "temperature": 5.0,  # softmax sharpness: with 0.4 as the fallback threshold, 1-2 % fall back
    "ranking_length": 10,
    "min_ngram": 2,
    "max_ngram": 5,
}


def text_model(config: dict[str, Any]) -> Pipeline:
    """Words and characters, folded, weighted, into a one-against-the-rest linear SVM."""
    fold = {"lowercase": True, "strip_accents": "unicode", "sublinear_tf": True}
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(token_pattern=WORD, ngram_range=(1, 2), **fold)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(int(config["min_ngram"]), int(config["max_ngram"])),
                    **fold,
                ),
            ),
        ]
    )
    svm = LinearSVC(C=float(config["C"]), class_weight="balanced", random_state=0)
    return Pipeline([("features", features), ("svm", svm)])


def ranked(model: Pipeline, texts: list[str], temperature: float) -> list[list[tuple[str, float]]]:
    """Per text, every label with its confidence, best first."""
    scores = np.asarray(model.decision_function(texts), dtype=float)
    classes = [str(label) for label in model.classes_]
    if scores.ndim == 1:  # two labels: one score for the second one
        scores = np.stack([-scores, scores], axis=1)
    confidences = softmax(scores * temperature, axis=1)
    result = []
    for row in confidences:
        order = np.argsort(-row, kind="stable")
        result.append([(classes[i], float(row[i])) for i in order])
    return result


def save(model: Pipeline, meta: dict[str, Any], storage: ModelStorage, resource: Resource) -> None:
    with storage.write_to(resource) as directory:
        sio.dump(model, directory / MODEL_FILE)
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")


def restore(storage: ModelStorage, resource: Resource) -> tuple[Pipeline, dict[str, Any]] | None:
    """The persisted pipeline and its metadata; None when this resource holds none."""
    try:
        with storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            untrusted = sio.get_untrusted_types(file=path)
            refused = [name for name in untrusted if not name.startswith(TRUSTED_MODULES)]
            if refused:
                raise ValueError(f"tipos no confiables en {path.name}: {refused}")
            model = sio.load(path, trusted=untrusted)
            meta = json.loads((directory / META_FILE).read_text("utf-8"))
    except ValueError as error:  # Rasa's storage says ValueError for a missing resource too
        logger.debug("No linear model in %s: %s", resource.name, error)
        return None
    return model, meta


def _texts(messages: list[Message]) -> list[str]:
    return [str(message.get(TEXT) or "") for message in messages]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """The intent (retrieval intents as one intent: `faq`)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return dict(DEFAULTS)

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self.config = {**DEFAULTS, **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        restored = restore(model_storage, resource)
        return cls(config, model_storage, resource, restored[0] if restored else None)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = {str(e.get(INTENT)) for e in examples}
        if len(labels) < 2:
            logger.warning("LinearIntentClassifier: menos de dos intenciones, no se entrena.")
            return self._resource
        self.model = text_model(self.config).fit(
            _texts(examples), [str(e.get(INTENT)) for e in examples]
        )
        save(self.model, {"labels": sorted(labels)}, self._storage, self._resource)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        rankings = ranked(self.model, _texts(messages), float(self.config["temperature"]))
        length = int(self.config["ranking_length"])
        for message, ranking in zip(messages, rankings, strict=True):
            entries = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in ranking
            ]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, entries[:length] if length > 0 else entries, add_to_output=True
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearResponseSelector(GraphComponent):
    """The FAQ answer: which `faq/<key>` a question asks, in the ResponseSelector's output
    format (`response_selector.faq.response.utter_action`), so `utter_faq` works unchanged."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DEFAULTS, "retrieval_intent": "faq"}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self.meta = meta or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearResponseSelector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearResponseSelector:
        restored = restore(model_storage, resource)
        if restored is None:
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, *restored)

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["retrieval_intent"]
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(INTENT) == intent and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)
        ]
        keys = sorted({str(e.get(INTENT_RESPONSE_KEY)) for e in examples})
        if len(keys) < 2:
            logger.warning("LinearResponseSelector: menos de dos respuestas para %s.", intent)
            return self._resource
        self.model = text_model(self.config).fit(
            _texts(examples), [str(e.get(INTENT_RESPONSE_KEY)) for e in examples]
        )
        responses = {
            key: training_data.responses.get(intent_response_key_to_template_key(key)) or []
            for key in keys
        }
        self.meta = {
            "retrieval_intents": sorted(training_data.retrieval_intents),
            "responses": responses,
        }
        save(self.model, self.meta, self._storage, self._resource)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        intent = self.config["retrieval_intent"]
        rankings = ranked(self.model, _texts(messages), float(self.config["temperature"]))
        length = int(self.config["ranking_length"])
        for message, ranking in zip(messages, rankings, strict=True):
            key, confidence = ranking[0]
            responses = self.meta.get("responses", {}).get(key) or [{TEXT: key}]
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: responses,
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: intent_response_key_to_template_key(key),
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {"id": index, PREDICTED_CONFIDENCE_KEY: value, INTENT_RESPONSE_KEY: name}
                    for index, (name, value) in enumerate(ranking[: length or None])
                ],
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {}) or {}
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.meta.get(
                "retrieval_intents", [intent]
            )
            properties[intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
