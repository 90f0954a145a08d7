"""Provider credentials and stand-in ports of the session stack: WhatsApp and Telegram are
mounted on it (as in production) against loopback stand-ins of Twilio and Telegram."""

from __future__ import annotations

TWILIO_PORT, TELEGRAM_PORT = 29080, 29081
TWILIO_ACCOUNT = "AC" + "e2" * 16
TWILIO_TOKEN = "e2e-stack-twilio-auth-token"
WHATSAPP_FROM = "+14155238886"
TELEGRAM_TOKEN = "7000000001:AAE2eStackStandInTokenForTests"
TELEGRAM_SECRET = "e2e-stack-telegram-webhook-secret"


def channel_env(twilio_base: str, telegram_base: str) -> dict[str, str]:
    """What Rasa and the outbox worker need to mount and answer through both channels."""
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_API_BASE": twilio_base,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": telegram_base,
    }
