"""The only way the actions talk to the admin: a small typed client for its HTTP API."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# (connect, read) seconds: a resident is waiting on the other side of the chat
DEFAULT_TIMEOUT = (3.05, 10.0)


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


class OirsApiClient:
    """Calls the admin API with the bot's Bearer token, timeouts and bounded retries."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        attempts: int = 2,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.session = session or requests.Session()

    @classmethod
    def from_env(cls) -> OirsApiClient:
        """Build the client from OIRS_API_URL and OIRS_API_TOKEN."""
        return cls(
            base_url=os.environ.get("OIRS_API_URL", DEFAULT_BASE_URL),
            token=os.environ.get("OIRS_API_TOKEN") or None,
        )

    # --- endpoints -------------------------------------------------------------------------

    def file_case(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/cases; safe to retry because the payload carries an idempotency key."""
        if not payload.get("idempotency_key"):
            raise ValueError("filing a case needs an idempotency_key")
        return self._request("POST", "/api/v1/cases", json=payload, retry=True)

    def status_lookup(self, folio: str, factor: str) -> dict[str, Any]:
        """POST /api/v1/status-lookup: status of a case, verified with a second factor."""
        body = {"folio": folio, "factor": factor}
        return self._request("POST", "/api/v1/status-lookup", json=body, retry=True)

    def resident_cases(self, channel: str, channel_user_id: str) -> list[dict[str, Any]]:
        """GET /api/v1/residents/cases: cases filed from this channel identity."""
        params = {"channel": channel, "channel_user_id": channel_user_id}
        data = self._request("GET", "/api/v1/residents/cases", params=params, retry=True)
        return list(data.get("cases", []))

    def similar_cases(self, category: str, address: str) -> list[dict[str, Any]]:
        """GET /api/v1/cases/similar: open reclamos that look like the one being filed."""
        params = {"category": category, "address": address}
        data = self._request("GET", "/api/v1/cases/similar", params=params, retry=True)
        return list(data.get("cases", []))

    def add_adhesion(self, folio: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/adhesions; not retried automatically (no idempotency key)."""
        return self._request("POST", f"/api/v1/cases/{folio}/adhesions", json=payload, retry=False)

    def attach_uploads(
        self, folio: str, upload_ids: list[str], channel_user_id: str
    ) -> dict[str, Any]:
        """POST /api/v1/cases/<folio>/attachments: link the uploads this conversation
        (`channel_user_id`, the sender) received; linking twice is harmless."""
        body = {"upload_ids": upload_ids, "channel_user_id": channel_user_id}
        return self._request("POST", f"/api/v1/cases/{folio}/attachments", json=body, retry=True)

    def request_handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/handoffs; not retried automatically so a resident is queued once."""
        return self._request("POST", "/api/v1/handoffs", json=payload, retry=False)

    def classify(self, text: str) -> dict[str, Any]:
        """POST /api/v1/classify: the three likeliest categories of a description, with
        probabilities; `category` is None when the first is below the threshold (offer the
        three as options). Reads only, so it is retried."""
        return self._request("POST", "/api/v1/classify", json={"text": text}, retry=True)

    def commune(self) -> dict[str, Any]:
        """GET /api/v1/commune: names, links and hours the commune configured."""
        return self._request("GET", "/api/v1/commune", retry=False)

    # --- transport -------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _request(self, method: str, path: str, retry: bool, **kwargs: Any) -> dict[str, Any]:
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._send_once(method, path, **kwargs)
            except ApiUnavailable as error:
                logger.warning(
                    "api_call_failed method=%s path=%s attempt=%d/%d error=%s",
                    method,
                    _path_for_log(path),
                    attempt,
                    attempts,
                    error,
                )
                if attempt == attempts:
                    raise
                time.sleep(self.backoff * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = self.base_url + path
        try:
            response = self.session.request(
                method, url, headers=self._headers(), timeout=self.timeout, **kwargs
            )
        except requests.RequestException as error:
            raise ApiUnavailable(f"{type(error).__name__}") from error
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


def _rejection(response: requests.Response) -> ApiRejected:
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
