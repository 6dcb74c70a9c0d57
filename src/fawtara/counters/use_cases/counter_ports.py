"""The repositories the counter use cases need (counters, staff, shifts, journal, audit).

Kept beside ports.py, whose UnitOfWork names them: `uow.counters`,
`uow.staff`, `uow.shifts`, `uow.counter_journal`, `uow.audit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fawtara.counters.domain.counters import Counter, UnpaidBill
from fawtara.counters.domain.shifts import Shift
from fawtara.counters.domain.staff import Role, StaffMember


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who did what, when and where. `role` is None for an unknown username."""

    at: datetime
    actor: str
    role: Role | None
    action: str
    counter_code: str | None
    governorate: str | None
    target: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class StoredSession:
    username: str
    place: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """A counter journal entry as the switch received it, and what came of it."""

    entry_id: str
    counter_code: str
    kind: str
    at: datetime
    cashier: str
    shift_id: str | None
    data: str  # canonical JSON: a re-sent entry must match it exactly
    received_at: datetime
    status: str  # applied | rejected
    result: dict[str, Any]


class CounterRepository(Protocol):
    def add(self, counter: Counter, created_at: datetime) -> bool: ...
    def get(self, code: str) -> Counter | None: ...
    def unpaid_bills(
        self, governorate: str, biller_codes: Sequence[str], after_bill_id: str, limit: int
    ) -> list[UnpaidBill]: ...
    def list(self) -> list[Counter]: ...


class StaffRepository(Protocol):
    def add(self, member: StaffMember, password_hash: str, created_at: datetime) -> bool: ...
    def get(self, username: str) -> tuple[StaffMember, str] | None: ...
    def of_counter(self, counter_code: str) -> list[tuple[StaffMember, str]]: ...
    def save_attempts(self, member: StaffMember) -> None: ...
    def add_session(
        self, token_hash: str, username: str, place: str, at: datetime, expires_at: datetime
    ) -> None: ...
    def session(self, token_hash: str) -> StoredSession | None: ...
    def end_session(self, token_hash: str) -> bool: ...


class ShiftRepository(Protocol):
    def add(self, shift: Shift) -> bool: ...
    def get(self, shift_id: str, for_update: bool = False) -> Shift | None: ...
    def open_of(self, counter_code: str, cashier: str) -> Shift | None: ...
    def save(self, shift: Shift) -> None: ...


class CounterJournalRepository(Protocol):
    def get(self, entry_id: str) -> JournalRecord | None: ...
    def add(self, record: JournalRecord) -> bool: ...


class AuditRepository(Protocol):
    def add(self, record: AuditRecord) -> None: ...
    def recent(self, counter_code: str | None, limit: int) -> list[AuditRecord]: ...
