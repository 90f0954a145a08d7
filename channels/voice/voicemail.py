"""A voicemail becomes a consulta (or joins the one the handoff opened), its recording attached.

Twilio reports the end of the recording (/recording) and, separately and in either order, that
its file is ready (/recording-status): the audio is attached once both the case and the file
exist.
"""

from __future__ import annotations

import logging

from sanic import response

from api_client import ApiError, shared_client
from api_client.outcomes import HANDED_OFF, report_in_background
from channels.voice import twiml
from channels.voice.call_state import CallState, CallStates
from channels.voice.config import CHANNEL, VoiceConfig, twiml_reply
from channels.voice.texts import TEXTS
from channels.voice.twilio_api import TwilioApi

logger = logging.getLogger(__name__)


class Voicemail:
    def __init__(self, config: VoiceConfig, states: CallStates, twilio: TwilioApi) -> None:
        self.config = config
        self.states = states
        self.twilio = twilio

    async def recording(self, params: dict[str, str]) -> response.HTTPResponse:
        """The voicemail ended: it becomes a consulta (or joins the one the handoff opened)."""
        state = await self.states.current(params)
        if not params.get("RecordingUrl") or params.get("RecordingDuration", "0") in ("", "0"):
            return twiml_reply(twiml.goodbye(self.config.twiml, [TEXTS["voicemail_empty"]]))
        state.record("resident", ["(mensaje de voz)"])
        if not state.voicemail_folio:
            try:
                state.voicemail_folio = await self.file(state, params)
            except ApiError as error:
                logger.error(
                    "channel=voice event=voicemail_not_filed call_sid=%s error=%s",
                    state.call_sid,
                    error,
                )
                return twiml_reply(twiml.goodbye(self.config.twiml, [TEXTS["error"]]))
        if state.pending_recording:
            await self.attach(state.voicemail_folio, state.pending_recording)
            state.pending_recording = None
        await self.states.save(state)
        return twiml_reply(twiml.voicemail_filed(self.config.twiml, state.voicemail_folio))

    async def file(self, state: CallState, params: dict[str, str]) -> str:
        """The voicemail as a consulta on channel voice; its folio."""
        contact = {"phone": state.caller} if state.caller.startswith("+56") else {}
        body = {
            "type": "consulta",
            "channel": CHANNEL,
            "description": "Mensaje de voz",
            "contact": contact,
            "channel_user_id": state.caller,
            "conversation_id": state.call_sid,
            "transcript": state.transcript,
            "idempotency_key": f"voice-{params.get('RecordingSid') or state.call_sid}",
        }
        # one try: Twilio waits 15 s for this webhook's TwiML, a second try could outlast it
        case = await shared_client().file_case(body, retry=False)
        # a voicemail waits for a person's call-back: for containment, handed off
        report_in_background(state.call_sid, CHANNEL, HANDED_OFF)
        logger.info(
            "channel=voice event=voicemail_filed call_sid=%s folio=%s",
            state.call_sid,
            case.get("folio"),
        )
        return str(case["folio"])

    async def recording_status(self, params: dict[str, str]) -> response.HTTPResponse:
        """The recording file is ready at Twilio: fetch it and attach it to the case."""
        if params.get("RecordingStatus") != "completed" or not params.get("RecordingUrl"):
            return response.empty()
        state = await self.states.current(params)
        if not state.voicemail_folio:
            state.pending_recording = params["RecordingUrl"]
            await self.states.save(state)
            return response.empty()
        await self.attach(state.voicemail_folio, params["RecordingUrl"])
        return response.empty()

    async def attach(self, folio: str, recording_url: str) -> None:
        audio = await self.twilio.recording(recording_url)
        await shared_client().attach_file(folio, audio, "audio/mpeg", f"mensaje-de-voz-{folio}.mp3")
        logger.info("channel=voice event=recording_attached folio=%s bytes=%d", folio, len(audio))
