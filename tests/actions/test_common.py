"""Helpers shared by the actions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import entity_values


def tracker_saying(text: str, entities: list[dict[str, Any]]) -> Tracker:
    latest = {"text": text, "intent": {"name": "informar", "confidence": 0.9}, "entities": entities}
    return Tracker("tg-1", {}, latest, [], False, None, None, "action_listen")


def test_a_category_synonym_does_not_rewrite_an_address() -> None:
    """Rasa's synonym mapper turned the address "calle" into the category "pavimento"."""
    said = tracker_saying(
        "vivo en calle lautaro 210",
        [
            {
                "entity": "direccion",
                "start": 8,
                "end": 13,
                "value": "pavimento",
                "processors": ["EntitySynonymMapper"],
            },
            {"entity": "direccion", "start": 14, "end": 25, "value": "lautaro 210"},
        ],
    )
    assert entity_values(said, "direccion") == ["calle", "lautaro 210"]


def test_categories_keep_their_synonym() -> None:
    said = tracker_saying(
        "hay un hoyo enorme",
        [
            {
                "entity": "categoria",
                "start": 7,
                "end": 11,
                "value": "pavimento",
                "processors": ["EntitySynonymMapper"],
            }
        ],
    )
    assert entity_values(said, "categoria") == ["pavimento"]


def test_values_without_positions_are_kept_as_given() -> None:
    said = tracker_saying("x", [{"entity": "nombre", "value": "Ana"}, {"entity": "email"}])
    assert entity_values(said, "nombre") == ["Ana"]
    assert entity_values(said, "email") == []
