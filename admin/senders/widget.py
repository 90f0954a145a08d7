"""Web widget: there is no push channel to a closed browser tab, so the message is kept
(status sent) and the widget shows it when the resident comes back (GET /widget/api/inbox)."""

from __future__ import annotations

from datetime import datetime

from oirs.outbox.delivery import Delivery


class WidgetSender:
    def send(self, delivery: Delivery, now: datetime) -> str:
        return f"widget:{delivery.id}"
