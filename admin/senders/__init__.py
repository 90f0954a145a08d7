"""Per-channel senders of outbox messages; each raises DeliveryError on failure."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from oirs.outbox.delivery import Delivery
from oirs.settings import Settings


class DeliveryError(Exception):
    """The provider did not take the message; `permanent` means retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    def send(self, delivery: Delivery, now: datetime) -> str:
        """Deliver and return the provider's message id."""


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports delivery outcomes; only a public https URL is reachable."""
    if not settings.public_url.startswith("https://"):
        return None
    return f"{settings.public_url}/api/twilio/status"


def build_senders(settings: Settings) -> dict[str, Sender]:
    """One sender per configured channel; an unconfigured channel's messages fail visibly."""
    from admin.senders.email import EmailSender
    from admin.senders.telegram import TelegramSender
    from admin.senders.whatsapp import TwilioWhatsAppSender
    from admin.senders.widget import WidgetSender

    senders: dict[str, Sender] = {"web": WidgetSender(), "email": EmailSender(settings)}
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from:
        senders["whatsapp"] = TwilioWhatsAppSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_whatsapp_from,
            template_sid=settings.twilio_template_content_sid,
            api_base=settings.twilio_api_base,
            status_callback=status_callback_url(settings),
        )
    if settings.telegram_bot_token:
        senders["telegram"] = TelegramSender(
            settings.telegram_bot_token,
            api_base=settings.telegram_api_base,
        )
    return senders
