"""Anonymising a case filed through the bot leaves none of the resident's values anywhere.

A resident files a reclamo on WhatsApp (through the real channel into the session stack) with
their name, phone, e-mail and RUT and a photo; staff answer it, so an outbox message carries
their name to their number. `oirs anonymise --folio` then runs as staff would run it, and every
table of the admin database (each text and JSON column the models declare), every table of
Rasa's tracker store and every file of the uploads folder is searched for the name, the phone,
the e-mail and the RUT, in the formats people write them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from oirs.db import make_engine, make_session_factory
from oirs.models import Attachment, Case, OutboxMessage
from tests.e2e.faults import FOLIO, FakeTwilio
from tests.e2e.resident_channels import WhatsAppPhone
from tests.e2e.stack import APP_BIN, Stack, outbox_once
from tests.e2e.test_channels import STAFF_EMAIL, STAFF_PASSWORD, StaffBrowser, jpeg
from tests.support.privacy_search import (
    Resident,
    admin_database_leaks,
    file_leaks,
    tracker_leaks,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RESIDENT = Resident(
    name="Rigoberta Quispe Manríquez",
    phone_national="964132087",
    email="rigoberta.quispe@example.cl",
    rut_body="15872349",
)
NUMBER = "+56964132087"
RECLAMO = (
    "hace dos semanas que no pasa el camión de la basura por Pasaje Las Violetas 4512, "
    "soy Rigoberta Quispe Manríquez, mi rut es 15.872.349-2"
)
ANSWER = "Estimada Rigoberta Quispe Manríquez: el camión retomó su recorrido por Las Violetas."
SUMMARY = re.compile(r"(?i)¿está todo correcto\?|revisemos su reclamo")
JOIN_OFFER = re.compile(r"(?i)adherir")
ANSWERS = (
    (r"(?i)tema", "aseo y basura"),
    (r"(?i)correo|contactamos|tel[eé]fono", f"{RESIDENT.email}, o al 9 6413 2087"),
    (r"(?i)nombre", RESIDENT.name),
    (r"(?i)direcci[oó]n|d[oó]nde ocurre|lugar", "Pasaje Las Violetas 4512"),
    (r"(?i)qu[eé] pas[oó]|cu[aá]l es el problema", RECLAMO),
    (r"(?i)\bRUT\b", "15.872.349-2"),
)


def _answer(question: str) -> str | None:
    return next((text for pattern, text in ANSWERS if re.search(pattern, question)), None)


def file_through_whatsapp(phone: WhatsAppPhone, photo: bytes) -> str:
    """Greet, tell the reclamo, send the photo, answer until the read-back, confirm."""
    replies = [phone.post("hola"), phone.post(RECLAMO)]
    reply, photo_sent, pending = replies[-1], False, None
    for _ in range(12):
        folio = FOLIO.search(reply)
        if folio and not JOIN_OFFER.search(reply):
            return folio.group(0)
        if not SUMMARY.search(reply):
            pending = _answer(reply) or pending
        if not photo_sent:
            reply, photo_sent = phone.photo(photo), True
        elif JOIN_OFFER.search(reply):
            reply = phone.post("no, quiero ingresar uno nuevo")
        elif SUMMARY.search(reply):
            reply = phone.post("1")
        else:
            assert pending, f"the bot asked nothing the form asks: {reply!r}"
            reply = phone.post(pending)
        replies.append(reply)
    raise AssertionError("no folio after 12 turns:\n" + "\n---\n".join(replies))


def _staff(stack: Stack) -> StaffBrowser:
    """The channel tests' staff member (created here unless those tests already did)."""
    subprocess.run(
        [
            str(APP_BIN / "oirs"),
            "create-user",
            *("--email", STAFF_EMAIL, "--name", "Paula Canales", "--role", "oirs"),
            *("--password", STAFF_PASSWORD),
        ],
        env=stack.env,
        check=False,
        capture_output=True,
    )
    return StaffBrowser(stack)


def _what_the_case_holds(stack: Stack, folio: str) -> tuple[int, int, list[str]]:
    """(attachments, outbox messages, recipients) of the case in the admin database."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.folio == folio)).one()
            attachments = session.scalars(
                select(Attachment).where(Attachment.case_id == case.id)
            ).all()
            messages = session.scalars(
                select(OutboxMessage).where(OutboxMessage.case_id == case.id)
            ).all()
            return len(attachments), len(messages), [m.recipient for m in messages]
    finally:
        engine.dispose()


def test_anonymising_a_case_filed_through_the_bot_leaves_no_value_anywhere(
    stack: Stack, twilio_standin: FakeTwilio
) -> None:
    phone = WhatsAppPhone(stack, twilio_standin, NUMBER, profile_name=RESIDENT.name)
    photo = jpeg(f"foto de {RESIDENT.name} {NUMBER}")
    folio = file_through_whatsapp(phone, photo)
    staff = _staff(stack)
    staff.answer(folio, ANSWER)
    outbox_once(stack)

    engine = make_engine(stack.env["DATABASE_URL"])
    uploads = Path(stack.env["OIRS_DATA_DIR"]) / "attachments"
    tracker = stack.env["RASA_TRACKER_URL"]
    try:
        # before: the search finds what the resident gave, where the system keeps it
        attachments, messages, recipients = _what_the_case_holds(stack, folio)
        assert attachments >= 1 and messages >= 1, (attachments, messages)
        assert f"whatsapp:{NUMBER}" in recipients
        before = admin_database_leaks(engine, RESIDENT)
        for what in ("name", "phone", "e-mail", "RUT"):
            assert any(found.endswith(f": {what}") for found in before), (what, before)
        assert tracker_leaks(tracker, RESIDENT)
        assert file_leaks(uploads, RESIDENT, marker=photo)

        done = subprocess.run(
            [str(APP_BIN / "oirs"), "anonymise", "--folio", folio],
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().splitlines()[-1] == "reached=files,tracker failed="

        assert admin_database_leaks(engine, RESIDENT) == []
        assert tracker_leaks(tracker, RESIDENT) == []
        assert file_leaks(uploads, RESIDENT, marker=photo) == []
        assert _what_the_case_holds(stack, folio)[:2] == (0, messages)
    finally:
        engine.dispose()
