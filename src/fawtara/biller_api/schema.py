"""The wire models of the Biller API, version 1 (Pydantic v2, bounds on every field).

Money is an integer of minor units with its ISO 4217 currency (SYP: qirsh).
Dates are ISO 8601; instants carry their offset (the switch sends UTC).
The payment id the switch gives a notice is the idempotency key: the same id
with the same body answers the stored answer; the same id with another body
is refused `PAYMENT_ID_REUSED` (409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

API_VERSION = "1.0"

AMOUNT_MINOR_MAX = 10**15  # the same bound as the switch's (kernel limits)
BILLS_PER_NOTICE_MAX = 24
BILLS_PER_INQUIRY_MAX = 12
CUSTOMER_REFS_PER_CHECK_MAX = 500
FEED_PAGE_MAX = 500
BILL_FILE_ROWS_MAX = 20_000
ERRORS_REPORTED_MAX = 1_000

Code = Field(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]{1,15}$")
CustomerRef = Field(min_length=1, max_length=32)
BillId = Field(min_length=1, max_length=64)
PaymentId = Field(min_length=1, max_length=64)
Amount = Field(ge=0, le=AMOUNT_MINOR_MAX)
PositiveAmount = Field(gt=0, le=AMOUNT_MINOR_MAX)
Currency = Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
Name = Field(max_length=120)

PaymentRuleKind = Literal["exact", "partial", "advance"]
BillStatus = Literal["issued", "partially_paid", "paid", "cancelled"]
Channel = Literal["bank", "portal", "counter"]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaymentRule(Wire):
    kind: PaymentRuleKind
    minimum_minor: int = Field(default=1, ge=1, le=AMOUNT_MINOR_MAX)
    maximum_minor: int = Field(default=AMOUNT_MINOR_MAX, ge=1, le=AMOUNT_MINOR_MAX)


class OpenBill(Wire):
    """A bill as the biller presents it: what is owed on it now."""

    bill_id: str = BillId
    cycle: str = Field(max_length=16, description="the billing cycle, e.g. 2026-B5")
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    amount_minor: int = Amount
    paid_minor: int = Amount
    currency: str = Currency
    status: BillStatus


class BillInquiryAnswer(Wire):
    """GET …/customers/{customer_ref}/bills: the customer's recent bills, newest first."""

    biller: str = Code
    customer_ref: str = CustomerRef
    customer_name_ar: str = Name
    customer_name_en: str = Name
    payment_rule: PaymentRule
    bills: list[OpenBill] = Field(max_length=BILLS_PER_INQUIRY_MAX)
    as_of: datetime


class NoticeBill(Wire):
    bill_id: str = BillId


class PaymentNotice(Wire):
    """PUT …/notices/{payment_id}: the switch accepted a payment of these bills."""

    biller: str = Code
    customer_ref: str = CustomerRef
    bills: list[NoticeBill] = Field(min_length=1, max_length=BILLS_PER_NOTICE_MAX)
    amount_minor: int = PositiveAmount
    currency: str = Currency
    channel: Channel
    accepted_at: datetime = Field(
        description="when the switch accepted the money; counts for the due date"
    )
    settlement_date: date


class PostedBill(Wire):
    bill_id: str = BillId
    amount_minor: int = Amount
    status: BillStatus


class NoticeAnswer(Wire):
    """The biller has the payment: its receipt id, how it split over the bills."""

    payment_id: str = PaymentId
    biller_receipt_id: str = Field(min_length=1, max_length=64)
    bills: list[PostedBill] = Field(max_length=BILLS_PER_NOTICE_MAX)
    credit_minor: int = Amount
    posted_at: datetime
    reversed: bool = False


class ReversalNotice(Wire):
    """PUT …/notices/{payment_id}/reversal: undo a posting (the money went back)."""

    reason: str = Field(min_length=1, max_length=200)


class ReversalAnswer(Wire):
    payment_id: str = PaymentId
    reversed: bool = Field(description="false when there was no posting to undo")


class ErrorDetail(Wire):
    code: str = Field(max_length=64)
    message: str = Field(max_length=1000)
    message_ar: str = Field(max_length=1000)


class ErrorAnswer(Wire):
    error: ErrorDetail


# --- What the switch offers billers ------------------------------------------------


class AcceptedPayment(Wire):
    """One payment the switch accepted for a biller: the notice and where it stands."""

    cursor: int = Field(ge=1)
    payment_id: str = PaymentId
    notice: PaymentNotice
    acknowledged_at: datetime | None = None


class AcceptanceFeed(Wire):
    payments: list[AcceptedPayment] = Field(max_length=FEED_PAGE_MAX)
    next_cursor: int = Field(ge=0, description="pass as `after` for the next page")


class InFlightQuery(Wire):
    customer_refs: list[str] = Field(min_length=1, max_length=CUSTOMER_REFS_PER_CHECK_MAX)


class InFlightPayment(Wire):
    payment_id: str = PaymentId
    customer_ref: str = CustomerRef
    bill_ids: list[str] = Field(max_length=BILLS_PER_NOTICE_MAX)
    amount_minor: int = PositiveAmount
    accepted_at: datetime


class InFlightAnswer(Wire):
    """Payments accepted for these customers that the biller has not acknowledged."""

    as_of: datetime
    payments: list[InFlightPayment]
    counters_synced_through: datetime | None = Field(
        default=None,
        description="every counter of the biller has synced its cash up to this instant",
    )


class UploadedBill(Wire):
    """One row of a bill file (upload-mode billers)."""

    bill_id: str = BillId
    customer_ref: str = CustomerRef
    customer_name_ar: str = Name
    customer_name_en: str = Name
    cycle: str = Field(max_length=16)
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    amount_minor: int = Amount
    paid_minor: int = Field(default=0, ge=0, le=AMOUNT_MINOR_MAX)
    currency: str = Currency
    governorate: str | None = Field(default=None, max_length=32)
    msisdn: str | None = Field(default=None, max_length=16, description="E.164, for the SMS")
    language: Literal["ar", "en"] = "ar"


class BillFile(Wire):
    """PUT /bill-files/{file_id}: idempotent per file id; the checksum is the SHA-256
    of the rows as canonical JSON (sorted keys, no spaces)."""

    checksum: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: list[UploadedBill] = Field(min_length=1, max_length=BILL_FILE_ROWS_MAX)


class RowError(Wire):
    row: int = Field(ge=1, description="1 is the first row of the file")
    code: str = Field(max_length=64)
    message: str = Field(max_length=1000)


class BillFileAnswer(Wire):
    file_id: str = Field(max_length=64)
    rows_applied: int = Field(ge=0)
    rows_unchanged: int = Field(ge=0)
    errors: list[RowError] = Field(max_length=ERRORS_REPORTED_MAX)
    replayed: bool


class FilePayment(Wire):
    payment_id: str = PaymentId
    notice: PaymentNotice


class PaymentsFile(Wire):
    file_id: str = Field(max_length=64)
    biller: str = Code
    payments: list[FilePayment] = Field(max_length=FEED_PAGE_MAX)
    created_at: datetime


class PaymentFiles(Wire):
    files: list[PaymentsFile] = Field(max_length=FEED_PAGE_MAX)


class FileAcknowledgement(Wire):
    receipts: dict[str, str] = Field(
        default_factory=dict,
        description="payment id → the biller's receipt id, for each payment it posted",
    )


def canonical_rows_checksum(rows: list[UploadedBill]) -> str:
    """The checksum a bill file carries: SHA-256 of its rows as canonical JSON."""
    import hashlib
    import json

    body = json.dumps(
        [row.model_dump(mode="json") for row in rows], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()
