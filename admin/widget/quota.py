"""How much one widget conversation may upload in a day: files and megabytes.

The widget is anonymous, so the address rate limit (admin/security.py) is the only other
bound; this one follows the conversation's session id. Counted with the `limits` library's
sliding window counter (a file's cost is its size in bytes), in Redis when REDIS_URL is set,
so every gunicorn worker counts together, and in the process's memory otherwise.
"""

from __future__ import annotations

from limits import RateLimitItemPerDay
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from oirs.settings import Settings

MB = 1024 * 1024
NAMESPACE = "oirs-widget-uploads"


class UploadQuota:
    """Files and bytes per conversation per day; a refused file counts for nothing."""

    def __init__(self, files: int, megabytes: int, storage_uri: str = "memory://") -> None:
        self.files = files
        self.megabytes = megabytes
        self._files = RateLimitItemPerDay(files, namespace=NAMESPACE)
        self._bytes = RateLimitItemPerDay(megabytes * MB, namespace=NAMESPACE)
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadQuota:
        return cls(
            settings.widget_upload_files_per_day,
            settings.widget_upload_mb_per_day,
            settings.redis_url or "memory://",
        )

    def take(self, session_id: str, size: int) -> bool:
        """Count one file of `size` bytes for the conversation, or refuse it (False) when it
        would pass either limit."""
        fits = self._limiter.test(self._files, session_id, "files") and self._limiter.test(
            self._bytes, session_id, "bytes", cost=size
        )
        if not fits:
            return False
        return self._limiter.hit(self._files, session_id, "files") and self._limiter.hit(
            self._bytes, session_id, "bytes", cost=size
        )
