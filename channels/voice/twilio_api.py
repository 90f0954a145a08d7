"""The phone channel's calls to Twilio's REST API: an SMS to the caller, a voicemail's audio.

The account's credentials go only to Twilio (or the stand-in configured as its API base).
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

import aiohttp
from oirs_rules.masking import mask_id

from channels.voice.config import VoiceConfig

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10)


class TwilioRefused(Exception):
    """Twilio refused a request of the phone channel, or a URL was not Twilio's."""


class TwilioApi:
    def __init__(self, config: VoiceConfig) -> None:
        self.config = config

    @property
    def auth(self) -> aiohttp.BasicAuth:
        return aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token)

    async def send_sms(self, call_sid: str, sender: str, to: str, body: str) -> None:
        """Text the caller from the number they called, through the Twilio Messages API."""
        url = f"{self.config.api_base}/2010-04-01/Accounts/{self.config.account_sid}/Messages.json"
        data = {"From": sender, "To": to, "Body": body}
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, data=data, auth=self.auth) as reply,
        ):
            if reply.status >= 400:
                raise TwilioRefused(f"Twilio refused the SMS status={reply.status}")
        logger.info("channel=voice event=sms_sent call_sid=%s to=%s", call_sid, mask_id(to))

    async def recording(self, recording_url: str) -> bytes:
        """A voicemail's MP3, fetched with the account's credentials."""
        url = f"{recording_url}.mp3"
        if not self.config.trusts(url):
            raise TwilioRefused(f"recording from an untrusted host: {urlparse(url).hostname}")
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, auth=self.auth if self.config.account_sid else None) as reply,
        ):
            if reply.status != 200:
                raise TwilioRefused(f"recording fetch status={reply.status}")
            return await reply.read()
