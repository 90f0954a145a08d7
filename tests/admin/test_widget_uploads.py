"""The widget's anonymous uploads: photos and PDF only, judged by their bytes, and daily
quotas per conversation and per client address (files and megabytes) told to the resident in
Spanish."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oirs.settings import ConfigurationError, Settings
from tests.support.app_fixtures import migrate

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def build_app(tmp_path: Path, **settings: object) -> Flask:
    from admin import create_app

    url = f"sqlite:///{tmp_path / 'oirs.db'}"
    migrate(url)
    configured = Settings(database_url=url, data_dir=tmp_path, **settings)  # type: ignore[arg-type]
    # the address limit is off: what is measured here is the conversation's quota
    return create_app(configured, TESTING=True, RATELIMIT_ENABLED=False)


@pytest.fixture(scope="module")
def widget(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    # every test here sends from 127.0.0.1 and measures a conversation's quota; the address's
    # own quota has tests of its own
    return build_app(
        tmp_path_factory.mktemp("widget-uploads"),
        widget_upload_files_per_address_per_day=1000,
        widget_upload_mb_per_address_per_day=1000,
    )


def conversation() -> str:
    return "web-" + secrets.token_urlsafe(16)


def send(
    client: FlaskClient,
    session: str,
    data: bytes,
    filename: str = "foto.jpg",
    content_type: str = "image/jpeg",
    address: str | None = None,
):  # type: ignore[no-untyped-def]
    form = {"session": session, "file": (io.BytesIO(data), filename, content_type)}
    environ = {"REMOTE_ADDR": address or "127.0.0.1"}
    return client.post(
        "/widget/api/uploads",
        data=form,
        content_type="multipart/form-data",
        environ_base=environ,
    )


def pending_records(app: Flask) -> set[str]:
    pending = app.extensions["oirs_settings"].data_dir / "attachments" / "pending"
    return {p.name for p in pending.glob("upl_*.json")} if pending.exists() else set()


@pytest.mark.parametrize(
    ("data", "filename", "declared", "kind"),
    [
        pytest.param(JPEG, "foto.jpg", "image/jpeg", "image/jpeg", id="jpeg"),
        pytest.param(PNG, "foto.png", "image/png", "image/png", id="png"),
        pytest.param(WEBP, "foto.webp", "image/webp", "image/webp", id="webp"),
        pytest.param(HEIC, "IMG_0001.HEIC", "image/heic", "image/heic", id="heic"),
        pytest.param(PDF, "acta.pdf", "application/pdf", "application/pdf", id="pdf"),
        # the bytes decide, not the name or the declared type
        pytest.param(JPEG, "foto", "application/octet-stream", "image/jpeg", id="jpeg_undeclared"),
    ],
)
def test_photos_and_pdf_are_accepted(
    widget: Flask, data: bytes, filename: str, declared: str, kind: str
) -> None:
    reply = send(widget.test_client(), conversation(), data, filename, declared)
    assert reply.status_code == 201, reply.json
    assert reply.json["content_type"] == kind
    assert reply.json["upload_id"].startswith("upl_")


@pytest.mark.parametrize(
    ("data", "filename", "declared"),
    [
        pytest.param(EXE, "foto.jpg", "image/jpeg", id="exe_renamed_jpg"),
        pytest.param(EXE, "acta.pdf", "application/pdf", id="exe_renamed_pdf"),
        # audio and video the WhatsApp channel keeps, not the anonymous widget
        pytest.param(MP3, "foto.jpg", "image/jpeg", id="mp3_renamed_jpg"),
        pytest.param(MP4, "video.mp4", "video/mp4", id="mp4"),
        pytest.param(GIF, "animado.gif", "image/gif", id="gif"),
        pytest.param(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image/svg+xml", id="svg"
        ),
    ],
)
def test_anything_else_is_refused_by_its_bytes_and_nothing_is_kept(
    widget: Flask, data: bytes, filename: str, declared: str
) -> None:
    before = pending_records(widget)
    reply = send(widget.test_client(), conversation(), data, filename, declared)
    assert reply.status_code == 415
    assert reply.json["error"]["code"] == "unsupported_type"
    assert "PDF" in reply.json["error"]["message"] and "foto" in reply.json["error"]["message"]
    assert pending_records(widget) == before


def test_the_eleventh_file_of_a_conversation_in_a_day_is_refused(widget: Flask) -> None:
    """Default quota: 10 files a day per conversation; the 11th is refused and said why."""
    client, session = widget.test_client(), conversation()
    for n in range(10):
        assert send(client, session, PNG + bytes([n])).status_code == 201, n
    refused = send(client, session, PNG + b"\xff")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "upload_quota"
    message = refused.json["error"]["message"]
    assert "10 archivos" in message and "25 MB" in message
    assert len(pending_records(widget)) >= 10
    # another conversation is not affected
    assert send(client, conversation(), PNG).status_code == 201


def test_a_refused_file_does_not_use_the_quota(widget: Flask) -> None:
    client, session = widget.test_client(), conversation()
    for _ in range(12):
        assert send(client, session, EXE).status_code == 415
    for n in range(10):
        assert send(client, session, JPEG + bytes([n])).status_code == 201


def test_the_megabytes_of_a_conversation_are_limited_too(tmp_path: Path) -> None:
    app = build_app(tmp_path, widget_upload_files_per_day=5, widget_upload_mb_per_day=1)
    client, session = app.test_client(), conversation()
    half = PDF + b"%" * (600 * 1024)  # two of these pass 1 MB
    assert send(client, session, half, "acta.pdf", "application/pdf").status_code == 201
    refused = send(client, session, half + b"1", "acta2.pdf", "application/pdf")
    assert refused.status_code == 429
    assert "1 MB" in refused.json["error"]["message"]
    assert "5 archivos" in refused.json["error"]["message"]
    # a small photo still fits in what is left
    assert send(client, session, JPEG).status_code == 201


def test_a_new_session_id_per_file_does_not_escape_the_address_quota(tmp_path: Path) -> None:
    """The session id is the browser's choice: one address gets its own daily quota."""
    app = build_app(
        tmp_path,
        widget_upload_files_per_address_per_day=3,
        widget_upload_mb_per_address_per_day=75,
    )
    client = app.test_client()
    for n in range(3):
        assert (
            send(client, conversation(), PNG + bytes([n]), address="200.1.1.1").status_code == 201
        )
    refused = send(client, conversation(), PNG + b"\xff", address="200.1.1.1")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "upload_quota"
    assert "3 archivos" in refused.json["error"]["message"]
    assert "75 MB" in refused.json["error"]["message"]
    # another address is not affected, and the refused file counted for nobody
    assert send(client, conversation(), PNG, address="200.2.2.2").status_code == 201


def test_the_megabytes_of_an_address_are_limited_across_conversations(tmp_path: Path) -> None:
    app = build_app(
        tmp_path,
        widget_upload_files_per_address_per_day=30,
        widget_upload_mb_per_address_per_day=1,
    )
    client = app.test_client()
    half = PDF + b"%" * (600 * 1024)  # two of these pass 1 MB
    assert send(client, conversation(), half, "a.pdf", "application/pdf").status_code == 201
    refused = send(client, conversation(), half + b"1", "b.pdf", "application/pdf")
    assert refused.status_code == 429
    assert "1 MB" in refused.json["error"]["message"]
    assert send(client, conversation(), JPEG).status_code == 201  # what is left still fits


def test_the_quota_is_read_from_the_environment(tmp_path: Path) -> None:
    defaults = Settings.from_env({"OIRS_DATA_DIR": str(tmp_path)})
    assert (defaults.widget_upload_files_per_day, defaults.widget_upload_mb_per_day) == (10, 25)
    assert (
        defaults.widget_upload_files_per_address_per_day,
        defaults.widget_upload_mb_per_address_per_day,
    ) == (30, 75)
    configured = Settings.from_env(
        {
            "OIRS_WIDGET_UPLOADS_PER_DAY": "4",
            "OIRS_WIDGET_UPLOAD_MB_PER_DAY": "8",
            "OIRS_WIDGET_UPLOADS_PER_ADDRESS_PER_DAY": "12",
            "OIRS_WIDGET_UPLOAD_MB_PER_ADDRESS_PER_DAY": "40",
        }
    )
    assert (configured.widget_upload_files_per_day, configured.widget_upload_mb_per_day) == (4, 8)
    assert (
        configured.widget_upload_files_per_address_per_day,
        configured.widget_upload_mb_per_address_per_day,
    ) == (12, 40)
    for variable, value in (
        ("OIRS_WIDGET_UPLOADS_PER_DAY", "diez"),
        ("OIRS_WIDGET_UPLOAD_MB_PER_DAY", "0"),
        ("OIRS_WIDGET_UPLOAD_MB_PER_DAY", "-5"),
        ("OIRS_WIDGET_UPLOADS_PER_ADDRESS_PER_DAY", "0"),
        ("OIRS_WIDGET_UPLOAD_MB_PER_ADDRESS_PER_DAY", "mucho"),
    ):
        with pytest.raises(ConfigurationError, match=variable):
            Settings.from_env({variable: value})
