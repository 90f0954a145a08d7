"""Media from the channels goes to the admin API as a pending upload; channels keep no files.

The admin answers with an upload id; the id travels in the message metadata
("attachments") so the filing action can send it along with the case. The upload goes through
the bot's one admin API client (api_client); the provider's file is fetched by each channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

# the channels import mask_id from here; the rule is the shared one
from oirs_rules.masking import mask_id as mask_id

from api_client import ApiError, shared_client

logger = logging.getLogger(__name__)

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit; the admin enforces its limit too


class MediaError(Exception):
    """A medium could not be fetched from the provider or stored by the admin."""


@dataclass(frozen=True)
class Medium:
    data: bytes
    content_type: str
    filename: str


async def store_upload(medium: Medium, channel: str, channel_user_id: str) -> dict[str, Any]:
    """The medium as the admin's pending upload: {"upload_id", "content_type", "sha256", "size"}."""
    try:
        result = await shared_client().store_upload(
            channel, channel_user_id, medium.data, medium.content_type, medium.filename
        )
    except ApiError as error:
        raise MediaError(f"admin upload failed: {error}") from error
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
