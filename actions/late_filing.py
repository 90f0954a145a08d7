"""A filing the resident stopped waiting for: finished in the background, the folio sent by
the admin through the resident's channel.

When the admin is slow the resident is told at once that the case is on its way. The request
already sent keeps going; after it, the same filing (same idempotency key, so never a second
case) is sent again marked `send_folio` until the admin answers: the admin then queues the
folio in its outbox, which delivers it on WhatsApp, Telegram or the web widget (else by
e-mail), once per case however many times it is asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from api_client import ApiError, ApiRejected, ApiUnavailable, OirsApiClient

logger = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0

# filings still being finished; a task only weakly referenced by the loop could be collected
_RUNNING: set[asyncio.Task[None]] = set()

OnFiled = Callable[[dict[str, Any]], Awaitable[None]]


def finish_later(
    client: OirsApiClient,
    first_try: asyncio.Future[dict[str, Any]],
    payload: dict[str, Any],
    on_filed: OnFiled,
    keep_trying: float,
    first_pause: float | None = None,
) -> asyncio.Task[None]:
    """Finish the filing in the background for up to `keep_trying` seconds, pausing
    `first_pause` (FIRST_PAUSE), then twice as long each time; `on_filed` gets the admin's
    answer (the folio) when it comes."""
    pause = FIRST_PAUSE if first_pause is None else first_pause
    task = asyncio.get_running_loop().create_task(
        _finish(client, first_try, payload, on_filed, keep_trying, pause)
    )
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return task


async def wait_running() -> None:
    """Wait until every filing being finished has ended (the tests' turns end with it)."""
    while _RUNNING:
        await asyncio.gather(*_RUNNING, return_exceptions=True)


async def _finish(
    client: OirsApiClient,
    first_try: asyncio.Future[dict[str, Any]],
    payload: dict[str, Any],
    on_filed: OnFiled,
    keep_trying: float,
    first_pause: float,
) -> None:
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + keep_trying
    key = payload.get("idempotency_key")
    try:
        await first_try  # its answer, even if it files the case, cannot reach the resident
    except ApiError as error:
        logger.warning("late_filing_first_try_failed key=%s error=%s", key, type(error).__name__)
    notice = {**payload, "send_folio": True}
    pause = first_pause
    while True:
        try:
            result = await client.file_case(notice)
            break
        except ApiRejected as error:
            # the resident can still retry in the conversation, which shows the admin's reason
            logger.error(
                "late_filing_rejected key=%s status=%s code=%s", key, error.status, error.code
            )
            return
        except ApiUnavailable as error:
            if loop.time() + pause > give_up_at:
                logger.error(
                    "late_filing_abandoned key=%s after_s=%.0f error=%s",
                    key,
                    keep_trying,
                    error,
                )
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
    logger.info(
        "case_filed_late folio=%s key=%s folio_notice=%s",
        result.get("folio"),
        key,
        result.get("folio_notice"),
    )
    await on_filed(result)
