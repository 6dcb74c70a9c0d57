"""The subscriber's SMS: the text of a payment notice, UCS-2, concatenated parts.

A completed (or reversed) payment becomes one SMS in the subscriber's
language; so does each service notice of the lifecycle (a reminder, an
overdue bill, a suspension, a reconnection, an apology). Arabic text shows
amounts, dates and periods in Arabic-Indic digits (١٬٢٣٤٫٥٠ ل.س.); the
receipt number stays in Latin characters, because it is an identifier: the
subscriber reads it to an operator or types it into the portal, where
Arabic-Indic digits would not match. It is wrapped in LEFT-TO-RIGHT MARKs
(U+200E), not the newer isolates (U+2066..U+2069): the
isolates date from Unicode 6.3 (2013) and older handsets, common where the
network is weak, draw them as boxes, while every bidi implementation knows LRM.

Every text is sent in UCS-2 (data_coding 8, UTF-16-BE without surrogates), so
a character outside the Basic Multilingual Plane cannot be carried
(`SmsTextNotEncodable`). A text of at most 70 characters is one SMS; a longer
one is split into parts of at most 67 characters, each led by an 8-bit
reference UDH (05 00 03 ref total seq) and submitted with esm_class UDHI.

Pure: standard library only; no clock reads (the instant comes in the notice).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import phonenumbers

from fawtara.kernel import errors, limits
from fawtara.kernel.calendar import DAMASCUS
from fawtara.kernel.errors import InvalidPhoneNumber, LimitExceeded
from fawtara.kernel.money import CURRENCY_EXPONENTS
from fawtara.kernel.references import normalise_mobile

# SMPP / GSM 03.40 constants (protocol facts, not tunable limits).
DATA_CODING_UCS2 = 8
ESM_CLASS_UDHI = 0x40
SINGLE_PART_CHARS_MAX = 70  # 140 octets / 2
CONCATENATED_PART_CHARS_MAX = 67  # (140 - 6 octets of UDH) / 2, rounded down
UDH_CONCATENATED_8BIT = 0x00
UDH_CONCATENATED_16BIT = 0x08

LRM = "\u200e"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ARABIC_THOUSANDS_SEPARATOR = "\u066c"
ARABIC_DECIMAL_SEPARATOR = "\u066b"
CURRENCY_SYMBOLS_AR = {"SYP": "ل.س."}

# Levantine month names, as Syrian bills and newspapers write them.
MONTHS_AR = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_OUTSIDE_UCS2 = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")
_MONTHLY = re.compile(r"(\d{4})-(\d{2})")
_BIMONTHLY = re.compile(r"(\d{4})-B([1-6])")


# A character outside the BMP (an emoji, say): UCS-2 cannot carry it.
SmsTextNotEncodable = errors.SmsTextNotEncodable
# An outbox payload that does not follow the sms.* contract.
InvalidNotice = errors.InvalidSmsNotice


class SmsKind(enum.StrEnum):
    PAYMENT_COMPLETED = "payment_completed"
    PAYMENT_REVERSED = "payment_reversed"
    # The service lifecycle (docs/LIFECYCLE.md); at most 20 characters (sms_messages.kind).
    BILL_DUE_SOON = "bill_due_soon"
    BILL_OVERDUE = "bill_overdue"
    SERVICE_SUSPENDED = "service_suspended"
    SERVICE_RECONNECTED = "service_reconnected"
    SUSPENSION_APOLOGY = "suspension_apology"


TOPICS: dict[str, SmsKind] = {f"sms.{kind.value}": kind for kind in SmsKind}

# Notices about a service rather than a payment: their payload follows the
# service notice contract (docs/SMS.md), keyed by `notice_id`.
SERVICE_KINDS = frozenset(
    {
        SmsKind.BILL_DUE_SOON,
        SmsKind.BILL_OVERDUE,
        SmsKind.SERVICE_SUSPENDED,
        SmsKind.SERVICE_RECONNECTED,
        SmsKind.SUSPENSION_APOLOGY,
    }
)


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    """What the switch wrote in the outbox when a payment completed or was reversed."""

    kind: SmsKind
    payment_id: str
    msisdn: str | None
    language: str  # "ar" | "en"
    biller_name_ar: str
    biller_name_en: str
    periods: tuple[str, ...]
    amount_minor: int
    currency: str
    receipt_no: str
    completed_at: datetime  # aware
    # A cash payment that found its bills paid meanwhile: what became of the surplus.
    credit_minor: int = 0  # a credit on the subscriber's account at the biller
    refund_minor: int = 0  # owed back to the subscriber at the counter
    in_cash: bool = False  # paid at a counter: a reversal hands the cash back there


def _text(payload: Mapping[str, object], name: str, length_max: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > length_max:
        raise InvalidNotice(f"{name} must be a non-empty string of at most {length_max}")
    return value.strip()


@dataclass(frozen=True, slots=True)
class ServiceNotice:
    """What the lifecycle wrote in the outbox: a reminder, a suspension, a reconnection."""

    kind: SmsKind
    notice_id: str  # unique per cause: one SMS per reminder, per suspension, per reconnection
    msisdn: str | None
    language: str  # "ar" | "en"
    biller_name_ar: str
    biller_name_en: str
    service_ref: str
    periods: tuple[str, ...]
    amount_minor: int  # the amount the notice is about (what is due, what was owed)
    currency: str
    due_on: date
    at: datetime  # aware: when the lifecycle acted

    @property
    def payment_id(self) -> str:
        """The key of the SMS (sms_messages.payment_id holds notice ids for these kinds)."""
        return self.notice_id


def _header(payload: Mapping[str, object]) -> tuple[str | None, str, tuple[str, ...], str]:
    """(msisdn, language, periods, currency): the fields both contracts share."""
    msisdn = payload.get("msisdn")
    if msisdn is not None and not isinstance(msisdn, str):
        raise InvalidNotice("msisdn must be a string or null")
    language = payload.get("language")
    if language not in ("ar", "en"):
        raise InvalidNotice(f"language must be 'ar' or 'en', not {language!r}")
    periods = payload.get("periods")
    if (
        not isinstance(periods, list)
        or not periods
        or len(periods) > limits.bills_per_payment_max
        or not all(isinstance(p, str) and len(p) <= 16 for p in periods)
    ):
        raise InvalidNotice("periods must be a non-empty list of period ids")
    currency = _text(payload, "currency", 3)
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidNotice(f"unknown currency {currency!r}")
    return msisdn, str(language), tuple(str(p) for p in periods), currency


def _instant(payload: Mapping[str, object], name: str) -> datetime:
    try:
        instant = datetime.fromisoformat(_text(payload, name, 40))
    except ValueError as error:
        raise InvalidNotice(f"{name} must be an ISO-8601 instant") from error
    if instant.tzinfo is None:
        raise InvalidNotice(f"{name} must carry its UTC offset")
    return instant.astimezone(UTC)


def notice_from_payload(
    kind: SmsKind, payload: Mapping[str, object]
) -> PaymentNotice | ServiceNotice:
    """Check an outbox payload against the contract; InvalidNotice names what is wrong."""
    if kind in SERVICE_KINDS:
        return service_notice_from_payload(kind, payload)
    msisdn, language, periods, currency = _header(payload)
    amount = payload.get("amount_minor")
    if type(amount) is not int or not 0 < amount <= limits.amount_minor_max:
        raise InvalidNotice(f"amount_minor must be a positive integer, not {amount!r}")
    return PaymentNotice(
        kind=kind,
        payment_id=_text(payload, "payment_id", 64),
        msisdn=msisdn,
        language=language,
        biller_name_ar=_text(payload, "biller_name_ar", limits.name_length_max),
        biller_name_en=_text(payload, "biller_name_en", limits.name_length_max),
        periods=periods,
        amount_minor=amount,
        currency=currency,
        receipt_no=_text(payload, "receipt_no", limits.sms_receipt_no_length_max),
        completed_at=_instant(payload, "completed_at"),
        credit_minor=_surplus(payload, "credit_minor", amount),
        refund_minor=_surplus(payload, "refund_minor", amount),
        in_cash=payload.get("channel") == "counter",
    )


def _surplus(payload: Mapping[str, object], name: str, amount_minor: int) -> int:
    """An optional part of the amount (absent in bank payments): 0 up to the amount."""
    value = payload.get(name, 0)
    if type(value) is not int or not 0 <= value <= amount_minor:
        raise InvalidNotice(f"{name} must be an integer from 0 to amount_minor, not {value!r}")
    return value


def service_notice_from_payload(kind: SmsKind, payload: Mapping[str, object]) -> ServiceNotice:
    """The service notice contract (docs/SMS.md), checked like the payment one."""
    assert kind in SERVICE_KINDS
    msisdn, language, periods, currency = _header(payload)
    amount = payload.get("amount_minor")
    if type(amount) is not int or not 0 <= amount <= limits.amount_minor_max:
        raise InvalidNotice(f"amount_minor must be a non-negative integer, not {amount!r}")
    try:
        due = date.fromisoformat(_text(payload, "due_on", 10))
    except ValueError as error:
        raise InvalidNotice("due_on must be an ISO-8601 date") from error
    return ServiceNotice(
        kind=kind,
        notice_id=_text(payload, "notice_id", 64),
        msisdn=msisdn,
        language=language,
        biller_name_ar=_text(payload, "biller_name_ar", limits.name_length_max),
        biller_name_en=_text(payload, "biller_name_en", limits.name_length_max),
        service_ref=_text(payload, "service_ref", limits.customer_reference_length_max),
        periods=periods,
        amount_minor=amount,
        currency=currency,
        due_on=due,
        at=_instant(payload, "at"),
    )


def recipient(msisdn: str | None) -> str:
    """The E.164 mobile number to send to, or InvalidPhoneNumber naming why not.

    The message of the error starts with a stable reason: missing_number,
    landline_number or invalid_number.
    """
    if msisdn is None or not msisdn.strip():
        raise InvalidPhoneNumber("missing_number: the payment carries no mobile number")
    try:
        return normalise_mobile(msisdn)
    except InvalidPhoneNumber as error:
        try:
            number = phonenumbers.parse(msisdn, "SY")
            landline = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
        except phonenumbers.NumberParseException:
            landline = False
        reason = "landline_number" if landline else "invalid_number"
        raise InvalidPhoneNumber(f"{reason}: {error.message}", error.message_ar) from error


# Formatting ------------------------------------------------------------------


def arabic_digits(text: str) -> str:
    return text.translate(ARABIC_INDIC)


def format_amount(amount_minor: int, currency: str, language: str) -> str:
    """'١٬٢٣٤٫٥٠ ل.س.' or '1,234.50 SYP', from integer minor units (no float, no Babel)."""
    assert amount_minor >= 0, "notices carry positive amounts"
    exponent = CURRENCY_EXPONENTS[currency]
    major, minor = divmod(amount_minor, 10**exponent)
    grouped = f"{major:,}"
    if language == "en":
        return f"{grouped}.{minor:0{exponent}d} {currency}" if exponent else f"{grouped} {currency}"
    number = grouped.replace(",", ARABIC_THOUSANDS_SEPARATOR)
    if exponent:
        number += ARABIC_DECIMAL_SEPARATOR + f"{minor:0{exponent}d}"
    return f"{arabic_digits(number)} {CURRENCY_SYMBOLS_AR.get(currency, currency)}"


def format_period(period: str, language: str) -> str:
    """'2026-10' → 'تشرين الأول ٢٠٢٦' / 'Oct 2026'; '2026-B5' → two months."""
    months = MONTHS_AR if language == "ar" else MONTHS_EN
    monthly, bimonthly = _MONTHLY.fullmatch(period), _BIMONTHLY.fullmatch(period)
    if monthly and 1 <= int(monthly.group(2)) <= 12:
        year, name = monthly.group(1), months[int(monthly.group(2)) - 1]
    elif bimonthly:
        first = 2 * int(bimonthly.group(2)) - 2
        year, name = bimonthly.group(1), f"{months[first]}–{months[first + 1]}"
    else:
        return f"{LRM}{period}{LRM}"  # an id we do not know: shown as it came
    return f"{name} {arabic_digits(year)}" if language == "ar" else f"{name} {year}"


def format_periods(periods: Sequence[str], language: str) -> str:
    """Up to three periods listed; more are shown as a range, so the text stays bounded."""
    ordered = sorted(set(periods))
    shown = [format_period(p, language) for p in ordered]
    if len(shown) <= limits.sms_periods_listed_max:
        return ("، " if language == "ar" else ", ").join(shown)
    if language == "ar":
        return f"الفترة من {shown[0]} إلى {shown[-1]}"
    return f"{shown[0]} to {shown[-1]}"


def format_instant(instant: datetime, language: str) -> str:
    """dd/mm/yyyy HH:MM in Damascus time ('/' and ':' keep Arabic-Indic runs together)."""
    local = instant.astimezone(DAMASCUS)
    text = local.strftime("%d/%m/%Y %H:%M")
    return arabic_digits(text) if language == "ar" else text


def _bills_word(count: int, language: str) -> str:
    if language == "en":
        return "bill" if count == 1 else "bills"
    return {1: "فاتورة", 2: "فاتورتي"}.get(count, "فواتير")


# Templates: one sentence each, so the meaning survives a split into parts.
TEMPLATES: dict[tuple[SmsKind, str], str] = {
    (SmsKind.PAYMENT_COMPLETED, "ar"): (
        "تم تسديد {bills} {biller} عن {periods} بمبلغ {amount}، ووصل المبلغ إلى الجهة "
        "المفوترة. رقم الإيصال {receipt}. {instant} بتوقيت دمشق."
    ),
    (SmsKind.PAYMENT_COMPLETED, "en"): (
        "Your {bills} of {biller} for {periods} paid: {amount}, received by the biller. "
        "Receipt {receipt}. {instant} Damascus time."
    ),
    (SmsKind.PAYMENT_REVERSED, "ar"): (
        "أُلغيت دفعة {bills} {biller} عن {periods} بمبلغ {amount}، وأُعيد المبلغ إلى حسابك. "
        "رقم الإيصال {receipt}. {instant} بتوقيت دمشق."
    ),
    (SmsKind.PAYMENT_REVERSED, "en"): (
        "Your payment of {amount} for {biller} ({periods}) was reversed and refunded. "
        "Receipt {receipt}. {instant} Damascus time."
    ),
}
# A cash payment voided at the counter: the cash went back over the counter.
CASH_REVERSED_TEMPLATES: dict[str, str] = {
    "ar": (
        "أُلغيت دفعة {bills} {biller} عن {periods} بمبلغ {amount}، وأُعيد المبلغ إليك نقداً "
        "في مركز الهاتف. رقم الإيصال {receipt}. {instant} بتوقيت دمشق."
    ),
    "en": (
        "Your cash payment of {amount} for {biller} ({periods}) was voided and the cash "
        "handed back at the centre. Receipt {receipt}. {instant} Damascus time."
    ),
}


# Said after a completed payment's text when part of it did not go to the bills
# (they were paid meanwhile through another channel).
SURPLUS_TEMPLATES: dict[tuple[str, str], str] = {
    ("credit", "ar"): " الفاتورة مسددة سابقاً، فسُجّل {surplus} رصيداً لك لديها.",
    ("credit", "en"): " Bill already paid: {surplus} kept as a credit there.",
    ("refund", "ar"): " الفاتورة مسددة سابقاً، فيُعاد إليك {surplus} نقداً في المركز.",
    ("refund", "en"): " Bill already paid: {surplus} refunded in cash at the centre.",
}


def format_date(day: date, language: str) -> str:
    """dd/mm/yyyy, in Arabic-Indic digits for Arabic."""
    text = day.strftime("%d/%m/%Y")
    return arabic_digits(text) if language == "ar" else text


def render(notice: PaymentNotice | ServiceNotice) -> str:
    """The text of the SMS for a notice, in its language."""
    if isinstance(notice, ServiceNotice):
        return render_service(notice)
    language = notice.language
    biller = notice.biller_name_ar if language == "ar" else notice.biller_name_en
    template = (
        CASH_REVERSED_TEMPLATES[language]
        if notice.kind is SmsKind.PAYMENT_REVERSED and notice.in_cash
        else TEMPLATES[(notice.kind, language)]
    )
    text = template.format(
        bills=_bills_word(len(notice.periods), language),
        biller=biller,
        periods=format_periods(notice.periods, language),
        amount=format_amount(notice.amount_minor, notice.currency, language),
        receipt=f"{LRM}{notice.receipt_no}{LRM}" if language == "ar" else notice.receipt_no,
        instant=format_instant(notice.completed_at, language),
    )
    if notice.kind is not SmsKind.PAYMENT_COMPLETED:
        return text
    for kind, surplus in (("credit", notice.credit_minor), ("refund", notice.refund_minor)):
        if surplus:
            text += SURPLUS_TEMPLATES[(kind, language)].format(
                surplus=format_amount(surplus, notice.currency, language)
            )
    return text


# Service notices: the service reference is an identifier, kept Latin like a receipt.
SERVICE_TEMPLATES: dict[tuple[SmsKind, str], str] = {
    (SmsKind.BILL_DUE_SOON, "ar"): (
        "تذكير: {bills} {biller} عن {periods} للخدمة {service} بمبلغ {amount} تستحق في "
        "{due}. سدّدها قبل ذلك تجنباً لإيقاف الخدمة."
    ),
    (SmsKind.BILL_DUE_SOON, "en"): (
        "Reminder: your {biller} {bills} for {periods}, service {service}, {amount}, "
        "is due on {due}. Pay by then to keep the service."
    ),
    (SmsKind.BILL_OVERDUE, "ar"): (
        "{bills} {biller} عن {periods} للخدمة {service} بمبلغ {amount} تجاوزت تاريخ "
        "استحقاقها {due}. سدّدها تجنباً لإيقاف الخدمة."
    ),
    (SmsKind.BILL_OVERDUE, "en"): (
        "Your {biller} {bills} for {periods}, service {service}, {amount}, was due on {due}. "
        "Pay it to avoid suspension."
    ),
    (SmsKind.SERVICE_SUSPENDED, "ar"): (
        "أُوقفت الخدمة {service} لدى {biller} لعدم تسديد {bills} {periods} بمبلغ {amount} "
        "المستحقة في {due}. تعود الخدمة تلقائياً بعد التسديد. {instant} بتوقيت دمشق."
    ),
    (SmsKind.SERVICE_SUSPENDED, "en"): (
        "Service {service} at {biller} is suspended: {bills} for {periods}, {amount}, "
        "due on {due}, unpaid. It returns by itself once paid. {instant} Damascus time."
    ),
    (SmsKind.SERVICE_RECONNECTED, "ar"): (
        "أُعيد وصل الخدمة {service} لدى {biller} بعد تسديد {bills} {periods}. "
        "{instant} بتوقيت دمشق."
    ),
    (SmsKind.SERVICE_RECONNECTED, "en"): (
        "Service {service} at {biller} is reconnected: {bills} for {periods} paid. "
        "{instant} Damascus time."
    ),
    (SmsKind.SUSPENSION_APOLOGY, "ar"): (
        "نعتذر: أُوقفت الخدمة {service} لدى {biller} خطأً، فقد سُدّدت {bills} {periods} "
        "في موعدها. أُعيد وصل الخدمة. {instant} بتوقيت دمشق."
    ),
    (SmsKind.SUSPENSION_APOLOGY, "en"): (
        "We apologise: service {service} at {biller} was suspended in error; {bills} for "
        "{periods} had been paid on time. It is reconnected. {instant} Damascus time."
    ),
}


def render_service(notice: ServiceNotice) -> str:
    language = notice.language
    return SERVICE_TEMPLATES[(notice.kind, language)].format(
        bills=_bills_word(len(notice.periods), language),
        biller=notice.biller_name_ar if language == "ar" else notice.biller_name_en,
        service=f"{LRM}{notice.service_ref}{LRM}" if language == "ar" else notice.service_ref,
        periods=format_periods(notice.periods, language),
        amount=format_amount(notice.amount_minor, notice.currency, language),
        due=format_date(notice.due_on, language),
        instant=format_instant(notice.at, language),
    )


# UCS-2 and concatenation -----------------------------------------------------


def encode_ucs2(text: str) -> bytes:
    """UTF-16-BE restricted to the BMP: exactly two octets per character."""
    outside = _OUTSIDE_UCS2.search(text)
    if outside is not None:
        code_point, index = ord(outside.group()), outside.start()
        raise SmsTextNotEncodable(f"character U+{code_point:04X} at {index} is outside UCS-2")
    return text.encode("utf-16-be")


def part_count(text: str) -> int:
    if len(text) <= SINGLE_PART_CHARS_MAX:
        return 1
    return -(-len(text) // CONCATENATED_PART_CHARS_MAX)


def split_into_parts(text: str, reference: int) -> tuple[bytes, ...]:
    """The short_message octets of each part: bare UCS-2 when one part, UDH-led when more.

    `reference` (0..255) must stay the same when a part is sent again, so that
    the handset joins it to the others of the same message.
    """
    assert 0 <= reference <= 255, "an 8-bit concatenation reference"
    assert text, "an SMS has text"
    if len(text) > limits.sms_text_length_max:
        raise LimitExceeded(
            f"SMS text of {len(text)} characters exceeds {limits.sms_text_length_max}"
        )
    encoded = encode_ucs2(text)
    total = part_count(text)
    if total == 1:
        return (encoded,)
    octets = 2 * CONCATENATED_PART_CHARS_MAX
    return tuple(
        bytes((5, UDH_CONCATENATED_8BIT, 3, reference, total, seq))
        + encoded[(seq - 1) * octets : seq * octets]
        for seq in range(1, total + 1)
    )


@dataclass(frozen=True, slots=True)
class ConcatenatedPart:
    reference: int
    total: int
    seq: int
    payload: bytes  # the UCS-2 octets after the UDH


def parse_concatenated(short_message: bytes) -> ConcatenatedPart | None:
    """The concatenation header of a UDH-led short message (8- or 16-bit reference)."""
    if len(short_message) < 6:
        return None
    udh_length = short_message[0]
    header, payload = short_message[1 : 1 + udh_length], short_message[1 + udh_length :]
    index = 0
    while index + 2 <= len(header):
        iei, length = header[index], header[index + 1]
        value = header[index + 2 : index + 2 + length]
        if iei == UDH_CONCATENATED_8BIT and length == 3 and len(value) == 3:
            return ConcatenatedPart(value[0], value[1], value[2], payload)
        if iei == UDH_CONCATENATED_16BIT and length == 4 and len(value) == 4:
            return ConcatenatedPart(int.from_bytes(value[:2], "big"), value[2], value[3], payload)
        index += 2 + length
    return None


def reassemble(parts: Iterable[ConcatenatedPart]) -> str:
    """The text of a concatenated message from all its parts, in any order."""
    by_seq = {part.seq: part for part in parts}
    assert by_seq, "at least one part"
    first = next(iter(by_seq.values()))
    assert all(p.reference == first.reference and p.total == first.total for p in by_seq.values())
    assert sorted(by_seq) == list(range(1, first.total + 1)), "every part, once"
    return b"".join(by_seq[seq].payload for seq in sorted(by_seq)).decode("utf-16-be")


# Delivery receipts (SMPP 3.4 appendix B) -------------------------------------


class ReceiptStat(enum.StrEnum):
    DELIVERED = "DELIVRD"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"
    UNDELIVERABLE = "UNDELIV"
    ACCEPTED = "ACCEPTD"
    UNKNOWN = "UNKNOWN"
    REJECTED = "REJECTD"
    ENROUTE = "ENROUTE"


# The message state a final receipt leads to; the others say nothing final.
FINAL_STATES: dict[ReceiptStat, str] = {
    ReceiptStat.DELIVERED: "delivered",
    ReceiptStat.EXPIRED: "expired",
    ReceiptStat.DELETED: "undeliverable",
    ReceiptStat.UNDELIVERABLE: "undeliverable",
    ReceiptStat.REJECTED: "undeliverable",
}

_RECEIPT_FIELD = re.compile(r"(id|stat|err):(\S*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    smsc_message_id: str
    stat: ReceiptStat
    error: str
    msisdn: str  # the handset the message went to (the receipt's source_addr)


def parse_receipt(text: str, msisdn: str) -> DeliveryReceipt | None:
    """'id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:000 text:…'."""
    fields = {key.lower(): value for key, value in _RECEIPT_FIELD.findall(text)}
    if "id" not in fields or "stat" not in fields:
        return None
    try:
        stat = ReceiptStat(fields["stat"].upper())
    except ValueError:
        stat = ReceiptStat.UNKNOWN
    return DeliveryReceipt(fields["id"], stat, fields.get("err", ""), msisdn)


def receipt_text(
    smsc_message_id: str,
    stat: ReceiptStat,
    submitted: datetime,
    done: datetime,
    first_chars: str = "",
) -> str:
    """The receipt text an SMSC sends (used by the simulator)."""
    stamp = "%y%m%d%H%M"
    delivered = "001" if stat is ReceiptStat.DELIVERED else "000"
    error = "000" if stat is ReceiptStat.DELIVERED else "001"
    return (
        f"id:{smsc_message_id} sub:001 dlvrd:{delivered} submit date:{submitted.strftime(stamp)} "
        f"done date:{done.strftime(stamp)} stat:{stat.value} err:{error} text:{first_chars[:20]}"
    )
