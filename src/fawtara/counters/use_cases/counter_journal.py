"""The counter journal: what a station did, applied once on the switch.

A station writes every action to its local journal first and pushes it here
(POST /v1/counter/journal), at once when the link is up, later when it is not.
Each entry carries an id made at the station: the switch keeps every entry it
received (table counter_journal) with its answer, so a re-sent entry changes
nothing and gets the first answer again ("duplicate", or "rejected" with the
same error); the same id with another body is JOURNAL_ENTRY_REUSED.

The switch trusts nothing the station checked: for each entry it checks that
the person works at this counter and is active, that the role allows the
action (counters/domain/staff.py), that the shift is open and theirs
(counter_journal_entry.py). Every entry, applied or rejected, is an audit row
(who, when, where).

This module is the driver: order, idempotency, the journal and audit rows.
The kinds and their data are handled in counter_journal_shifts.py (sign_in,
sign_in_failed, sign_out, shift_open, shift_close, close_approved: one
transaction with the journal row), counter_journal_cash.py (payment, void:
the switch's own transactions, then the journal row), and here refund_paid
{"payment_id", "amount_minor"} (counters/use_cases/cash_refunds.py, one transaction
with the journal row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Action, Role
from fawtara.counters.use_cases.cash_refunds import pay_refund
from fawtara.counters.use_cases.counter_journal_cash import (
    CASH_KINDS,
    check_cash_entry,
    pay_or_void,
)
from fawtara.counters.use_cases.counter_journal_entry import (
    JournalEntry,
    JournalServices,
    amount_field,
    audit_detail,
    own_open_shift,
    staff_at,
    text_field,
)
from fawtara.counters.use_cases.counter_journal_shifts import SHIFT_HANDLERS, shift_view
from fawtara.counters.use_cases.counter_ports import JournalRecord
from fawtara.counters.use_cases.counter_sync import record_counter_sync
from fawtara.counters.use_cases.counters import counter_billers
from fawtara.counters.use_cases.staff import audit
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    FawtaraError,
    InvalidJournalEntry,
    JournalEntryReused,
    LimitExceeded,
    Unavailable,
    UnknownCounter,
)
from fawtara.kernel.log_context import payment_context
from fawtara.switch.use_cases.ports import UnitOfWork

__all__ = ["EntryResult", "JournalEntry", "JournalServices", "apply_journal"]

JOURNAL_DATA_LENGTH_MAX = 8000  # the counter_journal.data column


@dataclass(frozen=True, slots=True)
class EntryResult:
    entry_id: str
    status: str  # applied | duplicate | rejected
    error: dict[str, str] | None = None
    outcome: dict[str, Any] | None = None  # CASH_OUTCOME of a payment or void; REFUND_OUTCOME
    shift: dict[str, Any] | None = None  # SHIFT_VIEW after a shift entry


def apply_journal(
    services: JournalServices,
    counter_code: str,
    entries: Sequence[JournalEntry],
    synced_through: datetime | None,
) -> list[EntryResult]:
    """Apply the entries in order; then note how far the counter has synced.

    An Unavailable error (or any unexpected one) stops the batch: the entries
    before it are kept, and the station sends the rest again later. That is how
    an entry the switch cannot apply *yet* waits (EntryNotYet, 503), with the
    entries behind it, instead of being rejected for good.
    """
    if len(entries) > limits.counter_journal_entries_max:
        raise LimitExceeded(f"at most {limits.counter_journal_entries_max} entries per push")
    with services.switch.reader() as uow:
        counter = uow.counters.get(counter_code)
        billers = [biller.code for biller in counter_billers(uow)]
    if counter is None:
        raise UnknownCounter(f"participant {counter_code} is not a registered counter")
    results = [apply_entry(services, counter, entry) for entry in entries]
    if synced_through is not None:
        for biller_code in billers:
            record_counter_sync(
                services.switch.uow_factory,
                services.switch.clock,
                counter.code,
                biller_code,
                synced_through,
            )
    return results


REFUND_PAID = "refund_paid"


def apply_entry(services: JournalServices, counter: Counter, entry: JournalEntry) -> EntryResult:
    known = (*CASH_KINDS, *SHIFT_HANDLERS, REFUND_PAID)
    if entry.kind not in known:
        raise InvalidJournalEntry(f"entry {entry.entry_id}: unknown kind {entry.kind!r}")
    with services.switch.reader() as uow:
        earlier = uow.counter_journal.get(entry.entry_id)
    if earlier is not None:
        return answer_again(earlier, counter, entry)
    try:
        if entry.kind in CASH_KINDS:
            return apply_cash_entry(services, counter, entry)
        if entry.kind == REFUND_PAID:
            return apply_refund_entry(services, counter, entry)
        return apply_shift_entry(services, counter, entry)
    except Unavailable:
        raise
    except FawtaraError as error:
        return reject(services, counter, entry, error)


def answer_again(earlier: JournalRecord, counter: Counter, entry: JournalEntry) -> EntryResult:
    same = (
        earlier.counter_code,
        earlier.kind,
        earlier.cashier,
        earlier.shift_id,
        earlier.data,
    ) == (
        counter.code,
        entry.kind,
        entry.cashier,
        entry.shift_id,
        entry.canonical_data(),
    )
    if not same or earlier.at != entry.at:
        return EntryResult(
            entry.entry_id,
            "rejected",
            JournalEntryReused(
                f"entry {entry.entry_id} was received before with other content"
            ).as_dict(),
        )
    status = "duplicate" if earlier.status == "applied" else "rejected"
    return EntryResult(entry.entry_id, status, **earlier.result)


def apply_shift_entry(
    services: JournalServices, counter: Counter, entry: JournalEntry
) -> EntryResult:
    """State change, journal row and audit row in one transaction."""
    with services.switch.uow_factory() as uow:
        member, shift = SHIFT_HANDLERS[entry.kind](uow, counter, entry)
        result = {"error": None, "outcome": None, "shift": shift or None}
        role = None if member is None else member.role
        return record_entry(services, uow, counter, entry, result, role, entry.shift_id)


def apply_cash_entry(
    services: JournalServices, counter: Counter, entry: JournalEntry
) -> EntryResult:
    """Check, then pay or void through the switch (idempotent by payment id), then record.

    A crash between the payment and the journal row is harmless: the re-sent
    entry pays again with the same payment id, which answers the first outcome.
    """
    target = text_field(entry, "payment_id")
    with payment_context(target.lower()):
        with services.switch.reader() as uow:  # checks only: nothing locked, nothing written
            member = check_cash_entry(uow, counter, entry, services.switch.clock.now())
        outcome = pay_or_void(services.switch, counter, entry)
        result = {"error": None, "outcome": outcome.to_json(), "shift": None}
        with services.switch.uow_factory() as uow:
            return record_entry(services, uow, counter, entry, result, member.role, target)


def apply_refund_entry(
    services: JournalServices, counter: Counter, entry: JournalEntry
) -> EntryResult:
    """A refund handed over from this counter's drawer, in an open shift of the cashier's:
    the payout, the journal row and the audit row in one transaction."""
    with services.switch.uow_factory() as uow:
        member = staff_at(uow, counter, entry.cashier, Action.PAY_REFUND)
        shift = own_open_shift(uow, counter, entry)
        payment_id = text_field(entry, "payment_id")
        outcome = pay_refund(
            uow,
            counter.code,
            shift.shift_id,
            entry.cashier,
            payment_id,
            amount_field(entry, "amount_minor"),
            entry.at,
            services.switch.clock.now(),
        )
        result = {"error": None, "outcome": outcome, "shift": shift_view(uow, shift)}
        return record_entry(services, uow, counter, entry, result, member.role, payment_id)


def reject(
    services: JournalServices, counter: Counter, entry: JournalEntry, error: FawtaraError
) -> EntryResult:
    result = {"error": error.as_dict(), "outcome": None, "shift": None}
    with services.switch.uow_factory() as uow:
        found = uow.staff.get(entry.cashier)
        role = None if found is None else found[0].role
        return record_entry(services, uow, counter, entry, result, role, entry.shift_id)


# --- The journal and audit rows -----------------------------------------------------


def record_entry(
    services: JournalServices,
    uow: UnitOfWork,
    counter: Counter,
    entry: JournalEntry,
    result: dict[str, Any],
    role: Role | None,
    target: str | None,
) -> EntryResult:
    """The journal row and the audit row, committed with what `uow` did already.

    A result with an error records a rejection (audit action `{kind}_rejected`,
    the error code as detail). When the same entry id was stored meanwhile, all
    of `uow` is rolled back and the entry is answered as the first time.
    """
    status = "applied" if result["error"] is None else "rejected"
    if not store(uow, counter, entry, status, result, services):
        uow.rollback()
        return _stored_meanwhile(services, counter, entry)
    if status == "applied":
        action, detail = entry.kind, audit_detail(entry)
    else:
        action, detail = f"{entry.kind}_rejected", result["error"]["code"]
    audit(uow, entry.at, entry.cashier, role, action, counter.code, target, detail)
    uow.commit()
    return EntryResult(entry.entry_id, status, **result)


def store(
    uow: UnitOfWork,
    counter: Counter,
    entry: JournalEntry,
    status: str,
    result: dict[str, Any],
    services: JournalServices,
) -> bool:
    """The journal row; False when the same entry id was stored meanwhile."""
    data = entry.canonical_data()
    if len(data) > JOURNAL_DATA_LENGTH_MAX:
        raise InvalidJournalEntry(f"entry {entry.entry_id}: data over {JOURNAL_DATA_LENGTH_MAX}")
    record = JournalRecord(
        entry.entry_id,
        counter.code,
        entry.kind,
        entry.at,
        entry.cashier,
        entry.shift_id,
        data,
        services.switch.clock.now(),
        status,
        result,
    )
    return uow.counter_journal.add(record)


def _stored_meanwhile(
    services: JournalServices, counter: Counter, entry: JournalEntry
) -> EntryResult:
    with services.switch.reader() as uow:
        earlier = uow.counter_journal.get(entry.entry_id)
    assert earlier is not None, "a conflicting insert leaves the row behind"
    return answer_again(earlier, counter, entry)
