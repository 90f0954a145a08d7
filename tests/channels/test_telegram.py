"""Telegram channel: real Update JSON posted with the secret-token header to a real Rasa
server; Bot API calls captured where api.telegram.org would receive them."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random

import pytest
import requests

from channels.settings import DisabledChannel
from channels.store import ChannelStore
from channels.telegram import TelegramInput, callback_data, command_text, payload_of
from tests.channels.conftest import TELEGRAM_SECRET, tracker, user_texts

PATH = "/webhooks/telegram/webhook"
SPANISH = "¡Hola! ¿Cómo está? Ñuñoa"
_update_ids = itertools.count(random.randint(10_000_000, 90_000_000))


def person(chat_id: int) -> dict:
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": "María José",
        "last_name": "Ñúñez",
        "username": "mjnunez",
        "language_code": "es",
    }


def update(chat_id: int, **message: object) -> dict:
    """A private-chat message update as the Bot API sends it."""
    chat = {k: v for k, v in person(chat_id).items() if k not in ("is_bot", "language_code")}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": random.randint(1, 100_000),
            "from": person(chat_id),
            "chat": {**chat, "type": "private"},
            "date": 1795600000,
            **message,
        },
    }


def command(chat_id: int, text: str) -> dict:
    length = len(text.split(" ")[0])
    return update(
        chat_id, text=text, entities=[{"offset": 0, "length": length, "type": "bot_command"}]
    )


def resident() -> int:
    return random.randint(100_000_000, 999_999_999)


def post(rasa_url: str, body: dict, secret: str | None = TELEGRAM_SECRET) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(rasa_url + PATH, json=body, headers=headers, timeout=30)


def sent_messages(fake_providers, chat_id: int, count: int = 1) -> list[dict]:
    calls = fake_providers.wait_for("/sendMessage", count)
    params = [_params(c) for c in calls]
    return [p for p in params if str(p["chat_id"]) == str(chat_id)]


def _params(call) -> dict:
    if "json" in call.headers.get("Content-Type", ""):
        return call.json
    return call.form


def test_spanish_text_arrives_and_goes_out_unchanged_with_inline_buttons(
    rasa_url, fake_providers
) -> None:
    chat_id = resident()
    assert post(rasa_url, update(chat_id, text=SPANISH)).status_code == 200
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["text"] == SPANISH
    assert latest["metadata"]["channel"] == "telegram"
    [sent] = sent_messages(fake_providers, chat_id)
    assert sent["text"] == SPANISH
    markup = sent["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    buttons = [row[0] for row in markup["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["Reclamo", "Consultar estado"]
    assert buttons[0]["callback_data"] == "/reclamo"


def test_button_press_sends_its_payload_and_clears_the_keyboard(rasa_url, fake_providers) -> None:
    chat_id = resident()
    press = {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": person(chat_id),
            "message": {
                "message_id": 77,
                "from": {"id": 1, "is_bot": True, "first_name": "OIRS", "username": "oirs_bot"},
                "chat": {"id": chat_id, "first_name": "María José", "type": "private"},
                "date": 1795600000,
                "text": SPANISH,
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Reclamo", "callback_data": "/reclamo"}]]
                },
            },
            "chat_instance": "-8390202471234",
            "data": '/consultar_estado{"folio": "RC-2026-000123"}',
        },
    }
    assert post(rasa_url, press).status_code == 200
    assert fake_providers.matching("/answerCallbackQuery")
    assert fake_providers.matching("/editMessageReplyMarkup")
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["intent"]["name"] == "consultar_estado"
    assert latest["entities"][0]["value"] == "RC-2026-000123"
    assert sent_messages(fake_providers, chat_id)[-1]["text"] == "Revisaremos su caso."


def test_estado_command_carries_the_folio(rasa_url, fake_providers) -> None:
    chat_id = resident()
    post(rasa_url, command(chat_id, "/estado RC-2026-000123"))
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["intent"]["name"] == "consultar_estado"
    assert latest["entities"][0]["value"] == "RC-2026-000123"


def test_start_command_greets(rasa_url, fake_providers) -> None:
    chat_id = resident()
    post(rasa_url, command(chat_id, "/start"))
    assert tracker(rasa_url, str(chat_id))["latest_message"]["intent"]["name"] == "saludo"


def test_photo_is_downloaded_and_uploaded_as_an_attachment(rasa_url, fake_providers) -> None:
    chat_id = resident()
    photo = [
        {
            "file_id": "AgACAgEAAxkBAAMsmall",
            "file_unique_id": "AQADs",
            "file_size": 1200,
            "width": 90,
            "height": 67,
        },
        {
            "file_id": "AgACAgEAAxkBAAMlarge",
            "file_unique_id": "AQADl",
            "file_size": 68,
            "width": 1280,
            "height": 960,
        },
    ]
    assert post(rasa_url, update(chat_id, photo=photo)).status_code == 200
    [get_file] = fake_providers.matching("/getFile")
    assert "AgACAgEAAxkBAAMlarge" in get_file.body.decode()
    [upload] = fake_providers.matching("/api/v1/uploads")
    assert b"\x89PNG" in upload.body
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["intent"]["name"] == "enviar_adjunto"
    assert latest["metadata"]["attachments"][0]["upload_id"].startswith("upl_")
    assert sent_messages(fake_providers, chat_id)[-1]["text"] == "Recibimos su archivo."


def test_an_album_is_one_message_for_the_bot_with_its_caption(rasa_url, fake_providers) -> None:
    """Telegram sends an album as one update per photo, all with the album's media_group_id."""
    from concurrent.futures import ThreadPoolExecutor

    chat_id = resident()
    group = str(random.randint(10**16, 10**17))

    def member(index: int, **extra: object) -> dict:
        size = {"file_unique_id": f"AQAD{index}", "file_size": 68, "width": 1280, "height": 960}
        return update(
            chat_id, media_group_id=group, photo=[{"file_id": f"AgAlbum{index}", **size}], **extra
        )

    album = [member(0), member(1, caption="reclamo"), member(2)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(lambda body: post(rasa_url, body).status_code, album))
    assert statuses == [200, 200, 200]
    assert user_texts(rasa_url, str(chat_id)) == ["reclamo"]
    [said] = [e for e in tracker(rasa_url, str(chat_id))["events"] if e["event"] == "user"]
    latest = said["parse_data"]
    assert len(latest["metadata"]["attachments"]) == 3
    assert latest["metadata"]["media_group_id"] == group
    assert [m["text"] for m in sent_messages(fake_providers, chat_id)] == ["Cuénteme qué ocurrió."]


def test_photo_caption_is_the_message_text(rasa_url, fake_providers) -> None:
    chat_id = resident()
    photo = [
        {"file_id": "AgAD-cap", "file_unique_id": "AQc", "file_size": 68, "width": 9, "height": 9}
    ]
    post(rasa_url, update(chat_id, photo=photo, caption="reclamo: luminaria apagada"))
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["text"] == "reclamo: luminaria apagada"
    assert len(latest["metadata"]["attachments"]) == 1


def test_location_becomes_case_coordinates(rasa_url, fake_providers) -> None:
    chat_id = resident()
    post(rasa_url, update(chat_id, location={"latitude": -33.4569, "longitude": -70.5983}))
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["intent"]["name"] == "compartir_ubicacion"
    assert latest["metadata"]["location"] == {"lat": -33.4569, "lon": -70.5983}


def test_shared_own_contact_is_metadata(rasa_url, fake_providers) -> None:
    chat_id = resident()
    contact = {"phone_number": "+56987654321", "first_name": "María José", "user_id": chat_id}
    post(rasa_url, update(chat_id, contact=contact))
    latest = tracker(rasa_url, str(chat_id))["latest_message"]
    assert latest["intent"]["name"] == "compartir_contacto"
    assert latest["metadata"]["contact"] == {
        "phone": "+56987654321",
        "name": "María José",
        "own": True,
    }


@pytest.mark.parametrize("secret", [None, "", "not-the-secret"])
def test_requests_without_the_secret_token_are_refused(rasa_url, fake_providers, secret) -> None:
    chat_id = resident()
    assert post(rasa_url, update(chat_id, text="hola"), secret).status_code == 403
    assert user_texts(rasa_url, str(chat_id)) == []
    assert not fake_providers.matching("/sendMessage")


def test_redelivered_update_is_processed_once(rasa_url, fake_providers) -> None:
    chat_id = resident()
    body = update(chat_id, text="reclamo")
    assert [post(rasa_url, body).status_code for _ in range(3)] == [200, 200, 200]
    assert user_texts(rasa_url, str(chat_id)) == ["reclamo"]
    assert [m["text"] for m in sent_messages(fake_providers, chat_id)] == ["Cuénteme qué ocurrió."]


def test_long_button_payloads_travel_by_reference() -> None:
    store = ChannelStore("test")
    payload = '/informar{"direccion": "Avenida Libertador Bernardo O\'Higgins 1449, Ñuñoa"}'

    async def roundtrip() -> tuple[str, str]:
        data = await callback_data(store, payload)
        return data, await payload_of(store, data)

    data, back = asyncio.run(roundtrip())
    assert len(data.encode()) <= 64
    assert back == payload


def test_unknown_commands_lose_the_slash_so_they_cannot_name_intents() -> None:
    assert command_text("/reclamo_falso hola") == "reclamo_falso hola"
    assert command_text("/estado@oirs_bot RC-2026-000123") == (
        '/consultar_estado{"folio": "RC-2026-000123"}'
    )


def test_channel_without_token_is_not_mounted_and_says_so(monkeypatch, caplog) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "x")
    credentials = {"token": "${TELEGRAM_BOT_TOKEN}", "webhook_secret": "${TELEGRAM_WEBHOOK_SECRET}"}
    with caplog.at_level(logging.WARNING):
        channel = TelegramInput.from_credentials(credentials)
    assert isinstance(channel, DisabledChannel)
    assert "channel=telegram status=disabled" in caplog.text
    assert "TELEGRAM_BOT_TOKEN" in caplog.text


def test_polling_relay_posts_updates_to_the_webhook_and_acknowledges_them(
    rasa_url, fake_providers
) -> None:
    from channels.telegram_polling import Relay

    chat_id = resident()
    first, second = update(chat_id, text="hola"), update(chat_id, text="reclamo")
    fake_providers.pending_updates.extend([first, second])
    relay = Relay(
        "123456:TEST-telegram-token", TELEGRAM_SECRET, rasa_url + PATH, fake_providers.base_url
    )
    assert relay.relay_once(timeout=0) == 2
    assert relay.relay_once(timeout=0) == 0  # offset moved past both: nothing twice
    assert user_texts(rasa_url, str(chat_id)) == ["hola", "reclamo"]


def test_polling_relay_posts_an_albums_members_together(rasa_url, fake_providers) -> None:
    from channels.telegram_polling import Relay, album_runs

    chat_id = resident()
    size = {"file_unique_id": "AQADr", "file_size": 68, "width": 1280, "height": 960}
    album = [
        update(chat_id, media_group_id="777", photo=[{"file_id": f"AgRelay{i}", **size}])
        for i in range(2)
    ]
    after = update(chat_id, text="hola")
    assert [len(run) for run in album_runs([*album, after])] == [2, 1]
    fake_providers.pending_updates.extend([*album, after])
    relay = Relay(
        "123456:TEST-telegram-token", TELEGRAM_SECRET, rasa_url + PATH, fake_providers.base_url
    )
    assert relay.relay_once(timeout=0) == 3
    assert user_texts(rasa_url, str(chat_id)) == ["/enviar_adjunto", "hola"]
    [said, _] = [e for e in tracker(rasa_url, str(chat_id))["events"] if e["event"] == "user"]
    assert len(said["metadata"]["attachments"]) == 2


def test_voice_note_and_document_are_kept_with_their_types(rasa_url, fake_providers) -> None:
    chat_id = resident()
    voice = {
        "file_id": "AwACAgEAAxkBvoice",
        "file_unique_id": "AgADv",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": 68,
    }
    document = {
        "file_id": "BQACAgEAAxkBdoc",
        "file_unique_id": "AgADd",
        "file_name": "Acta junta de vecinos Ñuñoa.pdf",
        "mime_type": "application/pdf",
        "file_size": 68,
    }
    post(rasa_url, update(chat_id, voice=voice))
    post(rasa_url, update(chat_id, document=document))
    uploads = fake_providers.matching("/api/v1/uploads")
    assert len(uploads) == 2
    assert b"Content-Type: audio/ogg" in uploads[0].body
    assert b"Content-Type: application/pdf" in uploads[1].body
    assert user_texts(rasa_url, str(chat_id)) == ["/enviar_adjunto", "/enviar_adjunto"]
