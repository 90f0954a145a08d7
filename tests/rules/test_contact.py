"""Contact data as residents write it: phones, RUTs, e-mails, and 'this same number'."""

import pytest
from oirs_rules import contact
from oirs_rules.contact import (
    find_emails,
    find_phones,
    find_ruts,
    normalise_phone,
    normalise_rut,
    says_same_channel,
)

PHONES = [
    ("mi fono es +56 9 7612 3345", ["+56976123345"]),
    ("56976123345", ["+56976123345"]),
    ("976123345", ["+56976123345"]),
    ("9 7612 3345 gracias", ["+56976123345"]),
    ("+569 7612-3345", ["+56976123345"]),
    ("(9) 7612 3345", ["+56976123345"]),
    ("cel 9-7612-3345", ["+56976123345"]),
    ("fijo 2 2345 6789", ["+56223456789"]),
    ("22 345 6789", ["+56223456789"]),
    ("nueve siete seis uno dos tres tres cuatro cinco", ["+56976123345"]),
    ("9 7 6 1 2 3 3 4 5", ["+56976123345"]),
    ("976123345 o al 2 2345 6789", ["+56976123345", "+56223456789"]),
    # what is not a phone
    ("Los Olivos 1340", []),
    ("pasaje 3 casa 12", []),
    ("calle 12 n° 312", []),
    ("desde el 2019 a las 23:30", []),
    ("pagué 15.000 pesos", []),
    ("mi rut es 12.345.678-5", []),
    ("rut 12345678-5", []),
    ("el folio RC-2026-000123", []),
    ("km 4 del camino", []),
    ("juan976@gmail.com", []),
]


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_phones_are_found_where_residents_write_them_and_nowhere_else(text, expected):
    assert find_phones(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.345.678-5", "12345678-5"),
        ("12345678-5", "12345678-5"),
        ("123456785", "12345678-5"),
        ("12.345.678 - 5", "12345678-5"),
        ("5.126.663-3", "5126663-3"),
        ("12345678-4", None),
        ("abc", None),
    ],
)
def test_a_rut_is_normalised_or_refused_by_its_check_digit(text, expected):
    assert normalise_rut(text) == expected


RUTS = [
    ("mi rut es 12.345.678-5", ["12345678-5"]),
    ("rut 12345678-5 y fono 976123345", ["12345678-5"]),
    ("123456785", ["12345678-5"]),
    ("rut: 5126663-3", ["5126663-3"]),
    ("doce millones trescientos cuarenta y cinco mil seiscientos setenta y ocho guion cinco",
     ["12345678-5"]),
    ("12.345.678-4", []),  # wrong check digit
    ("976123345", []),  # a phone
    ("desde el 2019", []),
    ("Los Olivos 1340", []),
    ("pague 15.000.000", []),
    # blind round r4 (spent): words and digits mixed, the check digit named
    ("once millones 234 mil 567 guion 1", ["11234567-1"]),
    ("11.234.567 digito verificador 1", ["11234567-1"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), RUTS)
def test_ruts_are_found_checked_and_never_taken_from_years_amounts_or_phones(text, expected):
    assert find_ruts(text) == expected


EMAILS = [
    ("mi correo es JUAN.PEREZ@GMAIL.COM", ["juan.perez@gmail.com"]),
    ("juan punto perez arroba gmail punto com", ["juan.perez@gmail.com"]),
    ("maria_soto arroba hotmail punto cl", ["maria_soto@hotmail.cl"]),
    ("escribame a ana.rojas@municipalidad.cl porfa", ["ana.rojas@municipalidad.cl"]),
    ("juan @ gmail.com", ["juan@gmail.com"]),
    ("976123345", []),
    ("en la villa", []),
    ("correo@malo", []),
    # blind round r4 (spent): typed around the at sign, spelled letter by letter
    ("ana.soto(arroba)gmail.com", ["ana.soto@gmail.com"]),
    ("pedro.rios@gmail,com", ["pedro.rios@gmail.com"]),
    ("eme a erre i a punto ele o pe e zeta arroba gmail punto com", ["maria.lopez@gmail.com"]),
    ("be de burro e ere o arroba gmail punto com", ["bero@gmail.com"]),
    ("ce punto fuentes arroba gmail punto com", ["c.fuentes@gmail.com"]),
    ("a mi correo que es ele rojas arroba live punto cl", ["lrojas@live.cl"]),
]


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_emails_are_found_typed_or_dictated(text, expected):
    assert find_emails(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "al mismo whatsapp nomás",
        "a este mismo número",
        "por aquí mismo",
        "aca mismo po",
        "al mismo numero del que le escribo",
        "a este numero",
        "por este chat",
        "al mismo wsp",
        "por aqui nomas",
        "a este mismo celular",
        "en este mismo telegram",
        "x telegram nomas, no tengo correo",
        "el mismo desde donde le estoy hablando",
        "aca po",
        "por donde mismo les hablo",
        "x aqui y al correo si pueden",
        "al whatsapp nomas",
        "por el chat mismo",
        "cualquiera, el de ahora",
    ],
)
def test_the_channel_itself_is_a_contact(text):
    assert says_same_channel(text)


@pytest.mark.parametrize("text", ["976123345", "juan@gmail.com", "no tengo", "en la plaza"])
def test_a_phone_or_email_is_not_the_channel(text):
    assert not says_same_channel(text)


def test_a_phone_without_plus_but_with_country_code_is_read():
    assert normalise_phone("56 9 7612 3345") == "+56976123345"


@pytest.mark.parametrize(
    ("text", "finder", "expected"),
    [
        # blind round r8 (read after measuring): the second value is the one meant
        (
            "Mi correo es camila.moya@gmail.com, escribí mal antes, es camila.moya.b@gmail.com",
            contact.find_emails,
            "camila.moya.b@gmail.com",
        ),
        (
            "el correo es diego.perez.v@gmail.com, no, diegoa.perez.v@gmail.com",
            contact.find_emails,
            "diegoa.perez.v@gmail.com",
        ),
        ("9 8765 4321, no perdón, 9 8765 4312", contact.find_phones, "+56987654312"),
        ("ana@correo.cl o a mi hija pia@correo.cl", contact.find_emails, "ana@correo.cl"),
    ],
)
def test_a_value_corrected_in_the_same_message_is_the_last_one(text, finder, expected):
    assert contact.meant(finder(text), text) == expected


@pytest.mark.parametrize(
    ("number", "address"),
    [
        ("+14155238886", "whatsapp:+14155238886"),  # a sender as TWILIO_WHATSAPP_FROM sets it
        ("whatsapp:+56987654321", "whatsapp:+56987654321"),  # already an address: unchanged
        ("+56 9 8765 4321", "whatsapp:+56987654321"),  # as a resident or a form writes it
        ("whatsapp:+1 (415) 523-8886", "whatsapp:+14155238886"),  # the channel kept these
    ],
)
def test_a_whatsapp_address_is_the_prefix_once_and_the_number_without_separators(number, address):
    """One behaviour on both sides: the admin's outbox and the bot's WhatsApp channel used to
    disagree on a number written with spaces (the channel passed it to Twilio as it was)."""
    assert contact.whatsapp_address(number) == address


def test_a_mobile_in_a_range_the_library_does_not_list_yet_is_a_phone():
    """Blind round r11 (spent): "+56 9 7000 1234" was refused; every 9 + eight digits is a
    Chilean mobile. A house number or a RUT stays none."""
    assert find_phones("mi fono +56 9 7000 1234 y mi mail a@b.cl") == ["+56970001234"]
    assert find_phones("970001234") == ["+56970001234"]
    assert find_phones("vivo en Los Olivos 1340, rut 12.345.678-5") == []


@pytest.mark.parametrize(
    "text", ["escribanme por telegram no mas", "no tengo correo llamenme aqui", "respondanme aca"]
)
def test_r12_the_channel_said_another_way_is_the_channel(text):
    assert says_same_channel(text)


@pytest.mark.parametrize("text", ["m.gonzalez.t@gmail.com o aca", "al numero q les escribo"])
def test_r14_the_channel_beside_an_email_or_as_the_number_that_writes(text):
    assert says_same_channel(text)
