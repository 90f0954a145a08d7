"""Telegram: sendMessage over plain HTTP (the worker is synchronous)."""

from __future__ import annotations

from datetime import datetime

import requests

from admin.senders import DeliveryError
from admin.senders.http import post
from oirs.outbox.delivery import Delivery

MAX_TEXT = 4000


class TelegramSender:
    def __init__(
        self,
        token: str,
        api_base: str = "https://api.telegram.org",
        session: requests.Session | None = None,
    ) -> None:
        self.url = f"{api_base.rstrip('/')}/bot{token}/sendMessage"
        self.session = session or requests.Session()

    def send(self, delivery: Delivery, now: datetime) -> str:
        ids = []
        for start in range(0, len(delivery.body), MAX_TEXT):
            text = delivery.body[start : start + MAX_TEXT]
            reply = post(self.session, self.url, json={"chat_id": delivery.recipient, "text": text})
            body = reply.json()
            if not body.get("ok"):
                raise DeliveryError(str(body.get("description")), permanent=True)
            ids.append(str(body["result"]["message_id"]))
        return ",".join(ids)
