"""A rating sent after a staff answer ("5 gracias!! 👍", "un 7") is recorded by the admin and
acknowledged by the channel, instead of reaching the bot as small talk (issue 16). Twilio's
real inbound form goes to the WhatsApp channel in process; the admin and Twilio are stand-ins."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from channels.ratelimit import WebhookLimits
from channels.store import ChannelStore
from channels.telegram import TelegramConfig, TelegramInput
from channels.whatsapp import TwilioConfig, WhatsAppInput
from tests.channels import test_telegram as tg
from tests.channels import test_whatsapp as wa
from tests.channels.conftest import (
    API_TOKEN,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
)
from tests.channels.providers import Providers


@pytest.fixture
def channel(fake_providers: Providers, monkeypatch: pytest.MonkeyPatch) -> WhatsAppInput:
    monkeypatch.setenv("OIRS_API_URL", fake_providers.base_url)
    monkeypatch.setenv("OIRS_API_TOKEN", API_TOKEN)
    config = TwilioConfig(
        TWILIO_SID, TWILIO_TOKEN, "+14155238886", PUBLIC_URL, fake_providers.base_url
    )
    limits = WebhookLimits.from_env("whatsapp", environ={})
    return WhatsAppInput(config, ChannelStore("whatsapp"), limits)


def deliver(channel: WhatsAppInput, sender: str, text: str) -> list[Any]:
    """What reached the bot when the resident wrote `text`."""
    seen: list[Any] = []

    async def on_new_message(message: Any) -> None:
        seen.append(message)

    asyncio.run(channel.handle(wa.inbound(sender, text), on_new_message))
    return seen


def sent_to(fake_providers: Providers, sender: str) -> list[str]:
    return [
        r.form["Body"] for r in fake_providers.matching("/Messages.json") if r.form["To"] == sender
    ]


def test_a_rating_after_the_answer_is_recorded_and_acknowledged(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    sender = wa.resident()
    fake_providers.ratings[sender] = {
        "folio": "RC-2026-000123",
        "score": 5,
        "given": 5,
        "grade": False,
        "message": "Gracias, registramos su evaluación: 5.",
    }
    assert deliver(channel, sender, "5 gracias!! 👍") == []  # no small talk from the bot
    [asked] = fake_providers.matching("/api/v1/residents/satisfaction")
    assert asked.json == {
        "channel": "whatsapp",
        "channel_user_id": sender,
        "text": "5 gracias!! 👍",
    }
    assert sent_to(fake_providers, sender) == ["Gracias, registramos su evaluación: 5."]


def test_a_school_grade_is_acknowledged_with_what_it_counts_as(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    sender = wa.resident()
    fake_providers.ratings[sender] = {
        "folio": "RC-2026-000123",
        "score": 5,
        "given": 7,
        "grade": True,
        "message": "Gracias, registramos su evaluación: nota 7, es decir 5 de 5.",
    }
    assert deliver(channel, sender, "un 7") == []
    assert sent_to(fake_providers, sender) == [
        "Gracias, registramos su evaluación: nota 7, es decir 5 de 5."
    ]


def test_a_number_nobody_asked_to_rate_goes_to_the_bot(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    sender = wa.resident()
    [message] = deliver(channel, sender, "5")
    assert message.text == "5"
    assert sent_to(fake_providers, sender) == []


def test_words_without_a_number_do_not_ask_the_admin(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    sender = wa.resident()
    [message] = deliver(channel, sender, "gracias!")
    assert message.text == "gracias!"
    assert fake_providers.matching("/api/v1/residents/satisfaction") == []


def test_with_the_admin_down_the_message_still_reaches_the_bot(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    sender = wa.resident()
    fake_providers.ratings[sender] = {
        "folio": "RC-2026-000123",
        "score": 5,
        "given": 5,
        "grade": False,
    }
    fake_providers.fail_next["/api/v1/residents/satisfaction"] = 1
    [message] = deliver(channel, sender, "5")
    assert message.text == "5"
    assert (
        json.loads(fake_providers.matching("/api/v1/residents/satisfaction")[0].body)["text"] == "5"
    )


def test_telegram_ratings_are_recorded_too(
    fake_providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OIRS_API_URL", fake_providers.base_url)
    monkeypatch.setenv("OIRS_API_TOKEN", API_TOKEN)
    config = TelegramConfig(TELEGRAM_TOKEN, TELEGRAM_SECRET, fake_providers.base_url)
    limits = WebhookLimits.from_env("telegram", environ={})
    telegram = TelegramInput(config, ChannelStore("telegram"), limits)
    chat = tg.resident()
    fake_providers.ratings[str(chat)] = {
        "folio": "RC-2026-000123",
        "score": 4,
        "given": 6,
        "grade": True,
        "message": "Gracias, registramos su evaluación: nota 6, es decir 4 de 5.",
    }
    seen: list[Any] = []

    async def on_new_message(message: Any) -> None:
        seen.append(message)

    asyncio.run(telegram.handle(tg.update(chat, text="un 6 👍"), on_new_message))
    assert seen == []
    [sent] = fake_providers.matching("/sendMessage")
    assert sent.form["text"] == "Gracias, registramos su evaluación: nota 6, es decir 4 de 5."
    assert sent.form["chat_id"] == str(chat)


def test_the_channel_tells_the_admin_when_the_bot_last_spoke(
    channel: WhatsAppInput, fake_providers: Providers
) -> None:
    """A number typed after the bot asked something answers the bot: the admin is told when
    the bot last wrote, and compares it with the staff answer's delivery."""
    sender = wa.resident()
    deliver(channel, sender, "5")
    assert "bot_spoke_at" not in fake_providers.matching("/residents/satisfaction")[0].json
    before = time.time()
    asyncio.run(channel.get_output_channel().send_text_message(sender, "¿En qué calle?"))
    deliver(channel, sender, "5")
    spoke = fake_providers.matching("/residents/satisfaction")[1].json["bot_spoke_at"]
    assert before <= spoke <= time.time()
