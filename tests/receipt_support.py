"""A receipt as a counter would print it, for the receipt tests of every tier."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fawtara.receipts.domain.receipts import (
    Receipt,
    ReceiptBill,
    ReceiptStatus,
    b64url_decode,
    b64url_encode,
)

BILLER_NAME_AR = "السورية للاتصالات"


def sample_receipt(**changes: Any) -> Receipt:
    receipt = Receipt(
        receipt_no="261101-ABCDEFGHIJ",
        payment_id="0b6f5f7e-8d7e-4c43-9a0e-3d3f2a1c5b01",
        channel="counter",
        status=ReceiptStatus.FINAL,
        biller_code="STE",
        biller_name_ar=BILLER_NAME_AR,
        biller_name_en="Syrian Telecom",
        customer_ref="0112345678",
        customer_name_ar="محمد عبد الرحمن الحلبي",
        bills=(
            ReceiptBill("STE-2026-10-41", "2026-10", 123_450),
            ReceiptBill("STE-2026-11-41", "2026-11", 99_900),
        ),
        amount_minor=223_350,
        currency="SYP",
        accepted_at=datetime(2026, 11, 1, 10, 0, tzinfo=UTC),
        cash_taken_minor=223_500,
        rounding_minor=150,
        counter_code="DAM01",
        counter_name_ar="مركز هاتف المزة",
        cashier="samer",
    )
    return replace(receipt, **changes)


def with_amount(qr_text: str, amount_minor: int) -> str:
    """The same QR text with the amount edited and the signature kept."""
    prefix, payload, *rest = qr_text.split(".")
    fields = json.loads(b64url_decode(payload))
    fields["amount_minor"] = amount_minor
    edited = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ".".join([prefix, b64url_encode(edited.encode()), *rest])
