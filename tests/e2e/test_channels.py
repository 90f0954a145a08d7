"""A reclamo filed on WhatsApp, Telegram and the web widget reaches the admin with its channel,
its photo and its transcript, and a staff answer returns through the same channel.

Each conversation goes through the real transport into the session stack: the Rasa server
with our channels and the trained model, the action server and the admin (SQLite). Twilio and
Telegram are loopback stand-ins (tests/e2e/faults.FakeTwilio, tests/e2e/fake_telegram); the
widget is driven over HTTP the way widget.js drives it. A staff member signed in to the admin
works the case (classify, derive, unit answer, validate, answer) and the answer leaves
through `oirs outbox-worker --once`.
"""

from __future__ import annotations

import io
import itertools
import re
import secrets
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from oirs.db import make_engine, make_session_factory
from oirs.labels import CHANNEL_LABELS
from oirs.models import Case, OutboxMessage
from oirs.outbox.replies import MESSAGES as REPLY_MESSAGES
from tests.e2e import channel_env, faults
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.faults import FOLIO, FakeTwilio
from tests.e2e.resident_channels import TelegramChat, WhatsAppPhone
from tests.e2e.stack import APP_BIN, Stack, outbox_once

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GREETING = "¡Hola! ¿Cómo está?"
# No street number: the form has to ask where, so the photo and the location arrive mid-form.
RECLAMO = (
    "hace dos semanas que no pasa el camión de la basura por mi pasaje en Ñuñoa, "
    "soy Ana Muñoz, mi teléfono es 987654321"
)
ANSWER = (
    "¡Buenas noticias, señora Muñoz! El camión retomó su recorrido por Los Aromos en Ñuñoa. "
    "¿Nos confirma si pasó esta semana?"
)
SUMMARY = re.compile(r"(?i)¿está todo correcto\?|revisemos su reclamo")
JOIN_OFFER = re.compile(r"(?i)adherir")
ADDRESS_QUESTION = re.compile(r"(?i)direcci[oó]n|d[oó]nde ocurre|lugar")
RUT_QUESTION = re.compile(r"(?i)\bsu RUT\b")
STAFF_EMAIL, STAFF_PASSWORD = "canales.e2e@demo.oirs.cl", "clave-canales-e2e-2026"
# A street number far from every other test's (an open reclamo nearby is offered to join).
_NUMBERS = itertools.count(5100, 300)


def jpeg(label: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG whose bytes are unique to `label` (its comment segment)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "JPEG", comment=label.encode())
    return buffer.getvalue()


# --- the resident's side of a conversation, whatever the channel ----------------------------


@dataclass
class Resident:
    """What one resident says; each channel supplies how a message travels."""

    say: Callable[[str], str]  # a text message -> the bot's reply (all its texts)
    send_photo: Callable[[], str]
    confirm: Callable[[], str]  # taps/chooses "Sí, registrar" on the read-back
    share_location: Callable[[], str] | None = None
    number: int = field(default_factory=lambda: next(_NUMBERS))
    replies: list[str] = field(default_factory=list)
    after_photo: str = ""  # the bot's answer to the photo
    after_location: str = ""  # and to the shared location (it answers "where")
    summary: str = ""  # the read-back confirmed

    def answer_to(self, question: str) -> str | None:
        """The answer to the form's question, or None when `question` asks nothing known."""
        for pattern, answer in (
            (r"(?i)tema", "aseo y basura"),
            (r"(?i)correo|contactamos|tel[eé]fono", "ana.munoz@example.cl"),
            (r"(?i)nombre", "Ana Muñoz"),
            (ADDRESS_QUESTION.pattern, f"Los Aromos {self.number}"),
            (r"(?i)qu[eé] pas[oó]|cu[aá]l es el problema", RECLAMO),
            (r"(?i)\bRUT\b", "no"),
        ):
            if re.search(pattern, question):
                return answer
        return None

    def file_reclamo(self) -> str:
        """Greet, tell the reclamo, send a photo (and share a location) mid-form, answer until
        the read-back, confirm; returns the folio."""
        self.replies = [self.say(GREETING)]
        reply = self.say(RECLAMO)
        self.replies.append(reply)
        photo_sent = located = False
        pending: str | None = None  # answer to the form's last question, kept across detours
        for _ in range(12):
            folio = FOLIO.search(reply)
            if folio and not JOIN_OFFER.search(reply):  # an offer names the open case's folio
                return folio.group(0)
            if not SUMMARY.search(reply):
                pending = self.answer_to(reply) or pending
            if not photo_sent:
                reply, photo_sent = self.send_photo(), True
                self.after_photo = reply
            elif self.share_location and not located:
                reply, located = self.share_location(), True
                self.after_location = reply
            elif JOIN_OFFER.search(reply):
                reply = self.say("no, quiero ingresar uno nuevo")
            elif SUMMARY.search(reply):
                self.summary = reply
                reply = self.confirm()
            else:
                assert pending, f"the bot asked nothing the form asks: {reply!r}"
                reply = self.say(pending)
            self.replies.append(reply)
        raise AssertionError("no folio after 12 turns:\n" + "\n---\n".join(self.replies))

    def check_the_bot_took_the_photo(self) -> None:
        """Acknowledged mid-form, the form went on, and the read-back lists it."""
        assert "Recibimos su foto" in self.after_photo, self.after_photo
        assert "Adjuntos: 1 foto" in self.summary, self.summary
        if self.share_location:
            # the opening message names no street ("mi pasaje"), so the form asked where: the
            # place shared then answers that question and is read back as the case's place
            assert "• Lugar: Ubicación compartida: " in self.summary, self.summary
            # (the optional RUT, never given in this conversation, is asked before it)
            assert SUMMARY.search(self.after_location) or RUT_QUESTION.search(
                self.after_location
            ), self.after_location


# --- staff in the admin, over HTTP --------------------------------------------------------

_CSRF = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"')


class StaffBrowser:
    """A staff member signed in to the admin (session cookie + CSRF tokens, like a browser)."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.admin_url
        self.http = requests.Session()
        login = self.http.get(f"{self.base}/ingresar", timeout=30)
        done = self.http.post(
            f"{self.base}/ingresar",
            data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": _token(login)},
            timeout=30,
        )
        assert done.status_code == 200 and "/ingresar" not in done.url, done.text[:500]

    def case_page(self, folio: str) -> str:
        page = self.http.get(f"{self.base}/casos/{folio}", timeout=30)
        assert page.status_code == 200, page.text[:500]
        return page.text

    def download(self, folio: str, attachment_id: int) -> bytes:
        item = self.http.get(f"{self.base}/casos/{folio}/adjuntos/{attachment_id}", timeout=30)
        assert item.status_code == 200, item.text[:300]
        return item.content

    def act(self, folio: str, action: str, **fields: str) -> None:
        page = self.http.get(f"{self.base}/casos/{folio}", timeout=30)
        data = {f"{action}-csrf_token": _token(page)}
        data |= {f"{action}-{name}": value for name, value in fields.items()}
        done = self.http.post(f"{self.base}/casos/{folio}/acciones/{action}", data=data, timeout=30)
        assert done.status_code == 200 and "Listo:" in done.text, (action, done.text[:800])

    def answer(self, folio: str, text: str) -> None:
        """Work the reclamo to "validado" and send the answer from the case page."""
        page = self.http.get(f"{self.base}/casos/{folio}", timeout=30)
        if "<strong>Estado:</strong> Ingresado" in page.text:  # filed without a theme
            self.act(folio, "clasificar")
        self.act(folio, "derivar", unit="DIMAO", note="Recolección de residuos.")
        self.act(folio, "responder_unidad", note="Se reprogramó el recorrido del camión.")
        self.act(folio, "validar")
        page = self.http.get(f"{self.base}/casos/{folio}", timeout=30)
        done = self.http.post(
            f"{self.base}/casos/{folio}/respuesta",
            data={"csrf_token": _token(page), "body": text, "send": "Responder"},
            timeout=30,
        )
        assert done.status_code == 200 and "Respuesta registrada" in done.text, done.text[:800]


def _token(page: requests.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


@pytest.fixture(scope="module")
def staff(stack: Stack) -> StaffBrowser:
    """The channel tests' staff member; test_anonymise.py (earlier in the same session stack)
    may have created it already, with the same password."""
    created = subprocess.run(
        [
            str(APP_BIN / "oirs"),
            "create-user",
            *("--email", STAFF_EMAIL, "--name", "Paula Canales", "--role", "oirs"),
            *("--password", STAFF_PASSWORD),
        ],
        env=stack.env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0 or "exist" in (created.stdout + created.stderr).lower(), (
        created.stdout + created.stderr
    )
    return StaffBrowser(stack)


def check_one_case(stack: Stack, channel_user_id: str, folio: str) -> None:
    """The folio the bot gave is the only case of this channel identity."""
    filed = faults.cases_of(stack, channel_user_id)
    assert [c.folio for c in filed] == [folio], faults.who_filed(stack, folio)


def check_reached_the_admin(
    stack: Stack,
    staff: StaffBrowser,
    folio: str,
    channel: str,
    photo: bytes,
    coordinates: tuple[float, float] | None,
) -> None:
    """Channel, the photo's exact bytes, the transcript (and the place) in the API and on the
    staff case page."""
    reply = requests.get(
        f"{stack.admin_url}/api/v1/cases/{folio}",
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    case = reply.json()
    assert (case["type"], case["channel"], case["category"]) == ("reclamo", channel, "aseo")
    said = [line["text"] for line in case["transcript"] if line["sender"] == "resident"]
    assert GREETING in said, case["transcript"]
    assert any("camión de la basura por mi pasaje en Ñuñoa" in text for text in said), said
    assert any(line["sender"] == "bot" for line in case["transcript"])
    (attachment,) = case["attachments"]
    assert (attachment["content_type"], attachment["size"]) == ("image/jpeg", len(photo))
    if coordinates is not None:
        assert case["coordinates"] == {"lat": coordinates[0], "lon": coordinates[1]}
    page = staff.case_page(folio)
    assert f"<dt>Canal</dt><dd>{CHANNEL_LABELS[channel]}</dd>" in page
    assert GREETING in page and "Ñuñoa" in page
    assert f'src="/casos/{folio}/adjuntos/{attachment["id"]}"' in page
    assert staff.download(folio, attachment["id"]) == photo


def check_answer_left(stack: Stack, staff: StaffBrowser, folio: str, channel: str) -> None:
    """The answer's outbox row is sent, through the case's channel, and the page says so."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.folio == folio)).one()
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.case_id == case.id)
            ).all()
            expected = [(channel, "sent", 1)]
            if channel == "web" and case.contact_email:  # the widget's e-mail copy
                expected.append(("email", "sent", 1))
            assert [(r.channel, r.status, r.attempts) for r in rows] == expected
            assert case.status == "respondido"
    finally:
        engine.dispose()
    page = staff.case_page(folio)
    label = re.escape(CHANNEL_LABELS[channel])
    assert re.search(rf'badge-sent">Enviado</span>\s*por {label}', page), page[-3000:]


def check_no_log_holds(stack: Stack, *secrets_and_ids: str) -> None:
    """Provider credentials and residents' numbers never reach the stack's logs."""
    for name in ("rasa", "actions", "admin"):
        log = stack.log(name)
        leaked = [value for value in secrets_and_ids if value in log]
        assert not leaked, f"{name}.log holds {leaked}"


def answer_text() -> str:
    return ANSWER + "\n\n" + REPLY_MESSAGES["satisfaction"]


# --- WhatsApp -------------------------------------------------------------------------------


def test_whatsapp_reclamo_reaches_the_admin_and_the_answer_returns_by_whatsapp(
    stack: Stack, twilio_standin: FakeTwilio, staff: StaffBrowser
) -> None:
    # The WhatsApp number differs from the phone said in the reclamo: the answer must go
    # back to the number that wrote.
    number = f"+5695{uuid.uuid4().int % 10**7:07d}"
    phone = WhatsAppPhone(stack, twilio_standin, number)
    photo, place = jpeg(f"whatsapp {number}"), (-33.45694, -70.59806)
    unauthorised = twilio_standin.unauthorised

    def confirm() -> str:
        summary = resident.summary
        assert re.search(r"(?m)^1\. Sí, registrar$", summary), summary  # buttons as options
        return phone.post("1")

    resident = Resident(
        say=phone.post,
        send_photo=lambda: phone.photo(photo),
        confirm=confirm,
        share_location=lambda: phone.location(*place),
    )
    folio = resident.file_reclamo()
    assert resident.replies[0].startswith("¡Hola!"), resident.replies[0]  # out unchanged
    resident.check_the_bot_took_the_photo()
    # the medium was fetched with the account's credentials, then from the CDN without them
    fetched = [p for p, _ in twilio_standin.media_fetches if "/Media/" in p or "/cdn/" in p]
    assert len(fetched) >= 2 and twilio_standin.unauthorised == unauthorised
    assert all(not auth for p, auth in twilio_standin.media_fetches if p.startswith("/cdn/"))

    check_one_case(stack, phone.address, folio)
    check_reached_the_admin(stack, staff, folio, "whatsapp", photo, place)

    staff.answer(folio, ANSWER)
    before = len(twilio_standin.to(phone.address))
    outbox_once(stack)
    delivered = twilio_standin.to(phone.address)[before:]
    assert [m["Body"] for m in delivered] == [answer_text()]
    assert delivered[0]["From"] == f"whatsapp:{channel_env.WHATSAPP_FROM}"
    assert twilio_standin.to("whatsapp:+56987654321") == []  # not the phone said in the text
    check_answer_left(stack, staff, folio, "whatsapp")
    check_no_log_holds(stack, channel_env.TWILIO_TOKEN, number, number.lstrip("+"))


def test_whatsapp_resident_gives_this_same_number_as_the_contact(
    stack: Stack, twilio_standin: FakeTwilio
) -> None:
    """Issue 12: on WhatsApp 'al mismo whatsapp nomás' is a contact (the bot used to refuse it
    and ask for a phone it already had); the case keeps the number that wrote."""
    number = f"+5695{uuid.uuid4().int % 10**7:07d}"  # a range phonenumbers holds valid
    phone = WhatsAppPhone(stack, twilio_standin, number)
    replies = [phone.post("hola"), phone.post("hay un hoyo enorme en la vereda hace un mes")]
    answers = (
        (r"(?i)contactamos", "al mismo whatsapp nomás"),
        (r"(?i)apellidos", "Muñoz Soto"),
        (r"(?i)nombre", "Ana"),
        (RUT_QUESTION.pattern, "prefiero no darlo"),
        (ADDRESS_QUESTION.pattern, "Los Aromos 455 esquina Las Acacias"),
        (r"(?i)tema", "1"),
    )
    for _ in range(10):
        reply = replies[-1]
        folio = FOLIO.search(reply)
        if folio and not JOIN_OFFER.search(reply):
            break
        if SUMMARY.search(reply):
            assert "Los Aromos 455 esquina Las Acacias" in reply, reply
            assert "Ana Muñoz Soto" in reply, reply
            assert number in reply, reply  # the read-back shows the number that will be used
            replies.append(phone.post("1"))
            continue
        if JOIN_OFFER.search(reply):
            replies.append(phone.post("no, quiero ingresar uno nuevo"))
            continue
        answer = next((a for pattern, a in answers if re.search(pattern, reply)), None)
        assert answer, f"the bot asked something unexpected: {reply!r}"
        if answer.startswith("al mismo"):
            assert "Por este mismo canal" in reply, reply  # offered as an option
        replies.append(phone.post(answer))
    else:
        raise AssertionError("no folio:\n" + "\n---\n".join(replies))
    (case,) = faults.cases_of(stack, phone.address)
    assert case.folio == folio.group(0)
    assert case.contact_phone == number
    assert case.contact_name == "Ana Muñoz Soto"


# --- Telegram -------------------------------------------------------------------------------

PHOTO_SIZES = [(90, 68), (320, 240), (800, 600)]


def test_telegram_reclamo_reaches_the_admin_and_the_answer_returns_by_telegram(
    stack: Stack, telegram_standin: FakeTelegram, staff: StaffBrowser
) -> None:
    chat_id = 5_000_000_000 + uuid.uuid4().int % 10**9
    chat = TelegramChat(stack, telegram_standin, chat_id)
    sizes = [(jpeg(f"telegram {chat_id} {w}", (w, h)), w, h) for w, h in PHOTO_SIZES]
    place = (-33.45461, -70.60412)

    def confirm() -> str:
        told = chat.press("Sí, registrar")
        assert [c["callback_query_id"] for c in telegram_standin.called("answerCallbackQuery")][
            -1:
        ] == [chat.last_callback]
        edits = telegram_standin.called("editMessageReplyMarkup", chat_id)
        assert edits, "the keyboard was not taken away after the tap"
        return told

    resident = Resident(
        say=chat.text,
        send_photo=lambda: chat.photo(sizes),
        confirm=confirm,
        share_location=lambda: chat.location(*place),
    )
    folio = resident.file_reclamo()
    assert resident.replies[0].startswith("¡Hola!"), resident.replies[0]
    resident.check_the_bot_took_the_photo()
    assert any(p.startswith("photos/") for p in telegram_standin.downloads)

    check_one_case(stack, str(chat_id), folio)
    largest = sizes[-1][0]  # the channel keeps the largest size
    check_reached_the_admin(stack, staff, folio, "telegram", largest, place)

    staff.answer(folio, ANSWER)
    before = len(telegram_standin.called("sendMessage", chat_id))
    outbox_once(stack)
    delivered = telegram_standin.called("sendMessage", chat_id)[before:]
    assert [m["text"] for m in delivered] == [answer_text()]
    check_answer_left(stack, staff, folio, "telegram")
    check_no_log_holds(stack, channel_env.TELEGRAM_TOKEN.split(":")[1], channel_env.TELEGRAM_SECRET)


# --- the web widget -------------------------------------------------------------------------


class WidgetPage:
    """The widget in a resident's browser, as widget.js talks to the admin."""

    def __init__(self, stack: Stack, session: str) -> None:
        self.base, self.session = stack.admin_url, session
        self.origin = stack.env["OIRS_PUBLIC_URL"]
        self.buttons: list[dict[str, str]] = []

    def send(self, text: str, attachments: list[dict[str, Any]] | None = None) -> str:
        body: dict[str, Any] = {"session": self.session, "text": text}
        if attachments:
            body["attachments"] = attachments
        reply = requests.post(
            f"{self.base}/widget/api/messages",
            json=body,
            headers={"Origin": self.origin},
            timeout=120,
        )
        assert reply.status_code == 200, reply.text
        assert reply.headers.get("Access-Control-Allow-Origin") == self.origin
        messages = reply.json()["messages"]
        self.buttons = [b for m in messages for b in m["buttons"]] or self.buttons
        return "\n".join(m["text"] for m in messages)

    def photo(self, data: bytes) -> str:
        stored = requests.post(
            f"{self.base}/widget/api/uploads",
            data={"session": self.session},
            files={"file": ("bache.jpg", data, "image/jpeg")},
            headers={"Origin": self.origin},
            timeout=30,
        )
        assert stored.status_code == 201, stored.text
        return self.send("/enviar_adjunto", [stored.json()])  # what widget.js sends

    def press(self, title: str) -> str:
        (button,) = [b for b in self.buttons if b["title"] == title]
        return self.send(button["payload"])

    def inbox(self) -> list[dict[str, Any]]:
        reply = requests.get(
            f"{self.base}/widget/api/inbox",
            params={"session": self.session, "after": "0"},
            headers={"Origin": self.origin},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        messages: list[dict[str, Any]] = reply.json()["messages"]
        return messages


def test_widget_reclamo_reaches_the_admin_and_the_answer_waits_in_the_widget(
    stack: Stack, staff: StaffBrowser
) -> None:
    session = "web-" + secrets.token_hex(16)
    page = WidgetPage(stack, session)
    photo = jpeg(f"widget {session}")
    resident = Resident(
        say=page.send,
        send_photo=lambda: page.photo(photo),
        confirm=lambda: page.press("Sí, registrar"),
    )
    folio = resident.file_reclamo()
    assert resident.replies[0].startswith("¡Hola!"), resident.replies[0]
    resident.check_the_bot_took_the_photo()

    check_one_case(stack, session, folio)
    check_reached_the_admin(stack, staff, folio, "web", photo, None)

    staff.answer(folio, ANSWER)
    assert page.inbox() == []  # not delivered yet: the outbox worker has not run
    outbox_once(stack)
    # the resident comes back to the page (same session): the answer is waiting
    assert [m["text"] for m in WidgetPage(stack, session).inbox()] == [answer_text()]
    check_answer_left(stack, staff, folio, "web")
