"""The Transparencia screens: who may enter, each step through its form, letters, errors."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from oirs_rules.dates import SANTIAGO
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, get_case
from oirs.models import Attachment, Case, CaseView, OutboxMessage, ThirdParty
from tests.admin.staff import csrf, login, make_user, new_case

CAL = BusinessCalendar()


def reload(db_session: Session, folio: str) -> Case:
    db_session.rollback()
    db_session.expire_all()
    with db_session.begin():
        case = get_case(db_session, folio)
        case.events, case.attachments  # loaded while attached
    db_session.expunge(case)
    return case


@pytest.fixture
def officer(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, "transparency")
    assert login(client, "transparency@prueba.cl").status_code == 302
    return client


@pytest.fixture
def request_sai(db_session: Session) -> Case:
    return new_case(
        db_session,
        CAL,
        type_="sai",
        category=None,  # type: ignore[arg-type]
        channel="web",
        description="Copia del contrato de recolección de basura vigente",
        contact=ContactData(name="Ana María Pérez Soto", email="ana@example.cl"),
    )


def step(client: FlaskClient, folio: str, name: str, **fields: object):  # type: ignore[no-untyped-def]
    token = csrf(client, f"/transparencia/{folio}")
    data: dict[str, object] = {f"{name}-{k}": v for k, v in fields.items()}
    return client.post(
        f"/transparencia/{folio}/{name}",
        data={**data, "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_only_transparency_and_admin_reach_the_sai_screens(
    client: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    assert client.get("/transparencia/").status_code == 302  # to the login page
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    assert client.get("/transparencia/").status_code == 403
    assert client.get(f"/transparencia/{request_sai.folio}").status_code == 403


def test_inbox_lists_open_requests_by_due_date(officer: FlaskClient, request_sai: Case) -> None:
    html = officer.get("/transparencia/").get_data(as_text=True)
    assert request_sai.folio in html
    assert "Ana María Pérez Soto" in html


def test_request_page_logs_who_saw_the_requester_data(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    html = officer.get(f"/transparencia/{request_sai.folio}").get_data(as_text=True)
    assert "ana@example.cl" in html
    assert "no exige RUT" in html
    db_session.rollback()
    with db_session.begin():
        seen = db_session.scalars(select(CaseView).where(CaseView.case_id == request_sai.id)).all()
        assert [v.what for v in seen] == ["contacto"]


def test_subsanacion_through_the_form_sends_its_letter(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    assert step(officer, folio, "analizar").status_code == 303
    response = step(officer, folio, "pedir_subsanacion", missing="identificacion")
    assert response.status_code == 303
    case = reload(db_session, folio)
    assert case.status == "subsanacion"
    assert [a.filename for a in case.attachments] == [f"{folio}-subsanacion.pdf"]
    with db_session.begin():
        (message,) = db_session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "ana@example.cl"
        assert "cinco días hábiles" in message.body


def test_missing_fields_come_back_in_spanish_on_the_form(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    response = step(officer, folio, "denegar", cause="21_2", reasons="corto")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Fundamente con al menos 20 caracteres." in html
    assert reload(db_session, folio).status == "asignada"


def test_denial_needs_a_cause_from_the_picklist(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    response = step(
        officer,
        folio,
        "denegar",
        cause="",
        reasons="Los datos afectan la vida privada de terceros.",
    )
    assert response.status_code == 400
    response = step(
        officer,
        folio,
        "denegar",
        cause="21_2",
        reasons="Los datos afectan la vida privada de terceros.",
    )
    assert response.status_code == 303
    case = reload(db_session, folio)
    assert case.status == "denegada"
    assert case.events[-2].data == {"cause": "21_2"}
    assert case.events[-1].kind == "carta"


def test_late_prorroga_is_refused_with_the_expiry_date(
    officer: FlaskClient, db_session: Session
) -> None:
    old = new_case(
        db_session,
        CAL,
        type_="sai",
        category=None,  # type: ignore[arg-type]
        channel="web",
        description="Actas del concejo 2025",
        contact=ContactData(name="Luis Rojas", email="luis@example.cl"),
        when=datetime.now(UTC) - timedelta(days=60),
    )
    step(officer, old.folio, "analizar")
    step(officer, old.folio, "asignar", unit="SECMU")
    response = step(
        officer, old.folio, "prorrogar", reasons="Las actas están en el archivo externo."
    )
    assert response.status_code == 303
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "La prórroga debe notificarse antes del vencimiento" in page
    assert reload(db_session, old.folio).status == "asignada"


def test_delivery_with_files_attaches_them_and_the_letter(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    response = step(
        officer,
        folio,
        "entregar",
        answer="Adjuntamos el contrato vigente.",
        files=(io.BytesIO(b"%PDF-1.4 contrato"), "contrato.pdf"),
    )
    assert response.status_code == 303
    case = reload(db_session, folio)
    assert case.status == "entregada"
    assert {(a.filename, a.source) for a in case.attachments} == {
        ("contrato.pdf", "staff"),
        (f"{folio}-entregada.pdf", "letter"),
    }


def test_third_parties_are_notified_and_their_answer_recorded(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    response = step(
        officer, folio, "notificar_tercero", parties="Recolectora del Sur SpA; legal@recolectora.cl"
    )
    assert response.status_code == 303
    with db_session.begin():
        party = db_session.scalars(select(ThirdParty)).one()
        party_id = party.id
        letters = db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "legal@recolectora.cl")
        ).all()
        assert len(letters) == 1
    response = step(
        officer,
        folio,
        "respuesta_tercero",
        party=str(party_id),
        opposed="si",
        answered_on=datetime.now(SANTIAGO).date().isoformat(),
    )
    assert response.status_code == 303
    db_session.expire_all()
    with db_session.begin():
        assert db_session.get(ThirdParty, party_id).opposed is True  # type: ignore[union-attr]


def test_active_transparency_link_must_be_exact(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    response = step(officer, folio, "remitir_ta", link="https://www.portaltransparencia.cl/")
    assert response.status_code == 400
    assert "no al inicio del sitio" in response.get_data(as_text=True)


def test_steps_not_available_in_the_status_are_refused(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    response = step(officer, request_sai.folio, "entregar", answer="Aquí está")
    assert response.status_code == 303
    assert reload(db_session, request_sai.folio).status == "recibida"


def test_amparo_steps_are_tracked_on_the_page(
    officer: FlaskClient, db_session: Session, request_sai: Case
) -> None:
    folio = request_sai.folio
    step(officer, folio, "analizar")
    step(officer, folio, "asignar", unit="DIMAO")
    step(
        officer,
        folio,
        "declarar_inexistente",
        reasons="Se revisó el archivo de DIMAO sin hallarlo.",
    )
    today = datetime.now(SANTIAGO).date().isoformat()  # the admin's today, not the UTC date
    assert (
        step(officer, folio, "registrar_amparo", rol="C777-26", filed_on=today).status_code == 303
    )
    html = officer.get(f"/transparencia/{folio}").get_data(as_text=True)
    amparo_id = re.search(r'name="amparo_etapa-amparo"[^>]*>\s*<option[^>]*value="(\d+)"', html)
    assert amparo_id, "the amparo step form lists the amparo"
    response = step(
        officer,
        folio,
        "amparo_etapa",
        amparo=amparo_id.group(1),
        kind="traslado",
        happened_on=today,
    )
    assert response.status_code == 303
    html = officer.get(f"/transparencia/{folio}").get_data(as_text=True)
    assert "Amparo rol C777-26" in html
    assert "Traslado notificado al municipio" in html and "plazo hasta el" in html
    with db_session.begin():
        assert db_session.scalar(
            select(Attachment).where(Attachment.filename.like("%inexistente%"))
        )
