"""How much the widget may receive in a day: files and megabytes per conversation, and per
client address.

The widget is anonymous and its conversation's session id is whatever the browser sends, so a
new id per file would start a fresh quota: the client address has a daily quota of its own
(larger, since an office or a family may share one). Both are counted with the `limits`
library's sliding window counter (a file's cost is its size in bytes), in Redis when REDIS_URL
is set, so every gunicorn worker counts together, and in the process's memory otherwise. The
storage holds a keyed hash of the address, never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, RateLimitItemPerDay
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from oirs.settings import Settings

MB = 1024 * 1024
NAMESPACE = "oirs-widget-uploads"


class Scope(StrEnum):
    """Whose daily quota a file would pass."""

    CONVERSATION = "conversation"
    ADDRESS = "address"


@dataclass(frozen=True)
class DailyLimit:
    files: int
    megabytes: int

    def items(self) -> tuple[RateLimitItem, RateLimitItem]:
        return (
            RateLimitItemPerDay(self.files, namespace=NAMESPACE),
            RateLimitItemPerDay(self.megabytes * MB, namespace=NAMESPACE),
        )


class UploadQuota:
    """Files and bytes per conversation and per address per day; a refused file counts for
    nothing."""

    def __init__(
        self,
        conversation: DailyLimit,
        address: DailyLimit,
        secret: bytes,
        storage_uri: str = "memory://",
    ) -> None:
        self.limits = {Scope.CONVERSATION: conversation, Scope.ADDRESS: address}
        self._secret = secret
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadQuota:
        return cls(
            DailyLimit(settings.widget_upload_files_per_day, settings.widget_upload_mb_per_day),
            DailyLimit(
                settings.widget_upload_files_per_address_per_day,
                settings.widget_upload_mb_per_address_per_day,
            ),
            settings.secret_key.encode(),
            settings.redis_url or "memory://",
        )

    def _counters(
        self, session_id: str, address: str, size: int
    ) -> list[tuple[Scope, RateLimitItem, tuple[str, ...], int]]:
        digest = hmac.new(self._secret, address.encode(), hashlib.sha256).hexdigest()[:24]
        keys = {Scope.CONVERSATION: (session_id,), Scope.ADDRESS: ("address", digest)}
        counters = []
        for scope, limit in self.limits.items():
            files, megabytes = limit.items()
            counters.append((scope, files, (*keys[scope], "files"), 1))
            counters.append((scope, megabytes, (*keys[scope], "bytes"), size))
        return counters

    def take(self, session_id: str, address: str, size: int) -> Scope | None:
        """Count one file of `size` bytes for the conversation and the address; or refuse it,
        naming the quota it would pass (the conversation's first)."""
        counters = self._counters(session_id, address, size)
        for scope, item, keys, cost in counters:
            if not self._limiter.test(item, *keys, cost=cost):
                return scope
        for scope, item, keys, cost in counters:
            if not self._limiter.hit(item, *keys, cost=cost):
                return scope  # another worker took the rest meanwhile
        return None
