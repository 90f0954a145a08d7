"""Faults during real traffic: the admin, its database, the action server, the outbox worker
or the channel provider fail, and nothing is lost, half-written or done twice.

One PostgreSQL stack on ports 26000-26099: admin :26000 (the action server reaches it through
a proxy on :26001 that can lose replies), Rasa :26005, actions :26055, Twilio stand-in :26080.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import select, update

from admin.senders import build_senders
from admin.senders.dispatch import deliver_due
from oirs.cases.filing import SYSTEM
from oirs.db import make_engine, make_session_factory
from oirs.models import Case, CaseEvent, OutboxMessage, utcnow
from oirs.outbox.replies import respond
from oirs.settings import Settings
from tests.e2e import faults
from tests.e2e.faults import FOLIO, RETRY_TOLD, FakeTwilio, rest_turn
from tests.e2e.proxy import Proxy
from tests.e2e.stack import (
    APP_BIN,
    Stack,
    outbox_once,
    running_stack,
    start_actions,
    start_admin,
    stop,
)
from tests.support.app_fixtures import _drop_postgres_database, _postgres_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN, API_PROXY, RASA, ACTIONS, TWILIO = 26000, 26001, 26005, 26055, 26080
ACCOUNT, AUTH_TOKEN = "AC" + "f" * 32, "fault-test-twilio-token"
WHATSAPP_PATH = "/webhooks/whatsapp/webhook"


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(TWILIO).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def api_proxy() -> Iterator[Proxy]:
    proxy = Proxy(API_PROXY, [ADMIN]).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def fault_stack(
    tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio, api_proxy: Proxy
) -> Iterator[Stack]:
    """Production shape on PostgreSQL, WhatsApp mounted against the Twilio stand-in."""
    suffix = uuid.uuid4().hex[:8]
    admin_db, tracker_db = f"oirs_faults_{suffix}", f"rasa_faults_{suffix}"
    url, tracker_url = _postgres_database(admin_db), _postgres_database(tracker_db)
    extra = {
        "OIRS_API_URL": f"http://127.0.0.1:{API_PROXY}",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_API_BASE": twilio.base_url,
    }
    tracker = ("postgresql", tracker_url.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with running_stack(
            tmp_path_factory.mktemp("faults"),
            url,
            tracker=tracker,
            ports=(ADMIN, RASA, ACTIONS),
            extra_env=extra,
        ) as running:
            yield running
    finally:
        faults.open_database(admin_db)
        _drop_postgres_database(admin_db)
        _drop_postgres_database(tracker_db)


def restart(stack: Stack, name: str, sig: int = signal.SIGKILL) -> None:
    """Crash (or stop) one service and start it again the way the stack started it."""
    faults.kill_tree(stack.processes[name], sig)
    port = stack.admin_port if name == "admin" else stack.actions_port
    faults.wait_port_free(port)
    (start_admin if name == "admin" else start_actions)(stack)


def test_lost_api_replies_leave_one_case_when_the_resident_retries(
    fault_stack: Stack, api_proxy: Proxy
) -> None:
    sender = faults.new_sender("lost")
    turn = rest_turn(fault_stack.rasa_url, sender)
    faults.reach_confirmation(turn)
    # the admin files it, but both answers to the bot's POST (first try and its retry) are lost
    api_proxy.lose_replies(2, b"POST /api/v1/cases ")
    told = turn("si")
    assert RETRY_TOLD.search(told), told
    assert api_proxy.lost == 2
    assert len(faults.cases_of(fault_stack, sender)) == 1
    answer = turn("si")  # the resident retries: same idempotency key, same case
    folio = FOLIO.search(answer)
    assert folio, answer
    cases = faults.cases_of(fault_stack, sender)
    assert [c.folio for c in cases] == [folio.group(0)]


def test_admin_down_while_filing_tells_the_resident_and_files_once_after_restart(
    fault_stack: Stack,
) -> None:
    sender = faults.new_sender("admin-down")
    turn = rest_turn(fault_stack.rasa_url, sender)
    faults.reach_confirmation(turn)
    stop(fault_stack.processes["admin"])
    try:
        told = turn("si")
        assert RETRY_TOLD.search(told), told
    finally:
        faults.wait_port_free(ADMIN)
        start_admin(fault_stack)
    assert faults.cases_of(fault_stack, sender) == []
    answer = turn("si")
    folio = FOLIO.search(answer)
    assert folio, answer
    assert [c.folio for c in faults.cases_of(fault_stack, sender)] == [folio.group(0)]


T = TypeVar("T")
FILING_ON_ITS_WAY = re.compile(r"(?is)su caso se está registrando.*por este mismo canal")


def wait_for(what: str, found: Callable[[], T | None], timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: nothing after {timeout:.0f} s")


def test_admin_frozen_while_filing_bounds_the_wait_and_the_folio_comes_through_the_channel(
    fault_stack: Stack,
) -> None:
    """Issue 14: with the admin frozen a resident waited 41 s for 'no pudimos registrar…'.
    Now they are told within seconds, the filing ends when the admin is back, and the folio
    reaches the widget conversation through the outbox; one case, one notice."""
    sender = "web-" + uuid.uuid4().hex[:24]  # a widget conversation: the outbox can reach it
    turn = rest_turn(fault_stack.rasa_url, sender)
    faults.reach_confirmation(turn)
    admin = fault_stack.processes["admin"]
    faults.signal_tree(admin, signal.SIGSTOP)
    try:
        started = time.monotonic()
        told = turn("si")
        waited = time.monotonic() - started
        assert faults.cases_of(fault_stack, sender) == []
    finally:
        faults.signal_tree(admin, signal.SIGCONT)
    assert FILING_ON_ITS_WAY.search(told), told
    assert waited < 15, f"the resident waited {waited:.1f} s"
    [case] = wait_for("the case filed late", lambda: faults.cases_of(fault_stack, sender))
    key = f"folio:{case.folio}"

    def notices() -> int:
        return faults.count(fault_stack, OutboxMessage, idempotency_key=key)

    wait_for("the folio notice", notices)
    outbox_once(fault_stack)
    inbox = requests.get(
        f"{fault_stack.admin_url}/widget/api/inbox", params={"session": sender}, timeout=30
    )
    assert [case.folio in m["text"] for m in inbox.json()["messages"]] == [True], inbox.text
    answer = turn("si")  # the offered retry shows the same folio in the chat
    assert FOLIO.findall(answer)[:1] == [case.folio], answer
    assert [c.folio for c in faults.cases_of(fault_stack, sender)] == [case.folio]
    assert notices() == 1


def test_database_down_gives_503_and_5xx_json_and_the_case_is_filed_on_recovery(
    fault_stack: Stack,
) -> None:
    sender = faults.new_sender("db-down")
    turn = rest_turn(fault_stack.rasa_url, sender)
    faults.reach_confirmation(turn)
    database = urlparse(fault_stack.env["DATABASE_URL"]).path.lstrip("/")
    faults.close_database(database)
    try:
        health = requests.get(f"{fault_stack.admin_url}/healthz", timeout=30)
        assert health.status_code == 503, health.text
        api = requests.get(
            f"{fault_stack.admin_url}/api/v1/cases/RC-2026-000001",
            headers={"Authorization": f"Bearer {fault_stack.token}"},
            timeout=30,
        )
        assert api.status_code >= 500, api.text
        assert api.json()["error"]["message"], api.text
        told = turn("si")
        assert RETRY_TOLD.search(told), told
    finally:
        faults.open_database(database)
    assert requests.get(f"{fault_stack.admin_url}/healthz", timeout=30).status_code == 200
    assert faults.cases_of(fault_stack, sender) == []
    answer = turn("si")
    folio = FOLIO.search(answer)
    assert folio, answer
    assert [c.folio for c in faults.cases_of(fault_stack, sender)] == [folio.group(0)]


def test_action_server_killed_mid_conversation_continues_from_the_stored_tracker(
    fault_stack: Stack,
) -> None:
    sender = faults.new_sender("actions-kill")
    turn = rest_turn(fault_stack.rasa_url, sender)
    number = faults.next_number()
    turn("hola")
    reply = turn(faults.RECLAMO.format(number=number))
    faults.kill_tree(fault_stack.processes["actions"])
    try:
        # Rasa still answers (the action fails); what the resident said is kept
        requests.post(
            f"{fault_stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": faults.ANSWERS[0]},
            timeout=60,
        )
    finally:
        faults.wait_port_free(ACTIONS)
        start_actions(fault_stack)
    said = faults.user_texts(faults.tracker(fault_stack, sender))
    assert said[-2:] == [faults.RECLAMO.format(number=number), faults.ANSWERS[0]], said
    summary = faults.answer_until_summary(turn, reply, number)
    assert "aromos" in summary.lower(), summary
    answer = turn("si")
    folio = FOLIO.search(answer)
    assert folio, answer
    filed = faults.cases_of(fault_stack, sender)
    assert [c.folio for c in filed] == [folio.group(0)], faults.who_filed(
        fault_stack, folio.group(0)
    )
    case = filed[0]
    assert "camion de la basura" in case.description


def test_admin_killed_mid_filing_leaves_no_half_case_and_retries_file_each_once(
    fault_stack: Stack,
) -> None:
    keys = [f"kill-{uuid.uuid4().hex}" for _ in range(60)]

    def file(key: str) -> int:
        body = {
            "type": "reclamo",
            "channel": "web",
            "description": "Luminaria apagada frente al número 45",
            "category": "alumbrado",
            "address": "Pasaje Los Olmos 45",
            "contact": {"name": "Rosa Díaz", "email": "rosa@example.cl"},
            "channel_user_id": key,
            "idempotency_key": key,
        }
        try:
            reply = requests.post(
                f"{fault_stack.admin_url}/api/v1/cases",
                json=body,
                headers={"Authorization": f"Bearer {fault_stack.token}"},
                timeout=30,
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # Killed before answering, or after the headers and before the body: either
            # way the caller does not know whether the case was filed, and retries.
            return 0
        return reply.status_code

    try:
        with ThreadPoolExecutor(6) as pool:
            first = [pool.submit(file, key) for key in keys]
            while sum(f.done() for f in first) < 6:
                time.sleep(0.02)
            faults.kill_tree(fault_stack.processes["admin"])  # mid-work: requests in flight
            before = [f.result() for f in first]
    finally:
        # The later tests share this stack: the admin comes back whatever happened above
        # (killing an already dead admin is a no-op).
        restart(fault_stack, "admin")
    assert 0 in before, "the admin died after every request: nothing was in flight"
    with ThreadPoolExecutor(6) as pool:
        retried = list(pool.map(file, keys))
    assert set(retried) <= {200, 201}, retried
    engine = make_engine(fault_stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            filed = list(session.scalars(select(Case).where(Case.idempotency_key.in_(keys))))
            assert sorted(c.idempotency_key for c in filed) == sorted(keys)
            for case in filed:
                assert [e.kind for e in case.events][:1] == ["filed"], case.folio
            folios = session.scalars(select(Case.folio).where(Case.type == "reclamo"))
            numbers = sorted(int(folio[-6:]) for folio in folios)
            assert numbers == list(range(1, len(numbers) + 1)), "folio numbers must have no gaps"
    finally:
        engine.dispose()


# --- outbox and provider --------------------------------------------------------------------


def queue_whatsapp_answer(stack: Stack, phone: str, email: str | None = None) -> int:
    """A sugerencia from WhatsApp, answered by staff: the answer waits in the outbox."""
    reply = requests.post(
        f"{stack.admin_url}/api/v1/cases",
        json={
            "type": "sugerencia",
            "channel": "whatsapp",
            "description": "Sugiero más bancos en la plaza",
            "contact": {"name": "Luis Soto", "phone": phone, **({"email": email} if email else {})},
            "channel_user_id": f"whatsapp:{phone}",
            "idempotency_key": f"sug-{uuid.uuid4().hex}",
        },
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=30,
    )
    assert reply.status_code == 201, reply.text
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine).begin() as session:
            case = session.scalars(select(Case).where(Case.folio == reply.json()["folio"])).one()
            return respond(session, case, SYSTEM, "Gracias, lo evaluaremos con la unidad.").id
    finally:
        engine.dispose()


def make_due_now(stack: Stack, message_id: int) -> None:
    """Let the backoff (or the dead worker's lease) pass without waiting minutes."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine).begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
    finally:
        engine.dispose()


def test_provider_down_keeps_retrying_shows_the_error_and_delivers_once(
    fault_stack: Stack, twilio: FakeTwilio
) -> None:
    phone = "+56987650001"
    message_id = queue_whatsapp_answer(fault_stack, phone)
    twilio.status = 503
    try:
        outbox_once(fault_stack)
    finally:
        twilio.status = 201
    row = faults.outbox_row(fault_stack, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and "503" in row.last_error  # shown on the case page to staff
    assert twilio.to(f"whatsapp:{phone}") == []
    outbox_once(fault_stack)  # the backoff has not passed: nothing is sent early
    assert faults.outbox_row(fault_stack, message_id).attempts == 1
    make_due_now(fault_stack, message_id)
    outbox_once(fault_stack)
    make_due_now(fault_stack, message_id)
    outbox_once(fault_stack)
    row = faults.outbox_row(fault_stack, message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    (delivered,) = twilio.to(f"whatsapp:{phone}")
    assert "lo evaluaremos" in delivered["Body"]


def outbox_rounds(stack: Stack, message_id: int, rounds: int) -> None:
    """The worker's own round (deliver_due), in this process, each after the backoff."""
    settings = Settings.from_env(stack.env)
    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        senders = build_senders(settings)
        for _ in range(rounds):
            make_due_now(stack, message_id)
            deliver_due(sessions, senders)
    finally:
        engine.dispose()


def test_provider_that_never_recovers_marks_the_case_and_falls_back(
    fault_stack: Stack, twilio: FakeTwilio
) -> None:
    message_id = queue_whatsapp_answer(fault_stack, "+56987650002", "luis.soto@example.cl")
    twilio.status = 503
    try:
        outbox_rounds(fault_stack, message_id, 6)
    finally:
        twilio.status = 201
    row = faults.outbox_row(fault_stack, message_id)
    assert (row.status, row.attempts) == ("failed", 6)
    assert faults.count(fault_stack, CaseEvent, case_id=row.case_id, kind="entrega_fallida") == 1
    fallback = faults.count(
        fault_stack,
        OutboxMessage,
        case_id=row.case_id,
        channel="email",
        recipient="luis.soto@example.cl",
    )
    assert fallback == 1, "the answer must fall back to the resident's e-mail"


def test_outbox_worker_killed_mid_send_delivers_exactly_once_after_restart(
    fault_stack: Stack, twilio: FakeTwilio
) -> None:
    phone = "+56987650003"
    message_id = queue_whatsapp_answer(fault_stack, phone)
    twilio.received.clear()
    twilio.hold.clear()  # the provider holds the request while the worker dies
    worker = subprocess.Popen(
        [str(APP_BIN / "oirs"), "outbox-worker", "--interval", "0.5"],
        env=fault_stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert twilio.received.wait(30), "the worker never reached the provider"
        faults.kill_tree(worker)
        twilio.status = 503  # the cut request never became a message
    finally:
        twilio.hold.set()
    time.sleep(0.2)
    twilio.status = 201
    assert faults.outbox_row(fault_stack, message_id).status == "sending"  # leased, not lost
    outbox_once(fault_stack)  # a live worker leaves the lease alone
    assert faults.outbox_row(fault_stack, message_id).status == "sending"
    make_due_now(fault_stack, message_id)  # the dead worker's lease runs out
    outbox_once(fault_stack)
    make_due_now(fault_stack, message_id)
    outbox_once(fault_stack)
    row = faults.outbox_row(fault_stack, message_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(twilio.to(f"whatsapp:{phone}")) == 1


# --- duplicate webhook deliveries -----------------------------------------------------------


def test_twilio_redelivering_each_message_still_files_one_case(
    fault_stack: Stack, twilio: FakeTwilio
) -> None:
    number = f"+5699{uuid.uuid4().int % 10**7:07d}"
    sender = f"whatsapp:{number}"
    url = fault_stack.env["OIRS_PUBLIC_URL"] + WHATSAPP_PATH

    def post(params: dict[str, str]) -> int:
        signature = faults.twilio_signature(AUTH_TOKEN, url, params)
        reply = requests.post(
            f"{fault_stack.rasa_url}{WHATSAPP_PATH}",
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=60,
        )
        return reply.status_code

    def turn(message: str) -> str:
        seen = len(twilio.to(sender))
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT,
            "From": sender,
            "To": "whatsapp:+14155238886",
            "Body": message,
            "NumMedia": "0",
            "SmsStatus": "received",
        }
        with ThreadPoolExecutor(3) as pool:  # Twilio retries, also concurrently
            assert list(pool.map(post, [params] * 3)) == [200] * 3
        assert post(params) == 200
        return "\n".join(m.get("Body", "") for m in twilio.to(sender)[seen:])

    faults.reach_confirmation(turn)
    answer = turn("si")
    folio = FOLIO.search(answer)
    assert folio, answer
    filed = faults.cases_of(fault_stack, sender)
    assert [c.folio for c in filed] == [folio.group(0)], faults.who_filed(
        fault_stack, folio.group(0)
    )
    said = faults.user_texts(faults.tracker(fault_stack, sender))
    assert len(said) == len(set(said)), said
