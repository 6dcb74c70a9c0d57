"""The counter journal's cash entries: a payment or a void, through the switch.

    payment {"payment_id", "biller", "customer_ref", "bill_ids", "amount_due_minor",
             "cash_taken_minor", "msisdn"}          -> cash_payments.take_cash_payment
    void {"payment_id", "reason"}                    -> cash_payments.void_cash_payment

The checks read only (nothing locked, nothing written); the payment or void
then runs in the switch's own transactions, idempotent by payment id, and
counter_journal.py records the entry after it.

"Not yet" is not "never": a payment whose bills are held by a payment in
flight (BILL_PAYMENT_IN_PROGRESS), or a void of a payment not settled yet,
is EntryNotYet (503): the batch stops there, the station keeps the entry and
sends it again, and the entries behind it wait (the order is kept).

The person is judged as the cash moved, not at sync: an account disabled
since (the switch keeps no time of disabling, and a station offline still
knew it as active) does not undo cash taken or handed back; the audit row
names them. Their role and counter are still checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.shifts import Shift
from fawtara.counters.domain.staff import Action, StaffMember
from fawtara.counters.use_cases.cash_payments import (
    CashOutcome,
    CashPayment,
    take_cash_payment,
    void_cash_payment,
)
from fawtara.counters.use_cases.counter_journal_entry import (
    JournalEntry,
    amount_field,
    own_open_shift,
    shift_at,
    staff_at,
    text_field,
)
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    BillPaymentInProgress,
    EntryNotYet,
    EntryTimeImplausible,
    InvalidJournalEntry,
    NotYourShift,
)
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import UnitOfWork

CASH_KINDS = ("payment", "void")


def check_cash_entry(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry, now: datetime
) -> StaffMember:
    """The person allowed this payment or void, in an open shift of this counter, at a
    plausible time; a void only in the shift of the payment it gives back."""
    if entry.kind == "payment":
        member = staff_at(uow, counter, entry.cashier, Action.TAKE_PAYMENT, active_only=False)
        shift = own_open_shift(uow, counter, entry, lock=False)
    else:
        member = staff_at(uow, counter, entry.cashier, Action.VOID_PAYMENT, active_only=False)
        shift = shift_at(uow, counter, entry.shift_id, open_only=True, lock=False)
        taken = uow.cash.get(text_field(entry, "payment_id").lower())
        if taken is not None and taken["shift_id"] != shift.shift_id:
            raise NotYourShift(
                f"payment {taken['payment_id']} was taken in shift {taken['shift_id']}, "
                f"not in shift {shift.shift_id}: a void gives back a payment of its own shift",
                "لا تُلغى إلا دفعة من الوردية نفسها",
            )
    check_entry_time(entry, shift, now)
    return member


def check_entry_time(entry: JournalEntry, shift: Shift, now: datetime) -> None:
    """When the cash moved counts for the 30-day rule: not before the shift opened, not
    in the future (either up to the clocks' allowed skew)."""
    skew = timedelta(seconds=limits.counter_clock_skew_s)
    if not shift.opened_at - skew <= entry.at <= now + skew:
        raise EntryTimeImplausible(
            f"{entry.kind} entry {entry.entry_id} says {entry.at.isoformat()}: before its "
            f"shift opened ({shift.opened_at.isoformat()}) or after the switch's time "
            f"({now.isoformat()}) by more than {limits.counter_clock_skew_s} s; "
            "check the station's clock"
        )


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
    except BillPaymentInProgress as held:
        raise EntryNotYet(
            f"{held.message}: payment {entry.data.get('payment_id')} waits until that "
            "payment is settled, then it is applied (as a payment, or as a credit or refund)",
            "الفاتورة محجوزة لدفعة أخرى قيد التنفيذ؛ تُطبَّق الدفعة النقدية حين تنتهي",
        ) from held


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
