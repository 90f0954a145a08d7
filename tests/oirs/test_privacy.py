"""Ley 21.719: data-rights requests, export of a holder's data, anonymisation after retention."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.errors import InvalidField
from oirs.privacy.rights import ANONYMISED, Holder, anonymise_expired, export_holder_data

CAL = BusinessCalendar()
STAFF = Actor("OIRS", role="oirs")


def _reclamo(session: Session, when: datetime, email: str = "ana@example.cl") -> str:
    data = NewCase(
        type="reclamo",
        channel="whatsapp",
        description="Basura en Los Aromos 123, llámeme al +56 9 8765 4321",
        category="aseo",
        contact=ContactData(name="Ana Pérez", email=email, phone="987654321"),
        transcript=[{"sender": "resident", "text": "soy Ana, mi rut 12.345.678-5"}],
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case.folio


def test_data_rights_request_has_thirty_calendar_days(db_session: Session) -> None:
    data = NewCase(
        type="datos_personales",
        channel="web",
        description="Quiero saber qué datos míos tiene la municipalidad",
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
        details={"right": "acceso"},
    )
    with db_session.begin():
        case, _ = file_case(db_session, data, CAL, now=datetime(2026, 12, 1, 15, tzinfo=UTC))
    assert case.folio == "DP-2026-000001"
    assert case.due_date == date(2026, 12, 31)


def test_data_rights_request_must_name_the_right(db_session: Session) -> None:
    data = NewCase(
        type="datos_personales",
        channel="web",
        description="mis datos",
        contact=ContactData(email="ana@example.cl"),
        details={"right": "olvido"},
    )
    with pytest.raises(InvalidField) as err, db_session.begin():
        file_case(db_session, data, CAL)
    assert "details.right" in err.value.fields


def test_export_gives_everything_held_about_the_holder_only(db_session: Session) -> None:
    now = datetime(2026, 11, 25, 15, tzinfo=UTC)
    with db_session.begin():
        mine = _reclamo(db_session, now)
        _reclamo(db_session, now, email="otra@example.cl")
    with db_session.begin():
        export = export_holder_data(db_session, Holder.parse(email="ANA@example.cl"))
    assert [c["folio"] for c in export["cases"]] == [mine]
    assert export["cases"][0]["contact"]["phone"] == "+56987654321"


def test_closed_cases_past_retention_are_anonymised_and_keep_their_history(
    db_session: Session,
) -> None:
    old = datetime(2019, 3, 4, 15, tzinfo=UTC)
    with db_session.begin():
        folio = _reclamo(db_session, old)
        recent = _reclamo(db_session, datetime(2026, 3, 4, 15, tzinfo=UTC))
        from oirs.cases.filing import get_case

        for f in (folio, recent):
            case = get_case(db_session, f)
            # filed with its theme, so already classified
            for action in ("derivar", "responder_unidad", "validar", "responder"):
                transition(db_session, case, action, STAFF)
    with db_session.begin():
        done = anonymise_expired(db_session, date(2026, 11, 25))
    assert done == [folio]
    with db_session.begin():
        case = get_case(db_session, folio)
        assert case.contact_name == ANONYMISED
        assert case.contact_email is None and case.contact_phone is None
        assert "8765" not in case.description
        assert case.transcript[0]["text"] == ANONYMISED
        assert case.events[-1].kind == "anonymised"
        assert len(case.events) == 7
    with db_session.begin():
        assert anonymise_expired(db_session, date(2026, 11, 25)) == []
