"""Data given before the resident says what they want (blind round r12: "soy <nombre>" as the
second message left five reclamos unfiled)."""

from __future__ import annotations

import pytest

from actions.datos_sueltos import ActionDatosSueltos
from tests.actions.conftest import Conversation


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("soy Macarena Vidal Espinoza", {"nombre": "Macarena Vidal Espinoza"}),
        ("Mi nombre es Sergio Riquelme Navarro, RUT 12.345.678-5.",
         {"nombre": "Sergio Riquelme Navarro", "rut": "12.345.678-5"}),
        ("Ana Pérez Soto", {"nombre": "Ana Pérez Soto"}),
        ("soy Daniela", {"nombre_pila": "Daniela"}),
        ("mi numero 968120957", {"telefono": "+56968120957"}),
        ("Los Aromos 1234", {"direccion": "Los Aromos 1234"}),
    ],
)  # fmt: skip
def test_what_the_message_holds_is_kept_and_the_options_shown(
    conversation: Conversation, text: str, slots: dict[str, str]
) -> None:
    conversation.user(text, intent="informar")
    result = conversation.run(ActionDatosSueltos())
    for slot, value in slots.items():
        assert result.slots[slot] == value, slot
    assert "¿En qué le puedo ayudar?" in result.text
    assert "/reclamo" in result.payloads
    assert "no le entendí" not in result.text


def test_the_name_is_used_to_answer(conversation: Conversation) -> None:
    conversation.user("soy Macarena Vidal Espinoza", intent="informar")
    assert conversation.run(ActionDatosSueltos()).text.startswith("Gracias, Macarena.")


def test_a_message_with_nothing_readable_is_a_misunderstanding(conversation: Conversation) -> None:
    conversation.user("eso mismo que le dije", intent="informar")
    result = conversation.run(ActionDatosSueltos())
    assert "no le entendí" in result.text
    assert "nombre" not in result.slots
