"""Pure TwiML builders for the phone channel: bot messages in, TwiML strings out.

Nothing here touches the network, Rasa or the clock, so every spoken sentence of a call can be
tested as data. The dialogue (dialogue.py, handoff.py, voicemail.py) decides *which* builder to
call; the sentences are in texts.py and made speakable by speech.py.

Voice choice: Twilio offers no Chilean (es-CL) text-to-speech voice. `Polly.Lupe-Neural` speaks
Latin American (US) Spanish, closer to Chilean ears than the Castilian voices (Conchita, Lucía,
Enrique), and has a neural variant; its language attribute must be `es-US` (a voice/language
mismatch makes Twilio drop the <Say>). Speech *recognition* runs with `es-CL`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oirs_rules.hours import CallCenterHours
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels.voice.speech import numbered_options, speakable
from channels.voice.texts import SPEECH_HINTS, TEXTS

STT_LANGUAGE = "es-CL"
TTS_VOICE = "Polly.Lupe-Neural"
TTS_LANGUAGE = "es-US"


@dataclass(frozen=True)
class VoiceSettings:
    """What the TwiML needs to know about the deployment: where Twilio posts back, and voices."""

    public_url: str
    base_path: str = "/webhooks/voice"
    queue: str = "oirs"
    tts_voice: str = TTS_VOICE
    tts_language: str = TTS_LANGUAGE
    stt_language: str = STT_LANGUAGE
    hints: str = SPEECH_HINTS
    silence_timeout: int = 6
    voicemail_seconds: int = 120

    def url(self, route: str) -> str:
        """Absolute URL of one of our webhook routes, as Twilio must call (and sign) it."""
        return f"{self.public_url.rstrip('/')}{self.base_path}/{route}"


@dataclass
class Turn:
    """One thing to say, and the buttons the caller may answer with (by number or by voice)."""

    texts: list[str] = field(default_factory=list)
    buttons: list[dict[str, Any]] = field(default_factory=list)


def turn_from_messages(messages: Sequence[Mapping[str, Any]]) -> Turn:
    """Collect what Rasa said in one turn; the buttons of the last message with buttons count."""
    turn = Turn()
    for message in messages:
        text = str(message.get("text") or "").strip()
        if text:
            turn.texts.append(text)
        buttons = message.get("buttons") or message.get("quick_replies")
        if buttons:
            turn.buttons = [dict(b) for b in buttons if b.get("title")]
    return turn


# --- speaking and listening -------------------------------------------------------------------


def _say(target: VoiceResponse | Gather, text: str, settings: VoiceSettings) -> None:
    target.say(text, voice=settings.tts_voice, language=settings.tts_language)


def _gather(settings: VoiceSettings, num_digits: int | None = None) -> Gather:
    attributes: dict[str, Any] = {
        "input": "speech dtmf",
        "action": settings.url("gather"),
        "method": "POST",
        "language": settings.stt_language,
        "speech_timeout": "auto",
        "timeout": settings.silence_timeout,
        "hints": settings.hints,
        "action_on_empty_result": True,
    }
    if num_digits:
        attributes["num_digits"] = num_digits
    return Gather(**attributes)


def _listen(settings: VoiceSettings, spoken: Sequence[str], options: str | None) -> str:
    """Say everything, then wait for speech or keys; the options are read inside the Gather."""
    response = VoiceResponse()
    *before, last = [speakable(t) for t in spoken if t.strip()] or [""]
    for text in before:
        _say(response, text, settings)
    gather = _gather(settings)
    if last:
        _say(gather, last, settings)
    if options:
        _say(gather, options, settings)
    response.append(gather)
    return str(response)


def bot_turn(turn: Turn, settings: VoiceSettings, extra: Sequence[str] = ()) -> str:
    """The bot's reply spoken, its buttons read as numbered options, then listen again."""
    options = numbered_options(turn.buttons) if turn.buttons else None
    return _listen(settings, [*turn.texts, *extra], options)


def greeting(settings: VoiceSettings, municipality: str) -> str:
    """First thing a caller hears: who answers, the data notice, and the menu."""
    texts = [
        TEXTS["greeting"].format(municipality=municipality),
        TEXTS["notice"],
        TEXTS["menu"],
    ]
    return _listen(settings, texts, None)


# --- silence and misrecognition ---------------------------------------------------------------


def reprompt(turn: Turn, settings: VoiceSettings) -> str:
    """Ask the caller to repeat, then say the last question again."""
    spoken = [TEXTS["reprompt"], *turn.texts[-1:]]
    options = numbered_options(turn.buttons) if turn.buttons else None
    return _listen(settings, spoken, options)


def keys_prompt(turn: Turn, settings: VoiceSettings) -> str:
    """Second failure: the options by keypad (the bot's buttons, or else the main menu)."""
    options = numbered_options(turn.buttons) if turn.buttons else TEXTS["menu_keys"]
    spoken = [TEXTS["keys_intro"], *turn.texts[-1:]] if turn.buttons else [TEXTS["keys_intro"]]
    return _listen(settings, spoken, options)


# --- leaving the bot --------------------------------------------------------------------------


def transfer(settings: VoiceSettings, before: Sequence[str] = ()) -> str:
    """Put the caller in the agents' queue; Twilio reports back how the wait ended."""
    response = VoiceResponse()
    for text in [*before, TEXTS["transfer"]]:
        _say(response, speakable(text), settings)
    response.enqueue(settings.queue, action=settings.url("queue"), method="POST")
    return str(response)


def voicemail(settings: VoiceSettings, hours: str | None, before: Sequence[str] = ()) -> str:
    """Out of hours: record a message that becomes a consulta; the file is fetched later.

    Without `hours` the reason was already said (`before`, e.g. the admin's holiday notice).
    """
    response = VoiceResponse()
    prompt = TEXTS["voicemail"].format(hours=hours) if hours else TEXTS["voicemail_short"]
    for text in [*before, prompt]:
        _say(response, speakable(text), settings)
    response.record(
        action=settings.url("recording"),
        method="POST",
        max_length=settings.voicemail_seconds,
        timeout=5,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=settings.url("recording-status"),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    _say(response, TEXTS["voicemail_empty"], settings)
    response.hangup()
    return str(response)


def goodbye(settings: VoiceSettings, texts: Sequence[str]) -> str:
    """Say the last words and hang up."""
    response = VoiceResponse()
    for text in texts:
        _say(response, speakable(text), settings)
    response.hangup()
    return str(response)


def voicemail_filed(settings: VoiceSettings, folio: str) -> str:
    """Confirm the voicemail became a case, with its folio read digit by digit."""
    return goodbye(settings, [TEXTS["voicemail_filed"].format(folio=folio)])


def hours_in_spanish(hours: CallCenterHours) -> str:
    """The schedule as a caller hears it: "de lunes a viernes, de 8:30 a 17:30 horas"."""
    return hours.describe("; y ") or TEXTS["hours_unknown"]
