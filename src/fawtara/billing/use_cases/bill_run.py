"""The bill run: one bill per active service per cycle, in batches.

Each batch is one transaction that writes its bills and the run's counters,
so a run killed half-way keeps whole batches only; a rerun picks up the
services still without a bill for the cycle (an anti-join, backed by the
unique key on service and cycle), so it issues nothing twice. Memory stays
flat: one batch of rows and a bounded cache of priced quantities.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from fawtara.billing.domain.tariffs import Tariff, tariff_in_force
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, ServiceKind
from fawtara.kernel.bills import Bill, BillLine, bill_id_for, issue_bill
from fawtara.kernel.calendar import Cycle, parse_cycle
from fawtara.kernel.errors import UnknownBiller
from fawtara.kernel.ports import Clock, Progress

# Meters cannot be billed without a reading; telecom bills rental without usage.
KINDS_NEEDING_USAGE = frozenset({ServiceKind.ELECTRICITY.value, ServiceKind.WATER.value})

PRICE_CACHE_ENTRIES_MAX = 100_000


@dataclass
class BillRunReport:
    biller_code: str
    cycle_id: str
    services_pending: int = 0
    bills_issued: int = 0
    services_without_usage: int = 0
    batches: int = 0


# A priced quantity: its lines, the lines as stored (JSON), and the bill to copy per service.
_Priced = tuple[tuple[BillLine, ...], str, Bill | None]


def _for_service(template: Bill, service_id: int) -> Bill:
    """The template bill, for another service. Fields in Bill's order (positional is
    faster, and a field out of place fails the check in Pricer._priced)."""
    t = template
    return Bill(
        bill_id_for(t.biller_code, t.cycle_id, service_id),
        t.biller_code,
        service_id,
        t.cycle_id,
        t.period_start,
        t.period_end,
        t.issued_on,
        t.due_on,
        t.amount_minor,
        t.paid_minor,
        t.currency,
        t.status,
    )


class Pricer:
    """Prices (kind, class, quantity) once: many subscribers share quantities.

    A priced quantity keeps the bill that `issue_bill` made of it. The bill of
    any other service differs from that one only in its id and service id,
    so it is a copy with those two changed, not a new pass through
    `issue_bill` (a bill run spends most of its Python time per bill). Each
    priced quantity checks this against `issue_bill` for a second service; if
    a bill ever depends on its service in another way, every bill of that
    quantity is issued by `issue_bill` itself.
    """

    def __init__(self, biller: Biller, cycle: Cycle, tariffs: list[Tariff]) -> None:
        self._biller, self._cycle = biller, cycle
        self._tariffs: dict[tuple[str, str], list[Tariff]] = {}
        for tariff in tariffs:
            key = (tariff.service_kind.value, tariff.tariff_class)
            self._tariffs.setdefault(key, []).append(tariff)
        self._in_force: dict[tuple[str, str], Tariff] = {}
        self._cache: dict[tuple[str, str, int], _Priced] = {}

    def tariff(self, kind: str, tariff_class: str) -> Tariff:
        key = (kind, tariff_class)
        if key not in self._in_force:
            self._in_force[key] = tariff_in_force(
                self._tariffs.get(key, []), self._cycle.period_start
            )
        return self._in_force[key]

    def bill(
        self, service_id: int, kind: str, tariff_class: str, quantity: int
    ) -> tuple[Bill, str]:
        key = (kind, tariff_class, quantity)
        priced = self._cache.get(key)
        if priced is None:
            lines = self.tariff(kind, tariff_class).price(quantity)
            if len(self._cache) >= PRICE_CACHE_ENTRIES_MAX:
                return issue_bill(self._biller, self._cycle, service_id, lines), _json(lines)
            priced = self._cache[key] = self._priced(lines)
        lines, lines_json, template = priced
        if template is None:
            return issue_bill(self._biller, self._cycle, service_id, lines), lines_json
        return _for_service(template, service_id), lines_json

    def _priced(self, lines: tuple[BillLine, ...]) -> _Priced:
        first = issue_bill(self._biller, self._cycle, 1, lines)
        second = issue_bill(self._biller, self._cycle, 2, lines)
        same = _for_service(first, 2) == second and _for_service(second, 1) == first
        return lines, _json(lines), first if same else None


def _json(lines: tuple[BillLine, ...]) -> str:
    return json.dumps([line.to_dict() for line in lines], ensure_ascii=False)


class PricedBills(Sequence[tuple[Bill, str]]):
    """A batch's bills, each priced when it is read.

    The bulk insert reads them a chunk at a time while the database stores
    the chunk before, so pricing overlaps with the database's work instead of
    preceding it. Reading a bill twice prices it twice, to the same bill.
    """

    def __init__(self, pricer: Pricer, services: list[tuple[int, str, str, int]]) -> None:
        self._pricer, self._services = pricer, services

    def __len__(self) -> int:
        return len(self._services)

    @overload
    def __getitem__(self, index: int) -> tuple[Bill, str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[Bill, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[Bill, str] | list[tuple[Bill, str]]:
        if isinstance(index, slice):
            bill = self._pricer.bill
            return [bill(*service) for service in self._services[index]]
        return self._pricer.bill(*self._services[index])

    def __iter__(self) -> Iterator[tuple[Bill, str]]:
        bill = self._pricer.bill
        for service in self._services:
            yield bill(*service)


def run_bill_run(
    uow_factory: Callable[[], UnitOfWork],
    biller_code: str,
    cycle_id: str,
    clock: Clock,
    progress: Progress | None = None,
    batch_rows: int = limits.bill_run_batch_rows,
) -> BillRunReport:
    assert 0 < batch_rows <= 100_000
    with uow_factory() as uow:
        biller = uow.billers.get(biller_code)
        if biller is None:
            raise UnknownBiller(f"unknown biller {biller_code!r}")
        cycle = parse_cycle(biller.calendar, cycle_id)
        pricer = Pricer(biller, cycle, uow.tariffs.for_biller(biller.code))
        for kind, tariff_class in uow.bill_runs.service_classes(biller.code):
            pricer.tariff(kind, tariff_class)  # NoTariffInForce before any bill is written
        uow.bill_runs.ensure_cycle(biller.code, cycle)
        uow.bill_runs.start(biller.code, cycle.id, clock.now())
        report = BillRunReport(
            biller.code, cycle.id, uow.bill_runs.count_pending(biller.code, cycle.id)
        )
        uow.commit()
    after_id = 0
    while True:
        with uow_factory() as uow:
            rows = uow.bill_runs.next_batch(biller.code, cycle.id, after_id, batch_rows)
            if not rows:
                break
            issued = PricedBills(
                pricer,
                [
                    (service_id, kind, tariff_class, quantity or 0)
                    for service_id, kind, tariff_class, quantity in rows
                    if quantity is not None or kind not in KINDS_NEEDING_USAGE
                ],
            )
            without_usage = len(rows) - len(issued)
            uow.bills.add_many(issued)
            uow.bill_runs.record_batch(biller.code, cycle.id, len(issued), without_usage)
            uow.commit()
        after_id = rows[-1][0]
        report.bills_issued += len(issued)
        report.services_without_usage += without_usage
        report.batches += 1
        if progress is not None:
            progress(report.bills_issued + report.services_without_usage, report.services_pending)
    with uow_factory() as uow:
        uow.bill_runs.finish(biller.code, cycle.id, clock.now())
        uow.commit()
    return report
