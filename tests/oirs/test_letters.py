"""SAI letters: the municipality's header, the legal content of each step, the amparo right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.files.filestore import storage_path
from oirs.models import Case, CaseEvent, OutboxMessage, ThirdParty
from oirs.sai import procedure as sai
from oirs.sai.letters import (
    FINAL_ANSWERS,
    LETTER_FOR_ACTION,
    TITLES,
    html_to_text,
    issue_letter,
    issue_third_party_letters,
    render_letter,
)
from oirs.settings import CommuneInfo

CAL = BusinessCalendar()
COMMUNE = CommuneInfo(name="Municipalidad de Chillán Viejo", comuna="Chillán Viejo")
OFFICER = Actor("Jorge Muñoz", role="transparency")
FILED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def sai_case(**contact: str) -> Case:
    """An unsaved SAI case, enough for rendering."""
    return Case(
        folio="SAI-2026-000007",
        type="sai",
        status="asignada",
        description="Contratos de recolección de residuos vigentes",
        received_on=date(2026, 3, 2),
        due_date=date(2026, 3, 30),
        term_business_days=20,
        contact_name="Ana María Pérez Soto",
        details={},
        **{f"contact_{k}": v for k, v in contact.items()},
    )


def letter_text(kind: str, event: CaseEvent | None = None, case: Case | None = None) -> str:
    letter = render_letter(
        kind, case or sai_case(email="ana@example.cl"), COMMUNE, CAL, event, date(2026, 3, 16)
    )
    return html_to_text(letter.html)


@pytest.mark.parametrize("kind", sorted(FINAL_ANSWERS))
def test_every_final_answer_states_the_right_to_an_amparo(kind: str) -> None:
    event = CaseEvent(
        kind="x",
        note="Texto de la respuesta",
        data={"cause": "21_2", "link": "https://x.cl/a", "amount_clp": 1000},
    )
    text = letter_text(kind, event)
    assert "amparo ante el Consejo para la Transparencia" in text
    assert "15 días hábiles" in text
    # From Monday 16-03-2026, 15 business days end on Tuesday 07-04 (Good Friday 03-04 skipped).
    assert "vence el 07-04-2026" in text


@pytest.mark.parametrize("kind", ["subsanacion", "prorrogada", "derivada", "desistida"])
def test_steps_that_are_not_answers_do_not_mention_amparo(kind: str) -> None:
    event = CaseEvent(
        kind="x", note="Motivos", data={"body": "SERVIU", "previous_due": "2026-03-30"}
    )
    assert "amparo" not in letter_text(kind, event)


def test_letters_carry_the_municipality_header_and_the_folio() -> None:
    text = letter_text("entregada", CaseEvent(kind="entregar", note="Adjuntamos", data={}))
    assert text.startswith("Municipalidad de Chillán Viejo")
    assert "Chillán Viejo, 16 de marzo de 2026" in text
    assert "SAI-2026-000007, recibida el 02-03-2026" in text
    assert "Señor(a)\nAna María Pérez Soto\nana@example.cl" in text


def test_subsanacion_letter_names_what_is_missing_and_the_five_day_limit() -> None:
    case = sai_case(email="ana@example.cl")
    case.details = {"subsanacion": {"due": "2026-03-09"}}
    event = CaseEvent(kind="pedir_subsanacion", data={"missing": ["identificacion"]})
    text = letter_text("subsanacion", event, case)
    assert "Identificación clara de la información que se solicita" in text
    assert "a más tardar el 09-03-2026" in text
    assert "se le tendrá por desistido" in text


def test_denial_letter_states_the_art21_cause_and_reasons() -> None:
    event = CaseEvent(kind="denegar", note="Son 40.000 expedientes.", data={"cause": "21_1_c"})
    text = letter_text("denegada", event)
    assert "Art. 21 N°1 letra c)" in text
    assert "Fundamento: Son 40.000 expedientes." in text


def test_active_transparency_letter_gives_the_exact_link() -> None:
    link = "https://www.portaltransparencia.cl/PortalPdT/pdtta/-/ta/MU224/CS/CS"
    text = letter_text("remitida_ta", CaseEvent(kind="remitir_ta", data={"link": link}))
    assert link in text


def test_every_resident_facing_step_has_a_letter() -> None:
    data = {"cause": "21_2", "link": "https://x.cl/a", "amount_clp": 1000, "body": "SERVIU"}
    event = CaseEvent(kind="x", note="n", data=data)
    for kind in LETTER_FOR_ACTION.values():
        assert letter_text(kind, event)


def test_letter_templates_are_package_data_of_the_core() -> None:
    """The core renders letters from its own package, not from the admin's folder."""
    templates = resources.files("oirs.sai") / "templates" / "letters"
    for kind in [*TITLES, "base"]:
        assert (templates / f"{kind}.html").is_file(), kind


def file_sai(session: Session, assign: bool = True, **contact: str) -> Case:
    data = NewCase(
        type="sai",
        channel="web",
        description="Contratos de recolección de residuos vigentes",
        contact=ContactData(name="Ana María Pérez Soto", **contact),
    )
    with session.begin():
        case, _ = file_case(session, data, CAL, now=FILED)
        transition(session, case, "analizar", OFFICER, now=FILED)
        if assign:
            sai.assign(session, case, OFFICER, "DIMAO", now=FILED)
    return case


def test_issued_letter_is_a_pdf_on_the_case_and_goes_to_the_resident(
    db_session: Session, tmp_path: Path
) -> None:
    case = file_sai(db_session, email="ana@example.cl")
    with db_session.begin():
        event = sai.deny(
            db_session, case, OFFICER, "21_2", "Contiene datos personales de terceros."
        )
        message = issue_letter(db_session, case, event, COMMUNE, CAL, tmp_path, OFFICER, FILED)
    pdf = case.attachments[-1]
    assert (pdf.filename, pdf.source) == ("SAI-2026-000001-denegada.pdf", "letter")
    assert storage_path(tmp_path, pdf.storage_key).read_bytes().startswith(b"%PDF")
    assert message is not None
    assert (message.channel, message.recipient) == ("email", "ana@example.cl")
    assert message.payload["attachment_id"] == pdf.id
    assert message.payload["subject"].startswith("Denegación de acceso a la información")
    assert "Consejo para la Transparencia" in message.body
    assert case.events[-1].kind == "carta"


def test_postal_only_resident_gets_the_letter_filed_for_mailing(
    db_session: Session, tmp_path: Path
) -> None:
    case = file_sai(db_session, postal_address="Los Aromos 123, Chillán Viejo")
    with db_session.begin():
        event = sai.declare_nonexistent(
            db_session, case, OFFICER, "Se revisó el archivo municipal."
        )
        assert issue_letter(db_session, case, event, COMMUNE, CAL, tmp_path, OFFICER, FILED) is None
        assert db_session.scalars(select(OutboxMessage)).all() == []
    assert case.events[-1].data["channel"] is None


def test_third_parties_get_a_letter_with_their_opposition_deadline(
    db_session: Session, tmp_path: Path
) -> None:
    case = file_sai(db_session, email="ana@example.cl")
    with db_session.begin():
        sai.notify_third_parties(
            db_session,
            case,
            OFFICER,
            [sai.Party("Recolectora del Sur SpA", "legal@recolectora.cl")],
            CAL,
            FILED,
        )
        parties = list(db_session.scalars(select(ThirdParty)))
        (message,) = issue_third_party_letters(
            db_session, case, parties, COMMUNE, CAL, tmp_path, OFFICER, FILED
        )
    assert message.recipient == "legal@recolectora.cl"
    assert "a más tardar el 05-03-2026" in message.body
    assert "Ana María" not in message.body


def test_derivation_tells_the_resident_and_forwards_the_request_to_the_body(
    db_session: Session, tmp_path: Path
) -> None:
    case = file_sai(db_session, assign=False, email="ana@example.cl")
    with db_session.begin():
        event = sai.derive_to_body(
            db_session,
            case,
            OFFICER,
            "Servicio de Vivienda y Urbanización de Ñuble",
            "Los subsidios habitacionales los otorga el SERVIU.",
            body_email="oirs@serviu.example.cl",
        )
        issue_letter(db_session, case, event, COMMUNE, CAL, tmp_path, OFFICER, FILED)
        messages = {m.recipient: m for m in db_session.scalars(select(OutboxMessage))}
    assert set(messages) == {"ana@example.cl", "oirs@serviu.example.cl"}
    assert "derivamos su solicitud" in messages["ana@example.cl"].body
    forward = messages["oirs@serviu.example.cl"].body
    assert "Contratos de recolección de residuos vigentes" in forward
    assert "artículo 13" in forward
    assert [a.filename for a in case.attachments] == [
        "SAI-2026-000001-derivada.pdf",
        "SAI-2026-000001-oficio-derivacion.pdf",
    ]
