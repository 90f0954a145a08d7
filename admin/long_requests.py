"""Long-lived requests hold at most a few of a worker's threads, so the API and the pages always
find one free.

gunicorn's gthread worker serves every request of a process from one pool of threads
(admin/gunicorn_conf.py: 8). An agent console stream holds its thread for
CONSOLE_STREAM_SECONDS (30) and a widget message for as long as Rasa takes to answer (up to
30 s): unbounded, a few open consoles or a slow Rasa left the bot's API calls and the staff's
pages queued behind them. Each kind has its own slots per process; a request that finds none
free does not wait for one (waiting would hold a thread too): a console stream becomes a
single poll, a widget message is refused with Retry-After and the widget sends it again."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import current_app

from admin.database import settings

# kind: (app.config key a test may set, Settings field: OIRS_ADMIN_STREAM_SLOTS / _RELAY_SLOTS)
KINDS = {
    "stream": ("CONSOLE_STREAM_SLOTS", "admin_stream_slots"),
    "relay": ("WIDGET_RELAY_SLOTS", "admin_relay_slots"),
}
_CREATING = threading.Lock()


class Slots:
    """A fixed number of slots, taken without waiting and given back exactly once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def take(self) -> Callable[[], None] | None:
        """A function that gives the slot back, or None when every slot is held."""
        if not self._free.acquire(blocking=False):
            return None
        given_back = threading.Event()
        lock = threading.Lock()

        def give_back() -> None:
            with lock:
                if not given_back.is_set():
                    given_back.set()
                    self._free.release()

        return give_back


def _size(kind: str) -> int:
    config_key, field = KINDS[kind]
    value = current_app.config.get(config_key) or getattr(settings(), field)
    return max(1, int(value))


def take_slot(kind: str) -> Callable[[], None] | None:
    """A slot of `kind` ("stream" or "relay") in this process, or None when all are held."""
    extension = f"oirs_{kind}_slots"
    slots = current_app.extensions.get(extension)
    if slots is None:
        with _CREATING:
            slots = current_app.extensions.setdefault(extension, Slots(_size(kind)))
    return slots.take()
