"""Staff sign-in under attack: open redirects after login, account enumeration, lockout used
as a weapon (issue 13, points 1 and 3)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from admin import create_app
from admin.auth import login as login_module
from admin.auth.views import _safe_next
from oirs.accounts import hash_password
from oirs.models import OutboxMessage, User
from oirs.settings import Settings
from tests.admin.staff import PASSWORD, login, make_user

# --- Point 1: where a login may send the browser -------------------------------------------

# Values of `next` as the view receives them (already decoded once from the query string).
BYPASSES = [
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",  # the reported one: /ingresar?next=/%09/evil.example/x
    "/%09/evil.example/x",  # the same, encoded once more
    "\\/\\/evil.example/x",
    "\\\\evil.example/x",
    "/\\\\evil.example",
    "https:evil.example",
    "https://evil.example/x",
    "http:/\\evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example/x",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "///evil.example/x",
    "////evil.example/x",
    "\t//evil.example/x",
    " //evil.example/x",
    "\n//evil.example/x",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\r/evil.example",
    "/\x0b/evil.example",
    "/\x1f/evil.example",
    "evil.example",
    "@evil.example",
    "",
]
LOCAL = [
    ("/casos?estado=abierto", "/casos?estado=abierto"),
    ("/casos/", "/casos/"),
    ("/casos/?q=Juan%20P%C3%A9rez&estado=abierto", "/casos/?q=Juan%20P%C3%A9rez&estado=abierto"),
    (
        "/estadisticas/?desde=2025-01-01&hasta=2025-02-01",
        "/estadisticas/?desde=2025-01-01&hasta=2025-02-01",
    ),
    ("/casos/OIRS-2025-00012#respuesta", "/casos/OIRS-2025-00012#respuesta"),
]
_BROWSER_DROPS = {ord("\t"): None, ord("\n"): None, ord("\r"): None}


def _where_a_browser_goes(location: str) -> tuple[str, str]:
    """Host and path a browser would navigate to from this Location (WHATWG rules)."""
    cleaned = location.strip("".join(map(chr, range(0x21)))).translate(_BROWSER_DROPS)
    parts = urlsplit(urljoin("http://oirs.local/ingresar", cleaned.replace("\\", "/")))
    return parts.netloc, parts.path


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_every_known_open_redirect_bypass(app: Flask, target: str) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(target) == "/casos/"


@pytest.mark.parametrize(("target", "expected"), LOCAL)
def test_safe_next_keeps_local_paths_with_their_query(
    app: Flask, target: str, expected: str
) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(target) == expected


def test_safe_next_without_a_target_goes_to_the_inbox(app: Flask) -> None:
    with app.test_request_context("/ingresar"):
        assert _safe_next(None) == "/casos/"


@pytest.mark.parametrize("target", BYPASSES)
def test_signed_in_staff_are_never_redirected_off_site(
    client: FlaskClient, db_session: Session, target: str
) -> None:
    make_user(db_session, "oirs")
    assert login(client, "oirs@prueba.cl").status_code == 302
    response = client.get("/ingresar?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert _where_a_browser_goes(response.location) == ("oirs.local", "/casos/")


@pytest.mark.parametrize("target", BYPASSES[:12])
def test_signing_in_never_redirects_off_site(
    client: FlaskClient, db_session: Session, target: str
) -> None:
    make_user(db_session, "oirs")
    token_page = client.get("/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    response = client.post(
        "/ingresar?" + urlencode({"next": target}),
        data={"email": "oirs@prueba.cl", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302
    assert _where_a_browser_goes(response.location) == ("oirs.local", "/casos/")


@pytest.mark.parametrize(("target", "expected"), LOCAL)
def test_login_still_returns_to_the_local_page_asked_for(
    client: FlaskClient, db_session: Session, target: str, expected: str
) -> None:
    make_user(db_session, "oirs")
    token_page = client.get("/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    response = client.post(
        "/ingresar?" + urlencode({"next": target}),
        data={"email": "oirs@prueba.cl", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.location == expected
    assert client.get("/ingresar?" + urlencode({"next": target})).location == expected


# --- Point 3: throttling by account and address, one refusal for all -----------------------

ATTACKER, HOLDER, OTHER = "200.1.1.1", "190.2.2.2", "181.3.3.3"
REFUSED = "No fue posible ingresar"
_CSRF = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+(")')


class Clock:
    """Stands in for the in-memory limiter storage's clock."""

    now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    import limits.storage.memory as memory_storage

    fake = Clock()
    monkeypatch.setattr(memory_storage, "time", fake)
    return fake


REAL_DUMMY_HASH = login_module._DUMMY.password_hash


@pytest.fixture(autouse=True)
def cheap_dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dummy hash at the test users' cheap cost, as the real one matches real hashes."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(login_module, "_DUMMY", User(password_hash=cheap.hash("no-es-una-clave")))


@pytest.fixture
def limited_app(app_settings: Settings, clean_db: object, clock: Clock) -> Iterator[Flask]:
    """An app with its rate limits on (the shared test app turns them off), fresh counters."""
    yield create_app(app_settings, TESTING=True)


class Door:
    """A browser at one client address; each attempt comes 7 s after the last one, under the
    blanket limit of 10 login posts a minute per address (only the failures count here)."""

    def __init__(self, app: Flask, address: str, clock: Clock) -> None:
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.clock = clock

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        self.clock.now += 7
        return login(self.client, email, password)


@pytest.fixture
def door(limited_app: Flask, clock: Clock) -> Callable[[str], Door]:
    return lambda address: Door(limited_app, address, clock)


def _outbox(db_session: Session) -> list[OutboxMessage]:
    db_session.expire_all()
    with db_session.begin():
        rows = list(db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db_session.expunge_all()
    return rows


def test_an_attacker_failing_elsewhere_does_not_lock_the_holder_out(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "oirs")
    attacker = door(ATTACKER)
    codes = [
        attacker.login("oirs@prueba.cl", "clave-equivocada-123").status_code for _ in range(10)
    ]
    assert codes == [401] * 10
    assert attacker.login("oirs@prueba.cl").status_code == 401, "the failing address is throttled"
    holder = door(HOLDER)
    response = holder.login("oirs@prueba.cl")
    assert response.status_code == 302
    assert holder.client.get("/casos/").status_code == 200


def test_failures_from_one_address_across_many_accounts_are_throttled(
    door: Callable[[str], Door], db_session: Session, clock: Clock
) -> None:
    make_user(db_session, "oirs")
    attacker = door(ATTACKER)
    for i in range(20):
        assert attacker.login(f"persona{i}@prueba.cl", "clave-equivocada-123").status_code == 401
    assert attacker.login("oirs@prueba.cl").status_code == 401
    assert door(HOLDER).login("oirs@prueba.cl").status_code == 302


def test_an_account_attacked_from_many_addresses_still_opens_from_a_clean_one(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "oirs")
    for i in range(10):
        bot = door(f"200.9.9.{i}")
        assert bot.login("oirs@prueba.cl", "clave-equivocada-123").status_code == 401
    # once the account is under attack, an address that already failed on it gets no more tries
    assert door("200.9.9.3").login("oirs@prueba.cl").status_code == 401
    assert door(HOLDER).login("oirs@prueba.cl").status_code == 302


def test_the_throttle_ends_after_its_window(
    door: Callable[[str], Door], db_session: Session, clock: Clock
) -> None:
    make_user(db_session, "oirs")
    attacker = door(ATTACKER)
    for _ in range(5):
        attacker.login("oirs@prueba.cl", "clave-equivocada-123")
    assert attacker.login("oirs@prueba.cl").status_code == 401
    clock.now += 14 * 60
    assert attacker.login("oirs@prueba.cl").status_code == 401
    clock.now += 61
    assert attacker.login("oirs@prueba.cl").status_code == 302


def test_a_successful_login_forgives_that_address_its_earlier_typos(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "oirs")
    holder = door(HOLDER)
    for _ in range(4):
        assert holder.login("oirs@prueba.cl", "clave-equivocada-123").status_code == 401
    assert holder.login("oirs@prueba.cl").status_code == 302
    holder = door(HOLDER)
    for _ in range(4):
        assert holder.login("oirs@prueba.cl", "clave-equivocada-123").status_code == 401
    assert holder.login("oirs@prueba.cl").status_code == 302


def _page(response: object, email: str) -> str:
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return _CSRF.sub(r"\1TOKEN\2", body).replace(email, "EMAIL")


def test_every_refusal_is_the_same_page_whether_or_not_the_account_exists(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "oirs", email="real@prueba.cl")
    disabled = make_user(db_session, "unit", email="baja@prueba.cl")
    with db_session.begin():
        db_session.add(disabled)
        disabled.active = False
    attacker = door(ATTACKER)
    refusals = {
        "wrong password": attacker.login("real@prueba.cl", "clave-equivocada-123"),
        "unknown account": attacker.login("nadi@prueba.cl", "clave-equivocada-123"),
        "disabled account": attacker.login("baja@prueba.cl", PASSWORD),
    }
    for _ in range(5):
        attacker.login("real@prueba.cl", "clave-equivocada-123")
    refusals["throttled, right password"] = attacker.login("real@prueba.cl")
    for _ in range(5):
        attacker.login("nadi@prueba.cl", "clave-equivocada-123")
    refusals["throttled unknown account"] = attacker.login("nadi@prueba.cl")

    emails = {
        "wrong password": "real@prueba.cl",
        "unknown account": "nadi@prueba.cl",
        "disabled account": "baja@prueba.cl",
        "throttled, right password": "real@prueba.cl",
        "throttled unknown account": "nadi@prueba.cl",
    }
    reference = _page(refusals["wrong password"], emails["wrong password"])
    assert REFUSED in reference
    for why, response in refusals.items():
        assert response.status_code == 401, why
        assert _page(response, emails[why]) == reference, why
        assert "bloquead" not in response.get_data(as_text=True), why
    known, unknown = refusals["wrong password"], refusals["unknown account"]
    assert len(known.get_data()) == len(unknown.get_data())  # same-length addresses
    assert sorted(k for k, _ in known.headers) == sorted(k for k, _ in unknown.headers)


def test_unknown_and_throttled_accounts_cost_one_argon2_verification_like_a_real_one(
    door: Callable[[str], Door], db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db_session, "oirs")
    seen: list[str] = []
    real_verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str, password: str) -> bool:
        seen.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    attacker = door(ATTACKER)
    attacker.login("nadie@prueba.cl", "clave-equivocada-123")
    assert seen == [login_module._DUMMY.password_hash]
    # outside tests the dummy hash costs what a stored one does (same algorithm and parameters)
    real = hash_password("otra-clave-cualquiera")
    assert REAL_DUMMY_HASH.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]
    for _ in range(5):
        attacker.login("oirs@prueba.cl", "clave-equivocada-123")
    assert len(seen) == 6
    attacker.login("oirs@prueba.cl")  # throttled: still one verification
    assert len(seen) == 7


def test_reaching_the_threshold_alerts_the_holder_and_admins_once(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "oirs", email="titular@prueba.cl")
    make_user(db_session, "admin", email="jefa.ti@prueba.cl")
    make_user(db_session, "admin", email="soporte@prueba.cl")
    make_user(db_session, "agent", email="otro@prueba.cl")
    secret = "clave-equivocada-secreta-123"
    attacker = door(ATTACKER)
    for _ in range(4):
        attacker.login("titular@prueba.cl", secret)
    assert _outbox(db_session) == [], "no alert below the threshold"
    for _ in range(6):
        attacker.login("titular@prueba.cl", secret)
    for _ in range(6):
        door(OTHER).login("titular@prueba.cl", secret)
    messages = _outbox(db_session)
    assert sorted(m.recipient for m in messages) == [
        "jefa.ti@prueba.cl",
        "soporte@prueba.cl",
        "titular@prueba.cl",
    ], "one alert per recipient per window, not one per attempt"
    for message in messages:
        assert message.channel == "email" and message.case_id is None
        assert message.payload.get("subject")
        assert secret not in message.body and PASSWORD not in message.body
        assert ATTACKER not in message.body
    holder = next(m for m in messages if m.recipient == "titular@prueba.cl")
    assert "intentos fallidos" in holder.body
    admin = next(m for m in messages if m.recipient == "jefa.ti@prueba.cl")
    assert "titular@prueba.cl" in admin.body
    # the holder still signs in from their own place
    assert door(HOLDER).login("titular@prueba.cl").status_code == 302


def test_no_alert_for_an_account_that_does_not_exist(
    door: Callable[[str], Door], db_session: Session
) -> None:
    make_user(db_session, "admin", email="jefa.ti@prueba.cl")
    attacker = door(ATTACKER)
    for _ in range(10):
        attacker.login("nadie@prueba.cl", "clave-equivocada-123")
    assert _outbox(db_session) == []
