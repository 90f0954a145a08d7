"""A phone call as Twilio drives our voice channel: signed form posts in, TwiML out.

Shared by the phone line's tests (tests/channels/test_voice.py) and the understanding
benchmark's voice personas (bench/understanding/transports.py). Only the standard library,
requests and oirs_rules: it runs in both environments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import requests
from oirs_rules.folio import PREFIXES

VOICE_PATH = "/webhooks/voice"
PUBLIC_URL = "https://oirs.example.cl"  # what Twilio calls (and signs); a proxy forwards to us
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "voice-test-auth-token"
MUNICIPAL_NUMBER = "+56223456789"
CALLER = "+56987654321"
XML = "text/xml; charset=utf-8"


def twilio_signature(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """HMAC-SHA1 of the URL followed by every POST key and value, sorted by key, base64."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Call:
    """One phone call driven the way Twilio drives it: a signed form post per turn.

    `public_url`, `auth_token` and `account_sid` are the channel's (OIRS_PUBLIC_URL,
    TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID); Rasa's CallSid is the conversation's sender id."""

    rasa_url: str
    call_sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)
    caller: str = CALLER
    last: ET.Element | None = None
    public_url: str = PUBLIC_URL
    auth_token: str = AUTH_TOKEN
    account_sid: str = ACCOUNT_SID
    municipal_number: str = MUNICIPAL_NUMBER
    timeout: float = 60

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Called": self.municipal_number,
            "CalledCountry": "CL",
            "Caller": self.caller,
            "CallerCountry": "CL",
            "Direction": "inbound",
            "From": self.caller,
            "FromCountry": "CL",
            "To": self.municipal_number,
            "ToCountry": "CL",
            **extra,
        }

    def post(self, route: str, params: dict[str, str], signature: str | None = None) -> Any:
        path = f"{VOICE_PATH}/{route}"
        headers = {
            "X-Twilio-Signature": signature
            or twilio_signature(self.public_url + path, params, self.auth_token),
            "User-Agent": "TwilioProxy/1.1",
        }
        return requests.post(
            self.rasa_url + path, data=params, headers=headers, timeout=self.timeout
        )

    def turn(self, route: str, **extra: str) -> ET.Element:
        reply = self.post(route, self.params(**extra))
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"] == XML
        self.last = ET.fromstring(reply.content)
        return self.last

    def answer(self) -> ET.Element:
        return self.turn("webhook", CallStatus="ringing")

    def say(self, speech: str, confidence: str = "0.91") -> ET.Element:
        return self.turn(
            "gather",
            SpeechResult=speech,
            Confidence=confidence,
            Language="es-CL",
            msg="Gather End",
        )

    def press(self, digits: str) -> ET.Element:
        return self.turn("gather", Digits=digits, FinishedOnKey="", msg="Gather End")

    def silence(self) -> ET.Element:
        return self.turn("gather", msg="Gather End")


def spoken(root: ET.Element) -> str:
    """Everything the TwiML says, in order, as one string."""
    return " ".join(say.text or "" for say in root.iter("Say"))


DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
_DIGIT = "(?:" + "|".join(DIGIT_WORDS) + ")"
# a folio as the line reads it (channels/voice/speech.py): "R C, dos cero dos seis, cero cero …"
FOLIO_SPOKEN = re.compile(
    r"\b(" + "|".join(" ".join(p) for p in PREFIXES.values()) + r"), "
    rf"((?:{_DIGIT} ?){{4}}), ((?:{_DIGIT} ?){{6}})(?!\w)"
)


def _written(match: re.Match[str]) -> str:
    prefix, year, number = match.groups()
    digits = lambda words: "".join(str(DIGIT_WORDS.index(w)) for w in words.split())  # noqa: E731
    return f"{prefix.replace(' ', '')}-{digits(year)}-{digits(number)}"


def folio_heard(text: str) -> str:
    """Turn a folio read digit by digit back into its written form."""
    match = FOLIO_SPOKEN.search(text)
    assert match, text
    return _written(match)


def folios_written(text: str) -> str:
    """The text with every folio read digit by digit written down, as a caller notes it."""
    return FOLIO_SPOKEN.sub(_written, text)
