"""The only way the actions talk to the admin: one small async client of its HTTP API.

The action server runs every conversation on one event loop, so nothing here blocks it:
requests go through httpx's async client and the pause between retries is an
`asyncio.sleep`. A slow admin delays the resident who waits for it, never the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# connect 3.05 s, then 10 s to send, read or get a pooled connection: a resident is waiting
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.05)
# idle connections are closed before the admin's gunicorn does (its keep-alive is 2 s), so a
# call never goes out on a connection the server is closing
KEEPALIVE_EXPIRY = 1.5
# the admin's answers name the version of the commune's settings they were given with
SETTINGS_VERSION_HEADER = "X-OIRS-Settings-Version"

T = TypeVar("T")


class ApiError(Exception):
    """Any failure talking to the admin API."""


class ApiUnavailable(ApiError):
    """The API could not be reached, timed out or failed on its side (5xx): worth retrying."""


class ApiRejected(ApiError):
    """The API answered 4xx: the request itself is wrong and retrying will not help."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


class NotFound(ApiRejected):
    """404: unknown folio, or a folio whose verification factor does not match."""


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
            base_url=os.environ.get("OIRS_API_URL", DEFAULT_BASE_URL),
            token=os.environ.get("OIRS_API_TOKEN") or None,
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    # --- endpoints -------------------------------------------------------------------------

    async def file_case(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/cases; safe to retry because the payload carries an idempotency key."""
        if not payload.get("idempotency_key"):
            raise ValueError("filing a case needs an idempotency_key")
        return await self._request("POST", "/api/v1/cases", json=payload, retry=True)

    async def status_lookup(self, folio: str, factor: str) -> dict[str, Any]:
        """POST /api/v1/status-lookup: status of a case, verified with a second factor."""
        body = {"folio": folio, "factor": factor}
        return await self._request("POST", "/api/v1/status-lookup", json=body, retry=True)

    async def resident_cases(self, channel: str, channel_user_id: str) -> list[dict[str, Any]]:
        """GET /api/v1/residents/cases: cases filed from this channel identity."""
        params = {"channel": channel, "channel_user_id": channel_user_id}
        data = await self._request("GET", "/api/v1/residents/cases", params=params, retry=True)
        return list(data.get("cases", []))

    async def similar_cases(self, category: str, address: str) -> list[dict[str, Any]]:
        """GET /api/v1/cases/similar: open reclamos that look like the one being filed."""
        params = {"category": category, "address": address}
        data = await self._request("GET", "/api/v1/cases/similar", params=params, retry=True)
        return list(data.get("cases", []))

    async def add_adhesion(self, folio: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/adhesions; not retried automatically (no idempotency key)."""
        path = f"/api/v1/cases/{folio}/adhesions"
        return await self._request("POST", path, json=payload, retry=False)

    async def attach_uploads(
        self, folio: str, upload_ids: list[str], channel_user_id: str
    ) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/attachments: link the uploads this conversation
        (`channel_user_id`, the sender) received; linking twice is harmless."""
        body = {"upload_ids": upload_ids, "channel_user_id": channel_user_id}
        path = f"/api/v1/cases/{folio}/attachments"
        return await self._request("POST", path, json=body, retry=True)

    async def request_handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/handoffs; not retried automatically so a resident is queued once."""
        return await self._request("POST", "/api/v1/handoffs", json=payload, retry=False)

    async def classify(self, text: str) -> dict[str, Any]:
        """POST /api/v1/classify: the three likeliest categories of a description, with
        probabilities; `category` is None when the first is below the threshold (offer the
        three as options). Reads only, so it is retried."""
        return await self._request("POST", "/api/v1/classify", json={"text": text}, retry=True)

    async def commune(self) -> dict[str, Any]:
        """GET /api/v1/commune: names, links and hours the commune configured."""
        return await self._request("GET", "/api/v1/commune", retry=False)

    # --- transport -------------------------------------------------------------------------

    async def _request(self, method: str, path: str, retry: bool, **kwargs: Any) -> dict[str, Any]:
        attempts = max(1, self.retry.attempts) if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._send_once(method, path, **kwargs)
            except ApiUnavailable as error:
                logger.warning(
                    "api_call_failed method=%s path=%s attempt=%d/%d error=%s",
                    method,
                    _path_for_log(path),
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
        _note_settings_version(response.headers.get(SETTINGS_VERSION_HEADER))
        if response.status_code >= 500:
            raise ApiUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _rejection(response)
        try:
            data = response.json()
        except ValueError as error:
            raise ApiUnavailable("response is not JSON") from error
        if not isinstance(data, dict):
            raise ApiUnavailable("response is not a JSON object")
        return data


def seconds_from_env(name: str, default: float) -> float:
    """A positive number of seconds from the environment; a wrong value stops the server at
    start rather than every resident's turn later."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be more than 0 seconds, not {raw!r}")
    return value


async def within(seconds: float, call: Awaitable[T]) -> T:
    """The call's answer, or ApiUnavailable (the call cancelled) after `seconds`: how long a
    resident waits for something the conversation can go on without."""
    try:
        return await asyncio.wait_for(call, seconds)
    except asyncio.TimeoutError as error:
        raise ApiUnavailable(f"no answer within {seconds:g} s") from error


# --- what the admin's answers say about its settings ----------------------------------------

_settings_version: str | None = None


def settings_version() -> str | None:
    """The version of the commune's settings named by the admin's latest answer to this
    process (None until an answer carried one)."""
    return _settings_version


def _note_settings_version(version: str | None) -> None:
    global _settings_version
    if version:
        _settings_version = version


# --- one client per event loop -------------------------------------------------------------

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OirsApiClient] = (
    weakref.WeakKeyDictionary()
)
_factory: Callable[[], OirsApiClient] = OirsApiClient.from_env


def shared_client() -> OirsApiClient:
    """The process's client on the running loop, so every action shares its connections.

    httpx connections belong to the loop that opened them; the action server has one loop,
    tests start one per conversation turn, and each gets its own client.
    """
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = _factory()
    return client


def use_client_factory(factory: Callable[[], OirsApiClient]) -> Callable[[], OirsApiClient]:
    """Build the shared clients with `factory` from now on (tests: a mocked transport);
    returns the previous factory. Clients already made, and what they heard, are dropped."""
    global _factory, _settings_version
    previous, _factory = _factory, factory
    _clients.clear()
    _settings_version = None
    return previous


def _rejection(response: httpx.Response) -> ApiRejected:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    cls = NotFound if response.status_code == 404 else ApiRejected
    return cls(
        response.status_code,
        str(error.get("code", "http_error")),
        str(error.get("message", "")),
        error.get("fields") if isinstance(error.get("fields"), dict) else None,
    )


def _path_for_log(path: str) -> str:
    """Folios are not personal data, but keep query strings (addresses) out of logs."""
    return path.split("?", 1)[0]
