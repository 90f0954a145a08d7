"""Uploads never linked to a case are purged by the job worker every day (no cron needed),
with the same code as `oirs purge-uploads`; a file a case holds is kept."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from admin.jobs import PURGE_UPLOADS_SCHEDULE, make_huey, register
from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import ContactData, NewCase, file_case
from oirs.files.attachments import AttachmentStore, StoredFile, add_attachment
from oirs.models import utcnow
from oirs.settings import Settings


def staged(store: AttachmentStore, label: str, days_old: int) -> tuple[str, StoredFile]:
    """A widget photo staged `days_old` days ago; returns its upload id and file."""
    data = b"%PDF-1.4\n" + label.encode() + secrets.token_bytes(16)
    stored = store.put(data, "application/pdf", f"{label}.pdf")
    upload_id = store.stage(stored, "web", "web-" + secrets.token_urlsafe(16))
    record_path = store.root / "pending" / f"{upload_id}.json"
    record = json.loads(record_path.read_text())
    record["received_at"] = (utcnow() - timedelta(days=days_old)).isoformat()
    record_path.write_text(json.dumps(record))
    return upload_id, stored


def link(sessions: sessionmaker[Session], stored: StoredFile) -> None:
    data = NewCase(
        type="reclamo",
        channel="web",
        description="Bache frente al colegio",
        category="aseo",
        contact=ContactData(name="Ana Pérez", email="ana@example.cl"),
    )
    with sessions.begin() as session:
        case, _ = file_case(session, data, BusinessCalendar())
        add_attachment(session, case, stored)


def kept(store: AttachmentStore, stored: StoredFile) -> bool:
    return store.path_for(stored.storage_key).exists()


def test_the_worker_purges_old_unlinked_uploads_daily_and_keeps_linked_ones(
    app: Flask, clean_db: object, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    huey = make_huey(Settings(data_dir=tmp_path))
    register(huey, app)
    minute, hour = int(PURGE_UPLOADS_SCHEDULE["minute"]), int(PURGE_UPLOADS_SCHEDULE["hour"])
    due = datetime(2026, 3, 3, hour, minute, tzinfo=UTC).replace(tzinfo=None)
    (task,) = [t for t in huey.read_periodic(due) if t.name == "oirs.purge_uploads"]
    later = due + timedelta(hours=1)
    assert "oirs.purge_uploads" not in {t.name for t in huey.read_periodic(later)}

    store = AttachmentStore.for_data_dir(app.extensions["oirs_settings"].data_dir)
    orphan_id, orphan = staged(store, "orphan", days_old=8)
    _, filed = staged(store, "filed", days_old=8)
    recent_id, recent = staged(store, "recent", days_old=1)
    link(sessions, filed)

    assert huey.execute(task) >= 2  # the orphan's and the filed one's records
    pending = store.root / "pending"
    assert not (pending / f"{orphan_id}.json").exists()
    assert not kept(store, orphan)
    assert kept(store, filed)  # a case holds it
    assert (pending / f"{recent_id}.json").exists() and kept(store, recent)  # may still file


def test_the_command_and_the_job_are_one_purge(
    app: Flask, clean_db: object, monkeypatch: object
) -> None:
    """`oirs purge-uploads` (kept for manual runs) and the job call the same function."""
    import admin.jobs
    import admin.outbox_cli

    calls: list[tuple[Path, timedelta]] = []

    def spy(session: Session, data_dir: Path, max_age: timedelta) -> int:
        calls.append((data_dir, max_age))
        return 0

    monkeypatch.setattr(admin.jobs, "purge_stale_uploads", spy)  # type: ignore[attr-defined]
    monkeypatch.setattr(admin.outbox_cli, "purge_stale_uploads", spy)  # type: ignore[attr-defined]
    settings = app.extensions["oirs_settings"]
    monkeypatch.setenv("OIRS_DATA_DIR", str(settings.data_dir))  # type: ignore[attr-defined]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)  # type: ignore[attr-defined]
    with app.app_context():
        admin.jobs.run_upload_purge()
    result = CliRunner().invoke(admin.outbox_cli.purge_uploads, ["--days", "3"])
    assert result.exit_code == 0, result.output
    assert calls == [(settings.data_dir, timedelta(days=7)), (settings.data_dir, timedelta(days=3))]
