"""Filing and moving cases: folio, unit from the category map, due date, events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import (
    Actor,
    ContactData,
    NewCase,
    derive_to_unit,
    file_case,
    matches_factor,
    transition,
)
from oirs.errors import InvalidField, InvalidTransition, UnknownUnit
from oirs.models import DeadlineRule

CAL = BusinessCalendar()
# Thursday 12-11-2020 at noon in Santiago.
THURSDAY = datetime(2020, 11, 12, 15, 0, tzinfo=UTC)
STAFF = Actor("Paula Rojas", role="oirs")


def reclamo(**changes: object) -> NewCase:
    data = NewCase(
        type="reclamo",
        channel="whatsapp",
        description="Hace dos semanas que no pasa el camión de la basura",
        category="aseo",
        address="Los Aromos 123",
        contact=ContactData(name="Ana Pérez", phone="9 8765 4321", rut="12.345.678-5"),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_reclamo_gets_folio_unit_and_due_date(db_session: Session) -> None:
    with db_session.begin():
        case, created = file_case(db_session, reclamo(), CAL, now=THURSDAY)
    assert created
    assert case.folio == "RC-2020-000001"
    assert case.unit is not None and case.unit.code == "DIMAO"
    assert case.term_business_days == 15
    assert case.due_date.isoformat() == "2020-12-03"
    assert case.status == "clasificado"  # the theme came with it: no separate «Clasificar»
    assert [(e.kind, e.to_status) for e in case.events] == [
        ("filed", "ingresado"),
        ("clasificar", "clasificado"),
    ]
    assert case.contact_phone == "+56987654321"
    assert case.contact_rut == "12345678-5"


def test_reclamo_without_a_theme_waits_for_oirs_to_classify_it(db_session: Session) -> None:
    with db_session.begin():
        untold, _ = file_case(db_session, reclamo(category=None), CAL, now=THURSDAY)
        other, _ = file_case(db_session, reclamo(category="otro"), CAL, now=THURSDAY)
    assert untold.category is not None and untold.category.code == "otro"
    assert (untold.status, other.status) == ("ingresado", "ingresado")
    assert [e.kind for e in untold.events] == ["filed"]


def test_theme_given_at_filing_may_still_be_corrected_before_deriving(
    db_session: Session,
) -> None:
    from oirs.cases.triage import classify

    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL, now=THURSDAY)
        classify(db_session, case, STAFF, "pavimento", "Es un bache, no basura.")
        derive_to_unit(db_session, case, case.unit.code, STAFF)
    assert case.category.code == "pavimento" and case.unit.code == "OPER"
    assert case.status == "derivado"


def test_sai_counts_twenty_business_days(db_session: Session) -> None:
    data = NewCase(
        type="sai",
        channel="web",
        description="Copia del contrato de recolección de residuos vigente",
        contact=ContactData(name="Ana Pérez Soto", email="ana@example.cl"),
    )
    with db_session.begin():
        case, _ = file_case(db_session, data, CAL, now=THURSDAY)
    assert case.folio == "SAI-2020-000001"
    assert case.status == "recibida"
    assert case.due_date.isoformat() == "2020-12-11"


def test_sai_never_takes_a_rut(db_session: Session) -> None:
    data = NewCase(
        type="sai",
        channel="web",
        description="Actas del concejo",
        contact=ContactData(name="Ana", email="ana@example.cl", rut="12.345.678-5"),
    )
    with pytest.raises(InvalidField) as err, db_session.begin():
        file_case(db_session, data, CAL)
    assert "contact.rut" in err.value.fields


def test_category_rule_overrides_the_type_default(db_session: Session) -> None:
    with db_session.begin():
        db_session.add(DeadlineRule(case_type="reclamo", category_code="aseo", business_days=5))
    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL, now=THURSDAY)
    assert case.term_business_days == 5
    assert case.due_date.isoformat() == "2020-11-19"


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("contact", ContactData(rut="12.345.678-9"), "contact.rut"),
        ("contact", ContactData(email="ana@"), "contact.email"),
        ("contact", ContactData(phone="12"), "contact.phone"),
        ("category", "piscinas", "category"),
        ("description", "   ", "description"),
        ("channel", "fax", "channel"),
    ],
)
def test_bad_input_is_refused_with_a_spanish_message(
    db_session: Session, field: str, value: object, key: str
) -> None:
    with pytest.raises(InvalidField) as err, db_session.begin():
        file_case(db_session, reclamo(**{field: value}), CAL)
    assert key in err.value.fields
    assert err.value.fields[key][0].isupper()


def test_nothing_is_half_written_when_filing_fails(db_session: Session) -> None:
    with pytest.raises(InvalidField), db_session.begin():
        file_case(db_session, reclamo(category="piscinas"), CAL)
    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL, now=THURSDAY)
    assert case.folio == "RC-2020-000001"


def test_same_idempotency_key_files_once(db_session: Session) -> None:
    with db_session.begin():
        first, created = file_case(db_session, reclamo(idempotency_key="k-1"), CAL)
    with db_session.begin():
        second, created_again = file_case(db_session, reclamo(idempotency_key="k-1"), CAL)
    assert created and not created_again
    assert first.folio == second.folio


def test_derivation_records_the_unit_and_an_event(db_session: Session) -> None:
    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL)
        transition(db_session, case, "clasificar", STAFF)
        derive_to_unit(db_session, case, "OPER", STAFF, note="Es un bache, no basura")
    assert case.status == "derivado"
    assert case.unit is not None and case.unit.code == "OPER"
    last = case.events[-1]
    assert (last.from_status, last.to_status, last.actor_label) == (
        "clasificado",
        "derivado",
        "Paula Rojas",
    )
    assert last.data["previous_unit"] == "DIMAO"


def test_unknown_unit_and_forbidden_step_change_nothing(db_session: Session) -> None:
    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL)
    with pytest.raises(UnknownUnit):
        derive_to_unit(db_session, case, "NOPE", STAFF)
    with pytest.raises(InvalidTransition):
        transition(db_session, case, "cerrar", STAFF)
    assert case.status == "clasificado"
    assert len(case.events) == 2


def test_second_factor_matches_phone_email_or_rut_on_file(db_session: Session) -> None:
    with db_session.begin():
        case, _ = file_case(db_session, reclamo(), CAL)
    assert matches_factor(case, "+56 9 8765 4321")
    assert matches_factor(case, "12345678-5")
    assert not matches_factor(case, "987654320")
    assert not matches_factor(case, "")
