"""WhatsApp channel: Twilio's real webhook form, signed as Twilio signs it, posted to a real
Rasa server; replies captured where api.twilio.com would receive them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import random
import time
import uuid

import pytest
import requests
from twilio.request_validator import RequestValidator

from channels.settings import DisabledChannel
from channels.whatsapp import WhatsAppInput, split_text
from tests.channels.conftest import PUBLIC_URL, TWILIO_SID, TWILIO_TOKEN, tracker, user_texts

PATH = "/webhooks/whatsapp/webhook"
SPANISH = "¡Hola! ¿Cómo está? Ñuñoa"


def twilio_signature(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    """Twilio's algorithm: HMAC-SHA1 over the URL followed by each sorted name+value, base64."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def resident() -> str:
    return f"whatsapp:+5699{random.randint(1000000, 9999999)}"


def inbound(sender: str, body: str, **extra: str) -> dict[str, str]:
    """An inbound WhatsApp message with every field Twilio posts."""
    sid = "SM" + uuid.uuid4().hex
    params = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "María José Ñúñez",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:+14155238886",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    params.update(extra)
    return params


def post(rasa_url: str, params: dict[str, str], signature: str | None = None) -> requests.Response:
    signature = twilio_signature(PUBLIC_URL + PATH, params) if signature is None else signature
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return requests.post(rasa_url + PATH, data=params, headers=headers, timeout=30)


def replies_to(fake_providers, sender: str, count: int = 1) -> list[dict[str, str]]:
    sent = fake_providers.wait_for("/Messages.json", count)
    return [r.form for r in sent if r.form["To"] == sender]


def test_our_signature_helper_matches_twilios_validator() -> None:
    params = inbound(resident(), SPANISH)
    url = PUBLIC_URL + PATH
    assert twilio_signature(url, params) == RequestValidator(TWILIO_TOKEN).compute_signature(
        url, params
    )


def test_spanish_text_arrives_and_goes_out_unchanged(rasa_url, fake_providers) -> None:
    sender = resident()
    reply = post(rasa_url, inbound(sender, SPANISH))
    assert reply.status_code == 200
    assert "<Response>" in reply.text
    latest = tracker(rasa_url, sender)["latest_message"]
    assert latest["text"] == SPANISH
    assert latest["metadata"]["channel"] == "whatsapp"
    assert latest["metadata"]["channel_user_id"] == sender
    [sent] = replies_to(fake_providers, sender)
    assert sent["From"] == "whatsapp:+14155238886"
    assert sent["Body"].startswith(SPANISH + "\n")
    assert "1. Reclamo" in sent["Body"]
    assert "2. Consultar estado" in sent["Body"]


def test_numbered_reply_maps_back_to_the_button_payload(rasa_url, fake_providers) -> None:
    sender = resident()
    post(rasa_url, inbound(sender, "hola"))
    post(rasa_url, inbound(sender, "2"))
    latest = tracker(rasa_url, sender)["latest_message"]
    assert latest["intent"]["name"] == "consultar_estado"
    assert latest["entities"][0]["value"] == "RC-2026-000123"
    bodies = [form["Body"] for form in replies_to(fake_providers, sender, 2)]
    assert bodies[-1] == "Revisaremos su caso."


def test_a_number_without_offered_options_stays_text(rasa_url, fake_providers) -> None:
    sender = resident()
    assert post(rasa_url, inbound(sender, "2")).status_code == 200
    assert user_texts(rasa_url, sender) == ["2"]


@pytest.mark.parametrize(
    "signature",
    [
        "",  # unsigned
        "dGhpcyBpcyBub3QgYSBzaWduYXR1cmU=",  # garbage
        "wrong-token",
        "wrong-url",
    ],
)
def test_forged_or_unsigned_requests_are_refused(rasa_url, fake_providers, signature) -> None:
    sender = resident()
    params = inbound(sender, SPANISH)
    if signature == "wrong-token":
        signature = twilio_signature(PUBLIC_URL + PATH, params, token="not-the-token")
    elif signature == "wrong-url":
        signature = twilio_signature(rasa_url + PATH, params)
    assert post(rasa_url, params, signature).status_code == 403
    assert user_texts(rasa_url, sender) == []
    assert not fake_providers.matching("/Messages.json")


def test_tampered_body_is_refused(rasa_url, fake_providers) -> None:
    sender = resident()
    params = inbound(sender, "hola")
    signature = twilio_signature(PUBLIC_URL + PATH, params)
    params["Body"] = "hola, cambiado"
    assert post(rasa_url, params, signature).status_code == 403


def test_retried_message_is_processed_once(rasa_url, fake_providers) -> None:
    sender = resident()
    params = inbound(sender, "reclamo")
    statuses = [post(rasa_url, params).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert user_texts(rasa_url, sender) == ["reclamo"]
    assert len(replies_to(fake_providers, sender)) == 1


def test_simultaneous_redeliveries_are_processed_once(rasa_url, fake_providers) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sender = resident()
    params = inbound(sender, "reclamo")
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: post(rasa_url, params).status_code, range(4)))
    assert statuses == [200] * 4
    assert user_texts(rasa_url, sender) == ["reclamo"]
    assert len(replies_to(fake_providers, sender)) == 1


def photo_message(fake_providers, sender: str, caption: str = "") -> dict[str, str]:
    """An inbound WhatsApp image as Twilio posts it, its media on the stand-in's CDN."""
    sid = "MM" + uuid.uuid4().hex
    media_url = (
        f"{fake_providers.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}"
        f"/Media/ME{uuid.uuid4().hex}"
    )
    params = inbound(
        sender,
        caption,
        NumMedia="1",
        MessageType="image",
        MediaContentType0="image/jpeg",
        MediaUrl0=media_url,
    )
    params.update(MessageSid=sid, SmsMessageSid=sid, SmsSid=sid)
    return params


def test_media_is_fetched_with_account_credentials_and_uploaded(rasa_url, fake_providers) -> None:
    sender = resident()
    params = photo_message(fake_providers, sender)
    assert post(rasa_url, params).status_code == 200
    [fetch] = [r for r in fake_providers.requests if r.method == "GET" and "/Media/" in r.path]
    assert fetch.headers["Authorization"].startswith("Basic ")
    [upload] = fake_providers.matching("/api/v1/uploads")
    assert upload.headers["Authorization"] == "Bearer oirs_test-channel-token"
    assert b"JFIF" in upload.body
    latest = tracker(rasa_url, sender)["latest_message"]
    assert latest["intent"]["name"] == "enviar_adjunto"
    [attachment] = latest["metadata"]["attachments"]
    assert attachment["upload_id"].startswith("upl_")
    assert attachment["content_type"] == "image/jpeg"
    assert replies_to(fake_providers, sender)[0]["Body"] == "Recibimos su archivo."


def test_an_album_is_one_message_for_the_bot_and_gets_one_answer(rasa_url, fake_providers) -> None:
    """WhatsApp posts an album as one webhook per photo, at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    sender = resident()
    album = [photo_message(fake_providers, sender) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(lambda params: post(rasa_url, params).status_code, album))
    assert statuses == [200, 200, 200]
    assert user_texts(rasa_url, sender) == ["/enviar_adjunto"]
    [said] = [e for e in tracker(rasa_url, sender)["events"] if e["event"] == "user"]
    latest = said["parse_data"]
    assert len(latest["metadata"]["attachments"]) == 3
    assert sorted(latest["metadata"]["message_ids"]) == sorted(p["MessageSid"] for p in album)
    assert len(fake_providers.matching("/api/v1/uploads")) == 3
    assert [r["Body"] for r in replies_to(fake_providers, sender)] == ["Recibimos su archivo."]


def test_a_text_right_after_a_photo_is_read_after_it(rasa_url, fake_providers) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sender = resident()
    with ThreadPoolExecutor(max_workers=1) as pool:
        photo = pool.submit(post, rasa_url, photo_message(fake_providers, sender))
        fake_providers.wait_for("/api/v1/uploads", 1)
        time.sleep(0.3)  # the channel has put the photo in its batch (2-second window)
        assert post(rasa_url, inbound(sender, "reclamo")).status_code == 200
        assert photo.result().status_code == 200
    assert user_texts(rasa_url, sender) == ["/enviar_adjunto", "reclamo"]


def test_shared_location_becomes_case_coordinates(rasa_url, fake_providers) -> None:
    sender = resident()
    params = inbound(
        sender,
        "",
        MessageType="location",
        Latitude="-33.4569",
        Longitude="-70.5983",
        Address="Av. Irarrázaval 3550, Ñuñoa",
        Label="Plaza Ñuñoa",
    )
    assert post(rasa_url, params).status_code == 200
    latest = tracker(rasa_url, sender)["latest_message"]
    assert latest["intent"]["name"] == "compartir_ubicacion"
    location = latest["metadata"]["location"]
    assert (location["lat"], location["lon"]) == (-33.4569, -70.5983)
    assert location["address"] == "Av. Irarrázaval 3550, Ñuñoa"


def test_reply_is_retried_when_twilio_answers_5xx(rasa_url, fake_providers) -> None:
    sender = resident()
    fake_providers.fail_next["/Messages.json"] = 1
    post(rasa_url, inbound(sender, "reclamo"))
    sent = fake_providers.wait_for("/Messages.json", 2)
    assert [r.form["Body"] for r in sent] == ["Cuénteme qué ocurrió."] * 2


def test_channel_without_credentials_is_not_mounted_and_says_so(monkeypatch, caplog) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OIRS_PUBLIC_URL", PUBLIC_URL)
    credentials = {
        "account_sid": "${TWILIO_ACCOUNT_SID}",
        "auth_token": "${TWILIO_AUTH_TOKEN}",
        "whatsapp_from": "${TWILIO_WHATSAPP_FROM}",
        "public_url": "${OIRS_PUBLIC_URL}",
    }
    with caplog.at_level(logging.WARNING):
        channel = WhatsAppInput.from_credentials(credentials)
    assert isinstance(channel, DisabledChannel)
    assert "channel=whatsapp status=disabled" in caplog.text
    assert "TWILIO_AUTH_TOKEN" in caplog.text
    assert not channel.blueprint(lambda message: None).routes


def test_long_replies_are_split_below_twilios_limit() -> None:
    text = ("Ñuñoa " * 400).strip()
    chunks = split_text(text)
    assert all(len(chunk) <= 1500 for chunk in chunks)
    assert " ".join(chunks) == text
