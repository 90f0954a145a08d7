"""Workflows are tables: every allowed step is listed, everything else is refused."""

from __future__ import annotations

import pytest

from oirs.cases import workflow
from oirs.errors import InvalidTransition
from oirs.labels import ACTION_LABELS, STATUS_LABELS


def test_reclamo_follows_the_full_path_to_closure() -> None:
    status = "ingresado"
    path = ["clasificar", "derivar", "tomar", "responder_unidad", "validar", "responder", "cerrar"]
    for action in path:
        status = workflow.next_status("reclamo", status, action)
    assert status == "cerrado"


def test_reopened_reclamo_goes_back_to_classification() -> None:
    status = workflow.next_status("reclamo", "respondido", "reabrir")
    assert status == "reabierto"
    assert workflow.next_status("reclamo", status, "clasificar") == "clasificado"


def test_reclamo_cannot_be_answered_before_validation() -> None:
    with pytest.raises(InvalidTransition):
        workflow.next_status("reclamo", "ingresado", "responder")


@pytest.mark.parametrize("case_type", ["sugerencia", "felicitacion"])
def test_sugerencias_and_felicitaciones_may_be_answered_directly(case_type: str) -> None:
    assert workflow.next_status(case_type, "ingresado", "responder") == "respondido"


def test_unit_responder_cannot_validate_its_own_answer() -> None:
    with pytest.raises(InvalidTransition):
        workflow.next_status("reclamo", "respuesta_unidad", "validar", role="unit")
    assert workflow.next_status("reclamo", "derivado", "tomar", role="unit") == "en_gestion"


def test_sai_extension_only_while_the_request_is_being_worked() -> None:
    assert workflow.next_status("sai", "asignada", "prorrogar") == "prorrogada"
    with pytest.raises(InvalidTransition):
        workflow.next_status("sai", "prorrogada", "prorrogar")
    with pytest.raises(InvalidTransition):
        workflow.next_status("sai", "recibida", "prorrogar")


def test_sai_denial_then_amparo_then_closure() -> None:
    status = "recibida"
    for action in ["analizar", "asignar", "denegar", "registrar_amparo", "cerrar"]:
        status = workflow.next_status("sai", status, action)
    assert status == "cerrada"


def test_sai_steps_are_for_transparency_staff_not_units() -> None:
    with pytest.raises(InvalidTransition):
        workflow.next_status("sai", "recibida", "analizar", role="unit")


def test_every_state_and_action_has_a_spanish_label() -> None:
    for case_type in ("reclamo", "sugerencia", "felicitacion", "consulta", "sai"):
        for t in workflow.transitions_for(case_type):
            assert t.action in ACTION_LABELS
            assert t.target in STATUS_LABELS
            assert t.sources <= set(STATUS_LABELS)
