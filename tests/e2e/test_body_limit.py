"""Rasa refuses oversize request bodies with 413 before any channel reads them (Sanic's limit,
set by the Procfile from OIRS_RASA_MAX_BODY_BYTES), and a normal message still passes."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.stack import RASA_MAX_BODY_BYTES, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OVERSIZE = b"x" * (int(RASA_MAX_BODY_BYTES) + 1)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/webhooks/whatsapp/webhook", "application/x-www-form-urlencoded"),
        ("/webhooks/telegram/webhook", "application/json"),
        ("/webhooks/rest/webhook", "application/json"),
    ],
)
def test_oversize_bodies_get_413_and_the_server_keeps_answering(
    stack: Stack, path: str, content_type: str
) -> None:
    refused = requests.post(
        f"{stack.rasa_url}{path}",
        data=OVERSIZE,
        headers={"Content-Type": content_type},
        timeout=60,
    )
    assert refused.status_code == 413
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": "limite-cuerpo", "message": "hola"},
        timeout=60,
    )
    assert reply.status_code == 200 and reply.json()
