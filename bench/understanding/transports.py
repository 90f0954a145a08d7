"""How a persona's messages reach the bot: its own channel, or Rasa's REST channel.

When the bench started the stack it also runs the loopback stand-ins of Twilio and Telegram
(tests/e2e), and WhatsApp and Telegram personas talk through the project's real channels exactly
as tests/e2e/test_channels.py does (tests/e2e/resident_channels.py): WhatsApp as Twilio-signed
form posts from a fresh number, the bot's replies read from the messages the Twilio stand-in
received, buttons shown as numbered options and chosen by their number; Telegram as Update JSON
with the webhook's secret token from a fresh chat, buttons as inline keyboards pressed with a
callback_query; voice as a phone call from a fresh number, Twilio Voice's signed webhooks
(/webhooks/voice/webhook answers it, /webhooks/voice/gather carries each SpeechResult), the bot's
words the <Say> of the TwiML answers, its buttons the numbered options it reads out, chosen by
pressing their digit. The tracker is then the channel's sender ("whatsapp:+569…", the chat id,
the call's CallSid). Web personas, and every persona against a stack given by URL, talk over
REST.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clients import RasaClient
from .conversations import Identity, Talk, new_sender
from .resident import Persona

if TYPE_CHECKING:
    from tests.e2e.fake_telegram import FakeTelegram
    from tests.e2e.faults import FakeTwilio
    from tests.e2e.resident_channels import ChannelTarget, TelegramChat, WhatsAppPhone
    from tests.support.voice_call import Call

OPTION = re.compile(r"^(\d{1,2})\. (.*)$")
PROFILE = "Vecino"  # the profile name the channels pass on; the bot never files it as a name
ROOT = Path(__file__).resolve().parents[2]
VOICE_TEXTS = ROOT / "channels" / "voice" / "texts.py"
MUNICIPAL_NUMBER = "+56223456789"  # the number the voice personas call (any: only its To)
CONFIDENCE = "0.9"  # Twilio's transcription confidence for a clearly spoken answer
POST_TIMEOUT = 120  # seconds for one webhook: Rasa answers before it returns


class StandInsUnavailable(RuntimeError):
    """A stand-in could not listen on its port (another benchmark holds it)."""


class ChannelFailed(RuntimeError):
    """The channel refused a message or showed no button to press (the conversation stops)."""


@dataclass(frozen=True)
class StandIns:
    """The loopback Twilio and Telegram of the bench's own stack, and where they post."""

    target: ChannelTarget  # Rasa's URL and the OIRS_PUBLIC_URL Twilio signs
    twilio: FakeTwilio
    telegram: FakeTelegram


def _masked(error: BaseException) -> str:
    """A check's message without the numbers and chats it may name."""
    from oirs.privacy.masking import mask_text

    return mask_text(str(error)[:200])


class RestTalk:
    """REST: a new sender per persona; a button is sent as its payload."""

    def __init__(self, rasa: RasaClient, sender: str) -> None:
        self.rasa = rasa
        self.identity = Identity("rest", sender)

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.rasa.say(self.identity.sender, text)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        return self.say(button.get("payload") or button.get("title") or "")

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


def read_options(body: str, hint: str) -> tuple[str, list[str]]:
    """A WhatsApp message split into its text and its numbered options (channels/options.py
    renders buttons as 'text, blank, "1. title"…, blank, hint'); no hint, no options."""
    lines = body.rstrip().split("\n")
    if not lines or lines[-1].strip() != hint:
        return body, []
    end = len(lines) - 1
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and OPTION.match(lines[start - 1]):
        start -= 1
    numbered = [OPTION.match(line) for line in lines[start:end]]
    titles = [m.group(2) for m in numbered if m]
    if not titles or [int(m.group(1)) for m in numbered if m] != list(range(1, len(titles) + 1)):
        return body, []
    return "\n".join(lines[:start]).strip(), titles


def last_buttons(tracker: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The buttons of the bot's latest message that had some, from the tracker's events."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "bot" and (event.get("data") or {}).get("buttons"):
            return list(event["data"]["buttons"])
    return []


def whatsapp_reply(
    bodies: Sequence[str], hint: str, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Twilio messages as REST shapes a reply. Only the latest options answer to a number
    (the channel keeps one list per number); each option keeps the payload of the bot's
    button of that title (what the REST resident reads to choose it) and its number."""
    reply: list[dict[str, Any]] = []
    for body in bodies:
        text, titles = read_options(body, hint)
        if titles:
            for earlier in reply:
                earlier.pop("buttons", None)  # an older list: the numbers now mean the new one
        message: dict[str, Any] = {"text": text}
        if titles:
            known = [str(b.get("title") or "") for b in buttons]
            payloads = [str(b.get("payload") or "") for b in buttons] if known == titles else []
            message["buttons"] = [
                {"title": title, "payload": payloads[n] if payloads else "", "option": str(n + 1)}
                for n, title in enumerate(titles)
            ]
        reply.append(message)
    return reply


class WhatsAppTalk:
    """A persona on WhatsApp from its own fresh number."""

    def __init__(self, rasa: RasaClient, phone: WhatsAppPhone) -> None:
        from channels.messages import OPTIONS_HINT

        self.rasa, self.phone, self.hint = rasa, phone, OPTIONS_HINT
        self.identity = Identity("whatsapp", phone.address, phone.number)

    def say(self, text: str) -> list[dict[str, Any]]:
        try:
            self.phone.post(text)
        except AssertionError as error:  # the stand-in's checks: refused or wrong sender
            raise ChannelFailed(f"WhatsApp rechazó el mensaje: {_masked(error)}") from None
        bodies = [m.get("Body", "") for m in self.phone.last_reply if m.get("Body")]
        buttons: list[dict[str, Any]] = []
        if any(read_options(body, self.hint)[1] for body in bodies):
            buttons = last_buttons(self.rasa.tracker(self.identity.sender, events="AFTER_RESTART"))
        return whatsapp_reply(bodies, self.hint, buttons)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """A resident chooses an option by typing its number."""
        option = button.get("option")
        if not option:
            raise ChannelFailed("WhatsApp no mostró esa opción numerada")
        return self.say(option)

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


def telegram_reply(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Bot API messages as REST shapes a reply; inline buttons carry their callback data."""
    reply = []
    for message in messages:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        shaped: dict[str, Any] = {"text": message.get("text") or ""}
        if rows:
            shaped["buttons"] = [
                {"title": str(b.get("text") or ""), "payload": str(b.get("callback_data") or "")}
                for row in rows
                for b in row
            ]
        reply.append(shaped)
    return reply


class TelegramTalk:
    """A persona on Telegram from its own fresh chat."""

    def __init__(self, rasa: RasaClient, chat: TelegramChat) -> None:
        self.rasa, self.chat = rasa, chat
        self.identity = Identity("telegram", str(chat.chat_id))

    def say(self, text: str) -> list[dict[str, Any]]:
        try:
            self.chat.text(text)
        except AssertionError as error:
            raise ChannelFailed(f"Telegram rechazó el mensaje: {_masked(error)}") from None
        return telegram_reply(self.chat.last_reply)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """A tap on the inline keyboard of the bot's latest message that has one (the button
        of this title and callback data: a keyboard may repeat a title)."""
        try:
            self.chat.press(str(button.get("title") or ""), button.get("payload") or None)
        except (AssertionError, ValueError) as error:  # no keyboard, or not that button once
            raise ChannelFailed(f"Telegram: no se pudo tocar el botón ({_masked(error)})") from None
        return telegram_reply(self.chat.last_reply)

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)


@cache
def voice_texts() -> Mapping[str, str]:
    """The phone line's own sentences (channels/voice/texts.py), read from that one file: its
    package imports Rasa, which the benchmark's environment does not have."""
    spec = importlib.util.spec_from_file_location("_oirs_voice_texts", VOICE_TEXTS)
    if spec is None or spec.loader is None:
        raise ChannelFailed(f"no se pudo leer {VOICE_TEXTS}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.TEXTS)


def _option_pattern(texts: Mapping[str, str]) -> re.Pattern[str]:
    """'Opción {number}: {title}.' as a pattern; a title ends where the next option (or the
    line's own 'marque 0' for a person) begins."""
    template = texts["option"]
    lead = re.escape(template.split("{number}")[0])
    pattern = re.escape(template)
    pattern = pattern.replace(re.escape("{number}"), r"(\d)").replace(re.escape("{title}"), "(.+?)")
    person = re.escape(texts["option_person"])
    return re.compile(rf"{pattern}(?=\s+{lead}\d|\s+{person}|\s*$)")


@dataclass(frozen=True)
class VoiceAnswer:
    """What a caller hears in one TwiML answer: the sentences, the numbered options read out
    (their titles, option 1 first) and, when the call does not go on with the bot, why."""

    texts: list[str]
    options: list[str]
    ended: str | None = None


ENDINGS = (  # the verbs after which no <Gather> comes back to the bot, and what they mean
    ("Enqueue", "derivada a una persona (cola de atención)"),
    ("Record", "buzón de voz (ninguna persona disponible)"),
    ("Hangup", "el bot cortó la llamada"),
)


def read_twiml(root: ET.Element, texts: Mapping[str, str] | None = None) -> VoiceAnswer:
    """A TwiML answer of the phone line as a caller hears it. The options are the <Say> that
    starts with the line's 'Puede decir la opción o marcar su número.' (channels/voice/speech.py);
    a folio read digit by digit is written down, as a caller notes it."""
    from tests.support.voice_call import folios_written

    texts = texts or voice_texts()
    said: list[str] = []
    options: list[str] = []
    for say in root.iter("Say"):
        text = folios_written((say.text or "").strip())
        if text.startswith(texts["options_intro"]):
            numbered = _option_pattern(texts).findall(text)
            if [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1)):
                options = [title.strip() for _, title in numbered]
                continue
        if text:
            said.append(text)
    ended = None
    if root.find(".//Gather") is None:
        verbs = {element.tag for element in root.iter()}
        ended = next(
            (why for verb, why in ENDINGS if verb in verbs), "la llamada quedó en silencio"
        )
    return VoiceAnswer(said, options, ended)


def voice_reply(answer: VoiceAnswer, buttons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A TwiML answer as REST shapes a reply: one message per sentence, the options as buttons
    on the last one with their digit, each with the payload of the bot's button it reads (the
    channel reads the first nine of the latest buttons, in order)."""
    reply: list[dict[str, Any]] = [{"text": text} for text in answer.texts] or [{"text": ""}]
    if answer.options:
        shown = list(buttons)[:9]
        payloads = [str(b.get("payload") or "") for b in shown]
        same = len(shown) == len(answer.options)
        reply[-1]["buttons"] = [
            {"title": title, "payload": payloads[n] if same else "", "option": str(n + 1)}
            for n, title in enumerate(answer.options)
        ]
    return reply


class VoiceTalk:
    """A persona calling the municipal line from its own fresh number: the call is answered at
    the first message, then each message is what Twilio's speech recognition heard."""

    def __init__(self, rasa: RasaClient, call: Call) -> None:
        self.rasa, self.call = rasa, call
        # Rasa's conversation is the call (its CallSid); the resident is the number calling
        self.identity = Identity("voice", call.call_sid, call.caller)
        self.ended: str | None = None
        self.answered = False

    def say(self, text: str) -> list[dict[str, Any]]:
        greeting: list[str] = []
        if not self.answered:
            self.answered = True
            first = self._heard(self.call.answer)
            greeting = first.texts
            if first.ended:
                self.ended = first.ended
                return [{"text": t} for t in greeting]
        return self._reply(self._heard(lambda: self.call.say(text, CONFIDENCE)), greeting)

    def press(self, button: Mapping[str, str]) -> list[dict[str, Any]]:
        """A caller chooses a read-out option by pressing its digit."""
        option = button.get("option")
        if not option:
            raise ChannelFailed("la línea de voz no leyó esa opción numerada")
        return self._reply(self._heard(lambda: self.call.press(option)))

    def tracker(self) -> dict[str, Any]:
        return self.rasa.tracker(self.identity.sender)

    def _heard(self, post: Any) -> VoiceAnswer:
        if self.ended:
            raise ChannelFailed(f"la llamada ya terminó ({self.ended})")
        try:
            return read_twiml(post())
        except AssertionError as error:  # refused, or not TwiML
            raise ChannelFailed(f"la línea de voz rechazó la llamada: {_masked(error)}") from None
        except ET.ParseError as error:
            raise ChannelFailed(f"la línea de voz no respondió TwiML: {error}") from None

    def _reply(self, answer: VoiceAnswer, before: Sequence[str] = ()) -> list[dict[str, Any]]:
        self.ended = answer.ended
        buttons: list[dict[str, Any]] = []
        if answer.options:
            buttons = last_buttons(self.rasa.tracker(self.identity.sender, events="AFTER_RESTART"))
        answer = VoiceAnswer([*before, *answer.texts], answer.options, answer.ended)
        return voice_reply(answer, buttons)


class Channels:
    """Opens each persona's conversation on its channel when the stand-ins run, else on REST."""

    def __init__(self, rasa: RasaClient, stand_ins: StandIns | None = None) -> None:
        self.rasa, self.stand_ins = rasa, stand_ins
        self.numbers: set[str] = set()
        self.chats: set[int] = set()

    def transport(self, channel: str) -> str:
        """'whatsapp', 'telegram', 'voice' or 'rest': what carries a persona of this channel."""
        if self.stand_ins is not None and channel in ("whatsapp", "telegram", "voice"):
            return channel
        return "rest"

    def open(self, persona: Persona) -> Talk:
        transport = self.transport(persona.channel)
        if transport == "whatsapp" and self.stand_ins is not None:
            from tests.e2e.resident_channels import WhatsAppPhone

            phone = WhatsAppPhone(
                self.stand_ins.target, self.stand_ins.twilio, self.fresh_number(), PROFILE
            )
            return WhatsAppTalk(self.rasa, phone)
        if transport == "telegram" and self.stand_ins is not None:
            from tests.e2e.resident_channels import TelegramChat

            chat = TelegramChat(
                self.stand_ins.target, self.stand_ins.telegram, self.fresh_chat(), (PROFILE, "")
            )
            return TelegramTalk(self.rasa, chat)
        if transport == "voice" and self.stand_ins is not None:
            return VoiceTalk(self.rasa, self.phone_call())
        return RestTalk(self.rasa, new_sender(persona))

    def phone_call(self) -> Call:
        """A call from a fresh number, signed with the stack's own TWILIO_AUTH_TOKEN over its
        OIRS_PUBLIC_URL, as the voice channel of credentials.yml checks it."""
        from tests.support.voice_call import Call

        assert self.stand_ins is not None
        target = self.stand_ins.target
        env = target.env
        return Call(
            target.rasa_url,
            caller=self.fresh_number(),
            public_url=env["OIRS_PUBLIC_URL"].rstrip("/"),
            auth_token=env["TWILIO_AUTH_TOKEN"],
            account_sid=env["TWILIO_ACCOUNT_SID"],
            municipal_number=MUNICIPAL_NUMBER,
            timeout=POST_TIMEOUT,
        )

    def fresh_number(self) -> str:
        """A Chilean mobile no persona of this run has used. +56 9 5…: the whole range is valid
        for the phonenumbers of both environments, unlike parts of 9 7… (9 70… is not, and the
        bot then has no number to answer), and checked again here."""
        import phonenumbers

        while True:
            number = f"+5695{secrets.randbelow(10**7):07d}"
            if number in self.numbers:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                self.numbers.add(number)
                return number

    def fresh_chat(self) -> int:
        while True:
            chat_id = 6_000_000_000 + secrets.randbelow(10**9)
            if chat_id not in self.chats:
                self.chats.add(chat_id)
                return chat_id


@contextmanager
def running_stand_ins(
    twilio_port: int, telegram_port: int
) -> Iterator[tuple[FakeTwilio, FakeTelegram]]:
    """The Twilio and Telegram stand-ins of tests/e2e with the e2e stack's credentials."""
    from tests.e2e import channel_env
    from tests.e2e.fake_telegram import FakeTelegram
    from tests.e2e.faults import FakeTwilio

    try:
        twilio = FakeTwilio(twilio_port, channel_env.TWILIO_ACCOUNT, channel_env.TWILIO_TOKEN)
    except OSError as error:
        where = f"puerto {twilio_port} del doble de Twilio"
        raise StandInsUnavailable(f"{where}: {error}") from None
    twilio.start()
    try:
        try:
            telegram = FakeTelegram(telegram_port, channel_env.TELEGRAM_TOKEN)
        except OSError as error:
            where = f"puerto {telegram_port} del doble de Telegram"
            raise StandInsUnavailable(f"{where}: {error}") from None
        telegram.start()
        try:
            yield twilio, telegram
        finally:
            telegram.stop()
    finally:
        twilio.stop()
