"""The phone line's parts in process, without Rasa: what it asks the admin (commune name,
handoff, voicemail case, recording) and Twilio (SMS, recording), on loopback stand-ins.

tests/channels/test_voice.py drives whole calls through a real Rasa server with a model; these
run in seconds and check every call the channel itself makes to the admin API.
"""

from __future__ import annotations

import asyncio
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest

from api_client.outcomes import conversation_hash, wait_reported
from channels.ratelimit import DEFAULT_PER_CALLER, PER_CALLER_VARIABLE, WebhookLimits
from channels.store import ChannelStore
from channels.voice import VoiceInput
from channels.voice.call_state import CallState, CallStates
from channels.voice.config import VoiceConfig
from tests.channels.conftest import API_TOKEN, PUBLIC_URL, TWILIO_SID, TWILIO_TOKEN
from tests.channels.providers import MP3, VOICEMAIL_FOLIO, Providers

CALLER = "+56987654321"
MUNICIPAL_NUMBER = "+56223456789"
CALL_SID = "CA" + "5" * 32
ALWAYS_OPEN = "mon-sun 00:00-24:00"


@pytest.fixture
def line(fake_providers: Providers, monkeypatch: pytest.MonkeyPatch) -> VoiceInput:
    monkeypatch.setenv("OIRS_API_URL", fake_providers.base_url)
    monkeypatch.setenv("OIRS_API_TOKEN", API_TOKEN)
    config = VoiceConfig(
        auth_token=TWILIO_TOKEN,
        public_url=PUBLIC_URL,
        account_sid=TWILIO_SID,
        api_base=fake_providers.base_url,
        hours=ALWAYS_OPEN,
    )
    limits = WebhookLimits.from_env("voice", PER_CALLER_VARIABLE, DEFAULT_PER_CALLER, environ={})
    return VoiceInput(config, CallStates(ChannelStore("voice-parts")), limits)


def params(**extra: str) -> dict[str, str]:
    return {"CallSid": CALL_SID, "From": CALLER, "To": MUNICIPAL_NUMBER, **extra}


def no_agent() -> Any:
    """A Sanic request of a server whose Rasa agent is not loaded."""
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace()))


def says(document: Any) -> str:
    return " ".join(re.findall(r"<Say[^>]*>([^<]*)</Say>", document.body.decode()))


def test_a_call_is_greeted_with_the_communes_name_from_the_admin(
    line: VoiceInput, fake_providers: Providers
) -> None:
    seen: list[Any] = []

    async def on_new_message(message: Any) -> None:
        seen.append(message)

    reply = asyncio.run(line.dialogue.answer(params(), on_new_message))

    assert "Municipalidad de Prueba" in says(reply)
    assert [m.text for m in seen] == ["/session_start"]
    [asked] = fake_providers.matching("/api/v1/commune", method="GET")
    assert asked.headers["Authorization"] == f"Bearer {API_TOKEN}"


def test_key_zero_hands_the_transcript_to_the_admin_and_queues_the_call(
    line: VoiceInput, fake_providers: Providers
) -> None:
    async def call() -> Any:
        state = CallState.from_params(params())
        state.record("resident", ["tengo un problema con la basura"])
        await line.states.save(state)
        reply = await line.dialogue.gather(no_agent(), params(Digits="0"), None)
        await wait_reported()
        return reply

    reply = asyncio.run(call())

    assert "<Enqueue" in reply.body.decode()
    # put through without the bot's action: containment counts the call as handed off
    [outcome] = fake_providers.matching("/api/v1/conversations/outcomes")
    assert outcome.json["outcome"] == "handed_off" and outcome.json["channel"] == "voice"
    assert outcome.json["conversation"] == conversation_hash(CALL_SID)
    [handoff] = fake_providers.matching("/api/v1/handoffs")
    body = handoff.json
    assert (body["channel"], body["conversation_id"], body["reason"]) == (
        "voice",
        CALL_SID,
        "solicitud_del_vecino",
    )
    assert body["transcript"][0]["text"] == "tengo un problema con la basura"


def test_an_admin_that_fails_the_handoff_still_queues_the_caller_once(
    line: VoiceInput, fake_providers: Providers
) -> None:
    fake_providers.fail_next["/api/v1/handoffs"] = 1

    reply = asyncio.run(line.handoff.hand_off(CallState.from_params(params()), "no_se_entendio"))

    assert "<Enqueue" in reply.body.decode()
    assert len(fake_providers.matching("/api/v1/handoffs")) == 1


def test_a_voicemail_becomes_a_consulta_with_its_recording_attached(
    line: VoiceInput, fake_providers: Providers
) -> None:
    recording = f"{fake_providers.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Recordings/RE1"

    async def call() -> tuple[Any, Any]:
        ready = await line.voicemail.recording_status(
            params(RecordingStatus="completed", RecordingUrl=recording)
        )
        ended = await line.voicemail.recording(
            params(RecordingUrl=recording, RecordingDuration="12", RecordingSid="RE1")
        )
        await wait_reported()
        return ready, ended

    ready, ended = asyncio.run(call())

    assert ready.status == 204
    assert "C S, dos cero dos seis, cero cero cero cero cuatro dos" in says(ended)
    [case] = [r for r in fake_providers.matching("/api/v1/cases") if r.path == "/api/v1/cases"]
    assert case.json["type"] == "consulta"
    assert case.json["idempotency_key"] == "voice-RE1"
    assert case.json["contact"] == {"phone": CALLER}
    [outcome] = fake_providers.matching("/api/v1/conversations/outcomes")
    assert outcome.json["outcome"] == "handed_off"  # a person will call back
    [attached] = fake_providers.matching(f"/api/v1/cases/{VOICEMAIL_FOLIO}/attachments")
    assert attached.headers["Content-Type"].startswith("multipart/form-data")
    assert MP3 in attached.body
    assert f'filename="mensaje-de-voz-{VOICEMAIL_FOLIO}.mp3"' in attached.body.decode("latin-1")


def test_the_folio_is_texted_from_the_called_number_when_the_caller_says_yes(
    line: VoiceInput, fake_providers: Providers
) -> None:
    async def call() -> Any:
        state = CallState.from_params(params())
        state.sms_folio = "RC-2026-000123"
        await line.states.save(state)
        return await line.dialogue.gather(no_agent(), params(Digits="1"), None)

    reply = asyncio.run(call())

    assert "le enviamos el folio" in says(reply)
    [sms] = fake_providers.matching("/Messages.json")
    assert (sms.form["From"], sms.form["To"]) == (MUNICIPAL_NUMBER, CALLER)
    assert "Municipalidad de Prueba" in sms.form["Body"]
    assert "RC-2026-000123" in sms.form["Body"]
    assert json.loads(json.dumps(sms.form))  # a plain form, no JSON
