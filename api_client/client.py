"""The admin API client: the bot's Bearer token, one set of timeouts, bounded retries.

Nothing here blocks the event loop it runs on (the action server's, or the Rasa server's for
the channels): requests go through httpx's async client and the pause between retries is an
`asyncio.sleep`. A slow admin delays the resident who waits for it, never the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any

import httpx

from api_client import routes
from api_client.errors import ApiUnavailable, rejection
from api_client.routes import Route
from api_client.settings_version import note as note_settings_version

logger = logging.getLogger(__name__)

# the admin as the bot finds it: one environment read, here
URL_VARIABLE, TOKEN_VARIABLE = "OIRS_API_URL", "OIRS_API_TOKEN"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# connect 3.05 s, then 10 s to send, read or get a pooled connection: a resident is waiting
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.05)
# a resident's file (up to 16 MB, WhatsApp's limit) is given 30 s to reach the admin
UPLOAD_TIMEOUT = httpx.Timeout(30.0, connect=3.05)
# idle connections are closed before the admin's gunicorn does (its keep-alive is 2 s), so a
# call never goes out on a connection the server is closing
KEEPALIVE_EXPIRY = 1.5
# the admin's answers name the version of the commune's settings they were given with
SETTINGS_VERSION_HEADER = "X-OIRS-Settings-Version"


@dataclass(frozen=True)
class Retry:
    """How often a retryable call is tried, and the pause (doubling) between tries."""

    attempts: int = 2
    backoff: float = 0.5
    longest_pause: float = 8.0

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.longest_pause)


class OirsApiClient:
    """Calls the admin API with the bot's Bearer token, timeouts and bounded retries."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.retry = retry or Retry()
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY),
            transport=transport,
        )

    @classmethod
    def from_env(cls, transport: httpx.AsyncBaseTransport | None = None) -> OirsApiClient:
        """Build the client from OIRS_API_URL and OIRS_API_TOKEN."""
        return cls(
            base_url=os.environ.get(URL_VARIABLE, DEFAULT_BASE_URL),
            token=os.environ.get(TOKEN_VARIABLE) or None,
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    # --- cases -----------------------------------------------------------------------------

    async def file_case(self, payload: dict[str, Any], retry: bool = True) -> dict[str, Any]:
        """POST /api/v1/cases; safe to retry because the payload carries an idempotency key
        (`retry=False` where the caller cannot wait for a second try, e.g. a phone webhook)."""
        if not payload.get("idempotency_key"):
            raise ValueError("filing a case needs an idempotency_key")
        return await self._request(routes.FILE_CASE, json=payload, retry=retry)

    async def status_lookup(self, folio: str, factor: str) -> dict[str, Any]:
        """POST /api/v1/status-lookup: status of a case, verified with a second factor."""
        body = {"folio": folio, "factor": factor}
        return await self._request(routes.STATUS_LOOKUP, json=body, retry=True)

    async def resident_cases(self, channel: str, channel_user_id: str) -> list[dict[str, Any]]:
        """GET /api/v1/residents/cases: cases filed from this channel identity."""
        params = {"channel": channel, "channel_user_id": channel_user_id}
        data = await self._request(routes.RESIDENT_CASES, params=params, retry=True)
        return list(data.get("cases", []))

    async def similar_cases(self, category: str, address: str) -> list[dict[str, Any]]:
        """GET /api/v1/cases/similar: open reclamos that look like the one being filed."""
        params = {"category": category, "address": address}
        data = await self._request(routes.SIMILAR_CASES, params=params, retry=True)
        return list(data.get("cases", []))

    async def add_adhesion(self, folio: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/adhesions; not retried automatically (no idempotency key)."""
        return await self._request(routes.ADHESIONS, folio=folio, json=payload, retry=False)

    async def attach_uploads(
        self, folio: str, upload_ids: list[str], channel_user_id: str
    ) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/attachments: link the uploads this conversation
        (`channel_user_id`, the sender) received; linking twice is harmless."""
        body = {"upload_ids": upload_ids, "channel_user_id": channel_user_id}
        return await self._request(routes.ATTACHMENTS, folio=folio, json=body, retry=True)

    async def attach_file(
        self, folio: str, data: bytes, content_type: str, filename: str
    ) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/attachments with the file itself (the phone line's
        voicemail recording); not retried (a second try could attach it twice)."""
        files = {"file": (filename, data, content_type)}
        return await self._request(
            routes.ATTACHMENTS, folio=folio, files=files, timeout=UPLOAD_TIMEOUT, retry=False
        )

    # --- conversations ---------------------------------------------------------------------

    async def request_handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/handoffs; not retried automatically so a resident is queued once."""
        return await self._request(routes.HANDOFFS, json=payload, retry=False)

    async def classify(self, text: str) -> dict[str, Any]:
        """POST /api/v1/classify: the three likeliest categories of a description, with
        probabilities; `category` is None when the first is below the threshold (offer the
        three as options). Reads only, so it is retried."""
        return await self._request(routes.CLASSIFY, json={"text": text}, retry=True)

    async def report_outcome(self, conversation: str, channel: str, outcome: str) -> dict[str, Any]:
        """POST /api/v1/conversations/outcomes: a conversation's start or outcome, named by a
        hash of its id; not retried (a lost report is one conversation less in statistics)."""
        body = {"conversation": conversation, "channel": channel, "outcome": outcome}
        return await self._request(routes.CONVERSATION_OUTCOMES, json=body, retry=False)

    async def commune(self) -> dict[str, Any]:
        """GET /api/v1/commune: names, links and hours the commune configured."""
        return await self._request(routes.COMMUNE, retry=False)

    async def store_upload(
        self, channel: str, channel_user_id: str, data: bytes, content_type: str, filename: str
    ) -> dict[str, Any]:
        """POST /api/v1/uploads: a file a resident sent, pending until a case takes it
        ({"id", "sha256", "content_type", "size"}); not retried (each try stores a file)."""
        form = {"channel": channel, "channel_user_id": channel_user_id}
        files = {"file": (filename, data, content_type)}
        return await self._request(
            routes.UPLOADS, data=form, files=files, timeout=UPLOAD_TIMEOUT, retry=False
        )

    async def record_rating(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/residents/satisfaction: a rating in the resident's words; 404 when none
        is awaited, 422 when the text holds none. Not retried (the resident may rate again)."""
        return await self._request(routes.RESIDENT_SATISFACTION, json=payload, retry=False)

    # --- transport -------------------------------------------------------------------------

    async def _request(
        self, route: Route, retry: bool, folio: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        path = route.url(folio=folio) if folio is not None else route.path
        attempts = max(1, self.retry.attempts) if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._send_once(route.method, path, **kwargs)
            except ApiUnavailable as error:
                logger.warning(
                    "api_call_failed method=%s path=%s attempt=%d/%d error=%s",
                    route.method,
                    path,
                    attempt,
                    attempts,
                    error,
                )
                if attempt >= attempts:
                    raise
                await asyncio.sleep(self.retry.pause(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ApiUnavailable(type(error).__name__) from error
        note_settings_version(response.headers.get(SETTINGS_VERSION_HEADER))
        if response.status_code >= 500:
            raise ApiUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise rejection(response)
        try:
            data = response.json()
        except ValueError as error:
            raise ApiUnavailable("response is not JSON") from error
        if not isinstance(data, dict):
            raise ApiUnavailable("response is not a JSON object")
        return data
