"""Small shared state of the channels: which provider messages were already handled, and
the numbered options last offered to a resident.

In memory (bounded) by default; in Redis when REDIS_URL is set, so several Rasa
processes behind one webhook agree on what was already processed.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_TTL = 2 * 24 * 3600  # providers retry for hours, never for days


class ChannelStore:
    """Key/value with expiry and an atomic claim, shared through Redis when configured."""

    def __init__(self, prefix: str, redis_url: str | None = None, max_items: int = 50_000) -> None:
        self.prefix = prefix
        self.max_items = max_items
        self._memory: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._redis: Any = None
        if redis_url:
            import redis.asyncio as redis_asyncio

            self._redis = redis_asyncio.from_url(redis_url, decode_responses=True)

    @classmethod
    def from_env(cls, prefix: str) -> ChannelStore:
        return cls(prefix, os.environ.get("REDIS_URL") or None)

    def _key(self, key: str) -> str:
        return f"oirs:{self.prefix}:{key}"

    async def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        """True the first time `key` is claimed; False for every repeat within `ttl`."""
        if self._redis is not None:
            return bool(await self._redis.set(self._key(key), "1", nx=True, ex=ttl))
        self._expire()
        if self._get_memory(key) is not None:
            return False
        self._set_memory(key, "1", ttl)
        return True

    async def release(self, key: str) -> None:
        """Forget a claim whose processing failed, so the provider's retry is processed."""
        if self._redis is not None:
            await self._redis.delete(self._key(key))
            return
        self._memory.pop(key, None)

    async def put(self, key: str, value: str, ttl: int = DEFAULT_TTL) -> None:
        if self._redis is not None:
            await self._redis.set(self._key(key), value, ex=ttl)
            return
        self._set_memory(key, value, ttl)

    async def get(self, key: str) -> str | None:
        if self._redis is not None:
            value: str | None = await self._redis.get(self._key(key))
            return value
        return self._get_memory(key)

    async def pop(self, key: str) -> str | None:
        if self._redis is not None:
            value: str | None = await self._redis.getdel(self._key(key))
            return value
        value = self._get_memory(key)
        self._memory.pop(key, None)
        return value

    def _get_memory(self, key: str) -> str | None:
        item = self._memory.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def _set_memory(self, key: str, value: str, ttl: int) -> None:
        self._memory[key] = (time.monotonic() + ttl, value)
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_items:
            self._memory.popitem(last=False)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._memory:
            key, (expires, _) = next(iter(self._memory.items()))
            if expires >= now:
                return
            self._memory.pop(key)
