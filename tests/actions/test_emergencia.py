"""A danger happening now gets the emergency numbers; one that already happened is a reclamo."""

from __future__ import annotations

import pytest

from actions.emergencia import ActionEmergencia, emergency_response, is_past_event
from actions.reclamo import ValidateReclamoForm
from tests.actions.conftest import Conversation

PAST = [
    "casi me atropellan la semana pasada en el cruce",
    "hace días hubo un incendio en el sitio eriazo y nadie limpió",
    "ayer asaltaron a una vecina en el paradero, está todo oscuro",
    "el otro día hubo una balacera en la plaza y no pasa nunca seguridad ciudadana",
    "hace como un mes atropellaron a un perro en la avenida, falta un lomo de toro",
    "anoche se quemó un contenedor y nadie lo ha cambiado",
    "casi me caigo en el hoyo de la esquina, hay que taparlo",
    "el lunes pasado hubo un choque en la rotonda y el disco pare sigue en el suelo",
]
NOW = {
    "hay una persona inconsciente en la calle": "131",
    "se está quemando la casa del lado, hay mucho humo": "132",
    "me están asaltando": "133",
    "mi papá se desmayó": "131",
    "hubo un choque y hay gente herida en la avenida": "131",
    "ayer hubo balazos y ahora están disparando otra vez": "133",
    "me acaban de asaltar con cuchillo": "133",
    "mi papá casi no respira": "131",
    "ahora mismo hay un incendio en el cerro, como la semana pasada": "132",
}


@pytest.mark.parametrize("text", PAST)
def test_a_danger_that_already_happened_is_not_an_emergency(text: str) -> None:
    assert is_past_event(text)
    assert emergency_response(text) is None


@pytest.mark.parametrize("text", NOW)
def test_a_danger_happening_now_still_is(text: str) -> None:
    assert not is_past_event(text)
    assert emergency_response(text) is not None


@pytest.mark.parametrize(
    ("text", "number"), [(text, number) for text, number in NOW.items() if len(text) > 20]
)
def test_a_danger_happening_now_told_as_a_reclamo_gets_the_numbers(
    conversation: Conversation, text: str, number: str
) -> None:
    conversation.user(text, intent="reclamo", new_slots={"descripcion": text})
    result = conversation.run(ValidateReclamoForm(), active_loop="reclamo_form")
    assert number in result.text
    assert result.slots["descripcion"] is None


def test_a_past_danger_read_as_an_emergency_is_offered_as_a_reclamo(
    conversation: Conversation,
) -> None:
    conversation.user("casi me atropellan la semana pasada en el cruce", intent="emergencia")
    result = conversation.run(ActionEmergencia())
    assert len(result.messages) == 1
    assert "ya pasó" in result.text and "reclamo" in result.text
    assert "/reclamo" in result.payloads
    assert "133" in result.text  # still there, in one line, in case someone is in danger
