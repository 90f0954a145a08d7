"""Background jobs: deadline alerts sent once to the right people, digests, huey wiring."""

from __future__ import annotations

import email
import shutil
from datetime import UTC, datetime
from email.policy import default as default_policy
from pathlib import Path

import pytest
from flask import Flask
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.jobs import make_huey, register, run_alerts, run_digests
from oirs.accounts import create_user
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case, get_case, transition
from oirs.models import SentAlert, Unit
from oirs.sai.procedure import request_subsanacion
from oirs.settings import Settings

CAL = BusinessCalendar()
# Monday 02-03-2026; a reclamo's 15 business days: 50% on 12-03, 90% on 20-03, due 23-03.
FILED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "una clave bastante larga"


def noon(day: int) -> datetime:
    return datetime(2026, 3, day, 15, 0, tzinfo=UTC)


@pytest.fixture
def mailbox(app: Flask, clean_db: object, sessions: sessionmaker[Session]) -> Path:
    """Staff to alert, and an empty development mail folder."""
    folder = app.extensions["oirs_settings"].data_dir / "mail"
    shutil.rmtree(folder, ignore_errors=True)
    with sessions.begin() as session:
        create_user(session, "dimao@muni.cl", "Carla Soto", "unit", PASSWORD, "DIMAO")
        create_user(session, "oirs@muni.cl", "Paula Rojas", "oirs", PASSWORD, "OIRS")
        create_user(session, "admin.municipal@muni.cl", "Rosa Vera", "supervisor", PASSWORD)
        create_user(session, "transparencia@muni.cl", "Jorge Muñoz", "transparency", PASSWORD)
        session.scalars(select(Unit).where(Unit.code == "SECMU")).one().email = "secmu@muni.cl"
    return folder


def mails(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=default_policy)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


def file_reclamo(sessions: sessionmaker[Session], **changes: object) -> str:
    data = NewCase(
        type="reclamo",
        channel="web",
        description="Microbasural en la esquina",
        category="aseo",
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    with sessions.begin() as session:
        case, _ = file_case(session, data, CAL, now=FILED)
        return case.folio


def test_half_term_alert_goes_once_to_unit_and_oirs(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    folio = file_reclamo(sessions)
    with app.app_context():
        assert run_alerts(noon(11)) == 0
        assert run_alerts(noon(12)) == 1
        assert run_alerts(noon(12)) == 0
    (message,) = mails(mailbox)
    assert {a.addr_spec for a in message["To"].addresses} == {
        "dimao@muni.cl",
        "oirs@muni.cl",
    }
    assert folio in message["Subject"] and "50%" in message["Subject"]
    assert f"/casos/{folio}" in message.get_content()


def test_ninety_percent_escalates_to_the_supervisor(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    file_reclamo(sessions)
    with app.app_context():
        assert run_alerts(noon(20)) == 2
    subjects = {m["Subject"]: m["To"] for m in mails(mailbox)}
    escalation = next(s for s in subjects if s.startswith("Escalamiento"))
    assert str(subjects[escalation]) == "admin.municipal@muni.cl"
    with sessions.begin() as session:
        rows = {r.kind: r.notified for r in session.scalars(select(SentAlert))}
    assert rows == {
        "plazo_50": False,
        "plazo_75": False,
        "plazo_90": True,
        "escalamiento_90": True,
    }


def test_expiry_alert_sent_late_says_how_long_ago_the_case_expired(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    """Due 23-03; the job first runs on 30-03, five business days later: not «vence hoy»."""
    folio = file_reclamo(sessions)
    with app.app_context():
        assert run_alerts(noon(30)) == 2
    for message in mails(mailbox):
        assert message["Subject"].endswith(f"{folio} venció hace 5 días hábiles")
        assert "vence hoy" not in message.get_content()
        assert "venció hace 5 días hábiles" in message.get_content()


def test_expiry_alert_on_the_due_day_says_it_expires_today(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    folio = file_reclamo(sessions)
    with app.app_context():
        run_alerts(noon(20))
        assert run_alerts(noon(23)) == 2
    subjects = [m["Subject"] for m in mails(mailbox)]
    assert sum(s.endswith(f"{folio} vence hoy") for s in subjects) == 2


def test_lapsed_subsanacion_becomes_desistida_and_is_not_alerted(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    officer = Actor("Jorge Muñoz", role="transparency")
    folio = file_reclamo(
        sessions,
        type="sai",
        category=None,
        description="Contratos de aseo vigentes",
    )
    with sessions.begin() as session:
        case = get_case(session, folio)
        transition(session, case, "analizar", officer, now=FILED)
        request_subsanacion(session, case, officer, ["identificacion"], CAL, now=FILED)
    with app.app_context():
        assert run_alerts(noon(9)) == 0
        run_alerts(noon(10))
    with sessions.begin() as session:
        case = get_case(session, folio)
        assert case.status == "desistida"
        assert [a.filename for a in case.attachments] == [f"{folio}-desistida.pdf"]


def test_daily_digests_name_overdue_cases_per_unit_and_for_the_secretaria(
    app: Flask, mailbox: Path, sessions: sessionmaker[Session]
) -> None:
    folio = file_reclamo(sessions)
    with app.app_context():
        assert run_digests(noon(25)) == 2
    by_subject = {m["Subject"]: m for m in mails(mailbox)}
    unit = next(m for s, m in by_subject.items() if "Dirección de Medio Ambiente" in s)
    assert [a.addr_spec for a in unit["To"].addresses] == ["dimao@muni.cl"]
    assert f"{folio} (Reclamo, Clasificado): vencido hace 2 día(s) hábil(es)" in unit.get_content()
    secretaria = next(m for s, m in by_subject.items() if "Secretaría" in s)
    recipients = {a.addr_spec for a in secretaria["To"].addresses}
    assert recipients == {"secmu@muni.cl", "admin.municipal@muni.cl"}
    body = secretaria.get_content()
    assert "Dirección de Medio Ambiente, Aseo y Ornato: 1 / 0 / 1" in body
    assert f"{folio} (Reclamo), venció el 23-03-2026" in body


def test_huey_uses_sqlite_under_var_unless_redis_url_is_set(tmp_path: Path) -> None:
    local = make_huey(Settings(data_dir=tmp_path))
    assert isinstance(local, SqliteHuey)
    assert (tmp_path / "huey.db").exists()
    assert isinstance(
        make_huey(Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")), RedisHuey
    )


def test_alerts_run_every_half_hour_and_digests_once_a_day(app: Flask, tmp_path: Path) -> None:
    huey = make_huey(Settings(data_dir=tmp_path))
    register(huey, app)
    names = lambda moment: {t.name for t in huey.read_periodic(moment)}  # noqa: E731
    assert names(datetime(2026, 3, 2, 11, 0)) == {"oirs.calendar.alerts", "oirs.digests"}
    assert names(datetime(2026, 3, 2, 11, 30)) == {"oirs.calendar.alerts"}
    assert names(datetime(2026, 3, 2, 11, 10)) == set()


def test_smtp_url_sends_through_the_server_with_attachments(tmp_path: Path) -> None:
    import asyncore
    import smtpd
    import threading

    from admin.mail import MailAttachment, send_mail

    received: list[tuple[list[str], bytes]] = []

    class Catcher(smtpd.SMTPServer):
        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):  # type: ignore[no-untyped-def]
            received.append((rcpttos, data))

    server = Catcher(("127.0.0.1", 0), None, decode_data=False)
    port = server.socket.getsockname()[1]
    loop = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05, "count": 40})
    loop.start()
    try:
        where = send_mail(
            Settings(data_dir=tmp_path, smtp_url=f"smtp://127.0.0.1:{port}?starttls=0"),
            ["secmu@muni.cl"],
            "Resumen diario",
            "Cuerpo del resumen",
            [MailAttachment("carta.pdf", "application/pdf", b"%PDF-1.4 carta")],
        )
    finally:
        loop.join()
        server.close()
    assert where == "smtp"
    ((to, data),) = received
    assert to == ["secmu@muni.cl"]
    message = email.message_from_bytes(data, policy=default_policy)
    assert message["Subject"] == "Resumen diario"
    assert [p.get_filename() for p in message.iter_attachments()] == ["carta.pdf"]
    assert not (tmp_path / "mail").exists()
