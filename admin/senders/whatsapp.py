"""WhatsApp through the Twilio Messages API: free text inside the 24-hour window, the
approved template (Content SID) outside it, as WhatsApp requires."""

from __future__ import annotations

import json
from datetime import datetime

import requests
from oirs_rules.contact import whatsapp_address

from admin.senders import DeliveryError
from admin.senders.http import post
from oirs.outbox.delivery import Delivery

MAX_BODY = 1500
MAX_VARIABLE = 900  # template variables: one line, bounded length


class TwilioWhatsAppSender:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        whatsapp_from: str,
        template_sid: str | None = None,
        api_base: str = "https://api.twilio.com",
        session: requests.Session | None = None,
        status_callback: str | None = None,
    ) -> None:
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.sender = whatsapp_address(whatsapp_from)
        self.template_sid = template_sid
        self.status_callback = status_callback
        self.session = session or requests.Session()

    def send(self, delivery: Delivery, now: datetime) -> str:
        data = {"From": self.sender, "To": whatsapp_address(delivery.recipient)}
        if self.status_callback:  # later failures (e.g. 63016) come back to the outbox
            data["StatusCallback"] = self.status_callback
        free_text = not delivery.payload.get("force_template")
        if free_text and delivery.within_whatsapp_window(now):
            if len(delivery.body) > MAX_BODY:
                raise DeliveryError("message longer than WhatsApp allows", permanent=True)
            data["Body"] = delivery.body
        elif self.template_sid:
            data["ContentSid"] = self.template_sid
            data["ContentVariables"] = json.dumps(template_variables(delivery), ensure_ascii=False)
        else:
            raise DeliveryError(
                "outside the 24-hour window and TWILIO_TEMPLATE_CONTENT_SID is not set",
                permanent=True,
            )
        reply = post(self.session, self.url, data=data, auth=self.auth)
        return str(reply.json().get("sid", ""))


def template_variables(delivery: Delivery) -> dict[str, str]:
    """{{1}} the folio, {{2}} the message on one line (WhatsApp refuses new lines there)."""
    text = " ".join(delivery.body.split())
    if len(text) > MAX_VARIABLE:
        text = text[: MAX_VARIABLE - 1].rstrip() + "…"
    return {"1": delivery.folio or "", "2": text}
