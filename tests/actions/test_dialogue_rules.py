"""What the rules in data/rules answer, checked without a trained model.

The RulePolicy is built in memory from the real domain, rules and stories (no NLU model, nothing
written), and asked for the next action after each turn below. Whether the NLU reads the
resident's words as these intents is checked by the story tests (tests/stories), which need the
trained model.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules() -> tuple[RulePolicy, Domain]:
    importer = TrainingDataImporter.load_from_dict(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "bot"),
        training_data_paths=[str(ROOT / "data" / name) for name in ("nlu", "rules", "stories")],
    )
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=True
    ).generate()
    config = {
        **RulePolicy.get_default_config(),
        "core_fallback_threshold": 0.3,
        "core_fallback_action_name": "action_fallback",
        "enable_fallback_prediction": True,
    }
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    context = ExecutionContext(GraphSchema({}), "rules-test")
    policy = RulePolicy.create(config, storage, Resource("rule_policy"), context)
    policy.train(trackers, domain)  # raises when rules contradict each other or the stories
    return policy, domain


def next_action(rules: tuple[RulePolicy, Domain], *turns: Any, channel: str = "rest") -> str:
    """The action the rules predict after these turns: ("user", intent), ("bot", action) or
    ("slot", name, value)."""
    policy, domain = rules
    events: list[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for turn in turns:
        if turn[0] == "user":
            events.append(UserUttered(turn[1], {"name": turn[1]}, input_channel=channel))
        elif turn[0] == "bot":
            events += [ActionExecuted(turn[1]), ActionExecuted("action_listen")]
        else:
            events.append(SlotSet(turn[1], turn[2]))
    tracker = DialogueStateTracker.from_events("vecino", events, domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return domain.action_names_or_texts[best]


def test_no_thanks_after_anything_else_is_a_goodbye(rules: tuple[RulePolicy, Domain]) -> None:
    assert (
        next_action(rules, ("user", "agradecer"), ("bot", "utter_de_nada"), ("user", "negar"))
        == "utter_despedida"
    )
    assert (
        next_action(rules, ("user", "faq"), ("bot", "utter_faq"), ("user", "despedida"))
        == "utter_despedida"
    )


def test_no_after_a_filing_on_the_phone_line_is_a_goodbye(
    rules: tuple[RulePolicy, Domain],
) -> None:
    # the phone line itself asks "¿Le puedo ayudar en algo más?" after the folio, and hangs up
    # when the bot answers utter_despedida (channels/voice/dialogue.py GOODBYE_RESPONSES)
    turns = (("bot", "action_file_case"), ("slot", "envio_fallido", False), ("user", "negar"))
    assert next_action(rules, *turns, channel="twilio_voice") == "utter_despedida"


def test_yes_after_anything_else_shows_the_options(rules: tuple[RulePolicy, Domain]) -> None:
    turns = (("user", "agradecer"), ("bot", "utter_de_nada"), ("user", "afirmar"))
    assert next_action(rules, *turns) == "utter_ayuda"


def test_yes_and_no_keep_their_meaning_when_the_bot_asked_something(
    rules: tuple[RulePolicy, Domain],
) -> None:
    failed = ("slot", "envio_fallido", True)
    assert next_action(rules, failed, ("user", "negar")) == "utter_envio_pendiente"
    assert next_action(rules, failed, ("user", "afirmar")) == "action_file_case"
    similar = ("slot", "oferta_adhesion", True)
    assert next_action(rules, similar, ("user", "negar")) == "action_file_case"
    assert next_action(rules, similar, ("user", "afirmar")) == "action_adherir_caso"
    written = ("slot", "oferta_consulta", True)
    assert next_action(rules, written, ("user", "afirmar")) == "consulta_form"
    bot = ("bot", "utter_soy_bot")
    assert next_action(rules, ("user", "bot_challenge"), bot, ("user", "afirmar")) == (
        "action_handoff"
    )
    assert next_action(rules, ("user", "bot_challenge"), bot, ("user", "negar")) == "utter_ayuda"


def test_reintentar_after_a_failed_filing_retries_it(rules: tuple[RulePolicy, Domain]) -> None:
    turns = (("bot", "action_submit_reclamo"), ("slot", "envio_fallido", True))
    assert next_action(rules, *turns, ("user", "reintentar")) == "action_file_case"
    later = (*turns, ("user", "negar"), ("bot", "utter_envio_pendiente"), ("user", "reintentar"))
    assert next_action(rules, *later) == "action_file_case"


def test_reintentar_a_failed_adhesion_retries_it(rules: tuple[RulePolicy, Domain]) -> None:
    turns = (("slot", "oferta_adhesion", True), ("user", "reintentar"))
    assert next_action(rules, *turns) == "action_adherir_caso"


def test_reintentar_with_nothing_pending_says_so(rules: tuple[RulePolicy, Domain]) -> None:
    assert next_action(rules, ("user", "reintentar")) == "utter_nada_que_reintentar"


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        ("tramite_municipal", "action_tramite"),
        ("insulto", "utter_insulto"),
        ("otro_idioma", "action_otro_idioma"),
        ("fuera_de_alcance", "utter_fuera_de_alcance"),
        ("reclamo", "reclamo_form"),
        ("sugerencia", "sugerencia_form"),
        ("felicitacion", "felicitacion_form"),
        ("emergencia", "action_emergencia"),
    ],
)
def test_each_new_understanding_has_its_answer(
    rules: tuple[RulePolicy, Domain], intent: str, action: str
) -> None:
    # a request with no details ("hola buenas, quiero hacer un reclamo po") starts the form,
    # which asks what happened; a procedure outside the OIRS gets where to go, never the form
    assert next_action(rules, ("user", "saludo"), ("bot", "utter_saludo"), ("user", intent)) == (
        action
    )
    assert next_action(rules, ("user", intent)) == action
