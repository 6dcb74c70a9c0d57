"""A payment receipt as data, its canonical payload, and the text of its QR code.

A receipt is signed so that anyone holding the switch's public key can check
it offline (docs/RECEIPTS.md). What is signed is the *canonical payload*: the
receipt as JSON with sorted keys, no spaces, UTF-8, money in integer minor
units and instants in UTC to the second. The QR code carries

    FWR1.<base64url payload>.<base64url signature>[.<base64url certificate>]

(base64url without padding). The signature is the switch's own, or a
counter's; then the counter's certificate follows: the switch's signature
over the counter code, the counter's public key and when it was issued.
Signatures are over a context string plus the bytes, so that a receipt can
never pass for a certificate or the other way round.

Pure: the cryptography lives in receipts/adapters/signing.py.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.errors import CounterCertificateInvalid, ReceiptInvalid
from fawtara.kernel.money import CURRENCY_EXPONENTS

QR_PREFIX = "FWR1"
RECEIPT_CONTEXT = b"fawtara receipt v1\n"
CERTIFICATE_CONTEXT = b"fawtara counter certificate v1\n"
ED25519_PUBLIC_KEY_BYTES = 32
ED25519_SIGNATURE_BYTES = 64

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_COUNTER_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TEXT_FIELDS_MAX = {"payment_id": 64, "receipt_no": 64, "channel": 16, "biller_code": 16}
_TEXT_FIELDS = (
    *_TEXT_FIELDS_MAX,
    "biller_name_ar",
    "biller_name_en",
    "customer_ref",
    "customer_name_ar",
    "counter_name_ar",
    "cashier",
    "payer_account_masked",
)
_OPTIONAL_FIELDS = frozenset({"counter_name_ar", "cashier", "payer_account_masked"})


class ReceiptStatus(enum.StrEnum):
    FINAL = "final"  # the switch has the payment
    PENDING_SYNC = "pending_sync"  # taken at a counter that has not reached the switch yet


@dataclass(frozen=True, slots=True)
class ReceiptBill:
    bill_id: str
    period: str  # the cycle id, e.g. 2026-B5 or 2026-10
    amount_minor: int  # what this payment put on the bill


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a receipt shows; amounts in minor units, `accepted_at` aware."""

    receipt_no: str
    payment_id: str
    channel: str
    status: ReceiptStatus
    biller_code: str
    biller_name_ar: str
    biller_name_en: str
    customer_ref: str
    customer_name_ar: str
    bills: tuple[ReceiptBill, ...]
    amount_minor: int  # what the bills were paid with (the amount due)
    currency: str
    accepted_at: datetime  # when the money was taken (counts for the 30-day rule)
    cash_taken_minor: int | None = None  # counter payments: the rounded cash handed over
    rounding_minor: int = 0  # cash_taken − amount, either sign
    credit_minor: int = 0  # surplus kept as credit at the biller
    refund_minor: int = 0  # surplus owed back to the subscriber
    counter_code: str | None = None
    counter_name_ar: str | None = None
    cashier: str | None = None
    payer_account_masked: str | None = None  # bank payments: ******0300

    def __post_init__(self) -> None:
        _check(self)

    @property
    def is_pending_sync(self) -> bool:
        return self.status is ReceiptStatus.PENDING_SYNC


def _check(receipt: Receipt) -> None:
    _check_texts(receipt)
    if not isinstance(receipt.status, ReceiptStatus):
        raise ReceiptInvalid(f"unknown receipt status {receipt.status!r}")
    if receipt.currency not in CURRENCY_EXPONENTS:
        raise ReceiptInvalid(f"unknown currency {receipt.currency!r}")
    if not 1 <= len(receipt.bills) <= limits.bills_per_payment_max:
        raise ReceiptInvalid(f"a receipt lists 1 to {limits.bills_per_payment_max} bills")
    _check_amounts(receipt)
    if receipt.accepted_at.tzinfo is None:
        raise ReceiptInvalid("accepted_at must carry its UTC offset")
    if receipt.counter_code is not None and not _COUNTER_CODE.fullmatch(receipt.counter_code):
        raise ReceiptInvalid(f"counter code {receipt.counter_code!r} is not like DAM01")


def _check_texts(receipt: Receipt) -> None:
    for name in _TEXT_FIELDS:
        value = getattr(receipt, name)
        length_max = _TEXT_FIELDS_MAX.get(name, limits.name_length_max)
        if value is None and name in _OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str) or not value or len(value) > length_max:
            raise ReceiptInvalid(f"{name} must be 1 to {length_max} characters")


def _check_amounts(receipt: Receipt) -> None:
    amounts = [receipt.amount_minor, receipt.credit_minor, receipt.refund_minor]
    amounts += [bill.amount_minor for bill in receipt.bills]
    if receipt.cash_taken_minor is not None:
        amounts.append(receipt.cash_taken_minor)
    if any(type(amount) is not int for amount in [*amounts, receipt.rounding_minor]):
        raise ReceiptInvalid("amounts must be integers of minor units")
    if any(not 0 <= amount <= limits.amount_minor_max for amount in amounts):
        raise ReceiptInvalid("amounts must be between 0 and the amount limit")
    if abs(receipt.rounding_minor) > limits.amount_minor_max:
        raise ReceiptInvalid("rounding_minor is out of range")


def mask_account(account: str) -> str:
    """A bank account as a receipt may show it: only the last four characters."""
    visible = account[-4:]
    return "*" * max(len(account) - len(visible), 2) + visible


def format_instant_utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(_INSTANT_FORMAT)


def parse_instant_utc(text: str) -> datetime:
    return datetime.strptime(text, _INSTANT_FORMAT).replace(tzinfo=UTC)


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 (Arabic stays two bytes a letter, not \\uXXXX)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_payload(receipt: Receipt) -> bytes:
    """The canonical bytes that are signed and carried in the QR code."""
    fields = {
        name: getattr(receipt, name)
        for name in Receipt.__dataclass_fields__
        if name not in ("bills", "accepted_at", "status")
    }
    fields["status"] = receipt.status.value
    fields["accepted_at"] = format_instant_utc(receipt.accepted_at)
    fields["bills"] = [[b.bill_id, b.period, b.amount_minor] for b in receipt.bills]
    return canonical_json(fields)


def receipt_from_payload(payload: bytes) -> Receipt:
    """The receipt a canonical payload describes; ReceiptInvalid for anything else."""
    try:
        fields = json.loads(payload.decode("utf-8"))
        bills = tuple(ReceiptBill(str(i), str(p), _int(a)) for i, p, a in fields.pop("bills"))
        fields["status"] = ReceiptStatus(fields["status"])
        fields["accepted_at"] = parse_instant_utc(fields["accepted_at"])
        receipt = Receipt(bills=bills, **fields)
    except ReceiptInvalid:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ReceiptInvalid(f"the receipt's data is malformed ({error})") from error
    if receipt_payload(receipt) != payload:
        raise ReceiptInvalid("the receipt's data is not in canonical form")
    return receipt


def _int(value: object) -> int:
    if type(value) is not int:
        raise ReceiptInvalid(f"an amount must be an integer, not {value!r}")
    return value


# Counter certificates ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounterCertificate:
    """The switch vouches that `public_key` (raw Ed25519) signs for `counter_code`."""

    counter_code: str
    public_key: bytes
    issued_at: datetime

    def __post_init__(self) -> None:
        if not _COUNTER_CODE.fullmatch(self.counter_code):
            raise CounterCertificateInvalid(f"counter code {self.counter_code!r} is not like DAM01")
        if len(self.public_key) != ED25519_PUBLIC_KEY_BYTES:
            raise CounterCertificateInvalid("the counter key is not an Ed25519 public key")
        if self.issued_at.tzinfo is None:
            raise CounterCertificateInvalid("issued_at must carry its UTC offset")

    def signed_bytes(self) -> bytes:
        """What the switch signs (after CERTIFICATE_CONTEXT)."""
        return canonical_json(
            {
                "counter": self.counter_code,
                "issued_at": format_instant_utc(self.issued_at),
                "key": b64url_encode(self.public_key),
            }
        )


def encode_certificate(certificate: CounterCertificate, signature: bytes) -> bytes:
    """The certificate as the QR code carries it: its fields and the switch's signature."""
    fields = json.loads(certificate.signed_bytes())
    fields["sig"] = b64url_encode(signature)
    return canonical_json(fields)


def decode_certificate(data: bytes) -> tuple[CounterCertificate, bytes]:
    """(the certificate, the switch's signature over it); CounterCertificateInvalid if malformed."""
    try:
        fields = json.loads(data.decode("utf-8"))
        signature = b64url_decode(fields.pop("sig"))
        certificate = CounterCertificate(
            fields["counter"], b64url_decode(fields["key"]), parse_instant_utc(fields["issued_at"])
        )
    except CounterCertificateInvalid:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ReceiptInvalid) as error:
        raise CounterCertificateInvalid(f"the counter certificate is malformed: {error}") from None
    if encode_certificate(certificate, signature) != data:
        raise CounterCertificateInvalid("the counter certificate is not in canonical form")
    return certificate, signature


def receipt_signing_input(payload: bytes) -> bytes:
    return RECEIPT_CONTEXT + payload


def certificate_signing_input(certificate: CounterCertificate) -> bytes:
    return CERTIFICATE_CONTEXT + certificate.signed_bytes()


# The QR text -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QrParts:
    payload: bytes
    signature: bytes
    certificate: bytes | None  # encode_certificate's bytes, for a receipt signed at a counter


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ReceiptInvalid("a part of the receipt text is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ReceiptInvalid("a part of the receipt text is not base64url") from error


def encode_qr_text(payload: bytes, signature: bytes, certificate: bytes | None = None) -> str:
    parts = [QR_PREFIX, b64url_encode(payload), b64url_encode(signature)]
    if certificate is not None:
        parts.append(b64url_encode(certificate))
    text = ".".join(parts)
    if len(text) > limits.receipt_qr_text_chars_max:
        raise ReceiptInvalid(
            f"the receipt text has {len(text)} characters; a QR code holds "
            f"{limits.receipt_qr_text_chars_max}"
        )
    return text


def parse_qr_text(text: str) -> QrParts:
    """The parts of `FWR1.payload.signature[.certificate]`; ReceiptInvalid otherwise."""
    text = text.strip()
    if len(text) > limits.receipt_qr_text_chars_max:
        raise ReceiptInvalid(f"a receipt text has at most {limits.receipt_qr_text_chars_max} chars")
    parts = text.split(".")
    if parts[0] != QR_PREFIX or len(parts) not in (3, 4):
        raise ReceiptInvalid(f"not a Fawtara receipt: expected {QR_PREFIX}.<data>.<signature>")
    signature = b64url_decode(parts[2])
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise ReceiptInvalid("the receipt's signature has the wrong length")
    certificate = b64url_decode(parts[3]) if len(parts) == 4 else None
    return QrParts(b64url_decode(parts[1]), signature, certificate)
