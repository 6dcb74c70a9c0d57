"""What a receipt says (read from the switch's store) and what a bill document says
(read from the billing system's store: the bill is the biller's document; the switch
gets it over the Biller API, BillerGateway.bill_document).

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

from fawtara.billing.domain.bill_documents import BillDocument
from fawtara.kernel.bills import BillLine
from fawtara.kernel.errors import ReceiptNotAvailable, UnknownBill, UnknownBiller
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


def bill_document(
    uow: UnitOfWork, biller_code: str, customer_ref: str, bill_id: str
) -> BillDocument:
    """A bill of the subscriber `customer_ref` at `biller_code`, as printed; UnknownBill else.

    The reference must be the bill's own service's (normalised as fetch_bills
    returns it), so knowing a bill id alone shows nobody's bill.
    """
    with uow:
        biller = uow.billers.get(biller_code)
        service = uow.presentment.service(biller_code, customer_ref)
        found = uow.bills.get_many([bill_id])
        lines = uow.bills.lines(bill_id) if found else []
    if biller is None:
        raise UnknownBiller(f"unknown biller {biller_code!r}")
    if not found or service is None or found[0].service_id != service["id"]:
        raise UnknownBill(f"no bill {bill_id} for {customer_ref} at {biller_code}")
    bill = found[0]
    return BillDocument(
        bill_id=bill.id,
        biller_code=biller.code,
        biller_name_ar=biller.name_ar,
        biller_name_en=biller.name_en,
        customer_ref=customer_ref,
        customer_name_ar=str(service["name_ar"]),
        period=bill.cycle_id,
        period_start=bill.period_start,
        period_end=bill.period_end,
        issued_on=bill.issued_on,
        due_on=bill.due_on,
        grace_days=biller.grace_days,
        amount_minor=bill.amount_minor,
        paid_minor=bill.paid_minor,
        currency=bill.currency,
        status=bill.status,
        lines=tuple(_bill_line(line) for line in lines),
    )


def _bill_line(stored: dict[str, Any]) -> BillLine:
    return BillLine(
        description_en=str(stored["en"]),
        description_ar=str(stored["ar"]),
        quantity=int(stored["quantity"]),
        unit=str(stored["unit"]),
        rate=str(stored["rate"]),
        amount_minor=int(stored["amount_minor"]),
    )
