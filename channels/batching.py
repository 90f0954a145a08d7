"""Photos sent together reach the bot as one message.

WhatsApp delivers an album as one webhook per photo, Telegram as one update per photo (all with
the same `media_group_id`). Passed on one by one, each photo made the bot acknowledge it and ask
its pending question again: four photos, eight messages. The batcher holds a resident's media
messages for a short quiet window (`OIRS_MEDIA_BATCH_SECONDS`, default 2; 0 turns it off) and
hands Rasa a single message carrying every attachment, so the bot answers once ("Recibimos sus
4 fotos...").

Nothing is acknowledged to the provider before the bot has handled the merged message: each
webhook request waits for its batch, and if handling fails every request of the batch fails too,
so the provider delivers each message again. A message that is not batched (text, a place, a
button) first sends out the resident's pending batch, so the bot sees messages in the order they
were sent.

Batches live in the process: with several Rasa processes behind one port, photos of one album
that land on different processes are answered per process, as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_S = 2.0
MAX_WAIT_S = 10.0  # a steady trickle of photos is still answered after this long
MAX_ITEMS = 10  # WhatsApp and Telegram albums hold at most 10 media

Dispatch = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class _Batch:
    group: str | None
    dispatch: Dispatch
    done: asyncio.Future[None]
    messages: list[UserMessage] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False


class MediaBatcher:
    """Merges a resident's media messages that arrive within `window` seconds of each other."""

    def __init__(
        self,
        window: float = DEFAULT_WINDOW_S,
        max_wait: float = MAX_WAIT_S,
        max_items: int = MAX_ITEMS,
    ) -> None:
        self.window = window
        self.max_wait = max_wait
        self.max_items = max_items
        self._batches: dict[str, _Batch] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_env(cls) -> MediaBatcher:
        raw = os.environ.get("OIRS_MEDIA_BATCH_SECONDS", "").strip()
        try:
            window = float(raw) if raw else DEFAULT_WINDOW_S
        except ValueError:
            logger.warning("media_batch invalid OIRS_MEDIA_BATCH_SECONDS=%r: using 2", raw)
            window = DEFAULT_WINDOW_S
        return cls(max(0.0, min(window, MAX_WAIT_S)))

    async def deliver(
        self, message: UserMessage, dispatch: Dispatch, batched: bool, group: str | None = None
    ) -> None:
        """The channels' one entry: a batched message joins its sender's batch; any other first
        lets the sender's pending batch go, so the bot reads messages in the order sent."""
        if batched:
            await self.add(message.sender_id, message, dispatch, group)
            return
        await self.flush(message.sender_id)
        await dispatch(message)

    async def add(
        self, key: str, message: UserMessage, dispatch: Dispatch, group: str | None = None
    ) -> None:
        """Hand `message` to `dispatch` together with the resident's other media of the window.

        `key` names the resident (the conversation); `group`, when the provider gives one
        (Telegram's media_group_id), keeps other albums out of this batch. Returns once the
        merged message was handled; raises what handling raised.
        """
        if self.window <= 0:
            await dispatch(message)
            return
        batch = self._batches.get(key)
        while batch is not None and (batch.group != group or batch.closing):
            # another album, or a batch already merged: it goes first, this one after it
            await self.flush(key)
            batch = self._batches.get(key)
        if batch is None:
            batch = _Batch(group, dispatch, asyncio.get_running_loop().create_future())
            self._batches[key] = batch
            task = asyncio.create_task(self._run(key, batch))
            self._tasks.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._tasks.discard)
        batch.messages.append(message)
        if len(batch.messages) >= self.max_items:
            batch.closing = True
        batch.arrived.set()
        # shielded: a provider hanging up one request must not cancel the whole batch
        await asyncio.shield(batch.done)

    async def flush(self, key: str) -> None:
        """Send out the resident's pending batch now (a message that is not batched follows).

        Its outcome is its own requests' business: a failed batch does not stop this message.
        """
        batch = self._batches.get(key)
        if batch is None:
            return
        batch.closing = True
        batch.arrived.set()
        await asyncio.wait([batch.done])

    async def _run(self, key: str, batch: _Batch) -> None:
        """Collect, then hand the merged message on. The batch stays registered (closed) until
        the bot has handled it, so a later message of the resident waits for it: the bot reads
        the resident's messages in the order they were sent."""
        loop = asyncio.get_running_loop()
        try:
            await self._collect(batch, deadline=loop.time() + self.max_wait)
            batch.closing = True  # merged below: later media start a batch of their own
            merged = merge(batch.messages)
            if len(batch.messages) > 1:
                logger.info(
                    "channel=%s event=media_batched messages=%d attachments=%d",
                    merged.input_channel,
                    len(batch.messages),
                    len((merged.metadata or {}).get("attachments") or []),
                )
            await batch.dispatch(merged)
        except asyncio.CancelledError:  # the server is stopping: the requests fail, retried
            batch.done.cancel()
            raise
        except Exception as error:  # every waiting request answers with this failure
            batch.done.set_exception(error)
            batch.done.exception()  # read here too: requests that hung up no longer wait
        else:
            batch.done.set_result(None)
        finally:
            if self._batches.get(key) is batch:
                del self._batches[key]

    async def _collect(self, batch: _Batch, deadline: float) -> None:
        """Wait until `window` seconds pass without another medium (or the batch closes)."""
        loop = asyncio.get_running_loop()
        while not batch.closing:
            batch.arrived.clear()
            remaining = min(self.window, deadline - loop.time())
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(batch.arrived.wait(), remaining)
            except asyncio.TimeoutError:
                return  # the window passed without another medium


def merge(messages: list[UserMessage]) -> UserMessage:
    """One message with every attachment, the typed text (a caption) kept, in arrival order."""
    first = messages[0]
    if len(messages) == 1:
        return first
    texts = [m.text for m in messages if m.text and not m.text.startswith("/")]
    metadata: dict[str, Any] = dict(first.metadata or {})
    attachments: list[Any] = []
    for message in messages:
        attachments.extend((message.metadata or {}).get("attachments") or [])
    metadata["attachments"] = attachments
    metadata["message_ids"] = [m.message_id for m in messages]
    return UserMessage(
        "\n".join(texts) if texts else first.text,
        first.output_channel,
        first.sender_id,
        input_channel=first.input_channel,
        message_id=first.message_id,
        metadata=metadata,
    )
