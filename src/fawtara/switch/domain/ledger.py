"""The double-entry ledger: accounts, immutable transfers, pending reservations.

Design overview (after TigerBeetle and django-hordak):

* A transfer moves a positive `amount_minor` from one account to another: it
  is stored as two legs, a debit leg and a credit leg of the same amount and
  currency, on two different accounts. Legs sum to zero, per transfer and so
  across the whole ledger.
* Transfers are immutable. A correction is a new transfer.
* Two-phase transfers: a `PENDING` transfer reserves an amount; exactly one
  later transfer resolves it, either `POST_PENDING` (the amount, or less, is
  posted) or `VOID_PENDING` (the reservation lapses). A pending transfer is
  resolved at most once.

    PENDING ──post──▶ POST_PENDING (posted)
        └────void──▶ VOID_PENDING (voided)
    SINGLE_PHASE (posted at once)

The balance rule is enforced three times: here (`Transfer` cannot be built
unbalanced), in the database (a trigger refuses a transfer whose legs do not
balance, and refuses updates and deletes), and by `fawtara ledger verify`,
which re-checks every stored transfer with `transfer_violations`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fawtara.kernel import limits
from fawtara.kernel.errors import (
    CurrencyMismatch,
    InvalidAmount,
    PendingAlreadyResolved,
    UnbalancedTransfer,
)
from fawtara.kernel.money import check_amount_minor, check_currency


class AccountType(enum.Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Side(enum.Enum):
    DEBIT = "D"
    CREDIT = "C"


class TransferKind(enum.Enum):
    SINGLE_PHASE = "single_phase"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    code: str
    name_en: str
    name_ar: str
    type: AccountType
    currency: str


@dataclass(frozen=True, slots=True)
class Leg:
    account_id: int
    side: Side
    amount_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class Transfer:
    """One immutable movement of money between two accounts."""

    id: str
    kind: TransferKind
    debit_account_id: int
    credit_account_id: int
    amount_minor: int
    currency: str
    code: str
    reference: str
    created_at: datetime
    pending_id: str | None = None

    def __post_init__(self) -> None:
        check_currency(self.currency)
        check_amount_minor(self.amount_minor)
        if self.amount_minor <= 0:
            raise InvalidAmount(
                f"a transfer moves a positive amount, got {self.amount_minor}",
                "مبلغ القيد يجب أن يكون موجباً",
            )
        if self.debit_account_id == self.credit_account_id:
            raise UnbalancedTransfer("a transfer must debit one account and credit another")
        resolves = self.kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING)
        assert resolves == (self.pending_id is not None), "pending_id iff resolving"
        assert 0 < len(self.id) <= 64, "transfer ids are 1..64 characters"
        assert len(self.reference) <= limits.description_length_max

    def legs(self) -> tuple[Leg, Leg]:
        return (
            Leg(self.debit_account_id, Side.DEBIT, self.amount_minor, self.currency),
            Leg(self.credit_account_id, Side.CREDIT, self.amount_minor, self.currency),
        )

    def same_request(self, other: Transfer) -> bool:
        """True when `other` asks for the same movement (idempotent retry)."""
        return (
            self.kind,
            self.debit_account_id,
            self.credit_account_id,
            self.amount_minor,
            self.currency,
            self.code,
            self.reference,
            self.pending_id,
        ) == (
            other.kind,
            other.debit_account_id,
            other.credit_account_id,
            other.amount_minor,
            other.currency,
            other.code,
            other.reference,
            other.pending_id,
        )


def check_accounts(transfer: Transfer, debit: Account, credit: Account) -> None:
    """A transfer's currency is the currency of both its accounts."""
    for account in (debit, credit):
        if account.currency != transfer.currency:
            raise CurrencyMismatch(
                f"account {account.code} is in {account.currency}, transfer in {transfer.currency}"
            )


def resolve_pending(
    pending: Transfer,
    *,
    resolution_id: str,
    post: bool,
    created_at: datetime,
    already_resolved: bool,
    amount_minor: int | None = None,
) -> Transfer:
    """The transfer that posts (all or part of) or voids a pending one."""
    assert pending.kind is TransferKind.PENDING, "only a pending transfer can be resolved"
    if already_resolved:
        raise PendingAlreadyResolved(f"pending transfer {pending.id} is already resolved")
    amount = pending.amount_minor if amount_minor is None else amount_minor
    if not 0 < amount <= pending.amount_minor:
        raise InvalidAmount(
            f"posting {amount} exceeds the pending amount {pending.amount_minor}"
            if amount > 0
            else f"a posting amount must be positive, got {amount}"
        )
    return Transfer(
        id=resolution_id,
        kind=TransferKind.POST_PENDING if post else TransferKind.VOID_PENDING,
        debit_account_id=pending.debit_account_id,
        credit_account_id=pending.credit_account_id,
        amount_minor=amount if post else pending.amount_minor,
        currency=pending.currency,
        code=pending.code,
        reference=pending.reference,
        created_at=created_at,
        pending_id=pending.id,
    )


def check_balanced(legs: Sequence[Leg]) -> None:
    """Legs of one transfer: one debit, one credit, same amount and currency."""
    problems = legs_problems(legs)
    if problems:
        raise UnbalancedTransfer("; ".join(problems))


def legs_problems(legs: Sequence[Leg]) -> list[str]:
    problems: list[str] = []
    debits = [leg for leg in legs if leg.side is Side.DEBIT]
    credits = [leg for leg in legs if leg.side is Side.CREDIT]
    if len(debits) != 1 or len(credits) != 1:
        problems.append(f"has {len(debits)} debit and {len(credits)} credit legs, wants 1 and 1")
    if sum(leg.amount_minor for leg in debits) != sum(leg.amount_minor for leg in credits):
        problems.append("debits do not equal credits")
    if any(leg.amount_minor <= 0 for leg in legs):
        problems.append("a leg amount is not positive")
    if len({leg.currency for leg in legs}) > 1:
        problems.append("legs in different currencies")
    if len(debits) == 1 and len(credits) == 1 and debits[0].account_id == credits[0].account_id:
        problems.append("debits and credits the same account")
    return problems


@dataclass(frozen=True, slots=True)
class StoredTransferSummary:
    """What verification reads of one stored transfer (aggregated in SQL)."""

    transfer_id: str
    kind: str
    amount_minor: int
    debit_legs: int
    credit_legs: int
    debit_sum_minor: int
    credit_sum_minor: int
    nonpositive_legs: int
    currencies: int
    distinct_accounts: int
    pending_kind: str | None  # kind of the transfer named by pending_id
    pending_amount_minor: int | None
    resolutions_of_pending: int


def transfer_violations(summary: StoredTransferSummary) -> list[str]:
    """Every rule a stored transfer breaks; empty when it is sound."""
    s = summary
    problems: list[str] = []
    if s.debit_legs != 1 or s.credit_legs != 1:
        problems.append(f"{s.debit_legs} debit and {s.credit_legs} credit legs, wants 1 and 1")
    if s.debit_sum_minor != s.credit_sum_minor:
        problems.append(f"debits {s.debit_sum_minor} != credits {s.credit_sum_minor}")
    if s.debit_sum_minor != s.amount_minor:
        problems.append(f"legs total {s.debit_sum_minor}, transfer says {s.amount_minor}")
    if s.amount_minor <= 0 or s.nonpositive_legs:
        problems.append("an amount is not positive")
    if s.currencies > 1:
        problems.append("legs in different currencies")
    if s.debit_legs + s.credit_legs >= 2 and s.distinct_accounts < 2:
        problems.append("debits and credits the same account")
    if s.kind in (TransferKind.POST_PENDING.value, TransferKind.VOID_PENDING.value):
        if s.pending_kind != TransferKind.PENDING.value:
            problems.append("resolves a transfer that is not pending")
        elif s.pending_amount_minor is not None and s.amount_minor > s.pending_amount_minor:
            problems.append("posts more than was pending")
        if s.resolutions_of_pending > 1:
            problems.append("its pending transfer is resolved more than once")
    return problems


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's sums; pending amounts are reservations not yet resolved."""

    debits_posted_minor: int = 0
    credits_posted_minor: int = 0
    debits_pending_minor: int = 0
    credits_pending_minor: int = 0

    def net_posted_minor(self, account_type: AccountType) -> int:
        """Posted balance in the account's normal direction."""
        debit_normal = account_type in (AccountType.ASSET, AccountType.EXPENSE)
        net = self.debits_posted_minor - self.credits_posted_minor
        return net if debit_normal else -net
