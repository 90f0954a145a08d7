"""A SAI letter queued for e-mail leaves with its PDF attached."""

from __future__ import annotations

import email
from email.message import Message

from sqlalchemy.orm import Session, sessionmaker

from admin.senders import build_senders
from admin.senders.dispatch import deliver_due
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, NewCase, file_case
from oirs.files.filestore import Upload, store
from oirs.models import OutboxMessage
from oirs.settings import Settings

PDF = b"%PDF-1.4\n% carta de prueba\n%%EOF\n"


def test_letter_pdf_goes_attached_to_the_email(
    sessions: sessionmaker[Session], clean_db: object, app_settings: Settings
) -> None:
    with sessions.begin() as session:
        case, _ = file_case(
            session,
            NewCase(
                type="sai",
                channel="web",
                description="Copia del contrato de aseo",
                contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
            ),
            BusinessCalendar(),
        )
        attachment = store(
            app_settings.data_dir, Upload("carta.pdf", "application/pdf", PDF), "staff"
        )
        case.attachments.append(attachment)
        session.flush()
        session.add(
            OutboxMessage(
                case_id=case.id,
                channel="email",
                recipient="ana@example.cl",
                body="Adjuntamos la respuesta a su solicitud.",
                payload={"attachment_id": attachment.id, "subject": "Respuesta"},
                idempotency_key="carta-test",
            )
        )
    deliver_due(sessions, build_senders(app_settings))
    files = sorted((app_settings.data_dir / "mail").glob("*.eml"))
    message: Message = email.message_from_bytes(files[-1].read_bytes())
    parts = [p for p in message.walk() if p.get_filename() == "carta.pdf"]
    assert parts and parts[0].get_payload(decode=True) == PDF
