"""Development relay: reads Telegram updates with getUpdates and posts each one to our
local webhook with the secret token, exactly as Telegram would (`make telegram`).

Polling and a webhook exclude each other, so this removes the bot's webhook first.
Env: TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, optional TELEGRAM_API_BASE and
OIRS_TELEGRAM_LOCAL_WEBHOOK (default http://127.0.0.1:5005/webhooks/telegram/webhook).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

logger = logging.getLogger("telegram_polling")

LOCAL_WEBHOOK = "http://127.0.0.1:5005/webhooks/telegram/webhook"
POLL_SECONDS = 25


class Relay:
    """Moves updates from getUpdates to the webhook; an update is acknowledged only
    (offset advanced) after the webhook accepted it, so nothing is lost."""

    def __init__(self, token: str, secret: str, webhook: str, api_base: str) -> None:
        self.api = f"{api_base.rstrip('/')}/bot{token}"
        self.secret = secret
        self.webhook = webhook
        self.offset: int | None = None
        self.client = httpx.Client(timeout=POLL_SECONDS + 10)

    def call(self, method: str, **params: Any) -> Any:
        reply = self.client.post(f"{self.api}/{method}", json=params)
        body = reply.json()
        if not body.get("ok"):
            raise RuntimeError(f"{method} failed: {body.get('description')}")
        return body["result"]

    def relay_once(self, timeout: int = POLL_SECONDS) -> int:
        """One getUpdates round; returns how many updates the webhook accepted.

        The members of an album are posted together, as Telegram's webhook delivers them, so
        the channel answers the album once; everything else goes one by one, in order.
        """
        params: dict[str, Any] = {"timeout": timeout}
        if self.offset is not None:
            params["offset"] = self.offset
        accepted = 0
        for group in album_runs(self.call("getUpdates", **params)):
            with ThreadPoolExecutor(max_workers=len(group)) as pool:
                statuses = list(pool.map(self.post, group))
            failed = [(u["update_id"], s) for u, s in zip(group, statuses, strict=True) if s >= 300]
            if failed:
                for update_id, status in failed:
                    logger.error("update_id=%s webhook_status=%s", update_id, status)
                break  # the accepted members are deduplicated when they come again
            self.offset = group[-1]["update_id"] + 1
            accepted += len(group)
        return accepted

    def post(self, update: dict[str, Any]) -> int:
        reply = self.client.post(
            self.webhook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": self.secret}
        )
        return reply.status_code

    def run(self) -> None:
        self.call("deleteWebhook", drop_pending_updates=False)
        logger.info("relaying Telegram updates to %s", self.webhook)
        while True:
            try:
                self.relay_once()
            except (httpx.HTTPError, RuntimeError) as exc:
                logger.warning("relay error=%s; retrying in 3 s", exc)
                time.sleep(3)


def album_runs(updates: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive updates of one album (same chat and media_group_id) as one run each."""
    runs: list[list[dict[str, Any]]] = []
    previous = None
    for update in updates:
        message = update.get("message") or {}
        album = message.get("media_group_id")
        key = (message.get("chat", {}).get("id"), album) if album else None
        if key is not None and key == previous:
            runs[-1].append(update)
        else:
            runs.append([update])
        previous = key
    return runs


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs carry the bot token
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    if not token or not secret:
        logger.error("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first")
        return 2
    relay = Relay(
        token,
        secret,
        os.environ.get("OIRS_TELEGRAM_LOCAL_WEBHOOK", LOCAL_WEBHOOK),
        os.environ.get("TELEGRAM_API_BASE") or "https://api.telegram.org",
    )
    try:
        relay.run()
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
