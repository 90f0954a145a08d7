"""The transcript staff read: button presses and media-only messages in words, not intents."""

from __future__ import annotations

from actions.transcript import build_transcript


def user(text: str, **metadata: object) -> dict[str, object]:
    return {"event": "user", "text": text, "timestamp": 1764000000.0, "metadata": metadata}


def test_media_only_messages_are_described_for_staff() -> None:
    photo = {"upload_id": "u1", "content_type": "image/jpeg"}
    voice = {"upload_id": "u2", "content_type": "audio/ogg"}
    pdf = {"upload_id": "u4", "content_type": "application/pdf"}
    events = [
        user("/enviar_adjunto", attachments=[photo, dict(photo, upload_id="u3"), voice]),
        user("/enviar_adjunto", attachments=[pdf]),
        user("/compartir_ubicacion", location={"lat": -33.4372, "lon": -70.6506}),
        user("/compartir_contacto", contact={"phone_number": "+56987654321"}),
        {"event": "bot", "text": "Recibimos su foto.", "timestamp": 1764000001.0},
    ]
    texts = [line["text"] for line in build_transcript(events)]
    assert texts == [
        "(envió 2 fotos y 1 nota de voz)",
        "(envió 1 documento)",
        "(compartió su ubicación: -33.43720, -70.65060)",
        "(compartió una tarjeta de contacto)",
        "Recibimos su foto.",
    ]


def test_button_payloads_read_as_the_choice_and_typed_text_is_kept() -> None:
    events = [user("/afirmar"), user("/reclamo"), user('/faq{"x": 1}'), user("/ no sé")]
    texts = [line["text"] for line in build_transcript(events)]
    assert texts == ["Sí", "(eligió: reclamo)", '/faq{"x": 1}', "/ no sé"]


def test_a_location_without_numbers_is_still_described() -> None:
    events = [user("/compartir_ubicacion", location={"lat": "norte"}), user("/compartir_ubicacion")]
    assert [line["text"] for line in build_transcript(events)] == ["(compartió su ubicación)"] * 2
