"""The CRF entity extractor loads the taggers it was trained into, without training again."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
    LexicalSyntacticFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.crf import SavedCRFEntityExtractor

CONTEXT = ExecutionContext(GraphSchema({}), "test")
PLACES = ["los pinos 45", "matta 1540", "las rosas 12", "freire 1020", "bulnes 88"]


def examples() -> list[Message]:
    messages = []
    for place in PLACES:
        text = f"vivo en {place} y hay basura"
        start = text.index(place)
        entity = {"start": start, "end": start + len(place), "value": place, "entity": "direccion"}
        messages.append(Message(data={"text": text, "intent": "informar", "entities": [entity]}))
    return messages


def test_the_saved_taggers_are_loaded_instead_of_trained_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tok"), CONTEXT
    )
    features = LexicalSyntacticFeaturizer.create(
        LexicalSyntacticFeaturizer.get_default_config(), storage, Resource("lex"), CONTEXT
    )  # the CRF reads a message only when some featurizer ran (RegexFeaturizer in config.yml)
    data = TrainingData(training_examples=examples())
    tokenizer.process_training_data(data)
    features.train(data)
    features.process_training_data(data)
    config = SavedCRFEntityExtractor.get_default_config()
    trained = SavedCRFEntityExtractor.create(config, storage, Resource("crf"), CONTEXT)
    trained.train(data)

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the CRF was trained again at load")

    monkeypatch.setattr(CRFEntityExtractor, "train_model", classmethod(no_training))
    loaded = SavedCRFEntityExtractor.load(config, storage, Resource("crf"), CONTEXT)
    message = Message(data={"text": "vivo en matta 1540 y hay basura"})
    tokenizer.process([message])
    features.process([message])
    [found] = loaded.process([message])[0].get("entities")
    assert (found["entity"], found["value"]) == ("direccion", "matta 1540")
