"""Anonymising a case reaches everything held about the resident for it: case fields, events,
transcripts (the bot's read-backs too), attachments and their files, outbox messages, handoffs,
notes, theme examples, and the conversation in Rasa's tracker store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import (
    Actor,
    ContactData,
    NewCase,
    add_event,
    file_case,
    get_case,
    transition,
)
from oirs.files.attachments import AttachmentStore, add_attachment
from oirs.handoffs.rasa_tracker import RasaTrackerStore
from oirs.models import (
    Attachment,
    Case,
    Category,
    Handoff,
    InternalNote,
    OutboxMessage,
    ThemeTrainingExample,
)
from oirs.privacy.rights import (
    ANONYMISED,
    Scrubber,
    anonymise_case,
    anonymise_expired,
    complete_anonymisation,
    pending_anonymisations,
)
from tests.support.privacy_search import Resident, admin_database_leaks, file_leaks

CAL = BusinessCalendar()
STAFF = Actor("Marta OIRS", user_id=None, role="oirs")
RESIDENT = Resident(
    name="Rigoberta Quispe Manríquez",
    phone_national="964132087",
    email="rigoberta.quispe@example.cl",
    rut_body="15872349",
)
SENDER = "whatsapp:+56964132087"
READ_BACK = (
    "Revisemos: Rigoberta Quispe Manríquez, teléfono +56 9 6413 2087, "
    "correo rigoberta.quispe@example.cl, RUT 15.872.349-2. ¿Está correcto?"
)
PHOTO = b"\x89PNG\r\n\x1a\n" + b"foto de la vereda de Rigoberta" * 4


def _file(
    session: Session, when: datetime, address: str = "Pasaje Las Violetas 4512, Villa Los Aromos"
) -> Case:
    data = NewCase(
        type="reclamo",
        channel="whatsapp",
        description="Soy Rigoberta Quispe, la vereda frente a Las Violetas 4512 está rota; "
        "mi fono 9 6413 2087",
        category="aseo",
        address=address,
        latitude=-33.4372481,
        longitude=-70.6506123,
        contact=ContactData(
            name="Rigoberta Quispe Manríquez",
            email="Rigoberta.Quispe@example.cl",
            phone="964132087",
            rut="15.872.349-2",
        ),
        channel_user_id=SENDER,
        conversation_id=SENDER,
        transcript=[
            {"sender": "resident", "text": "me llamo rigoberta quispe, rut 15872349-2"},
            {"sender": "bot", "text": READ_BACK},
            {"sender": "resident", "text": "sí"},
            {"sender": "bot", "text": "Listo, Rigoberta. Le escribiremos al 964132087."},
        ],
    )
    case, _ = file_case(session, data, CAL, now=when)
    return case


def _tracker(path: Path) -> str:
    """A tracker store as Rasa's SQLTrackerStore lays it out, with this and another sender."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
        rows = [
            (SENDER, "user", '{"text": "soy Rigoberta Quispe, rut 15.872.349-2"}'),
            (SENDER, "bot", '{"text": "' + READ_BACK + '"}'),
            (SENDER, "slot", '{"name": "telefono", "value": "+56964132087"}'),
            ("web-otra-persona", "user", '{"text": "hola"}'),
        ]
        conn.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 1.0, ?)",
            rows,
        )
    return f"sqlite:///{path}"


def _tracker_senders(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT sender_id FROM events")]


@pytest.fixture
def filed(db_session: Session, tmp_path: Path) -> Case:
    """A WhatsApp reclamo with everything the system keeps around a case."""
    store = AttachmentStore(tmp_path / "attachments")
    with db_session.begin():
        case = _file(db_session, datetime(2026, 3, 4, 15, tzinfo=UTC))
        stored = store.put(PHOTO, "image/png", "rigoberta_quispe_vereda.png")
        add_attachment(db_session, case, stored)
        db_session.add_all(
            [
                OutboxMessage(
                    case_id=case.id,
                    channel="whatsapp",
                    recipient=SENDER,
                    body="Estimada Rigoberta Quispe Manríquez: su reclamo fue derivado.",
                    payload={"to": SENDER, "subject": "Reclamo de Rigoberta Quispe"},
                    idempotency_key=f"respuesta:{case.folio}",
                    status="failed",
                    last_error="Twilio 21211: invalid 'To' whatsapp:+56964132087",
                ),
                Handoff(
                    channel="whatsapp",
                    channel_user_id=SENDER,
                    conversation_id=SENDER,
                    status="returned",
                    transcript=[
                        {"sender": "resident", "text": "quiero hablar con alguien"},
                        {"sender": "agent", "text": "Hola Rigoberta, ¿su RUT 15.872.349-2?"},
                    ],
                    slots={"nombre": "Rigoberta Quispe Manríquez", "telefono": "+56964132087"},
                    case_id=case.id,
                ),
                InternalNote(
                    case_id=case.id,
                    author_label="Marta OIRS",
                    body="Llamé al +56 9 6413 2087; la Sra. Quispe pide copia a "
                    "rigoberta.quispe@example.cl",
                ),
                ThemeTrainingExample(
                    text="Soy Rigoberta Quispe, la vereda frente a Las Violetas 4512 está rota",
                    category=db_session.scalar(select(Category).where(Category.code == "aseo")),
                    case_id=case.id,
                    created_by_label="Marta OIRS",
                ),
            ]
        )
        add_event(case, STAFF, "nota", "Contactada Rigoberta al 964132087", data={"to": SENDER})
    return case


def test_anonymised_transcript_keeps_no_bot_read_back_of_the_resident(
    db_session: Session,
) -> None:
    with db_session.begin():
        case = _file(db_session, datetime(2019, 3, 4, 15, tzinfo=UTC))
        for action in ("clasificar", "derivar", "responder_unidad", "validar", "responder"):
            transition(db_session, case, action, STAFF)
    with db_session.begin():
        assert anonymise_expired(db_session, date(2026, 11, 25)) == [case.folio]
    with db_session.begin():
        case = get_case(db_session, case.folio)
        turns = "\n".join(turn["text"] for turn in case.transcript)
        assert RESIDENT.leaks(turns) == [], turns
        assert RESIDENT.leaks(case.description) == [], case.description
        assert case.transcript[0]["text"] == ANONYMISED


def test_anonymising_reaches_every_table_the_files_and_the_tracker_store(
    db_session: Session, clean_db: Engine, filed: Case, tmp_path: Path
) -> None:
    tracker = _tracker(tmp_path / "tracker.db")
    assert admin_database_leaks(clean_db, RESIDENT)  # the search itself sees them
    with db_session.begin():
        anonymise_case(db_session, filed, "Solicitud de supresión del titular")
    with db_session.begin():
        reach = complete_anonymisation(db_session, filed, tmp_path, RasaTrackerStore(tracker))
    assert reach.failed == ()
    assert set(reach.reached) == {"files", "tracker"}
    assert admin_database_leaks(clean_db, RESIDENT) == []
    assert file_leaks(tmp_path / "attachments", RESIDENT, marker=PHOTO) == []
    assert _tracker_senders(tmp_path / "tracker.db") == ["web-otra-persona"]
    with db_session.begin():
        case = get_case(db_session, filed.folio)
        # what statistics need stays: type, category, unit, dates, status, a coarse place
        assert (case.type, case.category.code, case.status) == ("reclamo", "aseo", "clasificado")
        assert case.address == "Pasaje Las Violetas, Villa Los Aromos"
        assert (case.latitude, case.longitude) == (-33.437, -70.651)
        assert (
            db_session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all() == []
        )
        assert [e.kind for e in case.events][-2:] == ["anonymised", "anonymisation_completed"]
        assert pending_anonymisations(db_session) == []


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("frente a la casa de doña Juanita 123", None),
        ("frente a la casa de doña Juanita 123, Los Aromos", "Los Aromos"),
        ("Los Aromos 1234, al lado de don Pedro Soto", "Los Aromos"),
        ("Pasaje Las Violetas 4512, depto 3", "Pasaje Las Violetas"),
        ("Calle 5 Oriente 1234, Talca", "Calle 5 Oriente, Talca"),
    ],
)
def test_an_anonymised_address_keeps_the_street_as_open311_shows_it_and_no_person(
    db_session: Session, address: str, kept: str | None
) -> None:
    """One rule for a coarse place (publication.coarse_address): the street without the
    house, and no part that names a person."""
    with db_session.begin():
        case = _file(db_session, datetime(2026, 3, 4, 15, tzinfo=UTC), address=address)
    with db_session.begin():
        anonymise_case(db_session, case, "Solicitud de supresión del titular")
    with db_session.begin():
        assert get_case(db_session, case.folio).address == kept


def test_a_file_another_case_also_holds_stays_on_disk(
    db_session: Session, filed: Case, tmp_path: Path
) -> None:
    store = AttachmentStore(tmp_path / "attachments")
    with db_session.begin():
        other = _file(db_session, datetime(2026, 3, 5, 15, tzinfo=UTC))
        add_attachment(db_session, other, store.put(PHOTO, "image/png", "vereda.png"))
    with db_session.begin():
        anonymise_case(db_session, filed, "Solicitud de supresión del titular")
    with db_session.begin():
        complete_anonymisation(db_session, filed, tmp_path, RasaTrackerStore("sqlite://"))
    with db_session.begin():
        kept = db_session.scalars(select(Attachment).where(Attachment.case_id == other.id)).one()
        assert store.read(kept.storage_key) == PHOTO


def test_an_unreachable_tracker_store_is_recorded_and_a_retry_finishes(
    db_session: Session, filed: Case, tmp_path: Path
) -> None:
    broken = RasaTrackerStore("postgresql://nadie@127.0.0.1:1/rasa")
    with db_session.begin():
        anonymise_case(db_session, filed, "Plazo de conservación cumplido")
    with db_session.begin():
        reach = complete_anonymisation(db_session, filed, tmp_path, broken)
    assert reach.failed == ("tracker",)
    with db_session.begin():
        case = get_case(db_session, filed.folio)
        event = case.events[-1]
        assert event.kind == "anonymisation_incomplete"
        assert event.data["failed"] == ["tracker"]
        assert "Reintentar anonimización" in (event.note or "")
        assert RESIDENT.leaks(f"{event.note} {event.data}") == []
        assert [c.folio for c in pending_anonymisations(db_session)] == [case.folio]
    tracker = _tracker(tmp_path / "tracker.db")
    with db_session.begin():
        reach = complete_anonymisation(db_session, filed, tmp_path, RasaTrackerStore(tracker))
    assert reach.reached == ("tracker",) and reach.failed == ()
    assert _tracker_senders(tmp_path / "tracker.db") == ["web-otra-persona"]
    with db_session.begin():
        assert pending_anonymisations(db_session) == []


@pytest.mark.parametrize(
    "written",
    [
        "9 6413 2087",
        "+56 9 6413 2087",
        "56964132087",
        "(9) 6413-2087",
        "96413.2087",
        "15.872.349-2",
        "15872349-2",
        "15872349 2",
        "15.872.349",
        "RIGOBERTA.QUISPE@EXAMPLE.CL",
        "rigoberta quispe manriquez",
        "Sra. QUISPE",
        "nueve seis cuatro uno tres dos cero ocho siete",
        "rigoberta punto quispe arroba example punto cl",
    ],
)
def test_the_scrubber_finds_a_value_however_it_was_written(
    db_session: Session, filed: Case, written: str
) -> None:
    scrubbed = Scrubber.for_case(db_session, filed).scrub(f"dato: {written}.")
    assert RESIDENT.leaks(scrubbed) == [], scrubbed


def test_the_scrubber_keeps_text_without_personal_values(db_session: Session, filed: Case) -> None:
    text = "Folio RC-2026-000001 derivado a DIMAO el 2026-03-05; plazo 10 días hábiles."
    assert Scrubber.for_case(db_session, filed).scrub(text) == text
