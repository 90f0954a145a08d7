"""Files attached to cases, stored once per content hash under the data directory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from oirs.models import Attachment

MAX_FILENAME = 255


@dataclass(frozen=True)
class Upload:
    """A file received from staff or a channel, not yet stored."""

    filename: str
    content_type: str
    data: bytes


def storage_path(data_dir: Path, storage_key: str) -> Path:
    """Where an attachment's bytes live."""
    return data_dir / "attachments" / storage_key


def store(data_dir: Path, upload: Upload, source: str) -> Attachment:
    """Write the bytes (content-addressed, so duplicates share a file) and describe them."""
    digest = hashlib.sha256(upload.data).hexdigest()
    key = f"{digest[:2]}/{digest}"
    path = storage_path(data_dir, key)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.data)
    name = Path(upload.filename).name[:MAX_FILENAME] or "archivo"
    return Attachment(
        filename=name,
        content_type=upload.content_type or "application/octet-stream",
        size=len(upload.data),
        sha256=digest,
        storage_key=key,
        source=source,
    )
