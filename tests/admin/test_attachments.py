"""Attachments: files from the channels stored by hash, typed by their bytes, linked to cases."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.files.attachments import AttachmentRejected, AttachmentStore, safe_filename, sniff
from oirs.files.filestore import storage_path
from oirs.models import Attachment, CaseEvent, utcnow
from oirs.settings import Settings

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
RECLAMO = {
    "type": "reclamo",
    "channel": "whatsapp",
    "description": "Microbasural en la esquina",
    "category": "aseo",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "phone": "+56 9 8765 4321"},
}

OWNER = "whatsapp:+56987654321"  # the conversation that sent the files in these tests


def upload(client: FlaskClient, auth: dict[str, str], data: bytes, name: str, kind: str):
    form = {
        "file": (io.BytesIO(data), name, kind),
        "channel": "whatsapp",
        "channel_user_id": OWNER,
    }
    return client.post(
        "/api/v1/uploads", data=form, headers=auth, content_type="multipart/form-data"
    )


def file_case(client: FlaskClient, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/cases", json=RECLAMO, headers=auth)
    assert response.status_code == 201
    return str(response.json["folio"])


def test_upload_before_filing_is_linked_when_the_case_is_filed(
    client: FlaskClient, auth: dict[str, str], db_session: Session, app_settings: Settings
) -> None:
    staged = upload(client, auth, JPEG, "foto.jpg", "image/jpeg")
    assert staged.status_code == 201
    assert staged.json["id"].startswith("upl_")
    assert staged.json["sha256"] == hashlib.sha256(JPEG).hexdigest()
    folio = file_case(client, auth)
    linked = client.post(
        f"/api/v1/cases/{folio}/attachments",
        json={"upload_ids": [staged.json["id"]], "channel_user_id": OWNER},
        headers=auth,
    )
    assert linked.status_code == 201
    [item] = linked.json["attachments"]
    assert item["content_type"] == "image/jpeg"
    with db_session.begin():
        stored = db_session.scalars(select(Attachment)).one()
        kinds = db_session.scalars(select(CaseEvent.kind)).all()
    assert "attachment_added" in kinds
    blob = app_settings.data_dir / "attachments" / stored.storage_key
    assert blob.read_bytes() == JPEG
    assert storage_path(app_settings.data_dir, stored.storage_key) == blob


def test_direct_upload_to_a_case_returns_its_hash(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    folio = file_case(client, auth)
    form = {"file": (io.BytesIO(PDF), "acta.pdf", "application/pdf")}
    response = client.post(
        f"/api/v1/cases/{folio}/attachments",
        data=form,
        headers=auth,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert response.json["content_type"] == "application/pdf"


def test_the_same_file_twice_is_linked_once(
    client: FlaskClient, auth: dict[str, str], db_session: Session
) -> None:
    ids = [upload(client, auth, JPEG, "a.jpg", "image/jpeg").json["id"] for _ in range(2)]
    folio = file_case(client, auth)
    client.post(
        f"/api/v1/cases/{folio}/attachments",
        json={"upload_ids": ids, "channel_user_id": OWNER},
        headers=auth,
    )
    with db_session.begin():
        assert len(db_session.scalars(select(Attachment)).all()) == 1


def test_a_file_claiming_to_be_an_image_but_holding_a_script_is_refused(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = upload(client, auth, b"<script>alert(1)</script>", "foto.jpg", "image/jpeg")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "attachment_rejected"
    assert "no se admite" in response.json["error"]["message"]


def test_uploads_need_a_token(client: FlaskClient) -> None:
    assert upload(client, {}, JPEG, "a.jpg", "image/jpeg").status_code == 401


def test_uploads_of_another_conversation_are_refused_and_none_is_linked(
    client: FlaskClient, auth: dict[str, str], db_session: Session
) -> None:
    mine = upload(client, auth, PDF, "acta.pdf", "application/pdf").json["id"]
    theirs = upload(client, auth, JPEG, "foto.jpg", "image/jpeg").json["id"]
    folio = file_case(client, auth)
    for owner in ("whatsapp:+56911111111", None):
        response = client.post(
            f"/api/v1/cases/{folio}/attachments",
            json={"upload_ids": [mine, theirs], "channel_user_id": owner},
            headers=auth,
        )
        assert response.status_code == 400, owner
        assert "No encontramos ese archivo" in response.json["error"]["message"]
    with db_session.begin():
        assert db_session.scalars(select(Attachment)).all() == []
    wrong_type = client.post(
        f"/api/v1/cases/{folio}/attachments",
        json={"upload_ids": [mine], "channel_user_id": 56911111111},
        headers=auth,
    )
    assert wrong_type.status_code == 422


def test_unknown_or_malformed_upload_ids_are_refused(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    folio = file_case(client, auth)
    for bad in ("upl_" + "x" * 24, "../../etc/passwd", "upl_../../oirs"):
        response = client.post(
            f"/api/v1/cases/{folio}/attachments", json={"upload_ids": [bad]}, headers=auth
        )
        assert response.status_code == 400, bad


def test_files_over_the_limit_are_refused(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=1024)
    with pytest.raises(AttachmentRejected, match="máximo"):
        store.put(JPEG + b"\x00" * 2048, "image/jpeg", "grande.jpg")


def test_the_content_type_comes_from_the_bytes_not_the_sender() -> None:
    assert sniff(JPEG, "application/pdf") == "image/jpeg"
    assert sniff(b"OggS\x00\x02" + b"\x00" * 20, "audio/ogg; codecs=opus") == "audio/ogg"
    assert sniff(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 8, "video/mp4") == "video/mp4"
    assert sniff(b"PK\x03\x04rest", "application/zip") is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd.jpg"),
        ("..\\..\\boot.ini", "boot.jpg"),
        ("Foto Ñuñoa (1).JPG", "Foto_Nunoa_1.jpg"),
        (".htaccess", "htaccess.jpg"),
        ("", "adjunto.jpg"),
        (None, "adjunto.jpg"),
    ],
)
def test_filenames_are_made_safe(given: str | None, expected: str) -> None:
    assert safe_filename(given, "image/jpeg") == expected


def test_storage_keys_cannot_leave_the_directory(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    for key in ("../secret", "ab/../../x", "01/" + "0" * 64, "00/" + "0" * 63 + "/"):
        with pytest.raises(AttachmentRejected):
            store.path_for(key)


def test_uploads_never_filed_are_forgotten_after_a_week(
    client: FlaskClient, auth: dict[str, str], db_session: Session, app_settings: Settings
) -> None:
    import json
    from datetime import timedelta

    orphan = upload(client, auth, PDF, "acta.pdf", "application/pdf").json
    kept = upload(client, auth, JPEG, "foto.jpg", "image/jpeg").json
    folio = file_case(client, auth)
    client.post(
        f"/api/v1/cases/{folio}/attachments",
        json={"upload_ids": [kept["id"]], "channel_user_id": OWNER},
        headers=auth,
    )
    pending = app_settings.data_dir / "attachments" / "pending"
    for upload_id in (orphan["id"], kept["id"]):  # both arrived eight days ago
        record_path = pending / f"{upload_id}.json"
        record = json.loads(record_path.read_text())
        record["received_at"] = (utcnow() - timedelta(days=8)).isoformat()
        record_path.write_text(json.dumps(record))
    store = AttachmentStore.for_data_dir(app_settings.data_dir)
    with db_session.begin():
        assert store.forget_stale_uploads(db_session) == 2
    assert not (pending / f"{orphan['id']}.json").exists()
    root = app_settings.data_dir / "attachments"
    assert not (root / orphan["sha256"][:2] / orphan["sha256"]).exists()
    assert (root / kept["sha256"][:2] / kept["sha256"]).exists()  # a case holds it
