"""A counter journal entry as the switch receives it, and the checks its handlers make.

The switch trusts nothing the station checked: the person must be active and
allowed the action at this counter (counters/domain/staff.py), the shift must be this
counter's, open, and (for a cashier's own work) theirs. The entry's fields are
read here too, each refused with InvalidJournalEntry when missing or of the
wrong type. Used by counter_journal.py and its handlers (counter_journal_shifts.py,
counter_journal_cash.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.shifts import Shift, ShiftState
from fawtara.counters.domain.staff import Action, StaffMember, check
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    InvalidJournalEntry,
    NotAllowed,
    NotYourShift,
    ShiftNotOpen,
    UnknownShift,
    UnknownStaff,
)
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import UnitOfWork

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


@dataclass(frozen=True)
class JournalServices:
    """What applying a journal needs: the switch (cash payments, the counters' sync marks).

    (Not the station's `station.counter.CounterDesk`, the cashier's use cases.)"""

    switch: Switch


# --- Checks -----------------------------------------------------------------------


def staff_at(
    uow: UnitOfWork, counter: Counter, username: str, action: Action, active_only: bool = True
) -> StaffMember:
    """The staff member `username`, allowed `action` at this counter, and active unless
    `active_only` is False (cash that moved already: see counter_journal_cash.py)."""
    found = uow.staff.get(username)
    if found is None:
        raise UnknownStaff(f"no staff member {username}")
    member = found[0]
    if active_only and not member.active:
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


# --- Fields -------------------------------------------------------------------------


def amount_field(entry: JournalEntry, name: str) -> int:
    value = entry.data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidJournalEntry(f"{entry.kind} entry needs {name} as an integer (qirsh)")
    return value


def text_field(entry: JournalEntry, name: str) -> str:
    value = entry.data.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= limits.description_length_max:
        raise InvalidJournalEntry(f"{entry.kind} entry needs {name} as text")
    return value


def audit_detail(entry: JournalEntry) -> str:
    """The audit detail: the entry's data, cut to the audit column's size with a mark."""
    text = entry.canonical_data()
    return (
        text if len(text) <= AUDIT_DETAIL_LENGTH_MAX else text[: AUDIT_DETAIL_LENGTH_MAX - 1] + "…"
    )
