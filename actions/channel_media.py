"""Photos, documents, voice notes and locations the channels received for the case being filed.

The channels upload media to the admin before a folio exists and put the upload ids and a
shared location in each message's metadata; the case takes them when it is filed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A successful filing sets this slot: media before it belonged to an earlier case.
FILED_MARK = "ultimo_folio"


@dataclass
class SharedMedia:
    upload_ids: list[str] = field(default_factory=list)
    coordinates: dict[str, float] | None = None
    # content type of each upload, in the order of upload_ids ("" when the channel gave none)
    content_types: list[str] = field(default_factory=list)


def shared_media(events: list[dict[str, Any]]) -> SharedMedia:
    """What the resident sent since the last case was filed in this conversation."""
    media = SharedMedia()
    for event in events:
        if event.get("event") == "slot" and event.get("name") == FILED_MARK:
            media = SharedMedia()
        if event.get("event") != "user":
            continue
        metadata = event.get("metadata") or {}
        for item in metadata.get("attachments") or []:
            upload_id = item.get("upload_id") if isinstance(item, dict) else None
            if isinstance(upload_id, str) and upload_id not in media.upload_ids:
                media.upload_ids.append(upload_id)
                media.content_types.append(str(item.get("content_type") or ""))
        coordinates = coordinates_of(metadata.get("location"))
        if coordinates is not None:
            media.coordinates = coordinates
    return media


def coordinates_of(location: object) -> dict[str, float] | None:
    """{"lat", "lon"} as numbers from a channel's location metadata; None if it has none."""
    if not isinstance(location, dict):
        return None
    try:
        return {"lat": float(location["lat"]), "lon": float(location["lon"])}
    except (KeyError, TypeError, ValueError):
        return None
