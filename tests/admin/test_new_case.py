"""Staff file cases for residents who came in person, e-mailed or phoned."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.models import Case
from tests.admin.staff import csrf, login, make_user

BASE = {
    "type": "reclamo",
    "channel": "presencial",
    "description": "Vereda levantada por raíces frente al colegio.",
    "category": "pavimento",
    "address": "Balmaceda 455",
    "name": "Juana Rivas",
    "rut": "12.345.678-5",
    "email": "juana@example.cl",
    "phone": "+56 9 8765 4321",
    "postal_address": "",
    "preferred_channel": "",
}


def form_token(client: FlaskClient) -> dict[str, str]:
    html = client.get("/casos/nuevo").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token
    return {"csrf_token": csrf(client, "/casos/nuevo"), "token": token.group(1)}


def cases(db_session: Session) -> list[Case]:
    db_session.rollback()
    found = list(db_session.scalars(select(Case)))
    db_session.rollback()
    return found


def test_oirs_files_a_presencial_reclamo_that_goes_to_its_unit(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    response = client.post("/casos/nuevo", data={**BASE, **form_token(client)})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Caso registrado con folio RC-" in page
    [case] = cases(db_session)
    assert (case.channel, case.contact_phone, case.contact_rut) == (
        "presencial",
        "+56987654321",
        "12345678-5",
    )
    assert case.unit is not None and case.unit.code == "OPER"
    assert case.events[0].actor_label == "Persona oirs"


def test_the_same_form_sent_twice_files_one_case(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "agent")
    login(client, "agent@prueba.cl")
    tokens = form_token(client)
    client.post("/casos/nuevo", data={**BASE, **tokens})
    client.post("/casos/nuevo", data={**BASE, **tokens})
    assert len(cases(db_session)) == 1


def test_sai_filed_by_staff_refuses_a_rut_and_needs_a_name(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "transparency")
    login(client, "transparency@prueba.cl")
    data = {**BASE, "type": "sai", "category": "", "name": "", **form_token(client)}
    response = client.post("/casos/nuevo", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Una solicitud de acceso a la información no pide RUT." in html
    assert "La solicitud debe indicar nombre y apellidos." in html
    assert cases(db_session) == []


def test_invalid_contact_data_is_refused_field_by_field(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    data = {**BASE, "rut": "12.345.678-9", "phone": "123", "description": "", **form_token(client)}
    html = client.post("/casos/nuevo", data=data).get_data(as_text=True)
    assert 'id="description-error"' in html
    data = {**BASE, "rut": "12.345.678-9", "phone": "123", **form_token(client)}
    html = client.post("/casos/nuevo", data=data).get_data(as_text=True)
    assert 'id="rut-error"' in html and "revise el dígito verificador" in html
    assert 'id="phone-error"' in html and "no es un número chileno válido" in html
    assert cases(db_session) == []


def test_unit_responders_and_supervisors_cannot_file(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    assert client.get("/casos/nuevo").status_code == 403
    assert "Registrar un caso" not in client.get("/casos/").get_data(as_text=True)
