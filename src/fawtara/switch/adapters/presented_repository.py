"""The switch's copy of what billers presented (presented_services, presented_bills).

Bills of the copy are read as `Bill` values whose service_id is the id of the
presented service in the switch's store, so that the switch's checks (plan a
payment, reserve its bills) read the same whatever the biller's own ids are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from fawtara.kernel.bills import Bill, BillStatus
from fawtara.kernel.presentment import PresentedCustomer
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict


def _bill(row: Any) -> Bill:
    return Bill(
        id=row.id,
        biller_code=row.biller_code,
        service_id=row.service_id,
        cycle_id=row.cycle_id,
        period_start=row.period_start,
        period_end=row.period_end,
        issued_on=row.issued_on,
        due_on=row.due_on,
        amount_minor=row.amount_minor,
        paid_minor=row.paid_minor,
        currency=row.currency,
        status=BillStatus(row.status),
    )


class SqlPresentedBillRepository:
    """The bills of the copy (the switch's `uow.bills`)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get_many(self, bill_ids: Sequence[str], for_update: bool = False) -> list[Bill]:
        b = t.presented_bills
        query = select(b).where(b.c.id.in_(list(bill_ids))).order_by(b.c.id)
        if for_update and self.connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return [_bill(row) for row in self.connection.execute(query)]

    def for_service(self, service_id: int) -> list[Bill]:
        b = t.presented_bills
        query = select(b).where(b.c.service_id == service_id).order_by(b.c.due_on)
        return [_bill(row) for row in self.connection.execute(query)]

    def save_status(self, bills: Sequence[Bill]) -> None:
        """What the biller answered a notice with: the bills' standing after it."""
        for bill in bills:
            self.connection.execute(
                update(t.presented_bills)
                .where(t.presented_bills.c.id == bill.id)
                .values(paid_minor=bill.paid_minor, status=bill.status.value)
            )


class SqlPresentedRepository:
    """The presented customers of the copy, and the SMS of a payment (the switch's)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def service(self, biller_code: str, reference: str) -> dict[str, Any] | None:
        s = t.presented_services.c
        query = select(
            s.id, s.reference, s.name_ar, s.name_en, s.msisdn, s.language, s.refreshed_at
        ).where(s.biller_code == biller_code, s.reference == reference)
        row = self.connection.execute(query).mappings().first()
        return None if row is None else dict(row)

    def store(self, customer: PresentedCustomer, source: str, now: datetime) -> int:
        """Replace the copy of this customer's bills by what the biller presented."""
        s = t.presented_services
        values = {
            "name_ar": customer.name_ar,
            "name_en": customer.name_en,
            "governorate": customer.governorate,
            "msisdn": customer.msisdn,
            "language": customer.language,
            "source": source,
            "refreshed_at": now,
        }
        where = (s.c.biller_code == customer.biller_code, s.c.reference == customer.reference)
        insert_ignoring_conflict(
            self.connection,
            s,
            {"biller_code": customer.biller_code, "reference": customer.reference, **values},
        )
        self.connection.execute(update(s).where(*where).values(**values))
        service_id = int(self.connection.execute(select(s.c.id).where(*where)).scalar_one())
        for bill in customer.bills:
            self._store_bill(service_id, customer.biller_code, bill, now)
        return service_id

    def _store_bill(self, service_id: int, biller_code: str, bill: Any, now: datetime) -> None:
        b = t.presented_bills
        values = {
            "service_id": service_id,
            "biller_code": biller_code,
            "cycle_id": bill.cycle_id,
            "period_start": bill.period_start,
            "period_end": bill.period_end,
            "issued_on": bill.issued_on,
            "due_on": bill.due_on,
            "amount_minor": bill.amount_minor,
            "paid_minor": bill.paid_minor,
            "currency": bill.currency,
            "status": bill.status.value,
            "refreshed_at": now,
        }
        if not insert_ignoring_conflict(self.connection, b, {"id": bill.id, **values}):
            self.connection.execute(
                update(b).where(b.c.id == bill.id, b.c.biller_code == biller_code).values(**values)
            )

    def owner_of(self, bill_ids: Sequence[str]) -> dict[str, str]:
        """The biller of each bill id the copy knows (a bill id belongs to one biller)."""
        b = t.presented_bills.c
        rows = self.connection.execute(select(b.id, b.biller_code).where(b.id.in_(list(bill_ids))))
        return {row.id: row.biller_code for row in rows}

    def messages_of(self, payment_id: str) -> list[dict[str, Any]]:
        """The SMS sent for a payment, with their delivery state."""
        m = t.sms_messages.c
        query = (
            select(
                m.kind,
                m.state,
                m.msisdn,
                m.language,
                m.text,
                m.parts,
                m.smsc_message_ids,
                m.failure_reason,
                m.submitted_at,
                m.delivered_at,
            )
            .where(m.payment_id == payment_id)
            .order_by(m.id)
        )
        return [dict(row) for row in self.connection.execute(query).mappings()]
