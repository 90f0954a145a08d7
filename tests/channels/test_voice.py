"""Phone calls end to end: Twilio's real webhook parameters, signed as Twilio signs them,
posted to a real Rasa server running our voice channel, with the real action server and admin.

Nothing reaches Twilio: SMS and recordings go to a loopback stand-in of api.twilio.com.
The admin runs from the app environment on a temporary SQLite database.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import yaml

from tests.support.voice_call import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER,
    MUNICIPAL_NUMBER,
    PUBLIC_URL,
    Call,
    folio_heard,
    spoken,
    twilio_signature,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BOT_BIN = ROOT / ".venv-bot" / "bin"
APP_BIN = ROOT / ".venv" / "bin"
ADMIN_PORT, ACTIONS_PORT, RASA_OPEN_PORT, RASA_CLOSED_PORT = 15180, 15155, 15100, 15101
SMALL_EPOCHS = 15
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


# --- a loopback stand-in for api.twilio.com -----------------------------------------------------


@dataclass
class TwilioStandIn:
    url: str = ""
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def recording_url(self, recording_sid: str) -> str:
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"

    def sms(self) -> list[dict[str, str]]:
        with self.lock:
            return [
                {k: v[0] for k, v in parse_qs(body.decode()).items()}
                for method, path, _, body in self.requests
                if method == "POST" and path.endswith("/Messages.json")
            ]

    def fetched(self) -> list[tuple[str, dict[str, str]]]:
        with self.lock:
            return [(p, h) for m, p, h, _ in self.requests if m == "GET" and "Recordings" in p]


def start_stand_in(state: TwilioStandIn) -> ThreadingHTTPServer:
    basic = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.requests.append((self.command, self.path, dict(self.headers), body))
            if self.headers.get("Authorization") != basic:
                self._reply(401, b'{"code": 20003}', "application/json")
            elif self.path.endswith("/Messages.json"):
                self._reply(201, b'{"sid": "SM' + b"0" * 32 + b'"}', "application/json")
            elif re.fullmatch(r"/2010-04-01/Accounts/AC\w+/Recordings/RE\w+\.mp3", self.path):
                self._reply(200, MP3, "audio/mpeg")
            else:
                self._reply(404, b"{}", "application/json")

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the real services --------------------------------------------------------------------------


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status < 500:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer in {timeout} s: {log.read_text()[-3000:]}")


def spawn(
    name: str, command: list[str], env: dict[str, str], logs: Path
) -> subprocess.Popen[bytes]:
    log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (lives as long as the process)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def small_config(workdir: Path) -> Path:
    """The repository's config.yml with fewer epochs: same pipeline, minutes instead of an hour.

    Calls mostly answer by keys (intent payloads) and form slots filled from text, so the
    channel is exercised the same; only the classifiers are less polished.
    """
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for component in [*config.get("pipeline", []), *config.get("policies", [])]:
        if "epochs" in component:
            component["epochs"] = min(int(component["epochs"]), SMALL_EPOCHS)
    path = workdir / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def trained_model(workdir: Path) -> Path:
    """The repository's model if one was trained; else a small one trained here from its data."""
    for folder in (os.environ.get("OIRS_TEST_MODEL_DIR"), str(ROOT / "models")):
        if folder and list(Path(folder).glob("*.tar.gz")):
            return Path(folder)
    out = workdir / "model"
    subprocess.run(
        [
            str(BOT_BIN / "rasa"),
            "train",
            "--domain",
            "bot",
            "--data",
            "data/nlu",
            "data/rules",
            "data/stories",
            "--config",
            str(small_config(workdir)),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        check=True,
        capture_output=True,
    )
    return out


@dataclass
class Backend:
    env: dict[str, str]
    logs: Path
    model: Path
    twilio: TwilioStandIn
    admin_url: str = f"http://127.0.0.1:{ADMIN_PORT}"

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.env['OIRS_API_TOKEN']}"}
        url = self.admin_url + path
        return requests.request(method, url, headers=headers, timeout=20, **kwargs)


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """Admin (app environment, temporary SQLite), action server and a Twilio stand-in."""
    if not (APP_BIN / "oirs").exists():
        pytest.skip("the app environment (.venv) is not installed")
    work = tmp_path_factory.mktemp("voice")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIRS_", "RASA_", "TWILIO_"))}
    env.pop("REDIS_URL", None)
    env.update(
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        RASA_TELEMETRY_ENABLED="false",
        DATABASE_URL=f"sqlite:///{work / 'oirs.db'}",
        OIRS_DATA_DIR=str(work),
        OIRS_API_URL=f"http://127.0.0.1:{ADMIN_PORT}",
        OIRS_COMMUNE_NAME="Municipalidad de Ñuñoa",
        # the admin's own schedule (plus holidays); each Rasa below sets the channel's
        OIRS_CALL_CENTER_HOURS="mon-sun 00:00-24:00",
        RASA_ACTION_ENDPOINT_URL=f"http://127.0.0.1:{ACTIONS_PORT}/webhook",
        # every call here comes from CALLER within minutes, more than a resident would make;
        # the limit on new calls per number has its own tests (test_ratelimit.py)
        OIRS_VOICE_RATE_PER_CALLER="off",
    )
    oirs = str(APP_BIN / "oirs")
    for command in ([oirs, "db", "upgrade"], [oirs, "seed-demo"]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    made = subprocess.run(
        # bot, as the voice channel is deployed; read, for the tests' look at the cases filed
        [oirs, "create-token", "voice tests", "--scope", "bot", "--scope", "read"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    env["OIRS_API_TOKEN"] = made.stdout.strip().splitlines()[-1]
    stand_in = TwilioStandIn()
    server = start_stand_in(stand_in)
    processes = [
        spawn(
            "admin",
            [
                str(APP_BIN / "gunicorn"),
                "-c",
                str(ROOT / "admin" / "gunicorn_conf.py"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{ADMIN_PORT}",
                "admin:create_app()",
            ],
            env,
            work,
        ),
        spawn(
            "actions",
            [
                str(BOT_BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(ACTIONS_PORT),
            ],
            env,
            work,
        ),
    ]
    try:
        wait_until_up(
            f"http://127.0.0.1:{ADMIN_PORT}/healthz", processes[0], work / "admin.log", 120
        )
        wait_until_up(
            f"http://127.0.0.1:{ACTIONS_PORT}/health", processes[1], work / "actions.log", 180
        )
        yield Backend(env=env, logs=work, model=trained_model(work), twilio=stand_in)
    finally:
        for process in processes:
            stop(process)
        server.shutdown()


VOICE_CREDENTIALS = """
channels.voice.VoiceInput:
  auth_token: '${TWILIO_AUTH_TOKEN}'
  account_sid: '${TWILIO_ACCOUNT_SID}'
  public_url: '${OIRS_PUBLIC_URL}'
  api_base: '${TWILIO_API_BASE}'
  queue: '${OIRS_VOICE_QUEUE}'
  hours: '${OIRS_CALL_CENTER_HOURS}'
"""


def run_rasa(backend: Backend, port: int, hours: str) -> Iterator[str]:
    """A Rasa server with only our voice channel, its call center open per `hours`."""
    name = f"rasa-{port}"
    credentials = backend.logs / f"{name}-credentials.yml"
    credentials.write_text(VOICE_CREDENTIALS)
    # the repository's endpoints.yml minus its tracker store: conversations stay in memory
    endpoints = backend.logs / f"{name}-endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: {backend.env['RASA_ACTION_ENDPOINT_URL']}\n")
    env = dict(
        backend.env,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_API_BASE=backend.twilio.url,
        OIRS_PUBLIC_URL=PUBLIC_URL,
        OIRS_VOICE_QUEUE="oirs-pruebas",
        OIRS_CALL_CENTER_HOURS=hours,
    )
    process = spawn(
        name,
        [
            str(BOT_BIN / "rasa"),
            "run",
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            "--model",
            str(backend.model),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(endpoints),
        ],
        env,
        backend.logs,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/webhooks/voice", process, backend.logs / f"{name}.log", 900)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="class")
def open_line(backend: Backend) -> Iterator[str]:
    yield from run_rasa(backend, RASA_OPEN_PORT, "mon-sun 00:00-24:00")


@pytest.fixture(scope="class")
def closed_line(backend: Backend) -> Iterator[str]:
    # no one answers by phone, whatever the day and hour the test runs
    yield from run_rasa(backend, RASA_CLOSED_PORT, "closed")


# --- the calls ----------------------------------------------------------------------------------


def file_reclamo_by_phone(call: Call) -> ET.Element:
    """Answer whatever the reclamo form asks, by voice or keys, until the read-back."""
    answers = [
        (r"(?i)resumen|correct|confirm|revise", None),
        (r"(?i)categor|tipo de problema", "basura"),
        (r"(?i)direcci|dónde|lugar", "Los Aromos 123"),
        (r"(?i)nombre", "Ana Pérez Soto"),
        (r"(?i)\bsu RUT\b", "#1"),  # the optional RUT: option 1, «Prefiero no darlo»
        (r"(?i)correo|teléfono|contact", "#987654321"),
        (
            r"(?i)cuénteme|describ|qué (pasó|ocurr)|detalle",
            "hace dos semanas que no pasa el camión de la basura por Los Aromos 123",
        ),
    ]
    root = call.press("1")
    for _ in range(10):
        text = spoken(root)
        answer = next((a for pattern, a in answers if re.search(pattern, text)), "")
        if answer is None:
            return root
        assert answer, f"unexpected question: {text}"
        root = call.press(answer[1:]) if answer.startswith("#") else call.say(answer)
    raise AssertionError(f"no read-back after 10 turns: {spoken(root)}")


@pytest.mark.usefixtures("open_line")
class TestDuringOfficeHours:
    def test_forged_or_missing_signature_is_refused_with_403(self, open_line: str) -> None:
        call = Call(open_line)
        params = call.params(CallStatus="ringing")
        forged = twilio_signature(PUBLIC_URL + "/webhooks/voice/webhook", params, "wrong-token")
        assert call.post("webhook", params, signature=forged).status_code == 403
        # signed for another URL (e.g. the internal one instead of the public one)
        internal = twilio_signature(open_line + "/webhooks/voice/webhook", params)
        assert call.post("webhook", params, signature=internal).status_code == 403
        tampered = dict(params, From="+56911111111")
        signed = twilio_signature(PUBLIC_URL + "/webhooks/voice/webhook", params)
        assert call.post("webhook", tampered, signature=signed).status_code == 403
        missing = requests.post(open_line + "/webhooks/voice/gather", data=params, timeout=10)
        assert missing.status_code == 403

    def test_answered_call_greets_in_spanish_with_the_data_notice_and_listens_in_es_cl(
        self, open_line: str
    ) -> None:
        root = Call(open_line).answer()
        text = spoken(root)
        assert "Municipalidad de Ñuñoa" in text
        assert "asistente automatizado" in text
        assert "sitio web municipal" in text
        gather = root.find("Gather")
        assert gather is not None
        assert gather.get("language") == "es-CL"
        assert gather.get("input") == "speech dtmf"
        assert gather.get("action") == PUBLIC_URL + "/webhooks/voice/gather"

    def test_whole_reclamo_call_reads_back_files_spells_the_folio_and_texts_it(
        self, open_line: str, backend: Backend
    ) -> None:
        call = Call(open_line)
        call.answer()
        summary = spoken(file_reclamo_by_phone(call))
        assert "Los Aromos 123" in summary
        assert "Ana Pérez Soto" in summary
        assert "nueve, ocho siete seis cinco, cuatro tres dos uno" in summary  # phone spelled
        assert "Opción 1" in summary  # the confirmation buttons, numbered
        filed = spoken(call.press("1"))
        folio = folio_heard(filed)
        assert folio.startswith("RC-")
        assert "mensaje de texto" in filed
        after = spoken(call.press("1"))
        assert "le enviamos el folio" in after
        texts = backend.twilio.sms()
        assert any(
            folio in m["Body"]
            and m["Body"].startswith("Municipalidad de Ñuñoa")
            and m["To"] == CALLER
            and m["From"] == MUNICIPAL_NUMBER
            for m in texts
        ), texts

        case = backend.api("GET", f"/api/v1/cases/{folio}").json()
        assert case["type"] == "reclamo"
        assert case["channel"] == "voice"
        assert case["category"] == "aseo"
        said = [t["text"] for t in case.get("transcript", []) if t["sender"] == "resident"]
        assert any("camión de la basura" in t for t in said), case.get("transcript")

    def test_status_call_by_folio_and_phone_speaks_the_status(
        self, open_line: str, backend: Backend
    ) -> None:
        filed = backend.api(
            "POST",
            "/api/v1/cases",
            json={
                "type": "reclamo",
                "channel": "web",
                "category": "alumbrado",
                "description": "Luminaria apagada hace una semana frente al número 45",
                "address": "Pasaje Los Olmos 45",
                "contact": {"name": "Luis Rojas", "phone": CALLER},
                "idempotency_key": uuid.uuid4().hex,
            },
        )
        assert filed.status_code == 201, filed.text
        folio = filed.json()["folio"]
        call = Call(open_line)
        call.answer()
        asked = spoken(call.press("2"))
        assert re.search(r"(?i)folio", asked), asked
        year, number = folio.split("-")[1:]
        asked = spoken(call.say(f"el folio es RC {year} {int(number)}"))
        assert re.search(r"(?i)teléfono|correo|rut", asked), asked
        status = spoken(call.press("987654321"))
        assert re.search(r"(?i)ingresado|recibido|en gesti|clasificado", status), status
        assert folio_heard(status) == folio

    def test_faq_answers_speak_of_this_call_not_of_a_chat(self, open_line: str) -> None:
        call = Call(open_line)
        call.answer()
        answer = spoken(call.say("cuál es el horario de atención de la oirs"))
        assert re.search(r"(?i)horario", answer), answer
        assert "Por esta línea puede ingresar reclamos" in answer, answer
        assert not re.search(r"(?i)\bchat\b", answer), answer

    def test_asking_for_a_person_hands_the_transcript_over_and_enqueues_the_call(
        self, open_line: str, backend: Backend
    ) -> None:
        call = Call(open_line)
        call.answer()
        call.press("1")  # something said before asking for a person, for the transcript
        root = call.say("quiero hablar con una persona por favor")
        handoff = backend.api(
            "GET", "/api/v1/handoffs", params={"channel": "voice", "conversation_id": call.call_sid}
        )
        assert handoff.status_code == 200, handoff.text
        if handoff.json()["status"] == "after_hours":  # a holiday closes the call center
            assert root.find("Record") is not None, ET.tostring(root)
            return
        enqueue = root.find("Enqueue")
        assert enqueue is not None, ET.tostring(root)
        assert enqueue.text == "oirs-pruebas"
        assert enqueue.get("action") == PUBLIC_URL + "/webhooks/voice/queue"
        log = (backend.logs / f"rasa-{RASA_OPEN_PORT}.log").read_text(errors="replace")
        assert CALLER not in log  # the phone number is never logged unmasked

    def test_key_zero_reaches_a_person_from_any_menu(self, open_line: str) -> None:
        call = Call(open_line)
        call.answer()
        assert call.press("0").find("Enqueue") is not None

    def test_a_queue_that_fails_leaves_the_caller_a_voicemail(self, open_line: str) -> None:
        call = Call(open_line)
        call.answer()
        assert call.press("0").find("Enqueue") is not None
        root = call.turn("queue", QueueResult="queue-full", QueueSid="QU" + "0" * 32, QueueTime="0")
        assert root.find("Record") is not None
        assert "No pudimos comunicarle" in spoken(root)
        # an agent who took the call ends it: nothing more to say
        after_agent = call.turn("queue", QueueResult="bridged", QueueTime="40")
        assert after_agent.find("Hangup") is not None and not spoken(after_agent)

    def test_silence_reprompts_then_offers_keys_then_a_person(self, open_line: str) -> None:
        call = Call(open_line)
        call.answer()
        first = call.silence()
        assert "no le escuché bien" in spoken(first)
        assert first.find("Gather") is not None
        second = call.silence()
        assert "teclado" in spoken(second)
        third = call.silence()
        assert third.find("Enqueue") is not None

    def test_low_confidence_speech_is_not_sent_to_the_bot_but_asked_again(
        self, open_line: str
    ) -> None:
        call = Call(open_line)
        call.answer()
        root = call.say("quiero ingresar un reclamo por la basura", confidence="0.18")
        assert "no le escuché bien" in spoken(root)
        # a reliable answer afterwards is understood and resets the counter
        understood = spoken(call.press("1"))
        assert "no le escuché bien" not in understood


@pytest.mark.usefixtures("closed_line")
class TestOutOfHours:
    def test_out_of_hours_voicemail_becomes_a_consulta_with_the_recording_attached(
        self, closed_line: str, backend: Backend
    ) -> None:
        call = Call(closed_line)
        call.answer()
        root = call.press("0")
        record = root.find("Record")
        assert record is not None, ET.tostring(root)
        assert record.get("action") == PUBLIC_URL + "/webhooks/voice/recording"
        assert "horario" in spoken(root)

        recording_sid = "RE" + uuid.uuid4().hex
        recording_url = backend.twilio.recording_url(recording_sid)
        done = call.turn(
            "recording",
            RecordingUrl=recording_url,
            RecordingSid=recording_sid,
            RecordingDuration="14",
            Digits="#",
        )
        folio = folio_heard(spoken(done))
        assert folio.startswith("CS-")
        assert done[-1].tag == "Hangup"

        status = call.post(
            "recording-status",
            call.params(
                RecordingStatus="completed",
                RecordingUrl=recording_url,
                RecordingSid=recording_sid,
                RecordingDuration="14",
                RecordingChannels="1",
                RecordingSource="RecordVerb",
            ),
        )
        assert status.status_code in (200, 204), status.text
        fetched = backend.twilio.fetched()
        assert any(path.endswith(f"{recording_sid}.mp3") for path, _ in fetched), fetched

        case = backend.api("GET", f"/api/v1/cases/{folio}").json()
        assert case["type"] == "consulta"
        assert case["channel"] == "voice"
        assert case.get("description") == "Mensaje de voz"
        attachments = case.get("attachments", [])
        assert any(a.get("content_type") == "audio/mpeg" for a in attachments), case

    def test_recording_ready_before_the_case_is_attached_once_the_case_exists(
        self, closed_line: str, backend: Backend
    ) -> None:
        call = Call(closed_line)
        call.answer()
        call.press("0")
        recording_sid = "RE" + uuid.uuid4().hex
        recording_url = backend.twilio.recording_url(recording_sid)
        early = call.post(
            "recording-status",
            call.params(
                RecordingStatus="completed",
                RecordingUrl=recording_url,
                RecordingSid=recording_sid,
            ),
        )
        assert early.status_code in (200, 204)
        done = call.turn(
            "recording",
            RecordingUrl=recording_url,
            RecordingSid=recording_sid,
            RecordingDuration="9",
        )
        folio = folio_heard(spoken(done))
        assert any(p.endswith(f"{recording_sid}.mp3") for p, _ in backend.twilio.fetched())
        case = backend.api("GET", f"/api/v1/cases/{folio}").json()
        assert any(a.get("content_type") == "audio/mpeg" for a in case.get("attachments", []))
