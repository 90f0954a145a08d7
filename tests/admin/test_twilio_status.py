"""Twilio's delivery reports are accepted only when signed as Twilio signs them; the
signatures here are computed by Twilio's own library (twilio.request_validator)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

TOKEN = "twilio-auth-token-for-tests"
PUBLIC_URL = "https://oirs.municipalidad.example.cl"
PATH = "/api/twilio/status"


@pytest.fixture
def twilio_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    settings = replace(
        app.extensions["oirs_settings"], twilio_auth_token=TOKEN, public_url=PUBLIC_URL
    )
    monkeypatch.setitem(app.extensions, "oirs_settings", settings)
    return app


def delivered(sid: str = "SM" + "4" * 32) -> dict[str, str]:
    """A report Twilio posts for a message that arrived: nothing to do but answer 204."""
    return {
        "SmsSid": sid,
        "SmsStatus": "delivered",
        "MessageStatus": "delivered",
        "To": "whatsapp:+56987654321",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:+14155238886",
        "ApiVersion": "2010-04-01",
    }


def post(client: FlaskClient, form: dict[str, str], signature: str) -> int:
    reply = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})
    return reply.status_code


def test_a_report_signed_by_twilios_validator_is_accepted(twilio_app: Flask) -> None:
    form = delivered()
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + PATH, form)
    assert post(twilio_app.test_client(), form, signature) == 204


def test_a_tampered_report_is_refused(twilio_app: Flask) -> None:
    form = delivered()
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + PATH, form)
    tampered = {**form, "MessageStatus": "undelivered", "ErrorCode": "63016"}
    client = twilio_app.test_client()
    assert post(client, tampered, signature) == 403
    other_token = RequestValidator("not-our-token").compute_signature(PUBLIC_URL + PATH, form)
    assert post(client, form, other_token) == 403
    assert post(client, form, "") == 403


def test_a_signature_over_the_url_with_its_default_port_is_accepted(twilio_app: Flask) -> None:
    """Twilio sometimes signs https://host:443/… for a URL configured as https://host/…; its
    validator accepts both forms, a hand-written HMAC over one URL refused the report."""
    form = delivered()
    with_port = PUBLIC_URL.replace(".cl", ".cl:443") + PATH
    signature = RequestValidator(TOKEN).compute_signature(with_port, form)
    assert post(twilio_app.test_client(), form, signature) == 204
