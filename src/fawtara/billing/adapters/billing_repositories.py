"""Repositories of the biller billing system, over SQLAlchemy Core."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select, update

from fawtara.billing.domain.tariffs import Tariff, tariff_from_dict, tariff_structure
from fawtara.kernel.billers import (
    ServiceState,
)
from fawtara.kernel.bills import Bill, BillStatus
from fawtara.kernel.calendar import Cycle
from fawtara.kernel.money import Denomination
from fawtara.storage import tables as t

IN_CLAUSE_ROWS_MAX = 5_000  # keeps every IN (...) list under SQLite's variable limit


def _chunks(items: Sequence[Any], size: int = IN_CLAUSE_ROWS_MAX) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlTariffRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, tariff: Tariff, created_at: datetime) -> bool:
        key = and_(
            t.tariffs.c.biller_code == tariff.biller_code,
            t.tariffs.c.service_kind == tariff.service_kind.value,
            t.tariffs.c.tariff_class == tariff.tariff_class,
            t.tariffs.c.effective_from == tariff.effective_from,
        )
        if self.connection.execute(select(t.tariffs.c.id).where(key)).first() is not None:
            return False
        self.connection.execute(
            insert(t.tariffs).values(
                biller_code=tariff.biller_code,
                service_kind=tariff.service_kind.value,
                tariff_class=tariff.tariff_class,
                effective_from=tariff.effective_from,
                decision=tariff.decision,
                denomination=Denomination.NEW.value,
                currency=tariff.currency,
                structure=tariff_structure(tariff),
                created_at=created_at,
            )
        )
        return True

    def for_biller(self, biller_code: str) -> list[Tariff]:
        rows = self.connection.execute(
            select(t.tariffs)
            .where(t.tariffs.c.biller_code == biller_code)
            .order_by(t.tariffs.c.effective_from)
        ).mappings()
        return [tariff_from_dict(dict(row)) for row in rows]


class SqlCustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        result = self.connection.execute(
            insert(t.customers).returning(t.customers.c.id, sort_by_parameter_order=True), rows
        )
        return [row.id for row in result]


class SqlServiceRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        result = self.connection.execute(
            insert(t.services).returning(t.services.c.id, sort_by_parameter_order=True), rows
        )
        return [row.id for row in result]

    def ids_by_reference(self, biller_code: str, references: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(set(references))):
            query = select(t.services.c.reference, t.services.c.id).where(
                t.services.c.biller_code == biller_code, t.services.c.reference.in_(chunk)
            )
            found.update({row.reference: row.id for row in self.connection.execute(query)})
        return found

    def biller_of(self, service_id: int) -> str | None:
        query = select(t.services.c.biller_code).where(t.services.c.id == service_id)
        return self.connection.execute(query).scalar()


class SqlUsageRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def existing(self, cycle_id: str, service_ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in _chunks(sorted(set(service_ids))):
            query = select(t.usage_records.c.service_id, t.usage_records.c.quantity).where(
                t.usage_records.c.cycle_id == cycle_id, t.usage_records.c.service_id.in_(chunk)
            )
            found.update({row.service_id: row.quantity for row in self.connection.execute(query)})
        return found

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(t.usage_records), list(rows))


class SqlBillRunRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def ensure_cycle(self, biller_code: str, cycle: Cycle) -> None:
        key = and_(
            t.billing_cycles.c.biller_code == biller_code, t.billing_cycles.c.cycle_id == cycle.id
        )
        if self.connection.execute(select(t.billing_cycles.c.cycle_id).where(key)).first() is None:
            self.connection.execute(
                insert(t.billing_cycles).values(
                    biller_code=biller_code,
                    cycle_id=cycle.id,
                    period_start=cycle.period_start,
                    period_end=cycle.period_end,
                    issued_on=cycle.issued_on,
                )
            )

    def _key(self, biller_code: str, cycle_id: str) -> Any:
        return and_(t.bill_runs.c.biller_code == biller_code, t.bill_runs.c.cycle_id == cycle_id)

    def start(self, biller_code: str, cycle_id: str, now: datetime) -> None:
        key = self._key(biller_code, cycle_id)
        if self.connection.execute(select(t.bill_runs.c.status).where(key)).first() is None:
            self.connection.execute(
                insert(t.bill_runs).values(
                    biller_code=biller_code,
                    cycle_id=cycle_id,
                    status="running",
                    started_at=now,
                    bills_issued=0,
                    services_without_usage=0,
                    attempts=1,
                )
            )
        else:
            self.connection.execute(
                update(t.bill_runs)
                .where(key)
                .values(
                    status="running",
                    started_at=now,
                    finished_at=None,
                    services_without_usage=0,
                    attempts=t.bill_runs.c.attempts + 1,
                )
            )

    def finish(self, biller_code: str, cycle_id: str, now: datetime) -> None:
        self.connection.execute(
            update(t.bill_runs)
            .where(self._key(biller_code, cycle_id))
            .values(status="completed", finished_at=now)
        )

    def record_batch(
        self, biller_code: str, cycle_id: str, issued: int, without_usage: int
    ) -> None:
        runs = t.bill_runs.c
        self.connection.execute(
            update(t.bill_runs)
            .where(self._key(biller_code, cycle_id))
            .values(
                bills_issued=runs.bills_issued + issued,
                services_without_usage=runs.services_without_usage + without_usage,
            )
        )

    def status(self, biller_code: str, cycle_id: str) -> dict[str, Any] | None:
        row = self.connection.execute(select(t.bill_runs).where(self._key(biller_code, cycle_id)))
        found = row.mappings().first()
        return None if found is None else dict(found)

    def service_classes(self, biller_code: str) -> list[tuple[str, str]]:
        s = t.services.c
        query = (
            select(s.kind, s.tariff_class)
            .where(s.biller_code == biller_code, s.state == ServiceState.ACTIVE.value)
            .distinct()
        )
        return [(row.kind, row.tariff_class) for row in self.connection.execute(query)]

    def _unbilled(self, biller_code: str, cycle_id: str, after_id: int | None = None) -> Any:
        s, b = t.services.c, t.bills.c
        billed = exists().where(b.service_id == s.id, b.cycle_id == cycle_id)
        if after_id is not None:
            # Repeats the keyset bound where the planner cannot derive it, so that a merge
            # anti-join starts at the batch rather than at the first bill of the cycle.
            billed = billed.where(b.service_id > after_id)
        return and_(s.biller_code == biller_code, s.state == ServiceState.ACTIVE.value, ~billed)

    def count_pending(self, biller_code: str, cycle_id: str) -> int:
        query = (
            select(func.count())
            .select_from(t.services)
            .where(self._unbilled(biller_code, cycle_id))
        )
        return int(self.connection.execute(query).scalar_one())

    def next_batch(
        self, biller_code: str, cycle_id: str, after_id: int, limit: int
    ) -> list[tuple[int, str, str, int | None]]:
        s, u = t.services.c, t.usage_records.c
        query = (
            select(s.id, s.kind, s.tariff_class, u.quantity)
            .select_from(
                t.services.outerjoin(
                    t.usage_records,
                    and_(
                        # `u.service_id > after_id` repeats the keyset bound, as in _unbilled.
                        u.service_id == s.id,
                        u.cycle_id == cycle_id,
                        u.service_id > after_id,
                    ),
                )
            )
            .where(self._unbilled(biller_code, cycle_id, after_id), s.id > after_id)
            .order_by(s.id)
            .limit(limit)
        )
        return list(self.connection.execute(query).all())


BILL_COLUMNS = (
    "id",
    "biller_code",
    "service_id",
    "cycle_id",
    "period_start",
    "period_end",
    "issued_on",
    "due_on",
    "amount_minor",
    "paid_minor",
    "currency",
    "status",
    "lines",
)
# add_many writes the two columns that differ from bill to bill first, then the rest.
_BILL_COLUMNS_WRITTEN = (
    "id",
    "service_id",
    *(c for c in BILL_COLUMNS if c not in ("id", "service_id")),
)
COPY_CHUNK_ROWS = 1_000  # rows rendered per write, so the server works while the next are rendered
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A text value as a field of COPY's text format (tab, newline, CR, backslash escaped)."""
    if value.isprintable() and "\\" not in value:
        return value
    return value.translate(_COPY_ESCAPES)


# The values of a bill row other than its id and service id. In a bill run they
# repeat (one set per distinct amount), so each set is rendered once.
_Rest = tuple[str, str, date, date, date, date, int, int, str, BillStatus, str]


def _rest(bill: Bill, lines: str) -> _Rest:
    return (
        bill.biller_code,
        bill.cycle_id,
        bill.period_start,
        bill.period_end,
        bill.issued_on,
        bill.due_on,
        bill.amount_minor,
        bill.paid_minor,
        bill.currency,
        bill.status,
        lines,
    )


@lru_cache(maxsize=4_096)
def _copy_rest(rest: _Rest, encoding: str) -> bytes:
    """The rest of a COPY text row, from biller_code to the end of the line, encoded."""
    return (
        "\t".join(
            [
                _copy_text(
                    str(
                        v.isoformat()
                        if isinstance(v, date)
                        else v.value
                        if isinstance(v, BillStatus)
                        else v
                    )
                )
                for v in rest
            ]
        )
        + "\n"
    ).encode(encoding)


@lru_cache(maxsize=4_096)
def _sqlite_rest(rest: _Rest) -> tuple[Any, ...]:
    """The rest of an INSERT's parameters for SQLite: dates as ISO text, the status's value."""
    return tuple(
        v.isoformat() if isinstance(v, date) else v.value if isinstance(v, BillStatus) else v
        for v in rest
    )


class SqlBillRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_many(self, bills: Sequence[tuple[Bill, str]]) -> None:
        """Bulk insert: COPY on PostgreSQL, one executemany on SQLite.

        PostgreSQL gets COPY's text format, rendered here and sent a chunk at a
        time, so that the server stores one chunk while the next is priced
        and rendered (`bills` may price them as they are read). Only the id
        and service id are rendered per bill; the rest of a row repeats
        across a bill run and comes from a bounded cache.
        """
        if not bills:
            return
        columns = ", ".join(_BILL_COLUMNS_WRITTEN)
        if self.connection.dialect.name == "postgresql":
            driver = self.connection.connection.driver_connection
            assert driver is not None
            encoding = driver.info.encoding
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY bills ({columns}) FROM STDIN") as copy,
            ):
                for start in range(0, len(bills), COPY_CHUNK_ROWS):
                    chunk: list[bytes] = []
                    for bill, lines in bills[start : start + COPY_CHUNK_ROWS]:
                        chunk.append(
                            f"{_copy_text(bill.id)}\t{int(bill.service_id)}\t".encode(encoding)
                        )
                        chunk.append(_copy_rest(_rest(bill, lines), encoding))
                    copy.write(b"".join(chunk))
            return
        marks = ", ".join("?" * len(_BILL_COLUMNS_WRITTEN))
        self.connection.exec_driver_sql(
            f"INSERT INTO bills ({columns}) VALUES ({marks})",
            [
                (bill.id, bill.service_id, *_sqlite_rest(_rest(bill, lines)))
                for bill, lines in bills
            ],
        )

    def get_many(self, bill_ids: Sequence[str], for_update: bool = False) -> list[Bill]:
        query = select(t.bills).where(t.bills.c.id.in_(list(bill_ids))).order_by(t.bills.c.id)
        if for_update and self.connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return [bill_from_row(row) for row in self.connection.execute(query)]

    def save_status(self, bills: Sequence[Bill]) -> None:
        for bill in bills:
            self.connection.execute(
                update(t.bills)
                .where(t.bills.c.id == bill.id)
                .values(paid_minor=bill.paid_minor, status=bill.status.value)
            )

    def for_service(self, service_id: int) -> list[Bill]:
        query = select(t.bills).where(t.bills.c.service_id == service_id).order_by(t.bills.c.due_on)
        return [bill_from_row(row) for row in self.connection.execute(query)]

    def lines(self, bill_id: str) -> list[dict[str, Any]]:
        value = self.connection.execute(
            select(t.bills.c.lines).where(t.bills.c.id == bill_id)
        ).scalar()
        return json.loads(value) if isinstance(value, str) else list(value or [])


def bill_from_row(row: Any) -> Bill:
    """A stored bill row as the domain's Bill (other repositories read bills too)."""
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


class SqlPublishingRepository:
    """What the billing system tells the switch of its bills (docs/BILLER-API.md)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def cycle_bills(
        self, biller_code: str, cycle_id: str, after_bill_id: str, limit: int
    ) -> list[dict[str, Any]]:
        b, s, c = t.bills.c, t.services.c, t.customers.c
        query = (
            select(
                b.id,
                b.cycle_id,
                b.period_start,
                b.period_end,
                b.issued_on,
                b.due_on,
                b.amount_minor,
                b.paid_minor,
                b.currency,
                b.status,
                s.reference,
                c.name_ar,
                c.name_en,
                c.governorate,
                c.msisdn,
                c.language,
            )
            .join_from(t.bills, t.services, s.id == b.service_id)
            .join_from(t.services, t.customers, c.id == s.customer_id)
            .where(b.biller_code == biller_code, b.cycle_id == cycle_id, b.id > after_bill_id)
            .order_by(b.id)
            .limit(limit)
        )
        return [dict(row) for row in self.connection.execute(query).mappings()]


class SqlPostingRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, payment_id: str) -> dict[str, Any] | None:
        """The posting with `reversed_at` (None unless a reversal undid it)."""
        p, r = t.biller_postings, t.biller_posting_reversals
        query = (
            select(p, r.c.reversed_at)
            .join_from(p, r, r.c.payment_id == p.c.payment_id, isouter=True)
            .where(p.c.payment_id == payment_id)
        )
        row = self.connection.execute(query).mappings().first()
        return None if row is None else dict(row)

    def add(self, posting: dict[str, Any], allocations: Sequence[tuple[str, int]]) -> None:
        self.connection.execute(insert(t.biller_postings).values(**posting))
        self.connection.execute(
            insert(t.bill_payments),
            [
                {"payment_id": posting["payment_id"], "bill_id": bill_id, "amount_minor": amount}
                for bill_id, amount in allocations
            ],
        )

    def allocations(self, payment_id: str) -> list[tuple[str, int]]:
        p = t.bill_payments.c
        query = (
            select(p.bill_id, p.amount_minor).where(p.payment_id == payment_id).order_by(p.bill_id)
        )
        return [(row.bill_id, row.amount_minor) for row in self.connection.execute(query)]
