"""The admin API client's one error family: retry (ApiUnavailable) or ask again (ApiRejected)."""

from __future__ import annotations

import httpx


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


def rejection(response: httpx.Response) -> ApiRejected:
    """The admin's 4xx answer ({"error": {"code", "message", "fields"}}) as an exception."""
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
