"""What residents type: RUT check digit, e-mail, Chilean phones, folios, names, descriptions."""

from __future__ import annotations

import pytest
from oirs_rules.masking import mask_email, mask_phone, mask_rut

from actions.validators import (
    InvalidValue,
    clean_name,
    find_email,
    find_phone,
    is_substantive,
    normalize_email,
    normalize_folio,
    normalize_phone,
    normalize_rut,
    strip_contact_data,
)


@pytest.mark.parametrize("raw", ["12.345.678-5", "12345678-5", "123456785", " 12.345.678-5 "])
def test_valid_rut_is_formatted_with_dots_and_dash(raw: str) -> None:
    assert normalize_rut(raw) == "12.345.678-5"


@pytest.mark.parametrize("raw", ["12.345.678-4", "12345678", "abc", "1-9"])
def test_rut_with_wrong_check_digit_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalize_rut(raw)


def test_rut_with_k_check_digit_is_accepted() -> None:
    assert normalize_rut("10.000.013-k") == "10.000.013-K"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("987654321", "+56987654321"),
        ("+56 9 8765 4321", "+56987654321"),
        ("9 8765 4321", "+56987654321"),
        ("22 123 4567", "+56221234567"),
        ("+56 2 2123 4567", "+56221234567"),
    ],
)
def test_chilean_phones_are_normalised_to_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "98765432", "0000000000", "hola"])
def test_impossible_phones_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


def test_email_is_lower_cased_and_checked() -> None:
    assert normalize_email(" Ana.Perez@Correo.CL ") == "ana.perez@correo.cl"
    for bad in ["ana.perez", "ana@", "ana@correo", "ana..perez@correo.cl"]:
        with pytest.raises(InvalidValue):
            normalize_email(bad)


def test_contact_data_is_found_inside_a_sentence() -> None:
    text = "soy Ana, mi fono es 9 8765 4321 y mi correo ana@correo.cl, rut 12.345.678-5"
    assert find_phone(text) == "+56987654321"
    assert find_email(text) == "ana@correo.cl"


def test_a_rut_is_not_mistaken_for_a_phone() -> None:
    assert find_phone("mi rut es 12.345.678-5") is None


@pytest.mark.parametrize(
    ("raw", "folio"),
    [
        ("RC-2026-000123", "RC-2026-000123"),
        ("rc 2026 123", "RC-2026-000123"),
        ("mi folio es sai-2026-45", "SAI-2026-000045"),
    ],
)
def test_loose_folios_are_normalised(raw: str, folio: str) -> None:
    assert normalize_folio(raw) == folio


def test_a_bare_number_is_not_a_folio() -> None:
    with pytest.raises(InvalidValue):
        normalize_folio("123")


def test_name_lead_ins_are_removed_and_name_capitalised() -> None:
    assert clean_name("me llamo ana pérez") == "Ana Pérez"
    with pytest.raises(InvalidValue):
        clean_name("987654321")


def test_a_bare_request_to_complain_is_not_a_description() -> None:
    assert not is_substantive("quiero hacer un reclamo")
    assert not is_substantive("/reclamo")
    assert is_substantive("hace dos semanas que no pasa el camión de la basura")


def test_contact_data_is_taken_out_of_the_description() -> None:
    cleaned = strip_contact_data("Poste sin luz en Los Aromos 123, mi teléfono es 987654321")
    assert "987654321" not in cleaned
    assert "Los Aromos 123" in cleaned


def test_personal_data_is_masked_for_logs() -> None:
    assert mask_rut("12.345.678-5") == "**.***.678-5"
    assert mask_email("ana.perez@correo.cl") == "a***@correo.cl"
    assert "8765" not in mask_phone("+56987654321")
