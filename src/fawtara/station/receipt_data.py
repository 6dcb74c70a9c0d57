"""The receipt of a payment taken at this counter, as `domain.receipts.Receipt` (pure).

Before the switch has answered, the receipt is marked pending sync and numbered
by the station (counter code and the start of the payment id); once the switch
has the payment it carries the switch's receipt number and any credit or refund
the switch decided (a bill paid meanwhile through another channel).
"""

from __future__ import annotations

from typing import Any

from fawtara.receipts.domain.receipts import Receipt, ReceiptStatus
from fawtara.station.model import LocalPayment
from fawtara.station.rules import CURRENCY

CHANNEL = "counter"


def local_receipt_no(counter_code: str, payment_id: str) -> str:
    return f"{counter_code}-{payment_id.replace('-', '')[:10].upper()}"


def receipt_of(
    payment: LocalPayment, counter: dict[str, Any], biller: dict[str, Any], cashier_name: str
) -> Receipt:
    outcome = payment.outcome or {}
    final = not payment.pending_sync and bool(outcome.get("receipt_no"))
    return Receipt(
        receipt_no=outcome["receipt_no"]
        if final
        else local_receipt_no(counter["code"], payment.payment_id),
        payment_id=payment.payment_id,
        channel=CHANNEL,
        status=ReceiptStatus.FINAL if final else ReceiptStatus.PENDING_SYNC,
        biller_code=payment.biller,
        biller_name_ar=biller["name_ar"],
        biller_name_en=biller["name_en"],
        customer_ref=payment.customer_ref,
        customer_name_ar=payment.customer_name_ar,
        bills=payment.bills,
        amount_minor=payment.amount_due_minor,
        currency=CURRENCY,
        accepted_at=payment.taken_at,
        cash_taken_minor=payment.cash_taken_minor,
        rounding_minor=payment.cash_taken_minor - payment.amount_due_minor,
        credit_minor=int(outcome.get("credit_minor") or 0),
        refund_minor=int(outcome.get("refund_minor") or 0),
        counter_code=counter["code"],
        counter_name_ar=counter["name_ar"],
        cashier=cashier_name,
    )
