"""Repositories of the counters: counters, staff and sessions, shifts, journal, audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from fawtara.counters.domain.counters import Counter, UnpaidBill
from fawtara.counters.domain.shifts import Shift, ShiftState
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases.counter_ports import (
    AuditRecord,
    JournalRecord,
    StoredSession,
)
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict

UNPAID = ("issued", "partially_paid")


class SqlCounterRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, counter: Counter, created_at: datetime) -> bool:
        return insert_ignoring_conflict(
            self.connection,
            t.counters,
            {
                "code": counter.code,
                "name_ar": counter.name_ar,
                "name_en": counter.name_en,
                "governorate": counter.governorate,
                "public_key": counter.public_key,
                "certificate": counter.certificate,
                "created_at": created_at,
            },
        )

    def get(self, code: str) -> Counter | None:
        row = self.connection.execute(select(t.counters).where(t.counters.c.code == code)).first()
        return None if row is None else _counter(row)

    def unpaid_bills(
        self, governorate: str, biller_codes: Sequence[str], after_bill_id: str, limit: int
    ) -> list[UnpaidBill]:
        b, s = t.presented_bills, t.presented_services
        query = (
            select(
                b.c.id,
                b.c.biller_code,
                s.c.reference,
                s.c.name_ar,
                s.c.msisdn,
                b.c.cycle_id,
                (b.c.amount_minor - b.c.paid_minor).label("due"),
                b.c.due_on,
            )
            .join(s, s.c.id == b.c.service_id)
            .where(
                s.c.governorate == governorate,
                b.c.biller_code.in_(list(biller_codes)),
                b.c.status.in_(UNPAID),
                b.c.id > after_bill_id,
            )
            .order_by(b.c.id)
            .limit(limit)
        )
        return [UnpaidBill(*row) for row in self.connection.execute(query)]

    def list(self) -> list[Counter]:
        rows = self.connection.execute(select(t.counters).order_by(t.counters.c.code))
        return [_counter(row) for row in rows]


def _counter(row: Any) -> Counter:
    return Counter(
        row.code, row.name_ar, row.name_en, row.governorate, row.public_key, row.certificate
    )


class SqlStaffRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, member: StaffMember, password_hash: str, created_at: datetime) -> bool:
        return insert_ignoring_conflict(
            self.connection,
            t.staff,
            {
                "username": member.username,
                "name_ar": member.name_ar,
                "role": member.role.value,
                "counter_code": member.counter_code,
                "password_hash": password_hash,
                "active": int(member.active),
                "failed_attempts": member.failed_attempts,
                "locked_until": member.locked_until,
                "created_at": created_at,
            },
        )

    def get(self, username: str) -> tuple[StaffMember, str] | None:
        row = self.connection.execute(select(t.staff).where(t.staff.c.username == username)).first()
        return None if row is None else (_member(row), row.password_hash)

    def of_counter(self, counter_code: str) -> list[tuple[StaffMember, str]]:
        rows = self.connection.execute(
            select(t.staff)
            .where(t.staff.c.counter_code == counter_code)
            .order_by(t.staff.c.username)
        )
        return [(_member(row), row.password_hash) for row in rows]

    def save_attempts(self, member: StaffMember) -> None:
        self.connection.execute(
            update(t.staff)
            .where(t.staff.c.username == member.username)
            .values(failed_attempts=member.failed_attempts, locked_until=member.locked_until)
        )

    def add_session(
        self, token_hash: str, username: str, place: str, at: datetime, expires_at: datetime
    ) -> None:
        self.connection.execute(
            insert(t.staff_sessions).values(
                token_hash=token_hash,
                username=username,
                place=place,
                signed_in_at=at,
                expires_at=expires_at,
            )
        )

    def session(self, token_hash: str) -> StoredSession | None:
        row = self.connection.execute(
            select(t.staff_sessions).where(t.staff_sessions.c.token_hash == token_hash)
        ).first()
        return None if row is None else StoredSession(row.username, row.place, row.expires_at)

    def end_session(self, token_hash: str) -> bool:
        result = self.connection.execute(
            delete(t.staff_sessions).where(t.staff_sessions.c.token_hash == token_hash)
        )
        return result.rowcount > 0


def _member(row: Any) -> StaffMember:
    return StaffMember(
        username=row.username,
        name_ar=row.name_ar,
        role=Role(row.role),
        counter_code=row.counter_code,
        active=bool(row.active),
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
    )


class SqlShiftRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, shift: Shift) -> bool:
        return insert_ignoring_conflict(self.connection, t.shifts, _shift_values(shift))

    def get(self, shift_id: str, for_update: bool = False) -> Shift | None:
        query = select(t.shifts).where(t.shifts.c.shift_id == shift_id)
        row = self.connection.execute(query.with_for_update() if for_update else query).first()
        return None if row is None else _shift(row)

    def open_of(self, counter_code: str, cashier: str) -> Shift | None:
        row = self.connection.execute(
            select(t.shifts).where(
                t.shifts.c.counter_code == counter_code,
                t.shifts.c.cashier == cashier,
                t.shifts.c.state == ShiftState.OPEN.value,
            )
        ).first()
        return None if row is None else _shift(row)

    def save(self, shift: Shift) -> None:
        self.connection.execute(
            update(t.shifts)
            .where(t.shifts.c.shift_id == shift.shift_id)
            .values(**_shift_values(shift))
        )


def _shift_values(shift: Shift) -> dict[str, Any]:
    return {
        "shift_id": shift.shift_id,
        "counter_code": shift.counter_code,
        "cashier": shift.cashier,
        "opened_at": shift.opened_at,
        "opening_float_minor": shift.opening_float_minor,
        "state": shift.state.value,
        "closed_at": shift.closed_at,
        "expected_minor": shift.expected_minor,
        "counted_minor": shift.counted_minor,
        "approved_by": shift.approved_by,
        "approved_at": shift.approved_at,
    }


def _shift(row: Any) -> Shift:
    return Shift(
        shift_id=row.shift_id,
        counter_code=row.counter_code,
        cashier=row.cashier,
        opened_at=row.opened_at,
        opening_float_minor=row.opening_float_minor,
        state=ShiftState(row.state),
        closed_at=row.closed_at,
        expected_minor=row.expected_minor,
        counted_minor=row.counted_minor,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


class SqlCounterJournalRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, entry_id: str) -> JournalRecord | None:
        row = self.connection.execute(
            select(t.counter_journal).where(t.counter_journal.c.entry_id == entry_id)
        ).first()
        if row is None:
            return None
        return JournalRecord(
            entry_id=row.entry_id,
            counter_code=row.counter_code,
            kind=row.kind,
            at=row.at,
            cashier=row.cashier,
            shift_id=row.shift_id,
            data=row.data,
            received_at=row.received_at,
            status=row.status,
            result=row.result,
        )

    def add(self, record: JournalRecord) -> bool:
        return insert_ignoring_conflict(
            self.connection,
            t.counter_journal,
            {
                "entry_id": record.entry_id,
                "counter_code": record.counter_code,
                "kind": record.kind,
                "at": record.at,
                "cashier": record.cashier,
                "shift_id": record.shift_id,
                "data": record.data,
                "received_at": record.received_at,
                "status": record.status,
                "result": record.result,
            },
        )


class SqlAuditRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, record: AuditRecord) -> None:
        self.connection.execute(
            insert(t.audit_log).values(
                at=record.at,
                actor=record.actor,
                role=None if record.role is None else record.role.value,
                action=record.action,
                counter_code=record.counter_code,
                governorate=record.governorate,
                target=record.target,
                detail=record.detail,
            )
        )

    def recent(self, counter_code: str | None, limit: int) -> list[AuditRecord]:
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        if counter_code is not None:
            query = query.where(t.audit_log.c.counter_code == counter_code)
        return [
            AuditRecord(
                at=row.at,
                actor=row.actor,
                role=None if row.role is None else Role(row.role),
                action=row.action,
                counter_code=row.counter_code,
                governorate=row.governorate,
                target=row.target,
                detail=row.detail,
            )
            for row in self.connection.execute(query)
        ]
