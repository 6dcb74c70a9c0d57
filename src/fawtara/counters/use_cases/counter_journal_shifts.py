"""The counter journal's sign-in and shift entries, and a shift's view with its drawer.

Each handler changes the switch's state in the caller's transaction (the
journal row and the audit row go in the same one, counter_journal.py) and
answers the person who acted (for the audit's role) and SHIFT_VIEW for a
shift entry ({} otherwise).

    sign_in {} | sign_in_failed {"reason"} | sign_out {}
    shift_open {"opening_float_minor"}
    shift_close {"counted_minor", "expected_minor"}  (the switch recomputes expected)
    close_approved {"approved_by"}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.shifts import Shift, ShiftCash, expected_minor
from fawtara.counters.domain.staff import Action, StaffMember
from fawtara.counters.use_cases.counter_journal_entry import (
    JournalEntry,
    amount_field,
    own_open_shift,
    shift_at,
    staff_at,
)
from fawtara.kernel.errors import InvalidJournalEntry, ShiftAlreadyOpen, UnknownCounter
from fawtara.switch.use_cases.ports import UnitOfWork

Handler = Callable[[UnitOfWork, Counter, JournalEntry], tuple[StaffMember | None, dict[str, Any]]]


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
    opening_float = amount_field(entry, "opening_float_minor")
    shift = Shift(entry.shift_id, counter.code, entry.cashier, entry.at, opening_float)
    if not uow.shifts.add(shift):
        raise ShiftAlreadyOpen(f"shift {entry.shift_id} exists already")
    return member, shift_view(uow, shift)


def _shift_close(
    uow: UnitOfWork, counter: Counter, entry: JournalEntry
) -> tuple[Any, dict[str, Any]]:
    member = staff_at(uow, counter, entry.cashier, Action.CLOSE_SHIFT)
    shift = own_open_shift(uow, counter, entry)
    counted = amount_field(entry, "counted_minor")
    closed = shift.close(counted, shift_cash_of(uow, shift), entry.at)
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


SHIFT_HANDLERS: dict[str, Handler] = {
    "sign_in": _sign_in,
    "sign_in_failed": _sign_in_failed,
    "sign_out": _sign_in,  # the same check: someone of this counter
    "shift_open": _shift_open,
    "shift_close": _shift_close,
    "close_approved": _close_approved,
}


# --- A shift's figures --------------------------------------------------------------


def shift_cash_of(uow: UnitOfWork, shift: Shift) -> ShiftCash:
    """The drawer's figures in the caller's transaction (shift_cash opens its own)."""
    payments, cash_taken_minor, voided_minor = uow.cash.shift_totals(shift.shift_id)
    refunds_paid_minor = uow.cash.refunds_paid(shift.shift_id)
    return ShiftCash(payments, cash_taken_minor, voided_minor, refunds_paid_minor)


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
        else expected_minor(shift.opening_float_minor, cash)
    )
    return {
        "shift_id": shift.shift_id,
        "cashier": shift.cashier,
        "opened_at": shift.opened_at.isoformat(),
        "opening_float_minor": shift.opening_float_minor,
        "payments": cash.payments,
        "cash_taken_minor": cash.cash_taken_minor,
        "voided_minor": cash.voided_minor,
        "refunds_paid_minor": cash.refunds_paid_minor,
        "expected_minor": expected,
        "counted_minor": shift.counted_minor,
        "variance_minor": shift.variance_minor,
        "state": shift.state.value,
        "approved_by": shift.approved_by,
    }
