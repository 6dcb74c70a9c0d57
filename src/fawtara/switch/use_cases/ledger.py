"""Ledger use cases: open accounts, transfer, post or void, verify the books."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from fawtara.kernel.errors import TransferIdReused, UnknownAccount, UnknownTransfer
from fawtara.kernel.ports import Clock, Progress
from fawtara.switch.domain.accounts import AccountSpec
from fawtara.switch.domain.ledger import (
    Account,
    Transfer,
    TransferKind,
    check_accounts,
    check_balanced,
    resolve_pending,
    transfer_violations,
)
from fawtara.switch.use_cases.ports import UnitOfWork

VERIFY_BATCH_ROWS = 10_000
OFFENDING_REPORTED_MAX = 1_000


def open_accounts(uow: UnitOfWork, specs: Iterable[AccountSpec], clock: Clock) -> list[Account]:
    """Open each account unless its code exists; returns all of them."""
    with uow:
        accounts = []
        for spec in specs:
            account = uow.ledger.account_by_code(spec.code)
            if account is None:
                account = uow.ledger.add_account(
                    spec.code,
                    spec.name_en,
                    spec.name_ar,
                    spec.type.value,
                    spec.currency,
                    clock.now(),
                )
            accounts.append(account)
        uow.commit()
        return accounts


def _account(uow: UnitOfWork, code: str) -> Account:
    account = uow.ledger.account_by_code(code)
    if account is None:
        raise UnknownAccount(f"no ledger account {code!r}")
    return account


def transfer(  # noqa: PLR0913 (keyword-only: the fields of a transfer, named at each call)
    uow: UnitOfWork,
    *,
    transfer_id: str,
    debit_code: str,
    credit_code: str,
    amount_minor: int,
    currency: str,
    code: str,
    reference: str,
    clock: Clock,
    pending: bool = False,
) -> Transfer:
    """Record a transfer; a retry with the same id and body returns the first."""
    with uow:
        debit, credit = _account(uow, debit_code), _account(uow, credit_code)
        candidate = Transfer(
            id=transfer_id,
            kind=TransferKind.PENDING if pending else TransferKind.SINGLE_PHASE,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount_minor=amount_minor,
            currency=currency,
            code=code,
            reference=reference,
            created_at=clock.now(),
        )
        check_accounts(candidate, debit, credit)
        return _store(uow, candidate)


def resolve(
    uow: UnitOfWork,
    *,
    resolution_id: str,
    pending_id: str,
    post: bool,
    clock: Clock,
    amount_minor: int | None = None,
) -> Transfer:
    """Post (all or part of) or void a pending transfer, at most once."""
    with uow:
        existing = uow.ledger.transfer(resolution_id)
        pending = uow.ledger.transfer(pending_id)
        if pending is None or pending.kind is not TransferKind.PENDING:
            raise UnknownTransfer(f"no pending transfer {pending_id!r}")
        # A retry of this very resolution is compared with the stored one by _store.
        already = existing is None and uow.ledger.is_resolved(pending_id)
        candidate = resolve_pending(
            pending,
            resolution_id=resolution_id,
            post=post,
            created_at=clock.now(),
            already_resolved=already,
            amount_minor=amount_minor,
        )
        return _store(uow, candidate)


def _store(uow: UnitOfWork, candidate: Transfer) -> Transfer:
    stored = record(uow, candidate)
    if stored is candidate:
        uow.commit()
    return stored


# Within the caller's transaction: the payment steps and the cash books move money in
# the same transaction as the state change that calls for it; they commit.


def record(uow: UnitOfWork, candidate: Transfer) -> Transfer:
    """Record a transfer once: a retry with the same id and body returns the stored one,
    the same id with another body is TransferIdReused; an unbalanced one is refused."""
    stored = uow.ledger.transfer(candidate.id)
    if stored is not None:
        if not stored.same_request(candidate):
            raise TransferIdReused(f"transfer id {candidate.id} was used for another transfer")
        return stored
    check_balanced(candidate.legs())
    uow.ledger.add_transfer(candidate)
    return candidate


def resolve_within(
    uow: UnitOfWork,
    pending: Transfer,
    *,
    resolution_id: str,
    post: bool,
    now: datetime,
    amount_minor: int | None = None,
) -> Transfer:
    """Post (all or part of) or void a pending transfer, at most once."""
    already = uow.ledger.transfer(resolution_id) is None and uow.ledger.is_resolved(pending.id)
    return record(
        uow,
        resolve_pending(
            pending,
            resolution_id=resolution_id,
            post=post,
            created_at=now,
            already_resolved=already,
            amount_minor=amount_minor,
        ),
    )


def reverse_within(
    uow: UnitOfWork,
    original: Transfer,
    *,
    reversal_id: str,
    now: datetime,
    amount_minor: int | None = None,
) -> Transfer:
    """The movement of `original` undone (debit and credit swapped), once."""
    return record(
        uow,
        Transfer(
            id=reversal_id,
            kind=TransferKind.SINGLE_PHASE,
            debit_account_id=original.credit_account_id,
            credit_account_id=original.debit_account_id,
            amount_minor=original.amount_minor if amount_minor is None else amount_minor,
            currency=original.currency,
            code="reversal",
            reference=original.reference,
            created_at=now,
        ),
    )


@dataclass
class LedgerReport:
    transfers_checked: int = 0
    offending_count: int = 0
    offending: list[tuple[str, list[str]]] = field(default_factory=list)
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # currency: (debits, credits)

    @property
    def balanced(self) -> bool:
        return self.offending_count == 0 and all(d == c for d, c in self.totals.values())


def verify_ledger(uow: UnitOfWork, progress: Progress | None = None) -> LedgerReport:
    """Re-check every stored transfer and the whole ledger's debits and credits."""
    report = LedgerReport()
    with uow:
        for summary in uow.ledger.summaries(VERIFY_BATCH_ROWS):
            report.transfers_checked += 1
            problems = transfer_violations(summary)
            if problems:
                report.offending_count += 1
                if len(report.offending) < OFFENDING_REPORTED_MAX:
                    report.offending.append((summary.transfer_id, problems))
            if progress is not None and report.transfers_checked % VERIFY_BATCH_ROWS == 0:
                progress(report.transfers_checked, None)
        report.totals = uow.ledger.totals_by_currency()
    return report
