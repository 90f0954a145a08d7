"""The phone line's settings (from credentials.yml and the environment) and how it answers Twilio.

Every part of the channel (dialogue, handoff, voicemail, SMS) is built with one VoiceConfig and
answers with `twiml_reply`, so a webhook's reply always has TwiML's content type.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from oirs_rules.hours import DEFAULT_HOURS
from sanic import response

from channels.voice import twiml

CHANNEL = "voice"
TWILIO_API = "https://api.twilio.com"
XML = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class VoiceConfig:
    auth_token: str
    public_url: str
    account_sid: str = ""
    api_base: str = TWILIO_API
    queue: str = "oirs"
    hours: str = DEFAULT_HOURS
    comuna: str | None = None  # its regional and communal holidays close the call center
    min_confidence: float = 0.4
    handoff_confidence: float = 0.6

    @property
    def twiml(self) -> twiml.VoiceSettings:
        return twiml.VoiceSettings(public_url=self.public_url, queue=self.queue)

    def trusts(self, url: str) -> bool:
        """Twilio credentials are only sent to Twilio (or its configured stand-in)."""
        host = urlparse(url).hostname or ""
        return host == urlparse(self.api_base).hostname or host.endswith(".twilio.com")


def number_or(value: str | None, default: float) -> float:
    """A number from credentials.yml or from Twilio; missing or malformed means `default`."""
    try:
        return float(value) if value else default
    except ValueError:
        return default


def twiml_reply(document: str) -> response.HTTPResponse:
    """A TwiML document as the webhook's answer."""
    return response.text(document, content_type=XML)
