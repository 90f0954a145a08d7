"""Masks of personal data, the same in the bot's and the admin's logs (oirs_rules.masking)."""

from __future__ import annotations

from oirs_rules.masking import mask_email, mask_id, mask_phone, mask_rut, mask_text


def test_known_fields_keep_only_enough_to_tell_residents_apart() -> None:
    assert mask_rut("12.345.678-5") == "**.***.678-5"
    assert mask_email("ana.perez@correo.cl") == "a***@correo.cl"
    assert mask_phone("+56987654321") == "+569*****321"
    assert mask_id("whatsapp:+56987654321") == "***321"
    assert (mask_rut(None), mask_email(""), mask_phone(None)) == ("-", "-", "-")


def test_free_text_loses_every_contact_but_keeps_folios_and_dates() -> None:
    text = "RC-2026-000123 del 25-11-2026: ana.perez@correo.cl, 12.345.678-5, +56 9 8765 4321"
    masked = mask_text(text)
    assert masked.startswith("RC-2026-000123 del 25-11-2026: ")
    for secret in ("perez", "345.678", "8765"):
        assert secret not in masked
