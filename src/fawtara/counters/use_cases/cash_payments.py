"""Cash taken at a counter, through the same switch use case as every other channel.

The counter journal (counters/entrypoints/api/counter.py) calls these with what the
station recorded. A cash payment is a payment request of channel `counter`
whose payer is the counter's drawer (payer_bank = the counter code,
payer_account = "cash"), so validation, bill reservation, the biller
posting, the ledger and the SMS are those of `submit_payment`. What only cash
has (the cash taken, its rounding, when and by whom, the surplus of bills
paid meanwhile) is in counters/use_cases/cash_books.py; docs/PAYMENTS.md has the
whole story.

Idempotent by payment id, the id the station made: the same payment again
answers the same outcome and changes nothing; another payment under the same
id is PAYMENT_ID_REUSED.

Cash the switch can never apply (the biller stopped taking cash, the bill or
service is unknown, a bill not payable) is not lost: the cashier took it, so
it is stored as a payment ending `returned` at once, with the refusal's code,
and the whole cash taken is a refund owed (cash_books.unapplied); its outcome
says `unapplied`. A void of a returned or unapplied payment whose refund is
not paid out yet cancels that refund (the cash is handed back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.counters.domain.cash import check_cash_taken
from fawtara.counters.use_cases import cash_books
from fawtara.counters.use_cases.cash_books import CashTerms
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    BillNotPayable,
    ChannelNotAccepted,
    EntryNotYet,
    FawtaraError,
    PaymentIdReused,
    PaymentNotReversible,
    UnknownBill,
    UnknownBiller,
    UnknownCounter,
    UnknownPayment,
    UnknownService,
    ValidationError,
)
from fawtara.kernel.references import compact_reference
from fawtara.switch.domain.participants import Participant
from fawtara.switch.domain.payments import (
    CASH_ACCOUNT,
    CASH_CHANNEL,
    Payment,
    PaymentModel,
    PaymentRequest,
    PaymentState,
    transfer_ids,
)
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.payments import (
    get_payment,
    payment_row,
    reverse_completed,
    submit_payment,
)
from fawtara.switch.use_cases.ports import UnitOfWork

# Refusals that no later sync can change: the cash becomes a refund owed.
NEVER_APPLICABLE = (ChannelNotAccepted, UnknownService, UnknownBill, BillNotPayable)


@dataclass(frozen=True)
class CashPayment:
    """A payment taken in cash at a counter, as the station journalled it."""

    payment_id: str  # a UUID made at the station
    counter_code: str
    shift_id: str | None
    cashier: str
    biller_code: str
    customer_ref: str
    bill_ids: tuple[str, ...]
    amount_due_minor: int  # what the chosen bills owed, as the station saw them
    cash_taken_minor: int  # rounded to the notes in circulation
    accepted_at: datetime  # aware: when the cash was taken (counts for the due date)
    msisdn: str | None

    def __post_init__(self) -> None:
        if self.accepted_at.tzinfo is None:
            raise ValidationError("accepted_at must carry its UTC offset")

    @property
    def terms(self) -> CashTerms:
        return CashTerms(
            self.counter_code, self.shift_id, self.cashier, self.cash_taken_minor, self.accepted_at
        )

    def request(self, currency: str) -> PaymentRequest:
        return PaymentRequest(
            payment_id=self.payment_id.lower(),
            channel=CASH_CHANNEL,
            biller_code=self.biller_code,
            customer_ref=self.customer_ref,
            bill_ids=tuple(self.bill_ids),
            amount_minor=self.amount_due_minor,
            currency=currency,
            payer_bank=self.counter_code,
            payer_account=CASH_ACCOUNT,
            msisdn=self.msisdn,
            bank_reference=None,
        )


@dataclass(frozen=True)
class CashOutcome:
    """What the cashier (and the receipt) is told; CASH_OUTCOME of the journal API."""

    payment_id: str
    state: str  # completed; debited while the biller is out of reach; returned; unapplied;
    # reversed (a void, of a returned or unapplied payment too)
    receipt_no: str | None
    amount_due_minor: int
    cash_taken_minor: int
    rounding_minor: int
    posted_minor: int  # to the bills
    credit_minor: int  # on the subscriber's account at the biller
    refund_minor: int  # owed back to the subscriber
    reason_code: str | None
    accepted_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "accepted_at": self.accepted_at.isoformat()}


def take_cash_payment(
    switch: Switch, payment: CashPayment, wait_s: float = limits.payment_wait_s_default
) -> CashOutcome:
    """Receive the cash payment, post it to the biller, and tell where it went."""
    counter = _counter(switch, payment.counter_code)
    check_cash_taken(
        payment.amount_due_minor, payment.cash_taken_minor, switch.cash_denominations_minor[0]
    )
    with switch.reader() as uow:
        biller = uow.billers.get(payment.biller_code)
    if biller is None:
        raise UnknownBiller(f"unknown biller {payment.biller_code!r}")
    request = payment.request(biller.currency)
    try:
        stored = submit_payment(switch, counter, request, wait_s, cash=payment.terms)
    except NEVER_APPLICABLE as refusal:
        stored = _unapplied(switch, counter, request, payment.terms, refusal)
    if _terms_of(switch.reader(), stored.payment_id) != payment.terms:
        raise PaymentIdReused(f"payment id {payment.payment_id} was used for another payment")
    return _outcome(switch.reader(), stored)


def void_cash_payment(
    switch: Switch, counter_code: str, payment_id: str, by: str, reason: str, at: datetime
) -> CashOutcome:
    """Give a completed cash payment back: bills reopened, ledger reversed, cash handed back.

    Whether `by` may void, and within which shift, is the caller's to check. A
    payment whose refund was paid out already is not voided (the cash is gone);
    a returned (or unapplied) one has only its refund owed cancelled.
    A payment not settled yet (`debited`: the biller is out of reach) is
    EntryNotYet: the station sends the void again, and it applies once the
    payment is completed.
    """
    with switch.reader() as uow:
        payment = uow.payments.get(payment_id.lower())
        surplus = uow.cash.surplus(payment_id.lower())
    if (
        payment is None
        or payment.initiator != counter_code
        or payment.model is not PaymentModel.CASH
    ):
        raise UnknownPayment(f"no cash payment {payment_id} at counter {counter_code}")
    if surplus is not None and surplus["paid_at"] is not None:
        raise PaymentNotReversible(
            f"the refund of payment {payment_id} was paid out to the subscriber already",
            "صُرف للمشترك المبلغ المستحق عن هذه الدفعة، فلا تُلغى",
        )
    if not payment.is_final and payment.state is not PaymentState.REVERSING:
        raise EntryNotYet(
            f"payment {payment_id} is still {payment.state.value} at the switch (the biller "
            "has not answered yet): the void is applied once the payment is settled",
            "الدفعة لم تكتمل بعد لدى الجهة المفوترة؛ يُطبَّق الإلغاء حين تكتمل",
        )
    if payment.state is PaymentState.RETURNED:
        _cancel_refund(switch, payment, by, reason, at)
        return _outcome(switch.reader(), payment)
    reversed_payment = reverse_completed(switch, payment, by, reason, at)
    return _outcome(switch.reader(), reversed_payment)


def _unapplied(
    switch: Switch,
    counter: Participant,
    request: PaymentRequest,
    terms: CashTerms,
    refusal: FawtaraError,
) -> Payment:
    """Store cash the switch refused for good as a returned payment owing it all back."""
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        # The cash moved, so the row is kept even for a reference the switch refused:
        # cut to the column, as the counter sent it.
        reference = limits.clip(
            compact_reference(request.customer_ref), limits.customer_reference_length_max
        )
        row = payment_row(request, counter, reference, PaymentState.RETURNED, now, now)
        if uow.payments.add({**row, "reason_code": refusal.code}):
            stored = uow.payments.get(request.payment_id)
            assert stored is not None
            cash_books.unapplied(uow, stored, terms, now)
            uow.payments.add_event(
                request.payment_id,
                None,
                PaymentState.RETURNED,
                refusal.code,
                limits.clip(
                    f"cash not applied, owed back: {refusal.message}", limits.detail_length_max
                ),
                now,
            )
            uow.commit()
    return get_payment(switch.reader(), counter, request.payment_id)


def _cancel_refund(switch: Switch, payment: Payment, by: str, reason: str, at: datetime) -> None:
    """The void of a returned payment: its refund owed cancelled, the cash handed back."""
    with switch.uow_factory() as uow:
        surplus = uow.cash.surplus(payment.payment_id)
        if surplus is not None and surplus["paid_at"] is not None:
            raise PaymentNotReversible(
                f"the refund of payment {payment.payment_id} was paid out meanwhile"
            )
        cash_books.reverse(uow, payment, by, reason, at, switch.clock.now())
        uow.commit()


def shift_cash(uow: UnitOfWork, shift_id: str) -> tuple[int, int, int]:
    """(payments, cash taken, cash handed back by voids) of a shift, for its close."""
    with uow:
        return uow.cash.shift_totals(shift_id)


def _counter(switch: Switch, counter_code: str) -> Participant:
    with switch.reader() as uow:
        found = uow.participants.get(counter_code)
    if found is None or CASH_CHANNEL not in found[0].channels:
        raise UnknownCounter(f"no counter {counter_code!r} takes cash at the switch")
    return found[0]


def _terms_of(uow: UnitOfWork, payment_id: str) -> CashTerms:
    with uow:
        row = uow.cash.get(payment_id)
    assert row is not None, "a cash payment has its counter row"
    return CashTerms(
        row["counter_code"],
        row["shift_id"],
        row["cashier"],
        int(row["cash_taken_minor"]),
        row["accepted_at"],
    )


def _outcome(uow: UnitOfWork, payment: Payment) -> CashOutcome:
    with uow:
        row = uow.cash.get(payment.payment_id)
        reserved = uow.ledger.transfer(transfer_ids(payment.payment_id)["reserve"]) is not None
    assert row is not None, "a cash payment has its counter row"
    state = payment.state.value
    if payment.state is PaymentState.RETURNED and row["voided_at"] is not None:
        state = PaymentState.REVERSED.value
    elif not reserved:  # never applied: the whole cash taken is owed back
        state = "unapplied"
        row = {**row, "rounding_minor": 0, "refund_minor": row["cash_taken_minor"]}
    return CashOutcome(
        payment_id=payment.payment_id,
        state=state,
        receipt_no=payment.receipt_no,
        amount_due_minor=int(row["amount_due_minor"]),
        cash_taken_minor=int(row["cash_taken_minor"]),
        rounding_minor=int(row["rounding_minor"]),
        posted_minor=int(row["posted_minor"]),
        credit_minor=int(row["credit_minor"]),
        refund_minor=int(row["refund_minor"]),
        reason_code=payment.reason_code,
        accepted_at=row["accepted_at"],
    )
