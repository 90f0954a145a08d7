"""No log line carries an unmasked RUT, phone or e-mail (SPEC §7)."""

from __future__ import annotations

import logging

import pytest

from oirs.privacy.masking import MaskingFilter, mask_text


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("rut 12.345.678-5", "12.345.678"),
        ("rut 12345678-5", "12345678"),
        ("rut 123456785", "12345678"),
        ("fono +56 9 8765 4321", "8765 4321"),
        ("fono 987654321", "98765432"),
        ("correo ana.perez@example.cl", "ana.perez"),
    ],
)
def test_personal_data_is_masked(raw: str, secret: str) -> None:
    assert secret not in mask_text(raw)


def test_folios_and_dates_stay_readable() -> None:
    text = "folio RC-2026-000123 vence 16-12-2026"
    assert mask_text(text) == text


def test_logging_filter_masks_arguments_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    handler = caplog.handler
    handler.addFilter(MaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.masking"):
            logger.info("filed for %s phone=%s", "ana@example.cl", "+56987654321")
    finally:
        handler.removeFilter(handler.filters[-1])
    assert "ana@example.cl" not in caplog.text
    assert "87654321" not in caplog.text


def test_timestamps_stay_readable() -> None:
    text = "at 2026-11-25T09:40:30+00:00 and 2026-11-25 09:40:30,123"
    assert mask_text(text) == text
