"""What a receipt says, read from the switch's store.

The receipt of a completed payment lists the bills with what the payment put
on each; it is signed by the switch (receipts/adapters/signing.py) by
whoever renders it. The portal and the API use these; a counter station
builds its own receipts from its journal and signs them with its counter key.
A counter payment's receipt here says what the counter's says: the cashier,
the counter, the cash taken and its rounding, any credit or refund, and the
time the cash was taken (from the cash tables, cash_books.py).
"""

from __future__ import annotations

from typing import Any

from fawtara.kernel.errors import ReceiptNotAvailable, UnknownBiller
from fawtara.receipts.domain.receipts import Receipt, ReceiptBill, ReceiptStatus, mask_account
from fawtara.switch.domain.participants import Participant
from fawtara.switch.domain.payments import CASH_CHANNEL, Payment, PaymentState
from fawtara.switch.use_cases.payments import acknowledged_allocations, get_payment
from fawtara.switch.use_cases.ports import UnitOfWork


def payment_receipt(uow: UnitOfWork, participant: Participant, payment_id: str) -> Receipt:
    """The receipt of a payment the participant may see; only a completed one has one."""
    return receipt_of_payment(uow, get_payment(uow, participant, payment_id))


def receipt_of_payment(uow: UnitOfWork, payment: Payment) -> Receipt:
    """The receipt data of a completed payment (no visibility check: the caller did it)."""
    if payment.state is not PaymentState.COMPLETED or payment.receipt_no is None:
        raise ReceiptNotAvailable(
            f"payment {payment.payment_id} is {payment.state.value}; "
            "only a completed payment has a receipt",
            "لا يصدر الإيصال إلا لدفعة مكتملة",
        )
    assert payment.completed_at is not None, "a completed payment has its time"
    cash = payment.channel == CASH_CHANNEL
    with uow:
        biller = uow.billers.get(payment.biller_code)
        service = uow.presentment.service(payment.biller_code, payment.customer_ref)
        allocations = acknowledged_allocations(uow, payment.payment_id)
        bills = {bill.id: bill for bill in uow.bills.get_many(list(payment.bill_ids))}
        till = _counter_side(uow, payment) if cash else {}
    if biller is None:
        raise UnknownBiller(f"unknown biller {payment.biller_code!r}")
    fields: dict[str, Any] = {
        "accepted_at": payment.completed_at,
        # Cash: the payer is the counter's drawer (switch/domain/payments.py), not an account.
        "counter_code": payment.payer_bank if cash else None,
        "payer_account_masked": None if cash else mask_account(payment.payer_account),
        **till,
    }
    return Receipt(
        receipt_no=payment.receipt_no,
        payment_id=payment.payment_id,
        channel=payment.channel,
        status=ReceiptStatus.FINAL,
        biller_code=biller.code,
        biller_name_ar=biller.name_ar,
        biller_name_en=biller.name_en,
        customer_ref=payment.customer_ref,
        customer_name_ar=str(service["name_ar"]) if service else payment.customer_ref,
        bills=tuple(
            ReceiptBill(bill_id, bills[bill_id].cycle_id, allocations.get(bill_id, 0))
            for bill_id in payment.bill_ids
            if bill_id in bills
        ),
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        **fields,
    )


def _counter_side(uow: UnitOfWork, payment: Payment) -> dict[str, Any]:
    """The receipt fields a cash payment's counter row holds (inside the caller's `with uow`).

    The cashier is named as the counter's receipt names them (their Arabic
    name), or by username when the staff list does not know them.
    """
    row = uow.cash.get(payment.payment_id)
    counter = uow.counters.get(payment.payer_bank)
    fields: dict[str, Any] = {"counter_name_ar": counter.name_ar if counter else None}
    if row is None:
        return fields
    member = uow.staff.get(str(row["cashier"]))
    return fields | {
        "accepted_at": row["accepted_at"],  # when the cash was taken: the 30-day rule's time
        "cash_taken_minor": int(row["cash_taken_minor"]),
        "rounding_minor": int(row["rounding_minor"]),
        "credit_minor": int(row["credit_minor"]),
        "refund_minor": int(row["refund_minor"]),
        "cashier": member[0].name_ar if member else str(row["cashier"]),
    }
