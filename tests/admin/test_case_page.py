"""The case page: contact data by role, who-saw-what, inert resident text, attachments,
workflow actions, notes, and the answer that goes out through the outbox."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, get_case
from oirs.models import Attachment, Case, CaseView, InternalNote, OutboxMessage
from tests.admin.staff import csrf, login, make_user, move, new_case, post

CAL = BusinessCalendar()


def as_role(client: FlaskClient, db_session: Session, role: str) -> FlaskClient:
    make_user(db_session, role)
    assert login(client, f"{role}@prueba.cl").status_code == 302
    return client


def reload(db_session: Session, folio: str) -> Case:
    db_session.rollback()
    db_session.expire_all()
    case = get_case(db_session, folio)
    _ = (case.unit, case.category)  # loaded before everything is detached
    db_session.expunge_all()
    db_session.rollback()
    return case


def act(client: FlaskClient, folio: str, action: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {f"{action}-{key}": value for key, value in fields.items()}
    return post(client, f"/casos/{folio}/acciones/{action}", data, token_page=f"/casos/{folio}")


def views_of(db_session: Session, case: Case) -> int:
    case_id = case.id
    db_session.rollback()
    count = db_session.scalar(
        select(func.count()).select_from(CaseView).where(CaseView.case_id == case_id)
    )
    db_session.rollback()
    return count or 0


@pytest.fixture
def reclamo(db_session: Session) -> Case:
    return new_case(
        db_session,
        CAL,
        category="aseo",
        transcript=[
            {
                "at": "2026-11-20T10:00",
                "sender": "user",
                "text": "Hola, mi teléfono es +56987654321",
            },
            {"at": "2026-11-20T10:01", "sender": "bot", "text": "Gracias, registraré su reclamo."},
        ],
    )


def test_oirs_sees_full_contact_data_and_the_view_is_logged(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "12.345.678-5" in html and "maria.gonzalez@example.cl" in html and "+56987654321" in html
    assert views_of(db_session, reclamo) == 1
    assert "Quién vio los datos personales" in client.get(f"/casos/{reclamo.folio}").get_data(
        as_text=True
    )
    assert views_of(db_session, reclamo) == 1  # a reload the same day is the same view


def test_views_are_recorded_once_a_chilean_day_per_person_and_kind(
    db_session: Session, reclamo: Case
) -> None:
    """Reloads the same day add nothing; the next day, another person or an attachment do."""
    from datetime import UTC, datetime

    from admin.auth.users import StaffUser
    from admin.cases.access import record_view

    paula = StaffUser.from_model(make_user(db_session, "oirs", email="paula@muni.cl"))
    rosa = StaffUser.from_model(make_user(db_session, "admin", email="rosa@muni.cl"))
    late = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)  # 23:30 of 07-12 in Santiago (UTC-3)
    with db_session.begin():
        case = db_session.merge(reclamo)
        for when in (datetime(2026, 12, 7, 12, tzinfo=UTC), late):
            record_view(db_session, case, paula, "contacto", now=when)
        record_view(db_session, case, paula, "contacto", now=datetime(2026, 12, 8, 4, tzinfo=UTC))
        record_view(db_session, case, rosa, "contacto", now=late)
        record_view(db_session, case, paula, "adjunto:1", now=late)
    with db_session.begin():
        rows = db_session.execute(
            select(CaseView.user_label, CaseView.what).where(CaseView.case_id == reclamo.id)
        ).all()
    assert sorted(rows) == sorted(
        [
            (paula.name, "contacto"),  # 07-12, twice
            (paula.name, "contacto"),  # 08-12 (01:00 in Santiago)
            (rosa.name, "contacto"),
            (paula.name, "adjunto:1"),
        ]
    )


@pytest.mark.parametrize("role", ["unit", "agent"])
def test_unit_and_agent_see_contact_data_masked(
    client: FlaskClient, db_session: Session, reclamo: Case, role: str
) -> None:
    as_role(client, db_session, role)
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "María González" in html
    for secret in (
        "12345678-5",
        "12.345.678-5",
        "maria.gonzalez@example.cl",
        "+56987654321",
        "987654321",
    ):
        assert secret not in html, f"{secret} leaked to role {role}"
    assert "**.***.***-5" in html and "m***@e***" in html
    assert views_of(db_session, reclamo) == 0


def test_transcript_is_shown_in_order(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert html.index("mi teléfono es") < html.index("registraré su reclamo")


def test_html_and_script_in_a_reclamo_render_inert(
    client: FlaskClient, db_session: Session
) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> "comillas" & más'
    case = new_case(
        db_session, CAL, description=evil, transcript=[{"at": "", "sender": "user", "text": evil}]
    )
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{case.folio}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def _store(
    app: Flask,
    db_session: Session,
    case: Case,
    name: str,
    content_type: str,
    data: bytes,
    key: str | None = None,
) -> Attachment:
    digest = hashlib.sha256(data).hexdigest()
    key = key or f"{digest[:2]}/{digest}"
    path = Path(app.extensions["oirs_settings"].data_dir) / "attachments" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db_session.begin():
        item = Attachment(
            case_id=case.id,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            storage_key=key,
        )
        db_session.add(item)
    return item


def test_image_attachment_is_previewed_inline_without_sniffing(
    app: Flask, client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    item = _store(app, db_session, reclamo, "foto.png", "image/png", png)
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert (
        f'src="/casos/{reclamo.folio}/adjuntos/{item.id}"' in html
        and 'alt="Imagen adjunta: foto.png"' in html
    )
    response = client.get(f"/casos/{reclamo.folio}/adjuntos/{item.id}")
    assert response.status_code == 200 and response.data == png
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_documents_and_html_are_downloaded_never_rendered(
    app: Flask, client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    page = _store(app, db_session, reclamo, "carta.html", "text/html", b"<script>alert(1)</script>")
    audio = _store(app, db_session, reclamo, "nota.ogg", "audio/ogg", b"OggS-audio")
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "<audio controls" in html
    response = client.get(f"/casos/{reclamo.folio}/adjuntos/{page.id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    played = client.get(f"/casos/{reclamo.folio}/adjuntos/{audio.id}")
    assert played.mimetype == "audio/ogg" and played.headers["Content-Disposition"].startswith(
        "attachment"
    )


def test_attachment_outside_the_store_or_of_another_unit_is_refused(
    app: Flask, client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    sneaky = _store(app, db_session, reclamo, "x.txt", "text/plain", b"x", key="../../secreto.txt")
    other = new_case(db_session, CAL, category="transito")
    item = _store(app, db_session, other, "y.pdf", "application/pdf", b"%PDF-1.4")
    as_role(client, db_session, "unit")  # DIMAO
    assert client.get(f"/casos/{reclamo.folio}/adjuntos/{sneaky.id}").status_code == 404
    assert client.get(f"/casos/{other.folio}/adjuntos/{item.id}").status_code == 403
    assert client.get(f"/casos/{reclamo.folio}/adjuntos/{item.id}").status_code == 404


def test_full_workflow_derive_answer_validate_and_respond(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    make_user(db_session, "unit")
    as_role(client, db_session, "oirs")
    folio = reclamo.folio
    assert act(client, folio, "clasificar").status_code == 303
    missing = act(client, folio, "derivar", note="")
    assert missing.status_code == 400 and "Elija la unidad" in missing.get_data(as_text=True)
    assert act(client, folio, "derivar", unit="DIMAO", note="Por favor retirar").status_code == 303
    assert reload(db_session, folio).status == "derivado"

    post(client, "/salir", {})
    assert login(client, "unit@prueba.cl").status_code == 302
    empty = act(client, folio, "responder_unidad", note="  ")
    assert empty.status_code == 400 and "Escriba la respuesta de la unidad." in empty.get_data(
        as_text=True
    )
    act(client, folio, "responder_unidad", note="Se retiró la basura el martes.")
    blocked = act(client, folio, "validar")
    assert reload(db_session, folio).status == "respuesta_unidad", "a unit cannot validate"
    assert blocked.status_code == 303

    post(client, "/salir", {}, token_page=f"/casos/{folio}")
    assert login(client, "oirs@prueba.cl").status_code == 302
    act(client, folio, "validar")
    token = csrf(client, f"/casos/{folio}")
    body = (
        "Estimada {nombre}: su {tipo} {folio} vence el {fecha_vencimiento}. "
        "{respuesta_unidad} ({unidad})"
    )
    preview = client.post(
        f"/casos/{folio}/respuesta", data={"body": body, "preview": "1", "csrf_token": token}
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Vista previa" in text
    case = reload(db_session, folio)
    assert f"Estimada María González: su reclamo {folio} vence el {case.due_date:%d-%m-%Y}." in text
    assert "Se retiró la basura el martes. (Dirección de Medio Ambiente, Aseo y Ornato)" in text
    assert case.status == "validado", "a preview changes nothing"

    sent = client.post(
        f"/casos/{folio}/respuesta", data={"body": body, "send": "1", "csrf_token": token}
    )
    assert sent.status_code == 303
    case = reload(db_session, folio)
    assert case.status == "respondido"
    messages = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id)
    ).all()
    assert len(messages) == 1
    message = messages[0]
    assert (message.channel, message.recipient, message.status) == (
        "whatsapp",
        "+56987654321",
        "pending",
    )
    assert message.idempotency_key.startswith(f"respuesta:{folio}:")
    assert "María González" in message.body and "del 1 (muy mala) al 5" in message.body
    db_session.rollback()
    page = client.get(f"/casos/{folio}").get_data(as_text=True)
    assert "Pendiente de envío" in page and "Respondido" in page


def test_the_residents_rating_shows_on_the_case_page(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    """Staff read the score the resident gave, not only that the survey was answered."""
    from oirs.reporting.satisfaction import record_satisfaction

    move(db_session, reclamo, "derivar", "responder_unidad", "validar", "responder")
    with db_session.begin():
        record_satisfaction(get_case(db_session, reclamo.folio), 4)
    as_role(client, db_session, "oirs")
    page = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Encuesta de satisfacción respondida" in page
    assert "Evaluación: 4 de 5" in page


def test_reply_with_unknown_variable_is_refused(client: FlaskClient, db_session: Session) -> None:
    case = new_case(db_session, CAL, type_="sugerencia", category="areas_verdes")
    as_role(client, db_session, "oirs")
    response = post(
        client,
        f"/casos/{case.folio}/respuesta",
        {"body": "Hola {apodo}", "send": "1"},
        token_page=f"/casos/{case.folio}",
    )
    assert response.status_code == 400
    assert "Variables desconocidas: {apodo}" in response.get_data(as_text=True)
    assert reload(db_session, case.folio).status == case.status  # unchanged


def test_reply_without_any_reachable_channel_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    case = new_case(
        db_session,
        CAL,
        type_="sugerencia",
        category="areas_verdes",
        channel="presencial",
        contact=ContactData(name="Ana"),
    )
    as_role(client, db_session, "oirs")
    warning = client.get(f"/casos/{case.folio}").get_data(as_text=True)
    assert "El caso no tiene un canal por el cual responder" in warning
    response = post(
        client,
        f"/casos/{case.folio}/respuesta",
        {"body": "Gracias {nombre}", "send": "1"},
        token_page=f"/casos/{case.folio}",
    )
    assert response.status_code == 303
    page = client.get(f"/casos/{case.folio}").get_data(as_text=True)
    assert "no tiene un canal por el cual responder" in page
    assert reload(db_session, case.folio).status == case.status  # unchanged
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    db_session.rollback()


def test_reply_falls_back_to_email_when_the_channel_cannot_carry_it(
    client: FlaskClient, db_session: Session
) -> None:
    case = new_case(
        db_session,
        CAL,
        type_="sugerencia",
        category="areas_verdes",
        channel="web",
        contact=ContactData(name="Ana", email="ana@example.cl"),
    )
    as_role(client, db_session, "oirs")
    page = client.get(f"/casos/{case.folio}").get_data(as_text=True)
    assert (
        "se enviará por <strong>Correo electrónico</strong> a <strong>ana@example.cl</strong>"
        in page
    )
    assert "el canal preferido no tiene destinatario registrado" in page
    post(
        client,
        f"/casos/{case.folio}/respuesta",
        {"body": "Gracias {nombre}", "send": "1"},
        token_page=f"/casos/{case.folio}",
    )
    db_session.rollback()
    message = db_session.scalar(select(OutboxMessage))
    assert message is not None and (message.channel, message.recipient) == (
        "email",
        "ana@example.cl",
    )
    db_session.rollback()


def test_agent_and_unit_cannot_send_answers(client: FlaskClient, db_session: Session) -> None:
    case = new_case(db_session, CAL, type_="sugerencia", category="areas_verdes")
    as_role(client, db_session, "agent")
    response = post(
        client,
        f"/casos/{case.folio}/respuesta",
        {"body": "Hola", "send": "1"},
        token_page=f"/casos/{case.folio}",
    )
    assert response.status_code == 403
    assert reload(db_session, case.folio).status == case.status  # unchanged


def test_failed_delivery_shows_its_last_error(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    with db_session.begin():
        db_session.add(
            OutboxMessage(
                case_id=reclamo.id,
                channel="whatsapp",
                recipient="+56987654321",
                body="x",
                idempotency_key="k1",
                status="failed",
                attempts=3,
                last_error="Twilio 63016: fuera de la ventana de 24 horas",
            )
        )
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Falló el envío" in html and "Twilio 63016" in html and "3 intentos" in html


def test_internal_notes_are_kept_and_empty_ones_refused(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    as_role(client, db_session, "supervisor")
    empty = post(
        client,
        f"/casos/{reclamo.folio}/notas",
        {"nota-body": ""},
        token_page=f"/casos/{reclamo.folio}",
    )
    assert empty.status_code == 400 and "Este campo es obligatorio." in empty.get_data(as_text=True)
    post(
        client,
        f"/casos/{reclamo.folio}/notas",
        {"nota-body": "Revisar con <b>DIMAO</b>"},
        token_page=f"/casos/{reclamo.folio}",
    )
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Revisar con &lt;b&gt;DIMAO&lt;/b&gt;" in html
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(InternalNote)) == 1
    db_session.rollback()


def test_actions_offered_follow_the_workflow_and_the_role(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    move(db_session, reclamo, "clasificar", "derivar")
    as_role(client, db_session, "supervisor")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "No hay acciones disponibles para su rol" in html
    client.post("/salir", data={"csrf_token": csrf(client, f"/casos/{reclamo.folio}")})
    make_user(db_session, "unit")
    login(client, "unit@prueba.cl")
    html = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "/acciones/tomar" in html and "/acciones/responder_unidad" in html
    assert "/acciones/validar" not in html and "/respuesta" not in html


def test_reply_template_fills_the_answer_box(client: FlaskClient, db_session: Session) -> None:
    from oirs.outbox.replies import seed_reply_templates

    with db_session.begin():
        seed_reply_templates(db_session)
    case = new_case(db_session, CAL, type_="felicitacion", category="areas_verdes")
    as_role(client, db_session, "oirs")
    html = client.get(f"/casos/{case.folio}?plantilla=felicitacion_gracias").get_data(as_text=True)
    assert "Muchas gracias por su felicitación folio {folio}" in html
    assert "Respuesta general" in html and "Sugerencia considerada" not in html


def test_classifying_with_a_corrected_category_routes_to_its_unit(
    client: FlaskClient, db_session: Session, reclamo: Case
) -> None:
    as_role(client, db_session, "oirs")
    page = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert '<option selected value="aseo">' in page
    bad = act(client, reclamo.folio, "clasificar", category="inventada")
    assert bad.status_code == 400 and "La categoría no existe" in bad.get_data(as_text=True)
    assert act(client, reclamo.folio, "clasificar", category="transito").status_code == 303
    case = reload(db_session, reclamo.folio)
    assert case.status == "clasificado" and case.unit is not None and case.unit.code == "TRANSITO"
    assert case.due_date == reclamo.due_date, "the date told to the resident stays"
    page = client.get(f"/casos/{reclamo.folio}").get_data(as_text=True)
    assert "Categoría: aseo → transito" in page


def test_two_people_taking_the_same_step_at_once_record_it_once(
    app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    import admin.cases.actions
    from oirs.cases.triage import classify as real_classify
    from oirs.models import CaseEvent

    def slow_classify(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)  # everyone has read the case before anyone commits
        return real_classify(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(admin.cases.actions, "classify", slow_classify)
    reclamo = new_case(db_session, CAL, category=None)  # type: ignore[arg-type]  # unclassified

    make_user(db_session, "oirs")
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for each in clients:
        login(each, "oirs@prueba.cl")
        tokens.append(csrf(each, f"/casos/{reclamo.folio}"))
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def post_classify(index: int) -> None:
        start.wait()
        response = clients[index].post(
            f"/casos/{reclamo.folio}/acciones/clasificar", data={"csrf_token": tokens[index]}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post_classify, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * len(clients)
    db_session.rollback()
    events = db_session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == reclamo.id, CaseEvent.kind == "clasificar")
    ).all()
    db_session.rollback()
    assert len(events) == 1


def test_staff_correct_contact_data_and_the_correction_is_an_event(
    client: FlaskClient, db_session: Session
) -> None:
    case = new_case(
        db_session,
        CAL,
        type_="sugerencia",
        category="areas_verdes",
        channel="presencial",
        contact=ContactData(name="Ana"),
    )
    as_role(client, db_session, "oirs")
    path = f"/casos/{case.folio}/contacto"
    bad = post(
        client,
        path,
        {"contacto-name": "Ana", "contacto-email": "no-es-correo", "contacto-phone": "12"},
        token_page=f"/casos/{case.folio}",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "El correo electrónico no es válido." in html and "no es un número chileno" in html
    good = post(
        client,
        path,
        {"contacto-name": "Ana Rojas", "contacto-email": "ana@example.cl", "contacto-phone": ""},
        token_page=f"/casos/{case.folio}",
    )
    assert good.status_code == 303
    stored = reload(db_session, case.folio)
    assert (stored.contact_name, stored.contact_email) == ("Ana Rojas", "ana@example.cl")
    page = client.get(f"/casos/{case.folio}").get_data(as_text=True)
    assert "Corrección de datos de contacto" in page and "nombre, correo" in page
    assert "ana@example.cl" not in page.split("Historial")[1].split("</ol>")[0]
    assert "se enviará por <strong>Correo electrónico</strong>" in page


def test_sai_contact_correction_keeps_the_name_and_refuses_a_rut(
    client: FlaskClient, db_session: Session
) -> None:
    case = new_case(
        db_session,
        CAL,
        type_="sai",
        category=None,  # type: ignore[arg-type]
        channel="web",
        description="Copia del presupuesto municipal",
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    as_role(client, db_session, "transparency")
    response = post(
        client,
        f"/casos/{case.folio}/contacto",
        {"contacto-name": "", "contacto-email": "ana@example.cl", "contacto-rut": "12.345.678-5"},
        token_page=f"/casos/{case.folio}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La solicitud debe indicar nombre y apellidos." in html
    assert "Una solicitud de acceso a la información no pide RUT." in html
