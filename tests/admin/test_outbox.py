"""Outbox delivery: staff messages reach the resident's channel once, survive provider
outages with backoff, and fall back to e-mail visibly when the channel keeps failing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.senders import Sender
from admin.senders.dispatch import deliver_due
from admin.senders.email import EmailSender
from admin.senders.telegram import TelegramSender
from admin.senders.whatsapp import TwilioWhatsAppSender
from admin.senders.widget import WidgetSender
from oirs.models import Case, CaseEvent, OutboxMessage, utcnow
from oirs.outbox.delivery import MAX_ATTEMPTS, claim_due, pending_for_widget
from oirs.settings import Settings
from tests.channels import providers

SID, TOKEN, TG_TOKEN = "AC" + "ab" * 16, "auth-token", "42:TEST"
TEMPLATE = "HX" + "0" * 32
BODY = "Estimada vecina: ¡su reclamo fue resuelto! ¿Quedó conforme? Ñuñoa"


@pytest.fixture(scope="module")
def fake() -> Iterator[providers.Providers]:
    state = providers.Providers(SID, TOKEN, TG_TOKEN, "unused")
    server = providers.start(state)
    yield state
    server.shutdown()


@pytest.fixture
def provider(fake: providers.Providers) -> providers.Providers:
    fake.clear()
    return fake


@pytest.fixture
def senders(provider: providers.Providers, app_settings: Settings) -> dict[str, Sender]:
    return {
        "whatsapp": TwilioWhatsAppSender(SID, TOKEN, "+14155238886", TEMPLATE, provider.base_url),
        "telegram": TelegramSender(TG_TOKEN, provider.base_url),
        "web": WidgetSender(),
        "email": EmailSender(app_settings),
    }


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def file_case(client: FlaskClient, auth: dict[str, str], channel: str, user_id: str) -> str:
    body = {
        "type": "reclamo",
        "channel": channel,
        "description": "Luminaria apagada",
        "category": "alumbrado",
        "address": "Los Aromos 123",
        "channel_user_id": user_id,
        "contact": {"name": "Ana Pérez", "email": "ana@example.cl", "phone": "+56 9 8765 4321"},
    }
    response = client.post("/api/v1/cases", json=body, headers=auth)
    assert response.status_code == 201
    return str(response.json["folio"])


def queue(
    sessions: sessionmaker[Session], folio: str, channel: str, recipient: str, key: str
) -> int:
    with sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.folio == folio)).one()
        message = OutboxMessage(
            case_id=case.id,
            channel=channel,
            recipient=recipient,
            body=BODY,
            payload={"kind": "respuesta", "folio": folio},
            idempotency_key=key,
        )
        session.add(message)
        session.flush()
        return message.id


def outbox_row(sessions: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with sessions.begin() as session:
        return session.get_one(OutboxMessage, message_id)


def test_whatsapp_reply_inside_the_24h_window_is_free_text(
    client, auth, sessions, senders, provider
) -> None:
    folio = file_case(client, auth, "whatsapp", "whatsapp:+56987654321")
    message_id = queue(sessions, folio, "whatsapp", "+56 9 8765 4321", "r1")
    result = deliver_due(sessions, senders, Clock())
    assert result.sent == 1
    [call] = provider.matching("/Messages.json")
    assert call.form == {
        "From": "whatsapp:+14155238886",
        "To": "whatsapp:+56987654321",
        "Body": BODY,
    }
    row = outbox_row(sessions, message_id)
    assert row.status == "sent"
    assert row.provider_message_id.startswith("SM")


def test_whatsapp_reply_after_the_window_uses_the_approved_template(
    client, auth, sessions, senders, provider
) -> None:
    folio = file_case(client, auth, "whatsapp", "whatsapp:+56987654321")
    queue(sessions, folio, "whatsapp", "whatsapp:+56987654321", "r2")
    clock = Clock()
    clock.advance(days=3)
    assert deliver_due(sessions, senders, clock).sent == 1
    [call] = provider.matching("/Messages.json")
    assert "Body" not in call.form
    assert call.form["ContentSid"] == TEMPLATE
    assert json.loads(call.form["ContentVariables"]) == {"1": folio, "2": BODY}


def test_provider_outage_is_retried_with_backoff_and_delivered_once(
    client, auth, sessions, senders, provider
) -> None:
    folio = file_case(client, auth, "telegram", "987654321")
    message_id = queue(sessions, folio, "telegram", "987654321", "r3")
    provider.fail_next["/sendMessage"] = 2
    clock = Clock()
    assert deliver_due(sessions, senders, clock).retried == 1
    assert deliver_due(sessions, senders, clock).retried == 0  # not due yet: backoff
    clock.advance(minutes=1)
    assert deliver_due(sessions, senders, clock).retried == 1
    clock.advance(minutes=1)
    assert deliver_due(sessions, senders, clock).sent == 0  # second backoff is 2 minutes
    clock.advance(minutes=1)
    assert deliver_due(sessions, senders, clock).sent == 1
    calls = provider.matching("/sendMessage")
    assert len(calls) == 3
    assert calls[-1].json == {"chat_id": "987654321", "text": BODY}
    row = outbox_row(sessions, message_id)
    assert (row.status, row.attempts) == ("sent", 3)


def test_final_failure_shows_on_the_case_and_falls_back_to_email(
    client, auth, sessions, senders, provider, app_settings
) -> None:
    folio = file_case(client, auth, "whatsapp", "whatsapp:+56987654321")
    message_id = queue(sessions, folio, "whatsapp", "whatsapp:+56987654321", "r4")
    provider.fail_next["/Messages.json"] = MAX_ATTEMPTS
    clock = Clock()
    for _ in range(MAX_ATTEMPTS):
        deliver_due(sessions, senders, clock)
        clock.advance(hours=7)
    assert outbox_row(sessions, message_id).status == "failed"
    with sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.folio == folio)).one()
        kinds = [
            e.kind for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))
        ]
        fallback = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "r4:email")
        ).one()
    assert "entrega_fallida" in kinds
    assert (fallback.channel, fallback.recipient) == ("email", "ana@example.cl")
    assert deliver_due(sessions, senders, clock).sent == 1
    mails = list((app_settings.data_dir / "mail").glob("*.eml"))
    assert any(folio in m.read_text() for m in mails)


def test_channel_without_configuration_fails_at_once_to_email(
    client, auth, sessions, senders, provider
) -> None:
    folio = file_case(client, auth, "telegram", "555")
    message_id = queue(sessions, folio, "telegram", "555", "r5")
    del senders["telegram"]
    result = deliver_due(sessions, senders, Clock())
    assert result.failed == 1
    row = outbox_row(sessions, message_id)
    assert row.status == "failed"
    assert "not configured" in row.last_error


def test_widget_messages_wait_until_the_resident_comes_back(
    client, auth, sessions, senders, provider
) -> None:
    folio = file_case(client, auth, "web", "web-3f2a")
    message_id = queue(sessions, folio, "web", "web-3f2a", "r6")
    assert deliver_due(sessions, senders, Clock()).sent == 1
    with sessions.begin() as session:
        waiting = pending_for_widget(session, "web-3f2a")
        assert [m.id for m in waiting] == [message_id]
        assert pending_for_widget(session, "web-3f2a", after_id=message_id) == []
        assert pending_for_widget(session, "web-otra") == []


def test_a_worker_that_dies_mid_send_releases_the_message_after_its_lease(
    client, auth, sessions, provider
) -> None:
    folio = file_case(client, auth, "telegram", "777")
    queue(sessions, folio, "telegram", "777", "r7")
    now = utcnow()
    with sessions.begin() as session:
        assert len(claim_due(session, now)) == 1
    with sessions.begin() as session:
        assert claim_due(session, now + timedelta(minutes=1)) == []
    with sessions.begin() as session:
        [again] = claim_due(session, now + timedelta(minutes=6))
    assert again.attempt == 2


def test_concurrent_workers_never_claim_the_same_message(
    client, auth, sessions, engine, provider
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's; SQLite serialises writers")
    folio = file_case(client, auth, "telegram", "888")
    for key in ("c1", "c2"):
        queue(sessions, folio, "telegram", "888", key)
    first, second = sessions(), sessions()
    try:
        first.begin()
        mine = claim_due(first, limit=1)
        second.begin()
        theirs = claim_due(second, limit=5)  # must not wait for, nor take, the locked row
        assert len(mine) == len(theirs) == 1
        assert mine[0].id != theirs[0].id
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()


def signed_status(app, monkeypatch, form: dict[str, str], token: str = TOKEN):
    """Post a Twilio status callback signed the way Twilio signs it."""
    from dataclasses import replace

    from admin.twilio_status import twilio_signature

    settings = replace(app.extensions["oirs_settings"], twilio_auth_token=TOKEN)
    monkeypatch.setitem(app.extensions, "oirs_settings", settings)
    url = settings.public_url + "/api/twilio/status"
    signature = twilio_signature(url, {k: [v] for k, v in form.items()}, token)
    return app.test_client().post(
        "/api/twilio/status", data=form, headers={"X-Twilio-Signature": signature}
    )


def status_form(sid: str, status: str, error: str) -> dict[str, str]:
    return {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "ChannelToAddress": "+56987654321",
        "To": "whatsapp:+56987654321",
        "ChannelPrefix": "whatsapp",
        "MessageSid": sid,
        "AccountSid": SID,
        "ErrorCode": error,
        "From": "whatsapp:+14155238886",
        "ApiVersion": "2010-04-01",
        "ChannelInstallSid": "XE" + "0" * 32,
    }


def test_window_closed_report_resends_through_the_template_then_failure_is_final(
    app, client, auth, sessions, senders, provider, monkeypatch
) -> None:
    folio = file_case(client, auth, "whatsapp", "whatsapp:+56987654321")
    message_id = queue(sessions, folio, "whatsapp", "whatsapp:+56987654321", "r8")
    clock = Clock()
    deliver_due(sessions, senders, clock)
    sid = outbox_row(sessions, message_id).provider_message_id
    assert (
        signed_status(app, monkeypatch, status_form(sid, "undelivered", "63016")).status_code == 204
    )
    assert outbox_row(sessions, message_id).status == "pending"
    clock.advance(seconds=5)  # the report arrived after the first send
    assert deliver_due(sessions, senders, clock).sent == 1
    resent = provider.matching("/Messages.json")[-1].form
    assert resent["ContentSid"] == TEMPLATE and "Body" not in resent
    sid = outbox_row(sessions, message_id).provider_message_id
    assert signed_status(app, monkeypatch, status_form(sid, "failed", "63003")).status_code == 204
    assert outbox_row(sessions, message_id).status == "failed"
    with sessions.begin() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    assert "r8:email" in keys


def test_forged_status_reports_are_refused(app, client, auth, sessions, monkeypatch) -> None:
    form = status_form("SM" + "1" * 32, "failed", "30008")
    assert signed_status(app, monkeypatch, form, token="forged").status_code == 403
