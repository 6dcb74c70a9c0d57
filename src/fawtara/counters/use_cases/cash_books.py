"""The books of a cash payment, written inside the switch's own transactions.

A cash payment is a payment of model CASH (channel `counter`); its payer is
the counter's drawer, counter:{C}:cash. Beside the rows every payment has,
it writes, each in the transaction of the move it belongs to:

- receive: the counter_payments row (cash taken, when, by whom, and the
  split of the amount due); the rounding, cash taken − amount due, between
  counter:{C}:cash and switch:cash_rounding.
- completed: the surplus. A refund moves biller:{B}:payable →
  switch:refunds_due; a credit stays in the biller's payable; a
  cash_surpluses row records either.
- returned (the biller refused for good): the whole amount due is a refund,
  counter:{C}:cash → switch:refunds_due.
- unapplied (the switch refused the entry for good: the biller no longer
  takes cash, the bill or service is unknown): no receive, no reservation;
  the counter row, and the whole cash taken a refund, counter:{C}:cash →
  switch:refunds_due.
- reversed (a void; of a returned or unapplied payment too, while its
  refund is not paid out): the rounding and refund transfers undone, the
  surplus cancelled, the counter row marked voided.
- refund paid out (at any counter C', counters/use_cases/cash_refunds.py):
  switch:refunds_due → counter:{C'}:cash.

Transfer ids are `{payment}:rounding`, `:refund`, their `_reversal`s and
`:refund_paid`, so a retried move finds them and writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.counters.domain.cash import CashSplit
from fawtara.kernel import limits
from fawtara.switch.domain import accounts
from fawtara.switch.domain.accounts import AccountSpec
from fawtara.switch.domain.ledger import Account, Transfer, TransferKind
from fawtara.switch.domain.payments import Payment, PaymentRequest, transfer_ids
from fawtara.switch.use_cases import ledger
from fawtara.switch.use_cases.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class CashTerms:
    """What a cash payment adds to a payment request: the drawer's side."""

    counter_code: str
    shift_id: str | None
    cashier: str
    cash_taken_minor: int
    accepted_at: datetime  # aware: when the cash was taken at the counter


def _account(uow: UnitOfWork, spec: AccountSpec, now: datetime) -> Account:
    """The account of `spec`, opened the first time a cash payment needs it."""
    account = uow.ledger.account_by_code(spec.code)
    if account is None:
        uow.ledger.add_account(
            spec.code, spec.name_en, spec.name_ar, spec.type.value, spec.currency, now
        )
        account = uow.ledger.account_by_code(spec.code)
    assert account is not None
    return account


def drawer(uow: UnitOfWork, counter_code: str, now: datetime) -> Account:
    return _account(uow, accounts.counter_cash(counter_code), now)


def _transfer(
    uow: UnitOfWork,
    transfer_id: str,
    debit: Account,
    credit: Account,
    amount_minor: int,
    code: str,
    reference: str,
    now: datetime,
) -> None:
    """A single-phase transfer, once (a retried move finds it and stops)."""
    if amount_minor == 0 or uow.ledger.transfer(transfer_id) is not None:
        return
    if amount_minor < 0:
        debit, credit, amount_minor = credit, debit, -amount_minor
    ledger.record(
        uow,
        Transfer(
            id=transfer_id,
            kind=TransferKind.SINGLE_PHASE,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount_minor=amount_minor,
            currency=debit.currency,
            code=code,
            reference=limits.clip(reference, limits.transfer_reference_length_max),
            created_at=now,
        ),
    )


def receive(
    uow: UnitOfWork, request: PaymentRequest, terms: CashTerms, split: CashSplit, now: datetime
) -> None:
    """The counter's row and the rounding, with the payment's own receive."""
    rounding = terms.cash_taken_minor - request.amount_minor
    uow.cash.add(
        {
            "payment_id": request.payment_id,
            "counter_code": terms.counter_code,
            "shift_id": terms.shift_id,
            "cashier": terms.cashier,
            "amount_due_minor": request.amount_minor,
            "cash_taken_minor": terms.cash_taken_minor,
            "rounding_minor": rounding,
            "posted_bill_ids": list(split.bill_ids),
            "posted_minor": split.posted_minor,
            "credit_minor": split.credit_minor,
            "refund_minor": split.refund_minor,
            "accepted_at": terms.accepted_at,
        }
    )
    _transfer(
        uow,
        transfer_ids(request.payment_id)["rounding"],
        drawer(uow, terms.counter_code, now),
        _account(uow, accounts.switch_account(accounts.CASH_ROUNDING), now),
        rounding,
        "cash_rounding",
        f"{request.biller_code} {request.customer_ref}",
        now,
    )


def complete(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """The surplus of a completed cash payment: refund moved out, credit recorded."""
    row = uow.cash.get(payment.payment_id)
    assert row is not None, "a cash payment has its counter row from receive on"
    _transfer(
        uow,
        transfer_ids(payment.payment_id)["refund"],
        _account(uow, accounts.biller_payable(payment.biller_code), now),
        _account(uow, accounts.switch_account(accounts.REFUNDS_DUE), now),
        int(row["refund_minor"]),
        "cash_refund",
        f"{payment.biller_code} {payment.customer_ref}",
        now,
    )
    _record_surplus(uow, payment, int(row["credit_minor"]), int(row["refund_minor"]), now)


def refund_all(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """The biller refused the cash payment: the whole amount due is owed back."""
    uow.cash.set_split(
        payment.payment_id,
        posted_bill_ids=[],
        posted_minor=0,
        credit_minor=0,
        refund_minor=payment.amount_minor,
    )
    _transfer(
        uow,
        transfer_ids(payment.payment_id)["refund"],
        drawer(uow, payment.payer_bank, now),
        _account(uow, accounts.switch_account(accounts.REFUNDS_DUE), now),
        payment.amount_minor,
        "cash_refund",
        f"{payment.biller_code} {payment.customer_ref}",
        now,
    )
    _record_surplus(uow, payment, 0, payment.amount_minor, now)


def unapplied(uow: UnitOfWork, payment: Payment, terms: CashTerms, now: datetime) -> None:
    """Cash the switch can never apply (stored as a returned payment): all of it owed back."""
    uow.cash.add(
        {
            "payment_id": payment.payment_id,
            "counter_code": terms.counter_code,
            "shift_id": terms.shift_id,
            "cashier": terms.cashier,
            "amount_due_minor": payment.amount_minor,
            "cash_taken_minor": terms.cash_taken_minor,
            "rounding_minor": terms.cash_taken_minor - payment.amount_minor,
            "posted_bill_ids": [],
            "posted_minor": 0,
            "credit_minor": 0,
            "refund_minor": payment.amount_minor,
            "accepted_at": terms.accepted_at,
        }
    )
    _transfer(
        uow,
        transfer_ids(payment.payment_id)["refund"],
        drawer(uow, terms.counter_code, now),
        _account(uow, accounts.switch_account(accounts.REFUNDS_DUE), now),
        terms.cash_taken_minor,
        "cash_refund",
        f"{payment.biller_code} {payment.customer_ref}",
        now,
    )
    _record_surplus(uow, payment, 0, terms.cash_taken_minor, now)


def refund_paid(uow: UnitOfWork, surplus: dict[str, Any], counter_code: str, now: datetime) -> None:
    """The refund of a surplus handed over in cash from the drawer of `counter_code`."""
    _transfer(
        uow,
        transfer_ids(surplus["payment_id"])["refund_paid"],
        _account(uow, accounts.switch_account(accounts.REFUNDS_DUE), now),
        drawer(uow, counter_code, now),
        int(surplus["amount_minor"]),
        "refund_paid",
        f"{surplus['biller_code']} {surplus['customer_ref']}",
        now,
    )


def _record_surplus(
    uow: UnitOfWork, payment: Payment, credit_minor: int, refund_minor: int, now: datetime
) -> None:
    if credit_minor or refund_minor:
        uow.cash.add_surplus(
            {
                "payment_id": payment.payment_id,
                "biller_code": payment.biller_code,
                "customer_ref": payment.customer_ref,
                "kind": "credit" if credit_minor else "refund",
                "amount_minor": credit_minor or refund_minor,
                "currency": payment.currency,
                "created_at": now,
            }
        )


def reverse(
    uow: UnitOfWork, payment: Payment, by: str, reason: str, at: datetime, now: datetime
) -> None:
    """A completed cash payment undone at `at` (the reservation is reversed by the caller)."""
    ids = transfer_ids(payment.payment_id)
    for done, undo in (("rounding", "rounding_reversal"), ("refund", "refund_reversal")):
        original = uow.ledger.transfer(ids[done])
        if original is not None and uow.ledger.transfer(ids[undo]) is None:
            ledger.reverse_within(uow, original, reversal_id=ids[undo], now=now)
    uow.cash.cancel_surplus(payment.payment_id, at)
    uow.cash.mark_voided(payment.payment_id, at, by, reason)


def sms_fields(uow: UnitOfWork, payment: Payment) -> dict[str, Any]:
    """What the subscriber's SMS says about a surplus (credit or refund)."""
    row = uow.cash.get(payment.payment_id)
    assert row is not None
    return {"credit_minor": int(row["credit_minor"]), "refund_minor": int(row["refund_minor"])}
