"""Customer references: landlines by area code (syria.md §1), mobiles by operator (§2),
Luhn meter numbers and internet accounts."""

from __future__ import annotations

import pytest

from fawtara.kernel.billers import ServiceKind
from fawtara.kernel.errors import InvalidCustomerReference, InvalidPhoneNumber
from fawtara.kernel.references import (
    FORMATS,
    luhn_check_digit,
    luhn_valid,
    normalise_landline,
    normalise_mobile,
    normalise_reference,
)

# Area codes with their subscriber-number lengths, from syria.md §1.
SEVEN_DIGIT_AREAS = {
    "11": "Damascus and Rif Dimashq",
    "14": "Quneitra",
    "31": "Homs",
    "33": "Hama",
    "21": "Aleppo",  # takes 6 or 7
}
SIX_DIGIT_AREAS = {
    "12": "Al-Nabk",
    "13": "Al-Zabadani",
    "15": "Daraa",
    "16": "As-Suwayda",
    "21": "Aleppo",
    "22": "Raqqa",
    "23": "Idlib",
    "25": "Manbij",
    "34": "Palmyra",
    "41": "Latakia",
    "43": "Tartus",
    "44": "Hama (044)",
    "51": "Deir ez-Zor",
    "52": "Al-Hasakah",
    "53": "Al-Qamishli",
}


# Landlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [f"0{code}2345678" for code in SEVEN_DIGIT_AREAS]
    + [f"0{code}234567" for code in SIX_DIGIT_AREAS],
    ids=[f"{place}-7" for place in SEVEN_DIGIT_AREAS.values()]
    + [f"{place}-6" for place in SIX_DIGIT_AREAS.values()],
)
def test_a_landline_of_the_right_length_for_its_area_code_is_valid(number: str) -> None:
    assert normalise_landline(number) == number


@pytest.mark.parametrize(
    "number",
    # 7-digit areas with 6 digits (Aleppo takes both, so it is left out) ...
    [f"0{code}234567" for code in SEVEN_DIGIT_AREAS if code != "21"]
    # ... and 6-digit areas with 7 digits
    + [f"0{code}2345678" for code in SIX_DIGIT_AREAS if code != "21"]
    + [
        "02123456789",  # Aleppo with 8 digits
        "0102345678",  # no area 10
        "0612345678",  # no area 61
        "0933123456",  # a mobile
        "+9611234567",  # a Lebanese landline
        "011234",
        "",
        "phone",
    ],
)
def test_a_landline_of_the_wrong_length_or_area_is_refused(number: str) -> None:
    with pytest.raises(InvalidCustomerReference):
        normalise_landline(number)


@pytest.mark.parametrize(
    "text",
    [
        "011 234 5678",
        "011-234-5678",
        "(011) 234 5678",
        "+963 11 234 5678",
        "00963112345678",
        "٠١١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    ],
)
def test_a_landline_is_normalised_to_its_national_form(text: str) -> None:
    assert normalise_landline(text) == "0112345678"


@pytest.mark.parametrize("text", ["011 234 5678", "011-234-5678", " 0112345678 ", "011\t234-5678"])
def test_a_landline_reference_drops_spaces_and_dashes(text: str) -> None:
    assert normalise_reference(ServiceKind.LANDLINE, text) == "0112345678"


def test_a_mobile_is_not_a_landline_reference() -> None:
    with pytest.raises(InvalidCustomerReference):
        normalise_reference(ServiceKind.LANDLINE, "0933 123 456")


# Mobiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "operator"),
    [
        ("093", "Syriatel"),
        ("098", "Syriatel"),
        ("099", "Syriatel"),
        ("094", "MTN"),
        ("095", "MTN"),
        ("096", "MTN"),
    ],
)
def test_a_mobile_of_each_operator_prefix_is_normalised_to_e164(prefix: str, operator: str) -> None:
    # 0XX 312 3456 -> +963 XX 312 3456 without the trunk 0
    assert normalise_mobile(f"{prefix}3123456") == f"+963{prefix[1:]}3123456"


@pytest.mark.parametrize(
    "text",
    ["0933 123 456", "0933-123-456", "+963 933 123 456", "00963933123456", "+963933123456"],
)
def test_a_mobile_is_normalised_from_any_common_writing(text: str) -> None:
    assert normalise_mobile(text) == "+963933123456"


@pytest.mark.parametrize(
    "text",
    [
        "0112345678",  # a Damascus landline
        "+961 71 123 456",  # a Lebanese mobile
        "093312345",  # one digit short
        "09331234567",  # one digit long
        "0933",
        "",
        "mobile",
    ],
)
def test_a_number_that_is_not_a_syrian_mobile_is_refused(text: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_mobile(text)


# Meters: Luhn ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "digit"),
    [
        # 100000000: only the leading 1 is doubled (position 8 from the right) -> 2; 10 - 2 = 8
        ("100000000", "8"),
        # 2000000: the 2 is doubled (position 6) -> 4; 10 - 4 = 6
        ("2000000", "6"),
        # The textbook example 7992739871 -> 3 (sum 67, 70 - 67 = 3)
        ("7992739871", "3"),
        ("0", "0"),
        # 5 doubled is 10 -> 1 + 0 = 1; 10 - 1 = 9
        ("5", "9"),
    ],
)
def test_luhn_check_digit_of_worked_examples(payload: str, digit: str) -> None:
    assert luhn_check_digit(payload) == digit


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("79927398713", True),
        ("79927398710", False),
        ("1000000008", True),
        ("1000000009", False),
        ("20000006", True),
        ("0100000008", False),  # a shifted digit changes its weight
        ("", False),
        ("1000O00008", False),  # letter O for zero
    ],
)
def test_luhn_valid(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("kind", "text", "reference"),
    [
        (ServiceKind.ELECTRICITY, "1000000008", "1000000008"),
        (ServiceKind.ELECTRICITY, "1000 000 008", "1000000008"),
        (ServiceKind.ELECTRICITY, "1000-000-008", "1000000008"),
        (ServiceKind.WATER, "20000006", "20000006"),
        (ServiceKind.WATER, " 2000-0006 ", "20000006"),
        (ServiceKind.INTERNET, "NET10002345", "NET10002345"),
        (ServiceKind.INTERNET, "net-1000-2345", "NET10002345"),
        (ServiceKind.INTERNET, "NET 1000 2345", "NET10002345"),
    ],
)
def test_a_reference_is_normalised_to_its_canonical_form(
    kind: ServiceKind, text: str, reference: str
) -> None:
    assert normalise_reference(kind, text) == reference


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (ServiceKind.ELECTRICITY, "1000000009"),  # wrong check digit
        (ServiceKind.ELECTRICITY, "100000009"),  # Luhn-valid, but 9 digits
        (ServiceKind.ELECTRICITY, "10000000008"),  # 11 digits
        (ServiceKind.ELECTRICITY, "20000006"),  # a water meter number
        (ServiceKind.ELECTRICITY, "100000000A"),
        (ServiceKind.ELECTRICITY, ""),
        (ServiceKind.WATER, "20000007"),
        (ServiceKind.WATER, "1000000008"),  # an electricity meter number
        (ServiceKind.WATER, "2000006"),
        (ServiceKind.INTERNET, "NET1000234"),  # 7 digits
        (ServiceKind.INTERNET, "NET100023456"),  # 9 digits
        (ServiceKind.INTERNET, "NETX0002345"),
        (ServiceKind.INTERNET, "10002345"),
        (ServiceKind.INTERNET, "ADSL10002345"),
        (ServiceKind.INTERNET, "NET1000.2345"),
        (ServiceKind.LANDLINE, "0172"),
        (ServiceKind.ELECTRICITY, "1" * 65),  # beyond the length guard
    ],
)
def test_an_invalid_reference_is_refused(kind: ServiceKind, text: str) -> None:
    with pytest.raises(InvalidCustomerReference):
        normalise_reference(kind, text)


def test_the_refusal_explains_the_expected_format_in_both_languages() -> None:
    with pytest.raises(InvalidCustomerReference) as caught:
        normalise_reference(ServiceKind.WATER, "20000007")
    assert FORMATS[ServiceKind.WATER].description_en in caught.value.message
    assert FORMATS[ServiceKind.WATER].description_ar in caught.value.message_ar


@pytest.mark.parametrize("kind", list(ServiceKind))
def test_each_formats_example_is_a_valid_reference(kind: ServiceKind) -> None:
    example = FORMATS[kind].example
    assert normalise_reference(kind, example) == example


def test_a_superscript_digit_is_refused_as_an_invalid_reference() -> None:
    with pytest.raises(InvalidCustomerReference):
        normalise_reference(ServiceKind.ELECTRICITY, "10000000²8")


@pytest.mark.parametrize(
    ("kind", "text", "canonical"),
    [
        (ServiceKind.LANDLINE, "٠١١٢٣٤٥٦٧٨", "0112345678"),
        (ServiceKind.ELECTRICITY, "١٠٠٠٠٠٠٠٠٨", "1000000008"),
        (ServiceKind.INTERNET, "NET١٠٠٠٢٣٤٥", "NET10002345"),
    ],
    ids=["landline", "electricity", "internet"],
)
def test_a_reference_in_arabic_indic_digits_never_becomes_a_second_reference(
    kind: ServiceKind, text: str, canonical: str
) -> None:
    try:
        reference = normalise_reference(kind, text)
    except InvalidCustomerReference:
        return  # refusing it is acceptable
    assert reference == canonical  # and so is normalising it; keeping it is not
