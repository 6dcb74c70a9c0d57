"""The counter's side of cash payments: counter_payments and cash_surpluses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from fawtara.kernel import limits
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict


class SqlCashRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, values: dict[str, Any]) -> None:
        self.connection.execute(t.counter_payments.insert().values(**values))

    def get(self, payment_id: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(t.counter_payments).where(t.counter_payments.c.payment_id == payment_id)
        ).first()
        return None if row is None else dict(row._mapping)

    def set_split(self, payment_id: str, **split: Any) -> None:
        self.connection.execute(
            update(t.counter_payments)
            .where(t.counter_payments.c.payment_id == payment_id)
            .values(**split)
        )

    def mark_voided(self, payment_id: str, at: datetime, by: str, reason: str) -> bool:
        """Once: False when the payment was voided already."""
        cp = t.counter_payments
        result = self.connection.execute(
            update(cp)
            .where(cp.c.payment_id == payment_id, cp.c.voided_at.is_(None))
            .values(
                voided_at=at,
                voided_by=limits.clip(by, limits.username_length_max),
                void_reason=limits.clip(reason, limits.reason_length_max),
            )
        )
        return result.rowcount == 1

    def add_surplus(self, values: dict[str, Any]) -> bool:
        return insert_ignoring_conflict(self.connection, t.cash_surpluses, values)

    def cancel_surplus(self, payment_id: str, at: datetime) -> None:
        cs = t.cash_surpluses
        self.connection.execute(
            update(cs)
            .where(cs.c.payment_id == payment_id, cs.c.cancelled_at.is_(None))
            .values(cancelled_at=at)
        )

    def surplus(self, payment_id: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(t.cash_surpluses).where(t.cash_surpluses.c.payment_id == payment_id)
        ).first()
        return None if row is None else dict(row._mapping)

    def mark_refund_paid(
        self, payment_id: str, at: datetime, counter_code: str, by: str, shift_id: str
    ) -> bool:
        """Once: False when the refund is not owed (paid already, cancelled, a credit)."""
        cs = t.cash_surpluses
        result = self.connection.execute(
            update(cs)
            .where(
                cs.c.payment_id == payment_id,
                cs.c.kind == "refund",
                cs.c.paid_at.is_(None),
                cs.c.cancelled_at.is_(None),
            )
            .values(
                paid_at=at,
                paid_counter=counter_code,
                paid_by=limits.clip(by, limits.username_length_max),
                paid_shift_id=shift_id,
            )
        )
        return result.rowcount == 1

    def refunds_paid(self, shift_id: str) -> int:
        """The refunds handed over from the drawer during a shift."""
        cs = t.cash_surpluses
        query = select(func.coalesce(func.sum(cs.c.amount_minor), 0)).where(
            cs.c.paid_shift_id == shift_id
        )
        return int(self.connection.execute(query).scalar_one())

    def refunds_owed(self, governorate: str, limit: int) -> list[dict[str, Any]]:
        """Refunds owed (not paid, not cancelled) to subscribers of a governorate, oldest first."""
        # Where the subscriber lives is in the switch's copy of what the biller presented.
        cs, s = t.cash_surpluses, t.presented_services
        query = (
            select(
                cs.c.payment_id,
                cs.c.biller_code.label("biller"),
                cs.c.customer_ref,
                s.c.name_ar.label("customer_name_ar"),
                cs.c.amount_minor,
                cs.c.created_at,
            )
            .join(s, (s.c.biller_code == cs.c.biller_code) & (s.c.reference == cs.c.customer_ref))
            .where(
                s.c.governorate == governorate,
                cs.c.kind == "refund",
                cs.c.paid_at.is_(None),
                cs.c.cancelled_at.is_(None),
            )
            .order_by(cs.c.created_at, cs.c.payment_id)
            .limit(limit)
        )
        return [dict(row._mapping) for row in self.connection.execute(query)]

    def shift_totals(self, shift_id: str) -> tuple[int, int, int]:
        """(payments, cash taken, cash handed back by voids) of a shift."""
        cp = t.counter_payments
        voided = func.coalesce(
            func.sum(cp.c.cash_taken_minor).filter(cp.c.voided_at.is_not(None)), 0
        )
        row = self.connection.execute(
            select(func.count(), func.coalesce(func.sum(cp.c.cash_taken_minor), 0), voided).where(
                cp.c.shift_id == shift_id
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])
