"""The counter journal's cash entries: a payment or a void, through the switch.

    payment {"payment_id", "biller", "customer_ref", "bill_ids", "amount_due_minor",
             "cash_taken_minor", "msisdn"}          -> cash_payments.take_cash_payment
    void {"payment_id", "reason"}                    -> cash_payments.void_cash_payment

The checks read only (nothing locked, nothing written); the payment or void
then runs in the switch's own transactions, idempotent by payment id, and
counter_journal.py records the entry after it.
"""

from __future__ import annotations

from fawtara.domain.counters import Counter
from fawtara.domain.errors import InvalidJournalEntry
from fawtara.domain.staff import Action, StaffMember
from fawtara.service_layer.cash_payments import (
    CashOutcome,
    CashPayment,
    take_cash_payment,
    void_cash_payment,
)
from fawtara.service_layer.counter_journal_entry import (
    JournalEntry,
    amount_field,
    own_open_shift,
    shift_at,
    staff_at,
    text_field,
)
from fawtara.service_layer.payment_steps import Switch
from fawtara.service_layer.ports import UnitOfWork

CASH_KINDS = ("payment", "void")


def check_cash_entry(uow: UnitOfWork, counter: Counter, entry: JournalEntry) -> StaffMember:
    """The person allowed this payment or void, in an open shift of this counter."""
    if entry.kind == "payment":
        member = staff_at(uow, counter, entry.cashier, Action.TAKE_PAYMENT)
        own_open_shift(uow, counter, entry, lock=False)
    else:
        member = staff_at(uow, counter, entry.cashier, Action.VOID_PAYMENT)
        shift_at(uow, counter, entry.shift_id, open_only=True, lock=False)
    return member


def pay_or_void(switch: Switch, counter: Counter, entry: JournalEntry) -> CashOutcome:
    try:
        if entry.kind == "payment":
            return take_cash_payment(switch, cash_payment(counter, entry))
        return void_cash_payment(
            switch,
            counter.code,
            text_field(entry, "payment_id"),
            entry.cashier,
            text_field(entry, "reason"),
            entry.at,
        )
    except KeyError as missing:
        raise InvalidJournalEntry(f"{entry.kind} entry lacks {missing}") from None


def cash_payment(counter: Counter, entry: JournalEntry) -> CashPayment:
    data = entry.data
    return CashPayment(
        payment_id=text_field(entry, "payment_id"),
        counter_code=counter.code,
        shift_id=entry.shift_id,
        cashier=entry.cashier,
        biller_code=text_field(entry, "biller"),
        customer_ref=text_field(entry, "customer_ref"),
        bill_ids=tuple(str(bill_id) for bill_id in data["bill_ids"]),
        amount_due_minor=amount_field(entry, "amount_due_minor"),
        cash_taken_minor=amount_field(entry, "cash_taken_minor"),
        accepted_at=entry.at,
        msisdn=data.get("msisdn"),
    )
