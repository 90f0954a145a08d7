"""Pure TwiML builders for the phone channel: bot messages in, TwiML strings out.

Nothing here touches the network, Rasa or the clock, so every spoken sentence of a call can be
tested as data. The webhook glue (channels/voice.py) decides *which* builder to call.

Voice choice: Twilio offers no Chilean (es-CL) text-to-speech voice. `Polly.Lupe-Neural` speaks
Latin American (US) Spanish, closer to Chilean ears than the Castilian voices (Conchita, Lucía,
Enrique), and has a neural variant; its language attribute must be `es-US` (a voice/language
mismatch makes Twilio drop the <Say>). Speech *recognition* runs with `es-CL`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from oirs_rules.dates import MONTHS
from oirs_rules.folio import FOLIO_RE
from oirs_rules.hours import CallCenterHours
from twilio.twiml.voice_response import Gather, VoiceResponse

STT_LANGUAGE = "es-CL"
TTS_VOICE = "Polly.Lupe-Neural"
TTS_LANGUAGE = "es-US"

# Words callers of a Chilean municipality say that a generic recogniser tends to miss.
SPEECH_HINTS = (
    "reclamo, sugerencia, felicitación, consulta, folio, estado de mi caso, transparencia, "
    "información pública, solicitud de información, hablar con una persona, funcionario, "
    "basura, camión de la basura, microbasural, escombros, luminaria, poste de luz, alumbrado, "
    "bache, vereda, calzada, semáforo, ruidos molestos, perros sueltos, áreas verdes, poda, "
    "plaza, junta de vecinos, municipalidad, OIRS, RUT, arroba, gmail, hotmail, punto cl, "
    "sí, no, correcto, corregir, cancelar"
)

# The key menu of the phone line; "0" always reaches a person.
HANDOFF = "handoff"
MENU_KEYS: Mapping[str, str] = {
    "1": "/reclamo",
    "2": "/consultar_estado",
    "3": "/solicitud_informacion",
}

# Every sentence the phone channel says on its own (the rest comes from the bot's responses).
TEXTS: Mapping[str, str] = {
    "greeting": (
        "Hola, se ha comunicado con la {municipality}. Le atiende un asistente automatizado."
    ),
    "notice": (
        "Aviso de protección de datos: guardamos los datos que usted nos entregue y el registro "
        "de esta llamada solo para tramitar y responder su caso, durante el plazo que fija la "
        "normativa. Puede pedir acceso, corrección o eliminación de sus datos. "
        "La política completa está en el sitio web municipal."
    ),
    "menu": (
        "Dígame en pocas palabras qué necesita, o marque: 1 para un reclamo; "
        "2 para el estado de un caso; 3 para información pública o transparencia; "
        "0 para hablar con una persona."
    ),
    "menu_keys": (
        "Puede usar el teclado del teléfono. Marque 1 para un reclamo; 2 para el estado de un "
        "caso; 3 para información pública o transparencia; 0 para hablar con una persona."
    ),
    "options_intro": "Puede decir la opción o marcar su número.",
    "option": "Opción {number}: {title}.",
    "option_person": "Para hablar con una persona, marque 0.",
    "reprompt": "Disculpe, no le escuché bien. ¿Podría repetirlo?",
    "keys_intro": "Sigo sin entenderle.",
    "transfer": "Le comunico con una persona de la municipalidad. Por favor, espere en línea.",
    "voicemail": (
        "En este momento no hay personas disponibles: el horario de atención telefónica es "
        "{hours}. Deje su mensaje después del tono, con su nombre y su consulta, y presione "
        "la tecla gato al terminar. Le llamaremos de vuelta."
    ),
    "voicemail_short": (
        "Si lo desea, deje su mensaje después del tono, con su nombre y su consulta, y presione "
        "la tecla gato al terminar."
    ),
    "voicemail_empty": "No recibimos su mensaje. Puede llamarnos nuevamente cuando lo desee.",
    "voicemail_filed": (
        "Su mensaje quedó registrado con el folio {folio}. Una persona de la municipalidad le "
        "llamará de vuelta. Gracias por comunicarse."
    ),
    "queue_failed": "No pudimos comunicarle con una persona.",
    "sms_offer": (
        "¿Desea que le enviemos el folio por mensaje de texto a este teléfono? "
        "Diga sí o marque 1; para no, marque 2."
    ),
    "sms_sent": "Listo, le enviamos el folio por mensaje de texto.",
    "sms_declined": "Entendido, no le enviaremos mensaje.",
    "sms_body": (
        "{municipality}: su caso quedó registrado con el folio {folio}. Para saber cómo va, "
        "llámenos y diga «estado de un caso»."
    ),
    "anything_else": "¿Le puedo ayudar en algo más?",
    "goodbye": "Gracias por comunicarse. Hasta luego.",
    "error": (
        "Disculpe, tenemos un problema técnico. Por favor, intente nuevamente en unos minutos."
    ),
    "hours_unknown": "de lunes a viernes en horario de oficina",
    # a number over OIRS_VOICE_RATE_PER_CALLER (channels/ratelimit.py) hears this and the call ends
    "rate_limited": (
        "Hemos recibido muchas llamadas seguidas desde su número. "
        "Por favor, vuelva a llamar en unos minutos. Hasta luego."
    ),
}

DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s«»]+", re.IGNORECASE)
EMAIL_RE = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
DATE_RE = re.compile(r"\b(\d{2})-(\d{2})-(\d{4})\b")
RUT_RE = re.compile(r"\b(\d{1,2})\.?(\d{3})\.?(\d{3})-([\dkK])\b")
PHONE_RE = re.compile(r"(?<![\w-])\+?56[\s-]?([29](?:[\s-]?\d){8})\b")
LOCAL_PHONE_RE = re.compile(r"(?<![\w.,+-])([29](?:[\s-]?\d){8})\b")
EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
DECORATION_RE = re.compile(r"[«»*_`#•]")
AFFIRMATIVE_RE = re.compile(
    r"^\W*(s[ií]|claro|bueno|ya|dale|por favor|ok|okay|correcto|env[ií]e(lo|melo)?)\b", re.I
)

Step = Literal["reprompt", "keys", "person"]


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


# --- speaking text ----------------------------------------------------------------------------


def spell_digits(digits: str) -> str:
    """Digits one by one ("0123" -> "cero uno dos tres"), so a caller can write them down."""
    return " ".join(DIGIT_WORDS[int(d)] for d in digits if d.isdigit())


def spell_folio(folio: str) -> str:
    """A folio read on the phone: "R C, dos cero dos seis, cero cero cero uno dos tres"."""
    match = FOLIO_RE.fullmatch(folio.strip())
    if not match:
        raise ValueError(f"not a folio: {folio!r}")
    prefix, year, number = match.groups()
    return f"{' '.join(prefix.upper())}, {spell_digits(year)}, {spell_digits(number)}"


def _spoken_date(match: re.Match[str]) -> str:
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return match.group(0)
    return f"{day} de {MONTHS[month - 1]} de {year}"


def _spoken_rut(match: re.Match[str]) -> str:
    body = "".join(match.groups()[:3])
    check = match.group(4).upper()
    check_word = "K" if check == "K" else DIGIT_WORDS[int(check)]
    return f"{spell_digits(body)}, guion {check_word}"


def _spoken_phone(match: re.Match[str]) -> str:
    return "más cinco seis, " + _spoken_local_phone(match)


def _spoken_local_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    return ", ".join(spell_digits(g) for g in (digits[0], digits[1:5], digits[5:]))


def _spoken_email(match: re.Match[str]) -> str:
    user, domain = match.groups()
    return f"{user.replace('.', ' punto ')} arroba {domain.replace('.', ' punto ')}"


def speakable(text: str) -> str:
    """Bot text made fit for text-to-speech: folios, RUT and phones spelled, links named."""
    text = FOLIO_RE.sub(lambda m: spell_folio(m.group(0)), text)
    text = URL_RE.sub("en el sitio web municipal", text)
    text = EMAIL_RE.sub(_spoken_email, text)
    text = RUT_RE.sub(_spoken_rut, text)
    text = PHONE_RE.sub(_spoken_phone, text)
    text = LOCAL_PHONE_RE.sub(_spoken_local_phone, text)
    text = DATE_RE.sub(_spoken_date, text)
    text = EMOJI_RE.sub("", text)
    text = DECORATION_RE.sub("", text)
    text = re.sub(r"([.:;!?¿¡])?\s*\n+\s*", lambda m: (m.group(1) or ".") + " ", text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def numbered_options(buttons: Sequence[Mapping[str, Any]]) -> str:
    """Buttons read as a numbered list; keys 1-9 answer them, 0 always reaches a person."""
    parts = [TEXTS["options_intro"]]
    for number, button in enumerate(buttons[:9], start=1):
        parts.append(TEXTS["option"].format(number=number, title=speakable(str(button["title"]))))
    if not any(str(b.get("payload", "")) == "/hablar_con_humano" for b in buttons[:9]):
        parts.append(TEXTS["option_person"])
    return " ".join(parts)


def find_folio(texts: Sequence[str]) -> str | None:
    """The first folio the bot mentioned in a turn (normalised), if any."""
    for text in texts:
        match = FOLIO_RE.search(text)
        if match:
            prefix, year, number = match.groups()
            return f"{prefix.upper()}-{year}-{number}"
    return None


# --- turns from bot messages ------------------------------------------------------------------


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


def recovery_step(failures: int) -> Step:
    """After 1 failure ask again, after 2 offer the keypad, after 3 hand over to a person."""
    if failures <= 1:
        return "reprompt"
    if failures == 2:
        return "keys"
    return "person"


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


def keys_to_message(digits: str, buttons: Sequence[Mapping[str, Any]], menu_active: bool) -> str:
    """What a keypad entry means: a button, a menu intent, a person, or digits typed as text."""
    digits = digits.strip().rstrip("#")
    if digits == "0":
        return HANDOFF
    if digits.isdigit() and len(digits) == 1 and buttons:
        index = int(digits) - 1
        if 0 <= index < min(len(buttons), 9):
            return str(buttons[index].get("payload") or buttons[index]["title"])
    if menu_active and digits in MENU_KEYS:
        return MENU_KEYS[digits]
    # a RUT typed on a keypad ends in K: callers press the star key for it
    return digits.replace("*", "K")


def is_affirmative(text: str) -> bool:
    """A caller's yes (spoken or key 1) to a yes/no question the channel itself asked."""
    return text.strip() == "1" or bool(AFFIRMATIVE_RE.match(text))


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


# --- call-center hours ------------------------------------------------------------------------


def hours_in_spanish(hours: CallCenterHours) -> str:
    """The schedule as a caller hears it: "de lunes a viernes, de 8:30 a 17:30 horas"."""
    return hours.describe("; y ") or TEXTS["hours_unknown"]
