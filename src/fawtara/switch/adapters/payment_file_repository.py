"""The switch's payments files for upload-mode billers: files, their payments, their acks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from fawtara.storage import tables as t
from fawtara.switch.domain.payments import PaymentState


class SqlPaymentFileRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock_biller(self, biller_code: str) -> None:
        """Hold the biller's row until the transaction ends, so that two downloads at the
        same moment cut their files one after the other (PostgreSQL; SQLite's writes
        are one at a time already)."""
        b = t.billers.c
        self.connection.execute(select(b.code).where(b.code == biller_code).with_for_update())

    def get(self, file_id: str) -> dict[str, Any] | None:
        f = t.payment_files
        row = self.connection.execute(select(f).where(f.c.file_id == file_id)).mappings().first()
        return None if row is None else dict(row)

    def open_files(self, biller_code: str, after_number: int, limit: int) -> list[dict[str, Any]]:
        """The biller's files not acknowledged yet, after a file number, in order."""
        f = t.payment_files.c
        query = (
            select(t.payment_files)
            .where(
                f.biller_code == biller_code, f.acknowledged_at.is_(None), f.number > after_number
            )
            .order_by(f.number)
            .limit(limit)
        )
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def count_open(self, biller_code: str) -> int:
        f = t.payment_files.c
        query = select(func.count()).where(
            f.biller_code == biller_code, f.acknowledged_at.is_(None)
        )
        return int(self.connection.execute(query).scalar() or 0)

    def last_number(self, biller_code: str) -> int:
        f = t.payment_files.c
        query = select(func.max(f.number)).where(f.biller_code == biller_code)
        return int(self.connection.execute(query).scalar() or 0)

    def count_with_prefix(self, biller_code: str, prefix: str) -> int:
        """Files of the biller whose id starts with `prefix` (the files of one day)."""
        f = t.payment_files.c
        query = select(func.count()).where(
            f.biller_code == biller_code, f.file_id.startswith(prefix, autoescape=True)
        )
        return int(self.connection.execute(query).scalar() or 0)

    def entries(self, file_id: str) -> list[dict[str, Any]]:
        e = t.payment_file_entries.c
        query = select(e.payment_id, e.notice).where(e.file_id == file_id).order_by(e.position)
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def unfiled(self, biller_code: str, limit: int) -> list[dict[str, Any]]:
        """Payments of the biller waiting for it (debited) that are in no file yet, in the
        order the switch accepted them (its move to `debited`, as the feed's cursor).

        Cash brings the biller only what its notice posts; cash that found its bills
        paid is no notice at all (the worker completes it without the biller)."""
        p, e, cp = t.payments.c, t.payment_events.c, t.counter_payments.c
        entry = t.payment_file_entries.c
        query = (
            select(
                p.payment_id,
                p.customer_ref,
                p.bill_ids,
                p.amount_minor,
                p.currency,
                p.channel,
                func.coalesce(cp.accepted_at, p.created_at).label("accepted_at"),
                cp.posted_bill_ids,
                cp.posted_minor,
            )
            .join_from(t.payment_events, t.payments, p.payment_id == e.payment_id)
            .outerjoin(t.counter_payments, cp.payment_id == p.payment_id)
            .outerjoin(t.payment_file_entries, entry.payment_id == p.payment_id)
            .where(
                p.biller_code == biller_code,
                p.state == PaymentState.DEBITED.value,
                e.to_state == PaymentState.DEBITED.value,
                entry.payment_id.is_(None),
                func.coalesce(cp.posted_minor, 1) != 0,
            )
            .order_by(e.id)
            .limit(limit)
        )
        return [
            {
                **row,
                "bill_ids": row["bill_ids"]
                if row["posted_minor"] is None
                else row["posted_bill_ids"],
                "amount_minor": (
                    row["amount_minor"] if row["posted_minor"] is None else row["posted_minor"]
                ),
            }
            for row in self.connection.execute(query).mappings()
        ]

    def add(
        self,
        file_id: str,
        biller_code: str,
        number: int,
        payments: Sequence[tuple[str, dict[str, Any]]],
        now: datetime,
    ) -> None:
        """A new file of (payment id, notice as JSON), in the order given."""
        self.connection.execute(
            t.payment_files.insert().values(
                file_id=file_id,
                biller_code=biller_code,
                number=number,
                payments=len(payments),
                created_at=now,
            )
        )
        self.connection.execute(
            t.payment_file_entries.insert(),
            [
                {"payment_id": payment_id, "file_id": file_id, "position": n, "notice": notice}
                for n, (payment_id, notice) in enumerate(payments, start=1)
            ],
        )

    def record_ack(self, file_id: str, checksum: str, receipts: Mapping[str, str]) -> None:
        self.connection.execute(
            update(t.payment_files)
            .where(t.payment_files.c.file_id == file_id, t.payment_files.c.ack_checksum.is_(None))
            .values(ack_checksum=checksum, receipts=dict(receipts))
        )

    def mark_acknowledged(self, file_id: str, now: datetime) -> None:
        f = t.payment_files.c
        self.connection.execute(
            update(t.payment_files)
            .where(f.file_id == file_id, f.acknowledged_at.is_(None))
            .values(acknowledged_at=now)
        )
