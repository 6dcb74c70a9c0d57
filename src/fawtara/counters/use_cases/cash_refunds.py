"""Paying out a refund owed to a subscriber, in cash, at a counter.

A cash payment that found its bills paid meanwhile leaves a surplus; when the
biller's rule does not take it as a credit, it is a refund owed to the
subscriber (a `cash_surpluses` row of kind 'refund', the money on
switch:refunds_due; counters/use_cases/cash_books.py); so is the whole amount of
a cash payment the biller or the switch refused for good. The subscriber may come
for it to any counter of the network, not only the one that took the cash:
the cashier there hands it over from their own drawer, in an open shift of
theirs (the journal entry `refund_paid`, counter_journal.py checks who and
where). Here, in the caller's transaction:

- the refund must be owed: a refund (not a credit), not cancelled by a void
  of its payment (REFUND_NOT_OWED), not paid already (REFUND_ALREADY_PAID),
  and for exactly its amount (REFUND_AMOUNT_MISMATCH);
- the row is marked paid (when, at which counter, by whom, in which shift)
  with a conditional update, so two payouts racing pay once;
- the ledger moves switch:refunds_due → counter:{C}:cash, transfer id
  `{payment}:refund_paid`; the shift's expected cash goes down by it
  (counters/domain/shifts.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fawtara.counters.use_cases import cash_books
from fawtara.kernel.errors import RefundAlreadyPaid, RefundAmountMismatch, RefundNotOwed
from fawtara.switch.use_cases.ports import UnitOfWork


def pay_refund(
    uow: UnitOfWork,
    counter_code: str,
    shift_id: str,
    cashier: str,
    payment_id: str,
    amount_minor: int,
    at: datetime,
    now: datetime,
) -> dict[str, Any]:
    """Pay the refund of `payment_id` out of the drawer of `counter_code`; REFUND_OUTCOME."""
    surplus = owed_refund(uow, payment_id)
    if amount_minor != surplus["amount_minor"]:
        raise RefundAmountMismatch(
            f"the refund owed for payment {payment_id} is {surplus['amount_minor']} qirsh,"
            f" not {amount_minor}"
        )
    if not uow.cash.mark_refund_paid(surplus["payment_id"], at, counter_code, cashier, shift_id):
        raise RefundAlreadyPaid(f"the refund of payment {payment_id} was paid out meanwhile")
    cash_books.refund_paid(uow, surplus, counter_code, now)
    return {
        "payment_id": surplus["payment_id"],
        "refund_minor": int(surplus["amount_minor"]),
        "paid_at": at.isoformat(),
        "paid_counter": counter_code,
        "paid_by": cashier,
    }


def owed_refund(uow: UnitOfWork, payment_id: str) -> dict[str, Any]:
    """The surplus row of a refund still owed; the named error saying why not otherwise."""
    surplus = uow.cash.surplus(payment_id.lower())
    if surplus is None or surplus["kind"] != "refund":
        raise RefundNotOwed(f"no refund is owed for payment {payment_id}")
    if surplus["cancelled_at"] is not None:
        raise RefundNotOwed(
            f"payment {payment_id} was voided: its cash was handed back, no refund is owed",
            "أُلغيت الدفعة وأعيد نقدها، فلا مبلغ مستحق عنها",
        )
    if surplus["paid_at"] is not None:
        raise RefundAlreadyPaid(
            f"the refund of payment {payment_id} was paid out at {surplus['paid_counter']}"
            f" by {surplus['paid_by']} on {surplus['paid_at']:%Y-%m-%d %H:%M} UTC"
        )
    return surplus
