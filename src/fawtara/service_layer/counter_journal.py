"""The counter journal: what a station did, applied once on the switch.

A station writes every action to its local journal first and pushes it here
(POST /v1/counter/journal), at once when the link is up, later when it is not.
Each entry carries an id made at the station: the switch keeps every entry it
received (table counter_journal) with its answer, so a re-sent entry changes
nothing and gets the first answer again ("duplicate", or "rejected" with the
same error); the same id with another body is JOURNAL_ENTRY_REUSED.

The switch trusts nothing the station checked: for each entry it checks that
the person works at this counter and is active, that the role allows the
action (domain/staff.py), that the shift is open and theirs. Every entry,
applied or rejected, is an audit row (who, when, where).

Kinds and their data:

    sign_in {} | sign_in_failed {"reason"} | sign_out {}
    shift_open {"opening_float_minor"}
    payment {"payment_id", "biller", "customer_ref", "bill_ids", "amount_due_minor",
             "cash_taken_minor", "msisdn"}          -> cash_payments.take_cash_payment
    void {"payment_id", "reason"}                    -> cash_payments.void_cash_payment
    shift_close {"counted_minor", "expected_minor"}  (the switch recomputes expected)
    close_approved {"approved_by"}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.domain import limits
from fawtara.domain.counters import Counter
from fawtara.domain.errors import (
    FawtaraError,
    InvalidJournalEntry,
    JournalEntryReused,
    LimitExceeded,
    NotAllowed,
    NotYourShift,
    ShiftAlreadyOpen,
    ShiftNotOpen,
    Unavailable,
    UnknownCounter,
    UnknownShift,
    UnknownStaff,
)
from fawtara.domain.shifts import Shift, ShiftCash, ShiftState
from fawtara.domain.staff import Action, StaffMember, check
from fawtara.service_layer.cash_payments import (
    CashPayment,
    take_cash_payment,
    void_cash_payment,
)
from fawtara.service_layer.counter_ports import JournalRecord
from fawtara.service_layer.counters import counter_billers
from fawtara.service_layer.lifecycle import Lifecycle, record_counter_sync
from fawtara.service_layer.payment_steps import Switch
from fawtara.service_layer.ports import UnitOfWork
from fawtara.service_layer.staff import audit

CASH_KINDS = ("payment", "void")
LOCAL_KINDS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "shift_open",
    "shift_close",
    "close_approved",
)
JOURNAL_DATA_LENGTH_MAX = 8000  # the counter_journal.data column
AUDIT_DETAIL_LENGTH_MAX = 400  # the audit_log.detail column


@dataclass(frozen=True, slots=True)
class JournalEntry:
    entry_id: str
    kind: str
    at: datetime  # when it happened at the counter (aware)
    cashier: str
    shift_id: str | None
    data: dict[str, Any]

    def canonical_data(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class EntryResult:
    entry_id: str
    status: str  # applied | duplicate | rejected
    error: dict[str, str] | None = None
    outcome: dict[str, Any] | None = None  # CASH_OUTCOME of a payment or void
    shift: dict[str, Any] | None = None  # SHIFT_VIEW after a shift entry


@dataclass(frozen=True)
class CounterDesk:
    """What applying a journal needs: the switch (cash payments) and the lifecycle."""

    switch: Switch
    lifecycle: Lifecycle


def apply_journal(
    desk: CounterDesk,
    counter_code: str,
    entries: Sequence[JournalEntry],
    synced_through: datetime | None,
) -> list[EntryResult]:
    """Apply the entries in order; then note how far the counter has synced.

    An Unavailable error (or any unexpected one) stops the batch: the entries
    before it are kept, and the station sends the rest again later.
    """
    if len(entries) > limits.counter_journal_entries_max:
        raise LimitExceeded(f"at most {limits.counter_journal_entries_max} entries per push")
    with desk.switch.reader() as uow:
        counter = uow.counters.get(counter_code)
        billers = [biller.code for biller in counter_billers(uow)]
    if counter is None:
        raise UnknownCounter(f"participant {counter_code} is not a registered counter")
    results = [apply_entry(desk, counter, entry) for entry in entries]
    if synced_through is not None:
        for biller_code in billers:
            record_counter_sync(desk.lifecycle, counter.code, biller_code, synced_through)
    return results


def apply_entry(desk: CounterDesk, counter: Counter, entry: JournalEntry) -> EntryResult:
    if entry.kind not in CASH_KINDS + LOCAL_KINDS:
        raise InvalidJournalEntry(f"entry {entry.entry_id}: unknown kind {entry.kind!r}")
    with desk.switch.reader() as uow:
        earlier = uow.counter_journal.get(entry.entry_id)
    if earlier is not None:
        return answer_again(earlier, counter, entry)
    try:
        if entry.kind in CASH_KINDS:
            return apply_cash_entry(desk, counter, entry)
        return apply_local_entry(desk, counter, entry)
    except Unavailable:
        raise
    except FawtaraError as error:
        return reject(desk, counter, entry, error)


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


# --- Entries applied in one transaction of their own ------------------------------


Handler = Callable[[UnitOfWork, Counter, JournalEntry], tuple[StaffMember | None, dict[str, Any]]]


def apply_local_entry(desk: CounterDesk, counter: Counter, entry: JournalEntry) -> EntryResult:
    """State change, journal row and audit row in one transaction."""
    with desk.switch.uow_factory() as uow:
        member, shift = LOCAL_HANDLERS[entry.kind](uow, counter, entry)
        result = {"error": None, "outcome": None, "shift": shift or None}
        if not store(uow, counter, entry, "applied", result, desk):
            uow.rollback()
            return _stored_meanwhile(desk, counter, entry)
        audit(
            uow,
            entry.at,
            entry.cashier,
            None if member is None else member.role,
            entry.kind,
            counter.code,
            entry.shift_id,
            _detail(entry),
        )
        uow.commit()
    return EntryResult(entry.entry_id, "applied", **result)


def _sign_in(uow: UnitOfWork, counter: Counter, entry: JournalEntry) -> tuple[Any, dict[str, Any]]:
    return staff_at(uow, counter, entry.cashier, Action.SIGN_IN), {}


def _sign_in_failed(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry
) -> tuple[Any, dict[str, Any]]:
    found = uow.staff.get(entry.cashier)
    return (None if found is None else found[0]), {}


def _shift_open(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry
) -> tuple[Any, dict[str, Any]]:
    member = staff_at(uow, counter, entry.cashier, Action.OPEN_SHIFT)
    if entry.shift_id is None:
        raise InvalidJournalEntry("shift_open needs the shift_id made at the station")
    if uow.shifts.open_of(counter.code, entry.cashier) is not None:
        raise ShiftAlreadyOpen(f"{entry.cashier} has a shift open already; close it first")
    shift = Shift(
        entry.shift_id, counter.code, entry.cashier, entry.at, _amount(entry, "opening_float_minor")
    )
    if not uow.shifts.add(shift):
        raise ShiftAlreadyOpen(f"shift {entry.shift_id} exists already")
    return member, shift_view(uow, shift)


def _shift_close(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry
) -> tuple[Any, dict[str, Any]]:
    member = staff_at(uow, counter, entry.cashier, Action.CLOSE_SHIFT)
    shift = own_open_shift(uow, counter, entry)
    closed = shift.close(_amount(entry, "counted_minor"), shift_cash_of(uow, shift), entry.at)
    uow.shifts.save(closed)
    return member, shift_view(uow, closed)


def _close_approved(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry
) -> tuple[Any, dict[str, Any]]:
    approver = str(entry.data.get("approved_by") or entry.cashier)
    member = staff_at(uow, counter, approver, Action.APPROVE_CLOSE)
    shift = shift_at(uow, counter, entry.shift_id)
    approved = shift.approve(approver, entry.at)
    uow.shifts.save(approved)
    return member, shift_view(uow, approved)


LOCAL_HANDLERS: dict[str, Handler] = {
    "sign_in": _sign_in,
    "sign_in_failed": _sign_in_failed,
    "sign_out": _sign_in,  # the same check: someone of this counter
    "shift_open": _shift_open,
    "shift_close": _shift_close,
    "close_approved": _close_approved,
}
assert set(LOCAL_HANDLERS) == set(LOCAL_KINDS)


# --- Cash entries: the switch's own transactions, then the journal row ------------


def apply_cash_entry(desk: CounterDesk, counter: Counter, entry: JournalEntry) -> EntryResult:
    """Check, then pay or void through the switch (idempotent by payment id), then record.

    A crash between the payment and the journal row is harmless: the re-sent
    entry pays again with the same payment id, which answers the first outcome.
    """
    with desk.switch.reader() as uow:  # checks only: nothing locked, nothing written
        if entry.kind == "payment":
            member = staff_at(uow, counter, entry.cashier, Action.TAKE_PAYMENT)
            own_open_shift(uow, counter, entry, lock=False)
        else:
            member = staff_at(uow, counter, entry.cashier, Action.VOID_PAYMENT)
            shift_at(uow, counter, entry.shift_id, open_only=True, lock=False)
    try:
        if entry.kind == "payment":
            outcome = take_cash_payment(desk.switch, cash_payment(counter, entry))
        else:
            outcome = void_cash_payment(
                desk.switch,
                counter.code,
                _text(entry, "payment_id"),
                entry.cashier,
                _text(entry, "reason"),
                entry.at,
            )
    except KeyError as missing:
        raise InvalidJournalEntry(f"{entry.kind} entry lacks {missing}") from None
    result = {"error": None, "outcome": outcome.to_json(), "shift": None}
    with desk.switch.uow_factory() as uow:
        if not store(uow, counter, entry, "applied", result, desk):
            uow.rollback()
            return _stored_meanwhile(desk, counter, entry)
        audit(
            uow,
            entry.at,
            entry.cashier,
            member.role,
            entry.kind,
            counter.code,
            _text(entry, "payment_id"),
            _detail(entry),
        )
        uow.commit()
    return EntryResult(entry.entry_id, "applied", **result)


def cash_payment(counter: Counter, entry: JournalEntry) -> CashPayment:
    data = entry.data
    return CashPayment(
        payment_id=_text(entry, "payment_id"),
        counter_code=counter.code,
        shift_id=entry.shift_id,
        cashier=entry.cashier,
        biller_code=_text(entry, "biller"),
        customer_ref=_text(entry, "customer_ref"),
        bill_ids=tuple(str(bill_id) for bill_id in data["bill_ids"]),
        amount_due_minor=_amount(entry, "amount_due_minor"),
        cash_taken_minor=_amount(entry, "cash_taken_minor"),
        accepted_at=entry.at,
        msisdn=data.get("msisdn"),
    )


# --- Rejections and storage -------------------------------------------------------


def reject(
    desk: CounterDesk, counter: Counter, entry: JournalEntry, error: FawtaraError
) -> EntryResult:
    result = {"error": error.as_dict(), "outcome": None, "shift": None}
    with desk.switch.uow_factory() as uow:
        if not store(uow, counter, entry, "rejected", result, desk):
            uow.rollback()
            return _stored_meanwhile(desk, counter, entry)
        found = uow.staff.get(entry.cashier)
        audit(
            uow,
            entry.at,
            entry.cashier,
            None if found is None else found[0].role,
            f"{entry.kind}_rejected",
            counter.code,
            entry.shift_id,
            error.code,
        )
        uow.commit()
    return EntryResult(entry.entry_id, "rejected", error=result["error"])


def store(
    uow: UnitOfWork,
    counter: Counter,
    entry: JournalEntry,
    status: str,
    result: dict[str, Any],
    desk: CounterDesk,
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
        desk.switch.clock.now(),
        status,
        result,
    )
    return uow.counter_journal.add(record)


def _stored_meanwhile(desk: CounterDesk, counter: Counter, entry: JournalEntry) -> EntryResult:
    with desk.switch.reader() as uow:
        earlier = uow.counter_journal.get(entry.entry_id)
    assert earlier is not None, "a conflicting insert leaves the row behind"
    return answer_again(earlier, counter, entry)


# --- Checks -----------------------------------------------------------------------


def staff_at(uow: UnitOfWork, counter: Counter, username: str, action: Action) -> StaffMember:
    """The active staff member `username`, allowed `action` at this counter."""
    found = uow.staff.get(username)
    if found is None:
        raise UnknownStaff(f"no staff member {username}")
    member = found[0]
    if not member.active:
        raise NotAllowed(f"the account of {username} is disabled")
    check(member.role, action, own_counter=member.works_at(counter.code))
    return member


def shift_at(
    uow: UnitOfWork,
    counter: Counter,
    shift_id: str | None,
    open_only: bool = False,
    lock: bool = True,
) -> Shift:
    shift = None if shift_id is None else uow.shifts.get(shift_id, for_update=lock)
    if shift is None or shift.counter_code != counter.code:
        raise UnknownShift(f"no shift {shift_id} at counter {counter.code}")
    if open_only and shift.state is not ShiftState.OPEN:
        raise ShiftNotOpen(f"shift {shift_id} is {shift.state.value}")
    return shift


def own_open_shift(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry, lock: bool = True
) -> Shift:
    shift = shift_at(uow, counter, entry.shift_id, open_only=True, lock=lock)
    if shift.cashier != entry.cashier:
        raise NotYourShift(f"shift {shift.shift_id} is {shift.cashier}'s, not {entry.cashier}'s")
    return shift


# --- Figures and plain data ---------------------------------------------------------


def shift_cash_of(uow: UnitOfWork, shift: Shift) -> ShiftCash:
    """The drawer's figures in the caller's transaction (shift_cash opens its own)."""
    payments, cash_taken_minor, voided_minor = uow.cash.shift_totals(shift.shift_id)
    return ShiftCash(payments, cash_taken_minor, voided_minor)


def view_shift(uow: UnitOfWork, counter_code: str, shift_id: str) -> dict[str, Any]:
    """SHIFT_VIEW of a shift of this counter (GET /v1/counter/shifts/{id})."""
    with uow:
        counter = uow.counters.get(counter_code)
        if counter is None:
            raise UnknownCounter(f"participant {counter_code} is not a registered counter")
        return shift_view(uow, shift_at(uow, counter, shift_id, lock=False))


def shift_view(uow: UnitOfWork, shift: Shift) -> dict[str, Any]:
    """SHIFT_VIEW: the shift and its drawer's figures (expected as of now while open)."""
    cash = shift_cash_of(uow, shift)
    expected = (
        shift.expected_minor
        if shift.expected_minor is not None
        else shift.opening_float_minor + cash.cash_taken_minor - cash.voided_minor
    )
    return {
        "shift_id": shift.shift_id,
        "cashier": shift.cashier,
        "opened_at": shift.opened_at.isoformat(),
        "opening_float_minor": shift.opening_float_minor,
        "payments": cash.payments,
        "cash_taken_minor": cash.cash_taken_minor,
        "voided_minor": cash.voided_minor,
        "expected_minor": expected,
        "counted_minor": shift.counted_minor,
        "variance_minor": shift.variance_minor,
        "state": shift.state.value,
        "approved_by": shift.approved_by,
    }


def _amount(entry: JournalEntry, name: str) -> int:
    value = entry.data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidJournalEntry(f"{entry.kind} entry needs {name} as an integer (qirsh)")
    return value


def _text(entry: JournalEntry, name: str) -> str:
    value = entry.data.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= limits.description_length_max:
        raise InvalidJournalEntry(f"{entry.kind} entry needs {name} as text")
    return value


def _detail(entry: JournalEntry) -> str:
    """The audit detail: the entry's data, cut to the audit column's size with a mark."""
    text = entry.canonical_data()
    return (
        text if len(text) <= AUDIT_DETAIL_LENGTH_MAX else text[: AUDIT_DETAIL_LENGTH_MAX - 1] + "…"
    )
