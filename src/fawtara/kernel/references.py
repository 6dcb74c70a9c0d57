"""Customer references: the service number a subscriber quotes to pay.

| kind        | format                                              | example      |
|-------------|-----------------------------------------------------|--------------|
| landline    | 0 + area code + subscriber number, 9 or 10 digits   | 0112345678   |
|             | (validated by libphonenumber's Syrian fixed-line    |              |
|             | metadata, never by a hand-written pattern)          |              |
| internet    | ADSL account: 'NET' + 8 digits                      | NET10002345  |
| electricity | meter number: 9 digits + Luhn check digit           | 1000000008   |
| water       | meter number: 7 digits + Luhn check digit           | 20000006     |

`phonenumbers` is the one non-standard import the domain allows: it is pure
numbering metadata with no I/O (see tests/test_architecture.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from fawtara.kernel import limits
from fawtara.kernel.billers import ServiceKind
from fawtara.kernel.errors import InvalidCustomerReference, InvalidPhoneNumber


@dataclass(frozen=True, slots=True)
class ReferenceFormat:
    kind: ServiceKind
    description_en: str
    description_ar: str
    example: str


FORMATS: dict[ServiceKind, ReferenceFormat] = {
    ServiceKind.LANDLINE: ReferenceFormat(
        ServiceKind.LANDLINE,
        "Landline number with its area code, e.g. 011 234 5678 (Damascus)",
        "رقم الهاتف الثابت مع رمز المنطقة، مثل 0112345678",
        "0112345678",
    ),
    ServiceKind.INTERNET: ReferenceFormat(
        ServiceKind.INTERNET,
        "Internet (ADSL) account: NET followed by 8 digits",
        "رقم حساب الإنترنت: NET متبوعاً بثمانية أرقام",
        "NET10002345",
    ),
    ServiceKind.ELECTRICITY: ReferenceFormat(
        ServiceKind.ELECTRICITY,
        "Electricity meter number: 10 digits, the last a Luhn check digit",
        "رقم عداد الكهرباء: عشرة أرقام آخرها رقم تحقق",
        "1000000008",
    ),
    ServiceKind.WATER: ReferenceFormat(
        ServiceKind.WATER,
        "Water meter number: 8 digits, the last a Luhn check digit",
        "رقم عداد المياه: ثمانية أرقام آخرها رقم تحقق",
        "20000006",
    ),
}

_INTERNET = re.compile(r"NET[0-9]{8}", re.ASCII)

# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits typed by a subscriber
# mean the same numbers: fold them to ASCII before checking.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_METER_LENGTHS = {ServiceKind.ELECTRICITY: 10, ServiceKind.WATER: 8}


def compact_reference(text: str) -> str:
    """A reference as systems compare it: no spaces, no dashes, capitals."""
    return "".join(text.split()).replace("-", "").upper()


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that makes payload + digit valid."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isascii() and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def normalise_reference(kind: ServiceKind, text: str) -> str:
    """The canonical form of a reference, or InvalidCustomerReference."""
    if len(text) > limits.customer_reference_length_max * 2:
        raise InvalidCustomerReference(
            f"reference longer than {limits.customer_reference_length_max}"
        )
    compact = re.sub(r"[\s\-]", "", text).translate(_DIGITS).upper()
    wanted = FORMATS[kind]
    if kind is ServiceKind.LANDLINE:
        return normalise_landline(compact)
    if kind is ServiceKind.INTERNET and _INTERNET.fullmatch(compact):
        return compact
    length = _METER_LENGTHS.get(kind)
    if length is not None and len(compact) == length and luhn_valid(compact):
        return compact
    raise InvalidCustomerReference(
        f"{text!r} is not a valid {kind.value} reference: {wanted.description_en}",
        f"المرجع {text} غير صالح: {wanted.description_ar}",
    )


def normalise_landline(text: str) -> str:
    """A Syrian fixed-line number in national form (0 + NSN)."""
    try:
        number = phonenumbers.parse(text, "SY")
    except phonenumbers.NumberParseException as error:
        raise InvalidCustomerReference(f"not a phone number: {text!r}") from error
    if (
        number.country_code != 963
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE
    ):
        raise InvalidCustomerReference(
            f"{text!r} is not a valid Syrian landline number with its area code",
            f"{text} ليس رقم هاتف ثابت سوري صالح مع رمز المنطقة",
        )
    return "0" + phonenumbers.national_significant_number(number)


def normalise_mobile(text: str) -> str:
    """A Syrian mobile number in E.164 form (+9639XXXXXXXX)."""
    try:
        number = phonenumbers.parse(text, "SY")
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"not a phone number: {text!r}") from error
    if (
        number.country_code != 963
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise InvalidPhoneNumber(
            f"{text!r} is not a valid Syrian mobile number (+963 9XX XXX XXX)",
            f"{text} ليس رقم جوال سوري صالح",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
