"""Residents' files: stored once by SHA-256 under data_dir/attachments, typed by their
bytes (not by what the sender claims), size-limited, and linked to cases.

A channel may receive a file before a case exists: it is kept as a pending upload
whose id travels with the conversation and is linked when the case is filed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.cases.filing import RESIDENT, Actor, add_event
from oirs.errors import OirsError
from oirs.models import Attachment, Case, utcnow

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own media limit
PENDING_MAX_AGE = timedelta(days=7)  # a conversation that did not file by then never will
UPLOAD_ID = re.compile(r"^upl_[A-Za-z0-9_-]{20,40}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

# (magic bytes at offset, content type); checked in order
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"#!AMR", "audio/amr"),
)
FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3gp6": "video/3gpp",
    b"M4A ": "audio/mp4",
}
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/amr": ".amr",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "video/3gpp": ".3gp",
    **OFFICE_TYPES,
}


class AttachmentRejected(OirsError):
    """The file is empty, too large, of a type we do not keep, or names no known upload."""

    code = "attachment_rejected"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    content_type: str
    size: int
    filename: str

    @property
    def storage_key(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256}"


def sniff(data: bytes, declared: str | None = None) -> str | None:
    """The content type the bytes prove, or None when they match nothing we keep."""
    for offset, magic, kind in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return FTYP_BRANDS.get(data[8:12], "video/mp4")
    if data[:4] == b"PK\x03\x04" and declared in OFFICE_TYPES:
        return declared  # a zip container: trust the declared office type only
    return None


def safe_filename(name: str | None, content_type: str) -> str:
    """A plain ASCII name without directories, dots first or control characters."""
    base = unicodedata.normalize("NFKD", Path((name or "").replace("\\", "/")).name)
    base = base.encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")[:100]
    stem = (base.rsplit(".", 1)[0] if "." in base else base).strip("._-")
    return (stem or "adjunto") + EXTENSIONS.get(content_type, "")


NOT_FOUND = "No encontramos ese archivo; envíelo nuevamente."


class AttachmentStore:
    """Content-addressed files plus pending uploads, under one directory."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> AttachmentStore:
        limit = int(os.environ.get("OIRS_ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        return cls(data_dir / "attachments", limit)

    def accept(self, data: bytes, declared: str | None) -> str:
        """The content type the bytes would be kept as; refuses empty, too large or unknown."""
        if not data:
            raise AttachmentRejected("El archivo está vacío.")
        if len(data) > self.max_bytes:
            limit_mb = self.max_bytes // (1024 * 1024)
            raise AttachmentRejected(f"El archivo supera el máximo de {limit_mb} MB.")
        kind = sniff(data, (declared or "").split(";")[0].strip().lower())
        if kind is None:
            raise AttachmentRejected(
                "Ese tipo de archivo no se admite: envíe una foto, un audio, un video o un PDF."
            )
        return kind

    def put(self, data: bytes, declared: str | None, filename: str | None) -> StoredFile:
        """Keep the bytes once (same content, same file); refuse what we do not keep."""
        kind = self.accept(data, declared)
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredFile(digest, kind, len(data), safe_filename(filename, kind))
        target = self.path_for(stored.storage_key)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        return stored

    def path_for(self, storage_key: str) -> Path:
        """The file of a storage key; keys that could leave the directory are refused."""
        prefix, _, digest = storage_key.partition("/")
        if not SHA256.match(digest) or prefix != digest[:2]:
            raise AttachmentRejected("Clave de almacenamiento inválida.")
        return self.root / prefix / digest  # the layout of oirs.files.filestore

    def read(self, storage_key: str) -> bytes:
        return self.path_for(storage_key).read_bytes()

    def stage(self, stored: StoredFile, channel: str, channel_user_id: str | None) -> str:
        """Remember a file received before its case exists; returns the upload id."""
        upload_id = "upl_" + secrets.token_urlsafe(18)
        record = {
            **asdict(stored),
            "channel": channel,
            "channel_user_id": channel_user_id,
            "received_at": utcnow().isoformat(),
        }
        pending = self.root / "pending"
        pending.mkdir(parents=True, exist_ok=True)
        _write_atomically(pending / f"{upload_id}.json", json.dumps(record).encode())
        return upload_id

    def pending(self, upload_id: str, owner: str | None = None) -> StoredFile:
        """A staged upload. One staged for a conversation (its channel_user_id) is found only
        by naming that conversation: an id seen elsewhere cannot move a resident's photo to
        another case. An upload staged without a conversation is found by its id alone."""
        if not UPLOAD_ID.match(upload_id):
            raise AttachmentRejected("El identificador del archivo no es válido.")
        path = self.root / "pending" / f"{upload_id}.json"
        if not path.exists():
            raise AttachmentRejected(NOT_FOUND)
        record = json.loads(path.read_text())
        staged_for = record.get("channel_user_id")
        if staged_for and staged_for != owner:
            raise AttachmentRejected(NOT_FOUND)  # the same answer as for an unknown id
        return StoredFile(
            record["sha256"], record["content_type"], record["size"], record["filename"]
        )

    def forget_stale_uploads(self, session: Session, max_age: timedelta = PENDING_MAX_AGE) -> int:
        """Drop uploads never linked to a case after `max_age` (the resident gave up);
        their bytes go too unless a case holds the same file. Returns how many."""
        pending = self.root / "pending"
        if not pending.exists():
            return 0
        cutoff = utcnow() - max_age
        dropped = 0
        for record_path in pending.glob("upl_*.json"):
            record = json.loads(record_path.read_text())
            if datetime.fromisoformat(record["received_at"]) > cutoff:
                continue
            sha = record["sha256"]
            linked = session.scalar(select(Attachment.id).where(Attachment.sha256 == sha).limit(1))
            if linked is None:
                self.path_for(f"{sha[:2]}/{sha}").unlink(missing_ok=True)
            record_path.unlink()
            dropped += 1
        return dropped


def purge_stale_uploads(
    session: Session, data_dir: Path, max_age: timedelta = PENDING_MAX_AGE
) -> int:
    """The one purge of uploads never filed: `oirs purge-uploads` and the worker's daily job."""
    return AttachmentStore.for_data_dir(data_dir).forget_stale_uploads(session, max_age)


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_attachment(
    session: Session, case: Case, stored: StoredFile, actor: Actor = RESIDENT
) -> Attachment:
    """Link a stored file to a case (an event says so); the same content is linked once."""
    for existing in case.attachments:
        if existing.sha256 == stored.sha256:
            return existing
    source = "resident" if actor == RESIDENT else "staff"
    attachment = Attachment(
        case=case,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        source=source,
    )
    session.add(attachment)
    add_event(
        case,
        actor,
        "attachment_added",
        data={
            "filename": stored.filename,
            "content_type": stored.content_type,
            "sha256": stored.sha256,
            "size": stored.size,
        },
    )
    return attachment


def attach_uploads(
    session: Session,
    store: AttachmentStore,
    case: Case,
    upload_ids: list[str],
    owner: str | None = None,
) -> list[Attachment]:
    """Link the pending uploads a conversation (`owner`, its channel_user_id) collected to the
    case it filed or joined; uploads of another conversation are refused, none is linked."""
    files = [store.pending(upload_id, owner) for upload_id in upload_ids]
    return [add_attachment(session, case, stored) for stored in files]
