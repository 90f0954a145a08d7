"""Outgoing staff e-mail: SMTP from OIRS_SMTP_URL, or .eml files under var/mail/ in development."""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from oirs.privacy.masking import mask_text
from oirs.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


HEADER_POLICY = default.clone(max_line_length=998)


def build_message(
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[MailAttachment] = (),
) -> EmailMessage:
    # Headers folded at 78 columns split a non-ASCII subject into encoded words, and CPython
    # drops the space between two of them («días hábiles» read «díashábiles»); 998 is the
    # line limit RFC 5322 actually sets, so subjects stay on one line.
    message = EmailMessage(policy=HEADER_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@oirs>"
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename
        )
    return message


def _smtp_send(url: str, message: EmailMessage) -> None:
    """smtp://user:pass@host:587 (STARTTLS unless ?starttls=0) or smtps://host:465."""
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    starttls = parse_qs(parsed.query).get("starttls", ["1"])[0] not in ("0", "false")
    context = ssl.create_default_context()
    if parsed.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parsed.port or 465, context=context)
    else:
        client = smtplib.SMTP(host, parsed.port or 25, timeout=30)
    with client:
        if parsed.scheme == "smtp" and starttls and client.has_extn("starttls"):
            client.starttls(context=context)
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(message)


def mail_dir(settings: Settings) -> Path:
    return settings.data_dir / "mail"


def send_mail(
    settings: Settings,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[MailAttachment] = (),
) -> str:
    """Send, or in development write the message to a file; returns where it went."""
    message = build_message(settings.mail_from, to, subject, body, attachments)
    if settings.smtp_url:
        _smtp_send(settings.smtp_url, message)
        where = "smtp"
    else:
        folder = mail_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        where = str(path)
    log.info("mail sent to=%s subject=%s via=%s", mask_text(", ".join(to)), subject, where)
    return where
