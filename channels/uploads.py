"""Media from the channels goes to the admin API as a pending upload; channels keep no files.

The admin answers with an upload id; the id travels in the message metadata
("attachments") so the filing action can send it along with the case.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import aiohttp

# the channels import mask_id from here; the rule is the shared one
from oirs_rules.masking import mask_id as mask_id

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "http://127.0.0.1:8000"
MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit; the admin enforces its limit too
TIMEOUT = aiohttp.ClientTimeout(total=30)


class MediaError(Exception):
    """A medium could not be fetched from the provider or stored by the admin."""


@dataclass(frozen=True)
class Medium:
    data: bytes
    content_type: str
    filename: str


def _api() -> tuple[str, str]:
    base = (os.environ.get("OIRS_API_URL") or DEFAULT_API_URL).rstrip("/")
    return base, os.environ.get("OIRS_API_TOKEN", "")


async def store_upload(medium: Medium, channel: str, channel_user_id: str) -> dict[str, Any]:
    """POST the medium to /api/v1/uploads; returns the admin's {"id", "sha256", ...}."""
    base, token = _api()
    form = aiohttp.FormData()
    form.add_field("channel", channel)
    form.add_field("channel_user_id", channel_user_id)
    form.add_field("file", medium.data, content_type=medium.content_type, filename=medium.filename)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(f"{base}/api/v1/uploads", data=form, headers=headers) as response,
    ):
        if response.status != 201:
            body = await response.text()
            raise MediaError(f"admin upload failed status={response.status} body={body[:200]}")
        result: dict[str, Any] = await response.json()
    return {
        "upload_id": result["id"],
        "content_type": result.get("content_type", medium.content_type),
        "sha256": result.get("sha256"),
        "size": result.get("size", len(medium.data)),
    }


async def read_limited(response: aiohttp.ClientResponse, limit: int = MAX_MEDIA_BYTES) -> bytes:
    """The body, refusing media larger than `limit` without reading them whole."""
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise MediaError(f"medium larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
