"""The SAI procedure of Ley 20.285 with hand-checked Chilean dates (2026, Good Friday 03-04)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, transition
from oirs.errors import InvalidField, InvalidTransition
from oirs.files.filestore import Upload, storage_path
from oirs.models import Case, CaseEvent, ThirdParty
from oirs.sai import amparo
from oirs.sai import procedure as sai

CAL = BusinessCalendar()
OFFICER = Actor("Jorge Muñoz", user_id=None, role="transparency")
# Monday 02-03-2026 at noon in Santiago: day 1 is Tuesday 03-03, day 20 is Monday 30-03.
FILED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def at(day: int, month: int = 3) -> datetime:
    """Noon in Santiago on a day of 2026."""
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


def file_sai(session: Session) -> Case:
    data = NewCase(
        type="sai",
        channel="web",
        description="Copia de los contratos de recolección de basura vigentes en 2026",
        contact=ContactData(name="Ana María Pérez Soto", email="ana@example.cl"),
    )
    with session.begin():
        case, _ = file_case(session, data, CAL, now=FILED)
    return case


def in_analysis(session: Session) -> Case:
    case = file_sai(session)
    with session.begin():
        transition(session, case, "analizar", OFFICER, now=FILED)
    return case


def assigned(session: Session) -> Case:
    case = in_analysis(session)
    with session.begin():
        sai.assign(session, case, OFFICER, "DIMAO", now=at(3))
    return case


def test_sai_term_is_twenty_business_days_from_the_day_after_receipt(db_session: Session) -> None:
    case = file_sai(db_session)
    assert case.due_date == date(2026, 3, 30)
    assert sai.case_deadline(case, CAL).due == date(2026, 3, 30)


def test_subsanacion_gives_five_business_days_then_desistida(db_session: Session) -> None:
    case = in_analysis(db_session)
    with db_session.begin():
        sai.request_subsanacion(db_session, case, OFFICER, ["identificacion"], CAL, now=at(2))
    assert case.status == "subsanacion"
    assert sai.subsanacion_due(case) == date(2026, 3, 9)
    with db_session.begin():
        assert sai.expire_subsanaciones(db_session, now=at(9)) == []
    assert case.status == "subsanacion"
    with db_session.begin():
        lapsed = sai.expire_subsanaciones(db_session, now=at(10))
    assert [c.folio for c in lapsed] == [case.folio]
    assert case.status == "desistida"
    assert case.events[-1].actor_label == "sistema"


def test_subsanacion_must_name_missing_art12_items(db_session: Session) -> None:
    case = in_analysis(db_session)
    with pytest.raises(InvalidField) as error, db_session.begin():
        sai.request_subsanacion(db_session, case, OFFICER, ["motivo"], CAL, now=at(2))
    assert "missing" in error.value.fields


def test_desistida_cannot_be_declared_before_the_five_days_lapse(db_session: Session) -> None:
    case = in_analysis(db_session)
    with db_session.begin():
        sai.request_subsanacion(db_session, case, OFFICER, ["direccion"], CAL, now=at(2))
    with pytest.raises(InvalidTransition), db_session.begin():
        sai.declare_desistida(db_session, case, OFFICER, now=at(9))


def test_completed_subsanacion_restarts_the_twenty_days(db_session: Session) -> None:
    case = in_analysis(db_session)
    with db_session.begin():
        sai.request_subsanacion(db_session, case, OFFICER, ["identificacion"], CAL, now=at(2))
        sai.complete_subsanacion(db_session, case, OFFICER, CAL, now=at(9))
    assert case.status == "en_analisis"
    # Day 1 is 10-03; Good Friday 03-04 is skipped: day 20 is Tuesday 07-04.
    assert case.due_date == date(2026, 4, 7)


def test_subsanacion_after_its_term_is_refused(db_session: Session) -> None:
    case = in_analysis(db_session)
    with db_session.begin():
        sai.request_subsanacion(db_session, case, OFFICER, ["identificacion"], CAL, now=at(2))
    with pytest.raises(InvalidTransition), db_session.begin():
        sai.complete_subsanacion(db_session, case, OFFICER, CAL, now=at(10))


def test_derivation_to_another_body_needs_the_body_and_reasons(db_session: Session) -> None:
    case = in_analysis(db_session)
    with pytest.raises(InvalidField) as error, db_session.begin():
        sai.derive_to_body(db_session, case, OFFICER, "", "")
    assert set(error.value.fields) == {"body", "reasons"}
    with db_session.begin():
        sai.derive_to_body(
            db_session,
            case,
            OFFICER,
            "Servicio de Vivienda y Urbanización de Ñuble",
            "Los subsidios habitacionales los otorga el SERVIU.",
        )
    assert case.status == "derivada"
    assert case.details["derivacion"]["body"].startswith("Servicio de Vivienda")


def test_sai_extension_must_be_notified_before_expiry(db_session: Session) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidTransition) as error, db_session.begin():
        sai.extend_term(db_session, case, OFFICER, "Volumen de documentos en bodega", CAL, at(31))
    assert "venció el 30-03-2026" in error.value.message
    assert case.status == "asignada"


def test_sai_extension_on_the_due_day_adds_ten_business_days(db_session: Session) -> None:
    case = assigned(db_session)
    with db_session.begin():
        sai.extend_term(
            db_session, case, OFFICER, "Los contratos están en la bodega municipal", CAL, at(30)
        )
    assert case.status == "prorrogada"
    assert case.extended
    # 31-03, 01-04, 02-04, (Good Friday), 06..10-04, 13-04, 14-04.
    assert case.due_date == date(2026, 4, 14)
    assert sai.case_deadline(case, CAL).due == date(2026, 4, 14)


def test_sai_extension_requires_reasons_and_happens_once(db_session: Session) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidField), db_session.begin():
        sai.extend_term(db_session, case, OFFICER, "  ", CAL, at(10))
    with db_session.begin():
        sai.extend_term(
            db_session, case, OFFICER, "Documentos dispersos en tres unidades", CAL, at(10)
        )
        transition(db_session, case, "notificar_tercero", OFFICER, now=at(11))
    assert case.status == "tercero_notificado"  # the workflow allows prorrogar again here
    with pytest.raises(InvalidTransition) as error, db_session.begin():
        sai.extend_term(db_session, case, OFFICER, "Otra vez necesitamos más tiempo", CAL, at(12))
    assert "ya fue prorrogado" in error.value.message


def test_third_parties_are_told_within_two_days_and_oppose_within_three(
    db_session: Session,
) -> None:
    case = assigned(db_session)
    with db_session.begin():
        event = sai.notify_third_parties(
            db_session,
            case,
            OFFICER,
            [sai.Party("Recolectora del Sur SpA", "contacto@recolectora.example.cl")],
            CAL,
            now=at(4),
        )
        party = db_session.scalars(select(ThirdParty)).one()
    assert case.status == "tercero_notificado"
    assert party.notice_due == date(2026, 3, 4)
    assert party.opposition_due == date(2026, 3, 9)
    assert event.data["late"] is False
    with db_session.begin():
        sai.record_third_party_answer(
            db_session, case, OFFICER, party.id, True, date(2026, 3, 9), now=at(10)
        )
    assert party.opposed is True
    with db_session.begin():
        sai.deny(
            db_session,
            case,
            OFFICER,
            "20_oposicion",
            "El tercero se opuso dentro de plazo a la entrega de sus datos comerciales.",
        )
    assert case.status == "denegada"


def test_late_third_party_notice_is_flagged(db_session: Session) -> None:
    case = assigned(db_session)
    with db_session.begin():
        event = sai.notify_third_parties(
            db_session, case, OFFICER, [sai.Party("Empresa X", "Calle 1, Chillán")], CAL, at(5)
        )
    assert event.data["late"] is True


def test_late_opposition_counts_as_consent(db_session: Session) -> None:
    case = assigned(db_session)
    with db_session.begin():
        sai.notify_third_parties(
            db_session, case, OFFICER, [sai.Party("Empresa X", "x@example.cl")], CAL, at(4)
        )
        party = db_session.scalars(select(ThirdParty)).one()
    with db_session.begin():
        sai.record_third_party_answer(
            db_session, case, OFFICER, party.id, True, date(2026, 3, 10), now=at(11)
        )
    assert party.opposed is False
    with pytest.raises(InvalidField), db_session.begin():
        sai.deny(db_session, case, OFFICER, "20_oposicion", "El tercero se opuso a la entrega.")


def test_denial_needs_an_art21_cause_and_reasons(db_session: Session) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidField) as error, db_session.begin():
        sai.deny(db_session, case, OFFICER, "no_me_parece", "Fundamento extenso suficiente")
    assert "cause" in error.value.fields
    with pytest.raises(InvalidField) as error, db_session.begin():
        sai.deny(db_session, case, OFFICER, "21_1_c", "")
    assert "reasons" in error.value.fields
    with db_session.begin():
        event = sai.deny(
            db_session,
            case,
            OFFICER,
            "21_1_c",
            "Se piden todos los permisos de edificación desde 1990: 40.000 expedientes.",
        )
    assert case.status == "denegada"
    assert event.data == {"cause": "21_1_c"}


def test_delivery_stores_attachments_with_their_hash(db_session: Session, tmp_path: Path) -> None:
    case = assigned(db_session)
    pdf = Upload("contrato.pdf", "application/pdf", b"%PDF-1.4 contrato")
    with db_session.begin():
        sai.deliver(db_session, case, OFFICER, "Adjuntamos el contrato.", [pdf], tmp_path)
    assert case.status == "entregada"
    attachment = case.attachments[0]
    assert attachment.source == "staff"
    assert storage_path(tmp_path, attachment.storage_key).read_bytes() == pdf.data


def test_partial_delivery_names_the_cause_of_what_is_withheld(
    db_session: Session, tmp_path: Path
) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidField) as error, db_session.begin():
        sai.deliver_partial(db_session, case, OFFICER, "Adjuntamos", "", "", [], tmp_path)
    assert set(error.value.fields) == {"cause", "reasons"}
    with db_session.begin():
        sai.deliver_partial(
            db_session,
            case,
            OFFICER,
            "Adjuntamos el contrato con los RUT de trabajadores tarjados.",
            "21_2",
            "Los RUT y remuneraciones de trabajadores son datos personales.",
            [Upload("contrato.pdf", "application/pdf", b"%PDF-1.4 tarjado")],
            tmp_path,
        )
    assert case.status == "parcial"


def test_active_transparency_referral_needs_the_exact_link(db_session: Session) -> None:
    case = assigned(db_session)
    for bad in ("", "portaltransparencia.cl/x", "https://www.portaltransparencia.cl/"):
        with pytest.raises(InvalidField), db_session.begin():
            sai.refer_to_active_transparency(db_session, case, OFFICER, bad)
    link = "https://www.portaltransparencia.cl/PortalPdT/pdtta/-/ta/MU224/CS/CS"
    with db_session.begin():
        sai.refer_to_active_transparency(db_session, case, OFFICER, link)
    assert case.status == "remitida_ta"
    assert case.details["transparencia_activa_link"] == link


def test_delivery_after_payment_only(db_session: Session, tmp_path: Path) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidField), db_session.begin():
        sai.request_payment(db_session, case, OFFICER, 0, "")
    with db_session.begin():
        sai.request_payment(db_session, case, OFFICER, 6000, "120 fotocopias a $50")
    assert case.status == "pendiente_pago"
    with pytest.raises(InvalidTransition), db_session.begin():
        sai.deliver(db_session, case, OFFICER, "Copias listas", [], tmp_path)
    with db_session.begin():
        sai.record_payment(db_session, case, OFFICER, date(2026, 3, 12), now=at(12))
        sai.deliver(db_session, case, OFFICER, "Copias listas para retiro", [], tmp_path, at(12))
    assert case.status == "entregada"


def test_nonexistent_information_needs_the_search_explained(db_session: Session) -> None:
    case = assigned(db_session)
    with pytest.raises(InvalidField), db_session.begin():
        sai.declare_nonexistent(db_session, case, OFFICER, "no hay")
    with db_session.begin():
        sai.declare_nonexistent(
            db_session, case, OFFICER, "Se revisaron los archivos de DIMAO y la Oficina de Partes."
        )
    assert case.status == "inexistente"


def test_amparo_is_tracked_with_dated_steps_and_descargos_term(db_session: Session) -> None:
    case = assigned(db_session)
    with db_session.begin():
        sai.deny(db_session, case, OFFICER, "21_2", "Contiene datos personales de funcionarios.")
        filed = amparo.register_amparo(
            db_session, case, OFFICER, "C1234-26", date(2026, 3, 20), now=at(23)
        )
    assert case.status == "amparo"
    with db_session.begin():
        traslado = amparo.add_step(
            db_session, case, filed, OFFICER, "traslado", date(2026, 3, 23), CAL, now=at(24)
        )
    # Ten business days from Monday 23-03: 24..27, 30, 31, 01-04, 02-04, 06-04, 07-04.
    assert traslado.due == date(2026, 4, 7)
    with db_session.begin():
        amparo.add_step(
            db_session, case, filed, OFFICER, "descargos", date(2026, 4, 8), CAL, now=at(8, 4)
        )
    assert amparo.descargos_late(filed)
    with pytest.raises(InvalidField), db_session.begin():
        amparo.add_step(
            db_session, case, filed, OFFICER, "decision", date(2026, 4, 9), CAL, now=at(9, 4)
        )
    with db_session.begin():
        amparo.add_step(
            db_session,
            case,
            filed,
            OFFICER,
            "decision",
            date(2026, 4, 9),
            CAL,
            outcome="rechaza",
            now=at(9, 4),
        )
    assert (filed.stage, filed.outcome) == ("decision", "rechaza")
    kinds = [
        e.kind for e in db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))
    ]
    assert kinds.count("amparo_etapa") == 3


def test_amparo_step_dates_cannot_precede_filing(db_session: Session) -> None:
    case = assigned(db_session)
    with db_session.begin():
        sai.declare_nonexistent(db_session, case, OFFICER, "Se revisó todo el archivo municipal.")
        filed = amparo.register_amparo(
            db_session, case, OFFICER, "C9-26", date(2026, 3, 20), now=at(23)
        )
    with pytest.raises(InvalidField), db_session.begin():
        amparo.add_step(
            db_session, case, filed, OFFICER, "admisible", date(2026, 3, 19), CAL, now=at(23)
        )


def test_sai_steps_refuse_other_case_types(db_session: Session) -> None:
    with db_session.begin():
        case, _ = file_case(
            db_session,
            NewCase(type="consulta", channel="web", description="¿A qué hora abre la OIRS?"),
            CAL,
            now=FILED,
        )
    with pytest.raises(InvalidTransition), db_session.begin():
        sai.deny(db_session, case, OFFICER, "21_2", "Motivo suficientemente largo aquí.")
