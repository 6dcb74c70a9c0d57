"""The double-entry ledger, as worked accounting examples and rejection tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from fawtara.kernel import limits
from fawtara.kernel.errors import (
    CurrencyMismatch,
    InvalidAmount,
    PendingAlreadyResolved,
    UnbalancedTransfer,
)
from fawtara.switch.domain.ledger import (
    Account,
    AccountType,
    Balance,
    Leg,
    Side,
    StoredTransferSummary,
    Transfer,
    TransferKind,
    check_accounts,
    check_balanced,
    legs_problems,
    resolve_pending,
    transfer_violations,
)

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 10, 9, 31, tzinfo=UTC)

BANK = Account(
    1, "bank:BEMO:settlement", "Settlement with bank BEMO", "حساب التسوية", AccountType.ASSET, "SYP"
)
BILLER = Account(
    2, "biller:EDAM:payable", "Payable to biller EDAM", "مستحقات", AccountType.LIABILITY, "SYP"
)


def a_transfer(**changes: Any) -> Transfer:
    """A bank paying 3,200.00 SYP (320,000 qirsh) of electricity to the biller."""
    fields: dict[str, Any] = {
        "id": "pay-1",
        "kind": TransferKind.SINGLE_PHASE,
        "debit_account_id": BANK.id,
        "credit_account_id": BILLER.id,
        "amount_minor": 320_000,
        "currency": "SYP",
        "code": "bill_payment",
        "reference": "EDAM-2026-B1-42",
        "created_at": NOW,
    }
    fields.update(changes)
    return Transfer(**fields)


def a_pending(**changes: Any) -> Transfer:
    """The same movement, reserved first: a pending transfer."""
    fields: dict[str, Any] = {"id": "pend-1", "kind": TransferKind.PENDING}
    fields.update(changes)
    return a_transfer(**fields)


# Worked examples -------------------------------------------------------------------


def test_a_bill_payment_debits_the_bank_and_credits_the_biller_by_the_same_amount() -> None:
    payment = a_transfer()
    debit, credit = payment.legs()
    assert debit == Leg(BANK.id, Side.DEBIT, 320_000, "SYP")
    assert credit == Leg(BILLER.id, Side.CREDIT, 320_000, "SYP")
    check_balanced(payment.legs())  # does not raise
    assert legs_problems(payment.legs()) == []


def test_after_two_payments_the_bank_owes_and_the_biller_is_owed_the_same_sum() -> None:
    # Payment 1: 3,200.00 SYP; payment 2: 1,814.00 SYP; together 5,014.00 SYP = 501,400 qirsh.
    payments = [a_transfer(), a_transfer(id="pay-2", amount_minor=181_400)]
    bank_debits = sum(t.amount_minor for t in payments if t.debit_account_id == BANK.id)
    biller_credits = sum(t.amount_minor for t in payments if t.credit_account_id == BILLER.id)
    bank = Balance(debits_posted_minor=bank_debits)
    biller = Balance(credits_posted_minor=biller_credits)
    assert bank.net_posted_minor(BANK.type) == 501_400
    assert biller.net_posted_minor(BILLER.type) == 501_400


def test_posting_a_pending_transfer_in_full_moves_the_reserved_amount() -> None:
    pending = a_pending()
    posted = resolve_pending(
        pending, resolution_id="post-1", post=True, created_at=LATER, already_resolved=False
    )
    assert posted == Transfer(
        id="post-1",
        kind=TransferKind.POST_PENDING,
        debit_account_id=BANK.id,
        credit_account_id=BILLER.id,
        amount_minor=320_000,
        currency="SYP",
        code="bill_payment",
        reference="EDAM-2026-B1-42",
        created_at=LATER,
        pending_id="pend-1",
    )


def test_posting_part_of_a_pending_transfer_moves_only_that_part() -> None:
    # 3,200.00 SYP reserved, 2,000.00 SYP posted: the other 1,200.00 SYP lapses.
    posted = resolve_pending(
        a_pending(),
        resolution_id="post-1",
        post=True,
        created_at=LATER,
        already_resolved=False,
        amount_minor=200_000,
    )
    assert posted.kind is TransferKind.POST_PENDING
    assert posted.amount_minor == 200_000
    assert posted.pending_id == "pend-1"


@pytest.mark.parametrize("amount_minor", [None, 100])
def test_voiding_a_pending_transfer_releases_the_whole_reservation(
    amount_minor: int | None,
) -> None:
    voided = resolve_pending(
        a_pending(),
        resolution_id="void-1",
        post=False,
        created_at=LATER,
        already_resolved=False,
        amount_minor=amount_minor,
    )
    assert voided.kind is TransferKind.VOID_PENDING
    assert voided.amount_minor == 320_000
    assert (voided.debit_account_id, voided.credit_account_id) == (BANK.id, BILLER.id)
    assert voided.pending_id == "pend-1"


def test_posting_a_pending_transfer_twice_is_refused() -> None:
    pending = a_pending()
    resolve_pending(
        pending, resolution_id="post-1", post=True, created_at=LATER, already_resolved=False
    )
    with pytest.raises(PendingAlreadyResolved):
        resolve_pending(
            pending, resolution_id="post-2", post=True, created_at=LATER, already_resolved=True
        )


def test_voiding_an_already_posted_pending_transfer_is_refused() -> None:
    with pytest.raises(PendingAlreadyResolved):
        resolve_pending(
            a_pending(), resolution_id="void-1", post=False, created_at=LATER, already_resolved=True
        )


@pytest.mark.parametrize(
    ("amount_minor", "reason"),
    [
        (320_001, "exceeds the pending amount"),  # one qirsh more than reserved
        (10**12, "exceeds the pending amount"),
        (0, "must be positive"),
        (-1, "must be positive"),
    ],
)
def test_posting_more_than_pending_or_nothing_is_refused(amount_minor: int, reason: str) -> None:
    with pytest.raises(InvalidAmount, match=reason):
        resolve_pending(
            a_pending(),
            resolution_id="post-1",
            post=True,
            created_at=LATER,
            already_resolved=False,
            amount_minor=amount_minor,
        )


def test_only_a_pending_transfer_can_be_resolved() -> None:
    with pytest.raises(AssertionError):
        resolve_pending(
            a_transfer(),
            resolution_id="post-1",
            post=True,
            created_at=LATER,
            already_resolved=False,
        )


# Building a transfer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [
        ({"amount_minor": 0}, InvalidAmount, "positive"),
        ({"amount_minor": -500}, InvalidAmount, "positive"),
        ({"amount_minor": limits.amount_minor_max + 1}, InvalidAmount, "exceeds the limit"),
        ({"amount_minor": 1.5}, InvalidAmount, "integer"),
        ({"currency": "USD"}, InvalidAmount, "unknown currency"),
        ({"credit_account_id": BANK.id}, UnbalancedTransfer, "another"),
    ],
)
def test_a_transfer_that_breaks_a_rule_cannot_be_built(
    changes: dict[str, Any], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error, match=reason):
        a_transfer(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": TransferKind.POST_PENDING},  # resolves, but names no pending transfer
        {"kind": TransferKind.VOID_PENDING},
        {"pending_id": "pend-1"},  # single phase, yet names a pending transfer
        {"id": ""},
        {"id": "x" * 65},
        {"reference": "r" * (limits.description_length_max + 1)},
    ],
)
def test_impossible_transfers_are_programmer_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        a_transfer(**changes)


def test_the_largest_amount_and_longest_id_are_accepted() -> None:
    transfer = a_transfer(id="x" * 64, amount_minor=limits.amount_minor_max)
    assert transfer.amount_minor == 10**15


# Idempotent retries ----------------------------------------------------------------


def test_a_retry_with_another_id_and_time_is_the_same_request() -> None:
    assert a_transfer().same_request(a_transfer(id="pay-1-retry", created_at=LATER))


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": TransferKind.PENDING},
        {"debit_account_id": 3},
        {"credit_account_id": 3},
        {"amount_minor": 320_001},
        {"code": "refund"},
        {"reference": "EDAM-2026-B2-42"},
    ],
)
def test_a_request_differing_in_any_movement_field_is_not_the_same(
    changes: dict[str, Any],
) -> None:
    original = a_transfer()
    assert not original.same_request(replace(original, **changes))


def test_resolutions_of_different_pending_transfers_are_not_the_same_request() -> None:
    first = resolve_pending(
        a_pending(), resolution_id="post-1", post=True, created_at=LATER, already_resolved=False
    )
    second = resolve_pending(
        a_pending(id="pend-2"),
        resolution_id="post-1",
        post=True,
        created_at=LATER,
        already_resolved=False,
    )
    assert not first.same_request(second)


# Currency of the accounts ---------------------------------------------------------------


def test_a_transfer_in_the_accounts_currency_passes_the_account_check() -> None:
    check_accounts(a_transfer(), BANK, BILLER)  # does not raise


@pytest.mark.parametrize("which", ["debit", "credit"])
def test_an_account_in_another_currency_is_a_currency_mismatch(which: str) -> None:
    usd = {"debit": replace(BANK, currency="USD"), "credit": replace(BILLER, currency="USD")}
    debit = usd["debit"] if which == "debit" else BANK
    credit = usd["credit"] if which == "credit" else BILLER
    with pytest.raises(CurrencyMismatch, match="is in USD, transfer in SYP"):
        check_accounts(a_transfer(), debit, credit)


# Checking legs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legs", "problems"),
    [
        (
            [Leg(1, Side.DEBIT, 500, "SYP"), Leg(2, Side.CREDIT, 400, "SYP")],
            ["debits do not equal credits"],
        ),
        (
            [
                Leg(1, Side.DEBIT, 500, "SYP"),
                Leg(3, Side.DEBIT, 500, "SYP"),
                Leg(2, Side.CREDIT, 1000, "SYP"),
            ],
            ["has 2 debit and 1 credit legs, wants 1 and 1"],
        ),
        (
            [Leg(1, Side.DEBIT, 500, "SYP")],
            ["has 1 debit and 0 credit legs, wants 1 and 1", "debits do not equal credits"],
        ),
        (
            [Leg(1, Side.DEBIT, -500, "SYP"), Leg(2, Side.CREDIT, -500, "SYP")],
            ["a leg amount is not positive"],
        ),
        (
            [Leg(1, Side.DEBIT, 0, "SYP"), Leg(2, Side.CREDIT, 0, "SYP")],
            ["a leg amount is not positive"],
        ),
        (
            [Leg(1, Side.DEBIT, 500, "SYP"), Leg(2, Side.CREDIT, 500, "USD")],
            ["legs in different currencies"],
        ),
        (
            [Leg(1, Side.DEBIT, 500, "SYP"), Leg(1, Side.CREDIT, 500, "SYP")],
            ["debits and credits the same account"],
        ),
    ],
    ids=["unequal", "two-debits", "one-leg", "negative", "zero", "currencies", "same-account"],
)
def test_unbalanced_legs_are_named_and_refused(legs: list[Leg], problems: list[str]) -> None:
    assert legs_problems(legs) == problems
    with pytest.raises(UnbalancedTransfer):
        check_balanced(legs)


# Verifying stored transfers --------------------------------------------------------------


def a_summary(**changes: Any) -> StoredTransferSummary:
    """A sound stored single-phase transfer of 500 qirsh."""
    fields: dict[str, Any] = {
        "transfer_id": "pay-1",
        "kind": "single_phase",
        "amount_minor": 500,
        "debit_legs": 1,
        "credit_legs": 1,
        "debit_sum_minor": 500,
        "credit_sum_minor": 500,
        "nonpositive_legs": 0,
        "currencies": 1,
        "distinct_accounts": 2,
        "pending_kind": None,
        "pending_amount_minor": None,
        "resolutions_of_pending": 0,
    }
    fields.update(changes)
    return StoredTransferSummary(**fields)


def a_resolution_summary(**changes: Any) -> StoredTransferSummary:
    """A sound stored posting of 300 qirsh out of a 500 qirsh pending transfer."""
    fields: dict[str, Any] = {
        "kind": "post_pending",
        "amount_minor": 300,
        "debit_sum_minor": 300,
        "credit_sum_minor": 300,
        "pending_kind": "pending",
        "pending_amount_minor": 500,
        "resolutions_of_pending": 1,
    }
    fields.update(changes)
    return a_summary(**fields)


def test_sound_stored_transfers_have_no_violations() -> None:
    assert transfer_violations(a_summary()) == []
    assert transfer_violations(a_summary(kind="pending")) == []
    assert transfer_violations(a_resolution_summary()) == []
    assert (
        transfer_violations(
            a_resolution_summary(
                kind="void_pending", amount_minor=500, debit_sum_minor=500, credit_sum_minor=500
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("summary", "violations"),
    [
        (
            a_summary(debit_legs=2, debit_sum_minor=1000, credit_sum_minor=1000),
            ["2 debit and 1 credit legs, wants 1 and 1", "legs total 1000, transfer says 500"],
        ),
        (
            a_summary(credit_sum_minor=499),
            ["debits 500 != credits 499"],
        ),
        (
            a_summary(debit_sum_minor=400, credit_sum_minor=400),
            ["legs total 400, transfer says 500"],
        ),
        (
            a_summary(nonpositive_legs=1),
            ["an amount is not positive"],
        ),
        (
            a_summary(amount_minor=0, debit_sum_minor=0, credit_sum_minor=0),
            ["an amount is not positive"],
        ),
        (
            a_summary(currencies=2),
            ["legs in different currencies"],
        ),
        (
            a_summary(distinct_accounts=1),
            ["debits and credits the same account"],
        ),
        (
            a_resolution_summary(pending_kind="single_phase"),
            ["resolves a transfer that is not pending"],
        ),
        (
            a_resolution_summary(pending_kind=None, pending_amount_minor=None),
            ["resolves a transfer that is not pending"],
        ),
        (
            # 600 posted out of 500 pending
            a_resolution_summary(amount_minor=600, debit_sum_minor=600, credit_sum_minor=600),
            ["posts more than was pending"],
        ),
        (
            a_resolution_summary(resolutions_of_pending=2),
            ["its pending transfer is resolved more than once"],
        ),
    ],
    ids=[
        "three-legs",
        "unequal-sums",
        "legs-differ-from-amount",
        "nonpositive-leg",
        "zero-amount",
        "currencies",
        "same-account",
        "resolves-single-phase",
        "resolves-nothing",
        "posts-too-much",
        "resolved-twice",
    ],
)
def test_a_crafted_unsound_stored_transfer_is_reported(
    summary: StoredTransferSummary, violations: list[str]
) -> None:
    assert transfer_violations(summary) == violations


# Balances -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_type", "net_minor"),
    [
        # debits 1,000 - credits 300 = 700 in the debit direction
        (AccountType.ASSET, 700),
        (AccountType.EXPENSE, 700),
        # and -700 in the credit direction
        (AccountType.LIABILITY, -700),
        (AccountType.EQUITY, -700),
        (AccountType.INCOME, -700),
    ],
)
def test_net_posted_balance_follows_the_accounts_normal_side(
    account_type: AccountType, net_minor: int
) -> None:
    balance = Balance(
        debits_posted_minor=1000,
        credits_posted_minor=300,
        debits_pending_minor=50_000,
        credits_pending_minor=70_000,
    )
    assert balance.net_posted_minor(account_type) == net_minor


def test_pending_reservations_do_not_move_the_posted_balance() -> None:
    assert Balance(debits_pending_minor=320_000).net_posted_minor(AccountType.ASSET) == 0
    assert Balance(credits_pending_minor=320_000).net_posted_minor(AccountType.LIABILITY) == 0
