"""The registry of billers: each store keeps its own (the billing system the biller's
whole configuration, the switch the biller as a participant of the network)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from fawtara.kernel.billers import Biller, CalendarKind, PaymentRule, PaymentRuleKind, ServiceKind
from fawtara.storage import tables as t


class SqlBillerRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, biller: Biller, created_at: datetime) -> None:
        rule = biller.payment_rule
        self.connection.execute(
            insert(t.billers).values(
                code=biller.code,
                name_ar=biller.name_ar,
                name_en=biller.name_en,
                calendar=biller.calendar.value,
                payment_rule=rule.kind.value,
                minimum_minor=rule.minimum_minor,
                maximum_minor=rule.maximum_minor,
                due_days=biller.due_days,
                grace_days=biller.grace_days,
                currency=biller.currency,
                channels=list(biller.channels),
                created_at=created_at,
            )
        )
        self.connection.execute(
            insert(t.biller_service_kinds),
            [{"biller_code": biller.code, "kind": kind.value} for kind in biller.service_kinds],
        )

    def _load(self, rows: Sequence[Any]) -> list[Biller]:
        codes = [row.code for row in rows]
        kinds: dict[str, list[ServiceKind]] = {code: [] for code in codes}
        for row in self.connection.execute(
            select(t.biller_service_kinds)
            .where(t.biller_service_kinds.c.biller_code.in_(codes))
            .order_by(t.biller_service_kinds.c.kind)
        ):
            kinds[row.biller_code].append(ServiceKind(row.kind))
        return [
            Biller(
                code=row.code,
                name_ar=row.name_ar,
                name_en=row.name_en,
                service_kinds=tuple(kinds[row.code]),
                calendar=CalendarKind(row.calendar),
                payment_rule=PaymentRule(
                    PaymentRuleKind(row.payment_rule), row.minimum_minor, row.maximum_minor
                ),
                due_days=row.due_days,
                grace_days=row.grace_days,
                currency=row.currency,
                channels=tuple(row.channels),
            )
            for row in rows
        ]

    def get(self, code: str) -> Biller | None:
        rows = self.connection.execute(select(t.billers).where(t.billers.c.code == code)).all()
        return self._load(rows)[0] if rows else None

    def list(self) -> list[Biller]:
        return self._load(
            self.connection.execute(select(t.billers).order_by(t.billers.c.code)).all()
        )
