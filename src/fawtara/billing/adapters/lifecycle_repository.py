"""The service lifecycle's storage: suspensions, provisioning orders, counter marks, job runs.

What a channel accepted for a bill (the protection rule's evidence) is read
from two places, so that no channel is missed:
- postings at the biller not reversed (`biller_postings.paid_at`, the instant
  the channel took the money: a switch payment's acceptance time, or a
  counter's original time when it synced late), with the part of each bill
  they paid (`bill_payments`);
- payments still on their way through the switch, which hold their bills in
  `bill_reservations` until final (`payments.created_at`).

On PostgreSQL the unpaid bills a sweep decides on are locked FOR UPDATE, as a
posting locks them: a payment posted while the sweep decides either waits for
the sweep (and then finds the service suspended and asks for its
reconnection) or is seen by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import aliased

from fawtara.billing.adapters.billing_repositories import bill_from_row
from fawtara.billing.domain.lifecycle import (
    Acceptance,
    BillStanding,
    OrderAction,
    ProvisioningOrder,
)
from fawtara.billing.use_cases.ports import OpenSuspension, ServiceHolder
from fawtara.kernel.billers import ServiceState
from fawtara.kernel.bills import Bill, BillStatus
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict

IN_CLAUSE_ROWS_MAX = 5_000
UNPAID = (BillStatus.ISSUED.value, BillStatus.PARTIALLY_PAID.value)


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + IN_CLAUSE_ROWS_MAX] for i in range(0, len(items), IN_CLAUSE_ROWS_MAX)]


class SqlLifecycleRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    # Services and their bills ------------------------------------------------

    def service_states(self, service_ids: Sequence[int]) -> dict[int, ServiceState]:
        s = t.services.c
        found: dict[int, ServiceState] = {}
        for chunk in _chunks(sorted(set(service_ids))):
            query = select(s.id, s.state).where(s.id.in_(chunk))
            found.update(
                {row.id: ServiceState(row.state) for row in self.connection.execute(query)}
            )
        return found

    def overdue_services(
        self, biller_code: str, due_on_or_before: date, after_id: int, limit: int
    ) -> list[int]:
        """Active services with an unpaid bill due on or before the day, by id."""
        s, b = t.services.c, t.bills.c
        unpaid = exists().where(
            b.service_id == s.id, b.status.in_(UNPAID), b.due_on <= due_on_or_before
        )
        query = (
            select(s.id)
            .where(
                s.biller_code == biller_code,
                s.state == ServiceState.ACTIVE.value,
                s.id > after_id,
                unpaid,
            )
            .order_by(s.id)
            .limit(limit)
        )
        return list(self.connection.execute(query).scalars())

    def suspended_services(self, biller_code: str, after_id: int, limit: int) -> list[int]:
        """Services with an open suspension of this biller, by id."""
        p = t.service_suspensions.c
        query = (
            select(p.service_id)
            .where(p.biller_code == biller_code, p.ended_at.is_(None), p.service_id > after_id)
            .order_by(p.service_id)
            .limit(limit)
        )
        return list(self.connection.execute(query).scalars())

    def unpaid_standings(self, service_ids: Sequence[int]) -> dict[int, list[BillStanding]]:
        """The unpaid bills of these services with what was accepted for each (locked)."""
        b = t.bills.c
        bills: list[Bill] = []
        for chunk in _chunks(sorted(set(service_ids))):
            query = select(t.bills).where(b.service_id.in_(chunk), b.status.in_(UNPAID))
            if self.postgres:
                query = query.order_by(b.id).with_for_update()
            bills.extend(bill_from_row(row) for row in self.connection.execute(query))
        standings: dict[int, list[BillStanding]] = {}
        for standing in self._with_acceptances(bills).values():
            standings.setdefault(standing.bill.service_id, []).append(standing)
        return standings

    def standings_of(self, bill_ids: Sequence[str]) -> dict[str, BillStanding]:
        bills: list[Bill] = []
        for chunk in _chunks(sorted(set(bill_ids))):
            query = select(t.bills).where(t.bills.c.id.in_(chunk))
            bills.extend(bill_from_row(row) for row in self.connection.execute(query))
        return self._with_acceptances(bills)

    def bills_due_on(
        self, biller_code: str, due: date, after_bill_id: str, limit: int
    ) -> list[BillStanding]:
        """Unpaid bills of a biller due on a day, by id, with their acceptances."""
        b = t.bills.c
        query = (
            select(t.bills)
            .where(
                b.biller_code == biller_code,
                b.due_on == due,
                b.status.in_(UNPAID),
                b.id > after_bill_id,
            )
            .order_by(b.id)
            .limit(limit)
        )
        bills = [bill_from_row(row) for row in self.connection.execute(query)]
        standings = self._with_acceptances(bills)
        return [standings[bill.id] for bill in bills]

    def _with_acceptances(self, bills: Sequence[Bill]) -> dict[str, BillStanding]:
        by_id = {bill.id: bill for bill in bills}
        found: dict[str, list[Acceptance]] = {bill_id: [] for bill_id in by_id}
        bp, post, rev = t.bill_payments.c, t.biller_postings.c, t.biller_posting_reversals.c
        for chunk in _chunks(sorted(by_id)):
            posted = (
                select(bp.bill_id, bp.amount_minor, post.paid_at)
                .join_from(t.bill_payments, t.biller_postings, post.payment_id == bp.payment_id)
                .where(
                    bp.bill_id.in_(chunk),
                    ~exists().where(rev.payment_id == bp.payment_id),
                )
            )
            for row in self.connection.execute(posted):
                found[row.bill_id].append(Acceptance(row.paid_at, row.amount_minor))
        return {
            bill_id: BillStanding(bill, tuple(found[bill_id])) for bill_id, bill in by_id.items()
        }

    def holders(self, service_ids: Sequence[int]) -> dict[int, ServiceHolder]:
        s, c = t.services.c, t.customers.c
        found: dict[int, ServiceHolder] = {}
        for chunk in _chunks(sorted(set(service_ids))):
            query = (
                select(s.id, s.reference, c.msisdn, c.language)
                .join_from(t.services, t.customers, c.id == s.customer_id)
                .where(s.id.in_(chunk))
            )
            for row in self.connection.execute(query):
                found[row.id] = ServiceHolder(row.id, row.reference, row.msisdn, row.language)
        return found

    # Suspensions ---------------------------------------------------------------

    def open_suspensions(self, service_ids: Sequence[int]) -> dict[int, OpenSuspension]:
        p, sb = t.service_suspensions.c, t.suspension_bills.c
        found: dict[int, tuple[int, list[str]]] = {}
        for chunk in _chunks(sorted(set(service_ids))):
            query = (
                select(p.id, p.service_id, sb.bill_id)
                .join_from(t.service_suspensions, t.suspension_bills, sb.suspension_id == p.id)
                .where(p.service_id.in_(chunk), p.ended_at.is_(None))
                .order_by(p.id, sb.bill_id)
            )
            for row in self.connection.execute(query):
                found.setdefault(row.service_id, (row.id, []))[1].append(row.bill_id)
        return {
            service_id: OpenSuspension(suspension_id, service_id, tuple(bill_ids))
            for service_id, (suspension_id, bill_ids) in found.items()
        }

    def suspend(
        self,
        service_id: int,
        biller_code: str,
        cause: Sequence[tuple[Bill, date]],
        today: date,
        now: datetime,
    ) -> int | None:
        """Active → suspended with its cause; None when the service was not active."""
        assert cause, "a suspension names the bills that cause it"
        s = t.services.c
        moved = self.connection.execute(
            update(t.services)
            .where(s.id == service_id, s.state == ServiceState.ACTIVE.value)
            .values(state=ServiceState.SUSPENDED.value)
        )
        if moved.rowcount != 1:
            return None
        suspension_id = self.connection.execute(
            insert(t.service_suspensions)
            .values(
                service_id=service_id, biller_code=biller_code, suspended_on=today, suspended_at=now
            )
            .returning(t.service_suspensions.c.id)
        ).scalar_one()
        self.connection.execute(
            insert(t.suspension_bills),
            [
                {
                    "suspension_id": suspension_id,
                    "bill_id": bill.id,
                    "due_on": bill.due_on,
                    "grace_until": grace_until,
                    "outstanding_minor": bill.outstanding_minor,
                }
                for bill, grace_until in cause
            ],
        )
        return int(suspension_id)

    def end_suspension(self, suspension: OpenSuspension, ended_by: str, now: datetime) -> bool:
        """Suspended → active, the suspension closed; False when it was closed already."""
        p, s = t.service_suspensions.c, t.services.c
        closed = self.connection.execute(
            update(t.service_suspensions)
            .where(p.id == suspension.id, p.ended_at.is_(None))
            .values(ended_at=now, ended_by=ended_by)
        )
        if closed.rowcount != 1:
            return False
        self.connection.execute(
            update(t.services)
            .where(s.id == suspension.service_id, s.state == ServiceState.SUSPENDED.value)
            .values(state=ServiceState.ACTIVE.value)
        )
        return True

    # Provisioning orders -------------------------------------------------------

    def add_order(self, order: ProvisioningOrder, now: datetime) -> bool:
        return insert_ignoring_conflict(
            self.connection,
            t.provisioning_orders,
            {
                "order_id": order.order_id,
                "suspension_id": order.suspension_id,
                "service_id": order.service_id,
                "biller_code": order.biller_code,
                "service_ref": order.service_ref,
                "action": order.action.value,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
            },
        )

    def due_orders(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ProvisioningOrder]:
        """Unsent orders whose time has come, each the oldest unsent of its service; leased."""
        o = t.provisioning_orders.c
        earlier = aliased(t.provisioning_orders)
        query = (
            select(t.provisioning_orders)
            .where(
                o.sent_at.is_(None),
                o.next_attempt_at <= now,
                ~exists().where(
                    earlier.c.service_id == o.service_id,
                    earlier.c.sent_at.is_(None),
                    earlier.c.id < o.id,
                ),
            )
            .order_by(o.id)
            .limit(limit)
        )
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        rows = self.connection.execute(query).all()
        if rows:
            self.connection.execute(
                update(t.provisioning_orders)
                .where(o.id.in_([row.id for row in rows]))
                .values(next_attempt_at=lease_until)
            )
        return [
            ProvisioningOrder(
                row.order_id,
                row.suspension_id,
                row.service_id,
                row.biller_code,
                row.service_ref,
                OrderAction(row.action),
                row.attempts,
            )
            for row in rows
        ]

    def order_sent(self, order_id: str, now: datetime) -> None:
        o = t.provisioning_orders.c
        self.connection.execute(
            update(t.provisioning_orders)
            .where(o.order_id == order_id, o.sent_at.is_(None))
            .values(sent_at=now, attempts=o.attempts + 1, last_error=None)
        )

    def order_failed(self, order_id: str, error: str, next_attempt_at: datetime) -> None:
        o = t.provisioning_orders.c
        self.connection.execute(
            update(t.provisioning_orders)
            .where(o.order_id == order_id, o.sent_at.is_(None))
            .values(
                attempts=o.attempts + 1, last_error=error[:400], next_attempt_at=next_attempt_at
            )
        )

    # The outbox topic of reconnection reviews ----------------------------------

    def claim_outbox(
        self, topic: str, now: datetime, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        box = t.outbox.c
        query = (
            select(box.id, box.payload)
            .where(box.topic == topic, box.done_at.is_(None), box.available_at <= now)
            .order_by(box.available_at, box.id)
            .limit(limit)
        )
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        return [(row.id, dict(row.payload)) for row in self.connection.execute(query)]

    def finish_outbox(self, outbox_ids: Sequence[int], now: datetime) -> None:
        if outbox_ids:
            box = t.outbox.c
            self.connection.execute(
                update(t.outbox)
                .where(box.id == bindparam("b_id"))
                .values(done_at=now, attempts=box.attempts + 1),
                [{"b_id": outbox_id} for outbox_id in outbox_ids],
            )

    # For the console and `fawtara billing jobs` ------------------------------------------

    def summary(self) -> dict[str, int]:
        """Counts of the lifecycle: the future operations page reads these."""
        p, o = t.service_suspensions.c, t.provisioning_orders.c
        row = self.connection.execute(
            select(
                func.count(),
                func.count().filter(p.ended_at.is_(None)),
                func.count().filter(p.ended_by == "payment"),
                func.count().filter(p.ended_by == "protection"),
            ).select_from(t.service_suspensions)
        ).one()
        pending = self.connection.execute(
            select(func.count()).select_from(t.provisioning_orders).where(o.sent_at.is_(None))
        ).scalar_one()
        return {
            "suspensions": int(row[0]),
            "suspended_now": int(row[1]),
            "reconnected_after_payment": int(row[2]),
            "protection_violations_repaired": int(row[3]),
            "provisioning_orders_pending": int(pending),
        }
