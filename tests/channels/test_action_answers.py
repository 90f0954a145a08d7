"""Rasa's check of the action server's answers: the same verdicts, the schema checked once."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from channels import action_answers
from channels.settings import ProviderInput
from channels.whatsapp import WhatsAppInput

SESSION_START = {
    "events": [
        {"event": "session_started", "timestamp": None},
        {"event": "slot", "timestamp": None, "name": "comuna_nombre", "value": "Ejemplo"},
        {"event": "action", "timestamp": None, "name": "action_listen"},
    ],
    "responses": [{"text": "¡Hola!", "buttons": [], "elements": [], "attachment": None}],
}
WRONG = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": [], "responses": ["not an object"]},
    ["not an object"],
]


@pytest.fixture
def checked_once(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    action_answers.check_action_answers_once()
    return RemoteAction("action_session_start", None)


def rasas_error(result: Any) -> str:
    """The message Rasa's own check (jsonschema.validate) gives for a wrong answer."""
    with pytest.raises(ValidationError) as raised:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    return raised.value.message + action_answers._HINT


def test_a_valid_answer_passes(checked_once: RemoteAction) -> None:
    assert checked_once._validate_action_result(SESSION_START) is True


@pytest.mark.parametrize("answer", WRONG)
def test_a_wrong_answer_fails_with_rasas_message(checked_once: RemoteAction, answer: Any) -> None:
    expected = rasas_error(answer)
    with pytest.raises(ValidationError) as raised:
        checked_once._validate_action_result(answer)
    assert raised.value.message == expected


def test_the_schema_is_checked_once_not_per_answer(
    checked_once: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    action_answers.answer_validator()
    schema_checks: list[Any] = []
    cls = type(action_answers.answer_validator())
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s: schema_checks.append(s)))
    for _ in range(3):
        checked_once._validate_action_result(SESSION_START)
    assert schema_checks == []


def test_building_a_channel_for_the_server_installs_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    assert issubclass(WhatsAppInput, ProviderInput)
    WhatsAppInput.from_credentials({})
    assert RemoteAction._validate_action_result is action_answers.validate_action_result
