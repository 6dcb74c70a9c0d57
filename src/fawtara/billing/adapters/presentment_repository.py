"""What the billing system presents of a subscriber: the service and its holder, and the
record of reversed postings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict


class SqlPresentmentRepository:
    """What a channel sees of a subscriber: the service, its holder, its bills."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def service(self, biller_code: str, reference: str) -> dict[str, Any] | None:
        s, c = t.services.c, t.customers.c
        query = (
            select(
                s.id,
                s.kind,
                s.reference,
                s.state,
                c.name_ar,
                c.name_en,
                c.msisdn,
                c.language,
                c.governorate,
            )
            .join_from(t.services, t.customers, c.id == s.customer_id)
            .where(s.biller_code == biller_code, s.reference == reference)
        )
        row = self.connection.execute(query).mappings().first()
        return None if row is None else dict(row)

    def reverse_posting(self, payment_id: str, reason: str, now: datetime) -> bool:
        """Record the reversal of a posting once; False when it was reversed already."""
        return insert_ignoring_conflict(
            self.connection,
            t.biller_posting_reversals,
            {
                "payment_id": payment_id,
                "reason": reason[:200],
                "reversed_at": now,
            },
        )
