"""The benchmark's voice personas: TwiML read as a caller hears it, options pressed by digit,
the call's end as the conversation's end, and "a este mismo número" as the caller's number.

The TwiML below is what channels/voice/twiml.py builds (bot_turn, transfer, voicemail, goodbye,
greeting), copied from its output: the benchmark's environment has no Rasa to build it here.
"""

from __future__ import annotations

import json
import types
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bench.understanding import cli, conversations, transports
from bench.understanding.resident import BotTurn, Persona, SimulatedResident
from tests.support.voice_call import Call, folio_heard, folios_written

SAY = '<Say language="es-US" voice="Polly.Lupe-Neural">{}</Say>'
GATHER = (
    '<Gather action="http://127.0.0.1:27200/webhooks/voice/gather" actionOnEmptyResult="true" '
    'input="speech dtmf" language="es-CL" method="POST" speechTimeout="auto" timeout="6">{}'
    "</Gather>"
)
OPTIONS = (
    "Puede decir la opción o marcar su número. Opción 1: Aseo y basura. Opción 2: Animales. "
    "Opción 3: Cancelar. Para hablar con una persona, marque 0."
)
CATEGORY_BUTTONS = [
    {"title": "Aseo y basura", "payload": '/informar{"categoria": "aseo"}'},
    {"title": "Animales", "payload": '/informar{"categoria": "animales"}'},
    {"title": "Cancelar", "payload": "/cancelar"},
]
NAMES = {"aseo": "Aseo y recolección de residuos", "animales": "Animales y tenencia responsable"}
CALLER = "+56951234567"
CALL_SID = "CA" + "b" * 32


def twiml(*parts: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(parts) + "</Response>"


def asking(question: str, options: str | None = None) -> str:
    inside = SAY.format(question) + (SAY.format(options) if options else "")
    return twiml(SAY.format("Gracias."), GATHER.format(inside))


TRANSFER = twiml(
    SAY.format("Le comunico con una persona de la municipalidad. Por favor, espere en línea."),
    '<Enqueue action="http://127.0.0.1:27200/webhooks/voice/queue" method="POST">oirs</Enqueue>',
)
VOICEMAIL = twiml(
    SAY.format("En este momento no hay personas disponibles. Deje su mensaje después del tono."),
    '<Record action="http://127.0.0.1:27200/webhooks/voice/recording" finishOnKey="#" />',
    SAY.format("No recibimos su mensaje. Puede llamarnos nuevamente cuando lo desee."),
    "<Hangup />",
)
GOODBYE = twiml(SAY.format("Gracias por comunicarse. Hasta luego."), "<Hangup />")
FILED = asking(
    "Listo. Su reclamo quedó registrado con el folio R C, dos cero dos seis, cero cero cero "
    "cero cuatro dos.",
)
GREETING = twiml(
    SAY.format("Hola, se ha comunicado con la Municipalidad de Prueba."),
    GATHER.format(SAY.format("Dígame en pocas palabras qué necesita, o marque: 1 para un reclamo")),
)


def read(document: str) -> transports.VoiceAnswer:
    return transports.read_twiml(ET.fromstring(document))


# --- TwiML -> what the caller hears -----------------------------------------------------------


def test_the_read_out_options_are_the_buttons_not_a_sentence() -> None:
    heard = read(asking("¿De qué tema es su reclamo?", OPTIONS))
    assert heard.texts == ["Gracias.", "¿De qué tema es su reclamo?"]
    assert heard.options == ["Aseo y basura", "Animales", "Cancelar"]
    assert heard.ended is None


def test_an_option_title_with_its_own_punctuation_is_kept_whole() -> None:
    options = (
        "Puede decir la opción o marcar su número. Opción 1: Sí, registrar. "
        "Opción 2: Corregir un dato. Para hablar con una persona, marque 0."
    )
    assert read(asking("¿Está todo correcto?", options)).options == [
        "Sí, registrar",
        "Corregir un dato",
    ]


def test_the_greeting_menu_is_a_sentence_without_options() -> None:
    heard = read(GREETING)
    assert heard.options == [] and heard.ended is None
    assert heard.texts[-1].startswith("Dígame en pocas palabras")


def test_options_become_buttons_with_their_digit_and_the_bots_payload() -> None:
    reply = transports.voice_reply(read(asking("¿Tema?", OPTIONS)), CATEGORY_BUTTONS)
    assert reply[0] == {"text": "Gracias."}
    assert reply[1]["buttons"][1] == {
        "title": "Animales",
        "payload": '/informar{"categoria": "animales"}',
        "option": "2",
    }
    # options that are not the tracker's latest buttons: chosen by title, never a wrong payload
    stale = transports.voice_reply(read(asking("¿Tema?", OPTIONS)), CATEGORY_BUTTONS[:2])
    assert [b["payload"] for b in stale[1]["buttons"]] == ["", "", ""]


def test_a_spoken_folio_is_written_down_as_the_caller_notes_it() -> None:
    heard = read(FILED)
    assert "folio RC-2026-000042." in heard.texts[-1]
    assert folios_written("S A I, dos cero dos seis, uno dos tres cuatro cinco seis") == (
        "SAI-2026-123456"
    )
    assert folio_heard("F L, dos cero dos seis, cero cero cero cero cero uno") == "FL-2026-000001"
    assert folios_written("R C, dos cero") == "R C, dos cero"  # not a whole folio


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (TRANSFER, "derivada a una persona"),
        (VOICEMAIL, "buzón de voz"),
        (GOODBYE, "el bot cortó la llamada"),
    ],
)
def test_a_call_that_leaves_the_bot_ends_with_its_reason(document: str, reason: str) -> None:
    ended = read(document).ended
    assert ended is not None and ended.startswith(reason)


# --- a persona's call ---------------------------------------------------------------------------


class FakeCall:
    """Call's surface: each post answered with the next TwiML of a script."""

    caller, call_sid = CALLER, CALL_SID

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.posts: list[tuple[str, str]] = []

    def _next(self, route: str, value: str) -> ET.Element:
        self.posts.append((route, value))
        return ET.fromstring(self.script.pop(0))

    def answer(self) -> ET.Element:
        return self._next("webhook", "")

    def say(self, speech: str, confidence: str = "0.91") -> ET.Element:
        assert float(confidence) >= 0.4  # clearly heard: the line passes it to the bot
        return self._next("gather", f"speech:{speech}")

    def press(self, digits: str) -> ET.Element:
        return self._next("gather", f"digits:{digits}")


class FakeRasa:
    def __init__(self, asked: list[str | None]) -> None:
        self.asked = asked
        self.trackers: list[tuple[str, str]] = []

    def tracker(self, sender: str, events: str = "NONE") -> dict[str, Any]:
        self.trackers.append((sender, events))
        if events != "NONE":
            bot = {"event": "bot", "text": "¿Tema?", "data": {"buttons": CATEGORY_BUTTONS}}
            return {"events": [bot, {"event": "user", "text": "x"}]}
        slot = self.asked.pop(0) if self.asked else None
        return {"active_loop": {"name": "reclamo_form"}, "slots": {"requested_slot": slot}}


def voice_persona() -> Persona:
    return Persona.from_line(
        {
            "id": "v1",
            "channel": "voice",
            "opening": ["aló, quiero reclamar por un perro suelto"],
            "answers": {"direccion": "Los Aromos 123", "contacto": "a este mismo número"},
            "gold": {"type": "reclamo", "category": "animales"},
        }
    )


def test_a_caller_is_answered_then_speaks_and_presses_the_options_digit() -> None:
    call = FakeCall(GREETING, asking("¿De qué tema es su reclamo?", OPTIONS), FILED)
    rasa = FakeRasa(["categoria"])
    talk = transports.VoiceTalk(rasa, call)  # type: ignore[arg-type]
    assert talk.identity == conversations.Identity("voice", CALL_SID, CALLER)
    outcome = conversations.converse(voice_persona(), talk, NAMES)
    assert outcome.folio == "RC-2026-000042" and outcome.stop == "folio"
    assert call.posts == [
        ("webhook", ""),  # the call answered before the first words
        ("gather", "speech:aló, quiero reclamar por un perro suelto"),
        ("gather", "digits:2"),  # "Animales", the option the REST resident would choose
    ]
    assert {sender for sender, _ in rasa.trackers} == {CALL_SID}  # the call's own tracker
    first_reply = outcome.transcript[1]["bot"]
    assert first_reply[0].startswith("Hola, se ha comunicado")  # the greeting was heard


def test_a_call_handed_to_a_person_ends_the_conversation_with_that_reason() -> None:
    call = FakeCall(GREETING, asking("¿Dónde ocurre?"), TRANSFER)
    talk = transports.VoiceTalk(FakeRasa(["direccion"]), call)  # type: ignore[arg-type]
    outcome = conversations.converse(voice_persona(), talk, NAMES)
    assert outcome.folio is None
    assert outcome.stop == "llamada terminada: derivada a una persona (cola de atención)"
    assert call.script == []  # nothing was said to a call that had left the bot
    with pytest.raises(transports.ChannelFailed):
        talk.say("¿aló?")


def test_choosing_by_the_resident_works_on_the_voice_buttons() -> None:
    reply = transports.voice_reply(read(asking("¿Tema?", OPTIONS)), CATEGORY_BUTTONS)
    move = SimulatedResident(voice_persona(), NAMES).choose_category(BotTurn.from_reply(reply, {}))
    assert move.button is not None and move.button["option"] == "2"


def test_without_a_read_out_option_nothing_is_pressed() -> None:
    talk = transports.VoiceTalk(FakeRasa([]), FakeCall())  # type: ignore[arg-type]
    with pytest.raises(transports.ChannelFailed):
        talk.press({"title": "Animales", "payload": "/x"})


# --- scoring and routing -----------------------------------------------------------------------


def voice_case(**row: Any) -> conversations.FiledCase:
    api = {
        "folio": "RC-2026-000042",
        "type": "reclamo",
        "category": "animales",
        "address": "Los Aromos 123",
        "channel": "voice",
        "contact": {"name": None, "preferred_channel": "voice"},
    }
    stored = {"phone": None, "email": None, "rut": None, "channel_user_id": CALLER}
    return conversations.FiledCase.from_api(api, {**stored, **row})


VOICE = conversations.Identity("voice", CALL_SID, CALLER)
SAME = {"type": "reclamo", "telefono": None, "same_channel_contact": True}


def test_on_the_phone_this_same_number_is_right_only_as_the_number_that_called() -> None:
    verdicts = conversations.score_case(SAME, voice_case(phone=CALLER), NAMES, identity=VOICE)
    assert verdicts["same_channel_contact"]["right"] and verdicts["telefono"]["right"]
    other = voice_case(phone="+56951112233")
    verdicts = conversations.score_case(SAME, other, NAMES, identity=VOICE)
    assert not verdicts["same_channel_contact"]["right"] and verdicts["telefono"]["invented"]
    no_phone = conversations.score_case(SAME, voice_case(), NAMES, identity=VOICE)
    assert no_phone["same_channel_contact"]["lost"]


def test_voice_personas_call_through_the_line_only_where_the_stand_ins_run() -> None:
    env = {
        "OIRS_PUBLIC_URL": "http://127.0.0.1:27200/",
        "TWILIO_AUTH_TOKEN": "bench-token",
        "TWILIO_ACCOUNT_SID": "AC" + "e2" * 16,
    }
    target = types.SimpleNamespace(rasa_url="http://127.0.0.1:27205", env=env)
    stand_ins = transports.StandIns(target, object(), object())  # type: ignore[arg-type]
    routed = transports.Channels(FakeRasa([]), stand_ins)  # type: ignore[arg-type]
    talk = routed.open(voice_persona())
    assert isinstance(talk, transports.VoiceTalk)
    call = talk.call
    assert isinstance(call, Call)
    assert call.caller.startswith("+569") and talk.identity.phone == call.caller
    assert talk.identity.sender == call.call_sid
    assert (call.public_url, call.auth_token) == ("http://127.0.0.1:27200", "bench-token")
    assert call.params()["AccountSid"] == env["TWILIO_ACCOUNT_SID"]
    assert routed.open(voice_persona()).identity.phone != call.caller  # a fresh number each
    rest = transports.Channels(FakeRasa([]))  # type: ignore[arg-type]
    assert rest.open(voice_persona()).identity.transport == "rest"  # a stack given by URL


def test_a_run_says_voice_personas_went_via_voice() -> None:
    outcome = conversations.Outcome("RC-2026-000042", "folio", CALL_SID, identity=VOICE)
    verdicts = conversations.score_case(SAME, voice_case(phone=CALLER), NAMES, identity=VOICE)
    result = conversations.result_of(voice_persona(), outcome, verdicts)
    summary = conversations.summarize([result], masked=False)
    assert summary["by_channel"]["voice"]["via"] == {"voice": 1}
    assert summary["channel_note"].startswith("voice por el canal de voz real")
    assert "REST" not in summary["channel_note"]


def test_channels_option_keeps_only_those_personas(tmp_path: Path) -> None:
    lines: list[Mapping[str, Any]] = [
        {"id": "a", "channel": "voice", "opening": "hola", "answers": {}, "gold": {}},
        {"id": "b", "channel": "web", "opening": "hola", "answers": {}, "gold": {}},
    ]
    (tmp_path / "conversations.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    args = cli.parse_args(["--only", "conversations", "--channels", "voice, whatsapp"])
    assert args.channel_filter == {"voice", "whatsapp"}
    seen: list[list[str]] = []

    def score(kind: str, items: list[dict[str, Any]], *_: Any) -> tuple[dict[str, Any], list[Any]]:
        seen.append([i["id"] for i in items])
        return {}, []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "_score", score)
        record = cli.run_set("conversations", tmp_path, None, args.channel_filter)
        cli.run_set("conversations", tmp_path, None)
    assert seen == [["a"], ["a", "b"]]
    assert record["channels"] == ["voice", "whatsapp"]
