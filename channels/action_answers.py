"""Rasa checks every answer of the action server against one JSON schema: check it cheaply.

Rasa 3.6 (`RemoteAction._validate_action_result`) calls `jsonschema.validate` for each custom
action it runs, and `validate` first checks the schema itself against the JSON Schema
metaschema before it checks the answer. On this project's two cores that metaschema check
took about 20 ms of CPU per call, more than the rest of a greeting, and a turn runs one to
three custom actions (the session start, a form's validation, its submission). The schema is
a constant, so it is checked once here and the validator kept: every answer still gets the
same verdict and the same error (jsonschema's best match, with Rasa's hint added).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# what Rasa adds to the error's message (rasa/core/actions/action.py, 3.6)
_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    "For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)


@cache
def answer_validator() -> Validator:
    """The validator of Rasa's action-answer schema, the schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_: RemoteAction, result: dict[str, Any]) -> bool:
    """What `jsonschema.validate` decides, without re-checking the schema each time."""
    error = best_match(answer_validator().iter_errors(result))
    if error is None:
        return True
    error.message += _HINT
    raise error


def check_action_answers_once() -> None:
    """Make the Rasa server in this process validate action answers with the kept validator."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
