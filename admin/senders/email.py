"""E-mail through admin.mail: SMTP when OIRS_SMTP_URL is set, else .eml files in var/mail."""

from __future__ import annotations

import smtplib
from datetime import datetime

from admin.mail import MailAttachment, send_mail
from admin.senders import DeliveryError
from oirs.files.filestore import storage_path
from oirs.outbox.delivery import Delivery
from oirs.settings import Settings

SUBJECT = "Municipalidad: respuesta a su caso {folio}"
SUBJECT_NO_FOLIO = "Municipalidad: mensaje de la OIRS"


class EmailSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, delivery: Delivery, now: datetime) -> str:
        subject = delivery.payload.get("subject") or (
            SUBJECT.format(folio=delivery.folio) if delivery.folio else SUBJECT_NO_FOLIO
        )
        try:
            files = [
                MailAttachment(
                    f.filename,
                    f.content_type,
                    storage_path(self.settings.data_dir, f.storage_key).read_bytes(),
                )
                for f in delivery.files
            ]
            return send_mail(
                self.settings, [delivery.recipient], str(subject), delivery.body, files
            )
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"smtp: {type(exc).__name__}: {exc}") from exc
