"""Bad input at the channels' doors (WhatsApp, Telegram, voice), fuzzed with hypothesis on
the parsing functions themselves: no Rasa server, no network, a few seconds."""

from __future__ import annotations

import asyncio
import json
import math
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from channels import telegram, whatsapp
from channels.store import ChannelStore
from channels.voice.webhooks import twilio_params

NASTY = [
    "Hola 👋🏽 🗑️",
    "مرحبا \u202ereclamo\u202c",
    "<script>alert(1)</script>",
    "'; DROP TABLE cases; --",
    "../../etc/passwd",
    "..\\..\\x",
    "a\x00b",
    "nan",
    "inf",
    "-1e999",
    "1e308",
    "200",
    "-91",
]
nasty_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))
FUZZ = settings(max_examples=200, deadline=None)


class FakeRequest:
    """What form_params reads from Sanic's request: the raw body."""

    def __init__(self, body: bytes) -> None:
        self.body = body


@FUZZ
@given(body=st.one_of(st.binary(max_size=500), nasty_text.map(lambda t: t.encode("utf-8"))))
def test_whatsapp_form_params_read_any_body_without_raising(body: bytes) -> None:
    params = whatsapp.form_params(FakeRequest(body))  # type: ignore[arg-type]
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


def test_whatsapp_form_params_with_invalid_utf8_do_not_raise() -> None:
    params = whatsapp.form_params(FakeRequest(b"Body=hola\xff\xfe&From=whatsapp%3A%2B569"))  # type: ignore[arg-type]
    assert params["From"] == "whatsapp:+569"


@FUZZ
@given(body=st.binary(max_size=500))
def test_voice_params_read_any_body_without_raising(body: bytes) -> None:
    params = twilio_params(body)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(["Latitude", "Longitude", "Address", "Label"]), nasty_text
    )
)
def test_whatsapp_locations_are_real_coordinates_or_nothing(fields: dict[str, str]) -> None:
    place = whatsapp.location_of(fields)
    if place is None:
        return
    assert math.isfinite(place["lat"]) and -90 <= place["lat"] <= 90, place
    assert math.isfinite(place["lon"]) and -180 <= place["lon"] <= 180, place


@FUZZ
@given(argument=nasty_text)
def test_telegram_status_command_carries_any_folio_as_valid_json(argument: str) -> None:
    text = telegram.command_text(f"/estado {argument}")
    assert text.startswith("/consultar_estado")
    entities = text.removeprefix("/consultar_estado")
    if entities:
        assert json.loads(entities) == {"folio": argument.strip()}


@FUZZ
@given(text=nasty_text)
def test_telegram_commands_never_raise_and_lose_only_the_slash(text: str) -> None:
    result = telegram.command_text("/" + text)
    assert isinstance(result, str)


@FUZZ
@given(payload=nasty_text)
def test_telegram_button_payloads_of_any_size_come_back_intact(payload: str) -> None:
    store = ChannelStore("fuzz-telegram")

    async def round_trip() -> str:
        data = await telegram.callback_data(store, payload)
        assert len(data.encode()) <= telegram.MAX_CALLBACK_DATA
        return await telegram.payload_of(store, data)

    assert asyncio.run(round_trip()) == payload


@FUZZ
@given(text=st.text(max_size=5000))
def test_long_replies_split_without_losing_text(text: str) -> None:
    for channel, limit in ((whatsapp, whatsapp.MAX_BODY), (telegram, telegram.MAX_TEXT)):
        parts = channel.split_text(text)
        assert all(len(p) <= limit for p in parts)
        assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
            " ", ""
        )


def test_a_signed_form_survives_the_round_trip_of_parsing() -> None:
    params = {"Body": "Reclamo 🗑️ <b>", "From": "whatsapp:+56911111111", "Empty": ""}
    body = urlencode(params).encode()
    assert whatsapp.form_params(FakeRequest(body)) == params  # type: ignore[arg-type]
    assert twilio_params(body) == params
