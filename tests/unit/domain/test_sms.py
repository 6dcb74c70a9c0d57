"""The subscriber's SMS: templates, Arabic-Indic figures, UCS-2 parts, UDH, reassembly."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from fawtara.kernel import limits
from fawtara.kernel.errors import InvalidPhoneNumber, LimitExceeded
from fawtara.sms.domain.sms import (
    LRM,
    InvalidNotice,
    ReceiptStat,
    SmsKind,
    SmsTextNotEncodable,
    encode_ucs2,
    format_amount,
    format_instant,
    format_period,
    format_periods,
    notice_from_payload,
    parse_concatenated,
    parse_receipt,
    part_count,
    reassemble,
    receipt_text,
    recipient,
    render,
    split_into_parts,
)


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "payment_id": "pay-1",
        "msisdn": "+963933123456",
        "language": "ar",
        "biller_code": "ELEC",
        "biller_name_ar": "كهرباء دمشق",
        "biller_name_en": "Damascus Electricity",
        "periods": ["2026-10"],
        "bill_ids": ["b-1"],
        "amount_minor": 123450,
        "currency": "SYP",
        "receipt_no": "R-2026-000123",
        "completed_at": "2026-11-01T07:00:00+00:00",
    }
    base.update(changes)
    return base


def notice(**changes: Any) -> Any:
    return notice_from_payload(SmsKind.PAYMENT_COMPLETED, payload(**changes))


# Figures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_minor", "arabic", "english"),
    [
        (123450, "١٬٢٣٤٫٥٠ ل.س.", "1,234.50 SYP"),
        (5, "٠٫٠٥ ل.س.", "0.05 SYP"),
        (100, "١٫٠٠ ل.س.", "1.00 SYP"),
        (123456789012, "١٬٢٣٤٬٥٦٧٬٨٩٠٫١٢ ل.س.", "1,234,567,890.12 SYP"),
        (10**15, "١٠٬٠٠٠٬٠٠٠٬٠٠٠٬٠٠٠٫٠٠ ل.س.", "10,000,000,000,000.00 SYP"),
    ],
)
def test_amounts_are_formatted_from_minor_units_with_two_decimals(
    amount_minor: int, arabic: str, english: str
) -> None:
    assert format_amount(amount_minor, "SYP", "ar") == arabic
    assert format_amount(amount_minor, "SYP", "en") == english


def test_a_month_and_a_two_month_period_are_named_in_each_language() -> None:
    assert format_period("2026-10", "ar") == "تشرين الأول ٢٠٢٦"
    assert format_period("2026-01", "en") == "Jan 2026"
    assert format_period("2026-B6", "ar") == "تشرين الثاني–كانون الأول ٢٠٢٦"
    assert format_period("2026-B1", "en") == "Jan–Feb 2026"
    assert format_period("Q3", "en") == f"{LRM}Q3{LRM}"


def test_more_than_three_periods_are_shown_as_a_range() -> None:
    three = format_periods(["2026-03", "2026-01", "2026-02"], "en")
    assert three == "Jan 2026, Feb 2026, Mar 2026"
    four = format_periods(["2026-04", "2026-03", "2026-01", "2026-02"], "ar")
    assert four == "الفترة من كانون الثاني ٢٠٢٦ إلى نيسان ٢٠٢٦"


def test_the_instant_is_shown_in_damascus_time_three_hours_ahead_of_utc() -> None:
    instant = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    assert format_instant(instant, "en") == "01/01/2027 01:30"
    assert format_instant(instant, "ar") == "٠١/٠١/٢٠٢٧ ٠١:٣٠"


# Templates -------------------------------------------------------------------


def test_the_arabic_confirmation_names_biller_period_amount_receipt_and_time() -> None:
    assert render(notice()) == (
        "تم تسديد فاتورة كهرباء دمشق عن تشرين الأول ٢٠٢٦ بمبلغ ١٬٢٣٤٫٥٠ ل.س.، ووصل المبلغ "
        "إلى الجهة المفوترة. رقم الإيصال \u200eR-2026-000123\u200e. ٠١/١١/٢٠٢٦ ١٠:٠٠ "
        "بتوقيت دمشق."
    )


def test_the_english_confirmation_keeps_latin_digits() -> None:
    assert render(notice(language="en", periods=["2026-09", "2026-10"])) == (
        "Your bills of Damascus Electricity for Sep 2026, Oct 2026 paid: 1,234.50 SYP, "
        "received by the biller. Receipt R-2026-000123. 01/11/2026 10:00 Damascus time."
    )


def test_a_reversal_says_the_money_went_back() -> None:
    reversed_notice = notice_from_payload(
        SmsKind.PAYMENT_REVERSED, payload(periods=["2026-09", "2026-10"])
    )
    text = render(reversed_notice)
    assert text.startswith("أُلغيت دفعة فاتورتي كهرباء دمشق")
    assert "وأُعيد المبلغ إلى حسابك" in text


@pytest.mark.parametrize(
    ("language", "said"),
    [("ar", "وأُعيد المبلغ إليك نقداً في مركز الهاتف"), ("en", "cash handed back at the centre")],
)
def test_a_voided_cash_payment_says_the_cash_was_handed_back(language: str, said: str) -> None:
    voided = notice_from_payload(
        SmsKind.PAYMENT_REVERSED, payload(channel="counter", language=language)
    )
    text = render(voided)
    assert said in text
    assert "حسابك" not in text and "refunded" not in text


def test_the_receipt_number_stays_latin_between_left_to_right_marks() -> None:
    text = render(notice(receipt_no="R-2026-000987"))
    assert f"{LRM}R-2026-000987{LRM}" in text


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        (SmsKind.PAYMENT_REVERSED, {}),
        (SmsKind.PAYMENT_REVERSED, {"channel": "counter"}),  # cash handed back
        (SmsKind.PAYMENT_COMPLETED, {"credit_minor": 1}),  # the bill was paid meanwhile
        (SmsKind.PAYMENT_COMPLETED, {"refund_minor": 1}),
    ],
)
def test_the_longest_possible_notice_still_fits_the_part_limit(
    kind: SmsKind, extra: dict[str, Any]
) -> None:
    longest = notice_from_payload(
        kind,
        payload(
            biller_name_ar="م" * limits.name_length_max,
            periods=[f"2026-B{n}" for n in range(1, 7)] + ["2025-B1"],
            amount_minor=limits.amount_minor_max,
            receipt_no="R" * limits.sms_receipt_no_length_max,
            **extra,
        ),
    )
    text = render(longest)
    assert len(text) <= limits.sms_text_length_max
    assert len(split_into_parts(text, 1)) <= limits.sms_parts_max


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"language": "fr"}, "language"),
        ({"amount_minor": 0}, "amount_minor"),
        ({"amount_minor": 12.5}, "amount_minor"),
        ({"periods": []}, "periods"),
        ({"completed_at": "2026-11-01T07:00:00"}, "offset"),
        ({"receipt_no": "R" * 21}, "receipt_no"),
        ({"currency": "USD"}, "currency"),
        ({"msisdn": 963933123456}, "msisdn"),
    ],
)
def test_a_payload_off_the_contract_is_refused_by_name(
    change: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(InvalidNotice, match=complaint):
        notice(**change)


# Numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msisdn", "reason"),
    [
        (None, "missing_number"),
        ("", "missing_number"),
        ("0112345678", "landline_number"),
        ("+963112345678", "landline_number"),
        ("12", "invalid_number"),
        ("not a number", "invalid_number"),
        ("+33612345678", "invalid_number"),
    ],
)
def test_a_number_that_cannot_receive_an_sms_is_refused_with_its_reason(
    msisdn: str | None, reason: str
) -> None:
    with pytest.raises(InvalidPhoneNumber, match=f"^{reason}:"):
        recipient(msisdn)


def test_a_national_mobile_number_becomes_e164() -> None:
    assert recipient("0933 123 456") == "+963933123456"


# UCS-2 and parts -------------------------------------------------------------


def test_ucs2_is_utf16_big_endian_two_octets_per_character() -> None:
    assert encode_ucs2("سA") == b"\x06\x33\x00\x41"


@pytest.mark.parametrize("character", ["😀", "\U0001f4b0", "\ud800"])
def test_a_character_outside_the_bmp_is_refused(character: str) -> None:
    with pytest.raises(SmsTextNotEncodable, match="outside UCS-2"):
        encode_ucs2(f"تم {character}")


@pytest.mark.parametrize(
    ("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_seventy_characters_fit_one_sms_and_longer_texts_go_in_parts_of_67(
    length: int, parts: int
) -> None:
    text = "ب" * length
    assert part_count(text) == parts
    assert len(split_into_parts(text, 7)) == parts


def test_a_single_part_has_no_header() -> None:
    assert split_into_parts("ب" * 70, 7) == ("ب".encode("utf-16-be") * 70,)


def test_each_part_leads_with_an_8_bit_reference_udh() -> None:
    text = "".join(chr(0x0627 + n % 30) for n in range(150))
    parts = split_into_parts(text, 0xAB)
    assert [part[:6] for part in parts] == [
        bytes.fromhex("050003AB0301"),
        bytes.fromhex("050003AB0302"),
        bytes.fromhex("050003AB0303"),
    ]
    assert [len(part) for part in parts] == [6 + 134, 6 + 134, 6 + 32]
    assert b"".join(part[6:] for part in parts) == text.encode("utf-16-be")


def test_a_text_over_the_limit_is_refused_not_truncated() -> None:
    with pytest.raises(LimitExceeded):
        split_into_parts("ب" * (limits.sms_text_length_max + 1), 1)


def test_parts_reassemble_into_the_text_in_any_order() -> None:
    text = "تم تسديد فاتورة " * 20
    parts = [parse_concatenated(part) for part in split_into_parts(text, 42)]
    assert all(part is not None for part in parts)
    shuffled = [part for part in parts if part is not None]
    random.Random(4).shuffle(shuffled)
    assert [part.seq for part in shuffled] != sorted(part.seq for part in shuffled)
    assert reassemble(shuffled) == text


def test_a_16_bit_reference_header_is_read_too() -> None:
    part = parse_concatenated(bytes.fromhex("0608041234020100410042"))
    assert part is not None
    assert (part.reference, part.total, part.seq, part.payload) == (0x1234, 2, 1, b"\x00A\x00B")


def test_reassembly_refuses_an_incomplete_set() -> None:
    first = parse_concatenated(split_into_parts("ب" * 100, 1)[0])
    assert first is not None
    with pytest.raises(AssertionError):
        reassemble([first])


# Receipts --------------------------------------------------------------------


def test_a_receipt_text_is_parsed_back() -> None:
    moment = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
    text = receipt_text("a1b2c3", ReceiptStat.UNDELIVERABLE, moment, moment)
    receipt = parse_receipt(text, "963933123456")
    assert receipt is not None
    assert (receipt.smsc_message_id, receipt.stat, receipt.msisdn) == (
        "a1b2c3",
        ReceiptStat.UNDELIVERABLE,
        "963933123456",
    )


@pytest.mark.parametrize(
    ("text", "stat"),
    [
        (
            "id:77 sub:001 dlvrd:001 submit date:2611010700 done date:2611010701 "
            "stat:DELIVRD err:000 text:",
            ReceiptStat.DELIVERED,
        ),
        ("id:77 stat:EXPIRED err:001", ReceiptStat.EXPIRED),
        ("id:77 stat:weird", ReceiptStat.UNKNOWN),
    ],
)
def test_receipts_name_their_final_state(text: str, stat: ReceiptStat) -> None:
    receipt = parse_receipt(text, "1")
    assert receipt is not None and receipt.stat is stat


def test_a_text_without_id_and_stat_is_no_receipt() -> None:
    assert parse_receipt("hello", "1") is None


def test_notices_are_immutable_records() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice().amount_minor = 1  # type: ignore[misc]


# Service notices (the lifecycle) ---------------------------------------------


def service_payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "notice_id": "susp:17",
        "msisdn": "+963933123456",
        "language": "ar",
        "biller_code": "STE",
        "biller_name_ar": "الشركة السورية للاتصالات",
        "biller_name_en": "Syrian Telecom",
        "service_ref": "0112345678",
        "periods": ["2026-10"],
        "bill_ids": ["STE-2026-10-5"],
        "amount_minor": 175500,
        "currency": "SYP",
        "due_on": "2026-12-01",
        "at": "2026-12-12T07:00:00+00:00",
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "kind",
    [
        SmsKind.BILL_DUE_SOON,
        SmsKind.BILL_OVERDUE,
        SmsKind.SERVICE_SUSPENDED,
        SmsKind.SERVICE_RECONNECTED,
        SmsKind.SUSPENSION_APOLOGY,
    ],
)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_service_notice_names_the_service_and_fits_the_part_limit_at_its_longest(
    kind: SmsKind, language: str
) -> None:
    text = render(notice_from_payload(kind, service_payload(language=language)))
    assert "0112345678" in text
    longest = notice_from_payload(
        kind,
        service_payload(
            language=language,
            biller_name_ar="م" * limits.name_length_max,
            biller_name_en="M" * limits.name_length_max,
            service_ref="R" * limits.customer_reference_length_max,
            periods=[f"2026-B{n}" for n in range(1, 7)],
            amount_minor=limits.amount_minor_max,
        ),
    )
    assert len(split_into_parts(render(longest), 1)) <= limits.sms_parts_max


def test_the_suspension_notice_in_arabic() -> None:
    text = render(notice_from_payload(SmsKind.SERVICE_SUSPENDED, service_payload()))
    assert text == (
        "أُوقفت الخدمة \u200e0112345678\u200e لدى الشركة السورية للاتصالات لعدم تسديد فاتورة "
        "تشرين الأول ٢٠٢٦ بمبلغ ١٬٧٥٥٫٠٠ ل.س. المستحقة في ٠١/١٢/٢٠٢٦. تعود الخدمة تلقائياً "
        "بعد التسديد. ١٢/١٢/٢٠٢٦ ١٠:٠٠ بتوقيت دمشق."
    )


def test_a_service_notice_off_the_contract_is_refused() -> None:
    with pytest.raises(InvalidNotice, match="due_on"):
        notice_from_payload(SmsKind.BILL_OVERDUE, service_payload(due_on="tomorrow"))
    with pytest.raises(InvalidNotice, match="notice_id"):
        notice_from_payload(SmsKind.BILL_OVERDUE, service_payload(notice_id=""))
