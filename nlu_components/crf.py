"""Rasa's CRF entity extractor, saved trained.

Rasa 3.6's CRFEntityExtractor stores its training set and trains the CRF again every time a
model is loaded: about a third of Rasa's start here (py-spy, issue 14). This one also stores
the trained taggers (sklearn-crfsuite keeps the model file's bytes when pickled) and loads
them; a model trained before it, or a missing file, falls back to Rasa's way. The CRF only
marks where a place or a name may be; the deterministic parsers decide the values.

The taggers are pickled: the model archive is this project's own training output, read only
from `models/`, as Rasa itself does for its policies' featurizers.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)

TAGGERS_FILE = "crf_taggers.pkl"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class SavedCRFEntityExtractor(CRFEntityExtractor):
    """CRFEntityExtractor whose trained taggers are saved with the model."""

    def persist(self, dataset: list[list[CRFToken]]) -> None:
        super().persist(dataset)
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / TAGGERS_FILE).write_bytes(
                pickle.dumps(self.entity_taggers, protocol=pickle.HIGHEST_PROTOCOL)
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CRFEntityExtractor:
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / TAGGERS_FILE
                if path.exists():
                    with path.open("rb") as stored:
                        taggers = pickle.load(stored)  # noqa: S301 (our own model archive)
                    extractor = cls(config, model_storage, resource, taggers)
                    extractor.crf_order = rasa.shared.utils.io.read_json_file(
                        model_dir / "crf_order.json"
                    )
                    return extractor
        except ValueError:
            pass  # no such resource: Rasa's own load says so
        logger.info("CRF taggers not saved with this model: training them from its data")
        return super().load(config, model_storage, resource, execution_context, **kwargs)
