"""Importing usage (call units, meter readings): bad rows out, good rows kept.

Rows are checked and written in chunks, each chunk one transaction, so a
file of millions of rows never sits in memory and a crash keeps the chunks
already written. A row already imported with the same quantity is skipped,
so importing the same file twice changes nothing; the same service and cycle
with another quantity is refused (a correction is not an import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice

from fawtara.billing.domain.usage import UsageRow, parse_usage_row
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.calendar import parse_cycle
from fawtara.kernel.errors import FawtaraError, InvalidUsage, LimitExceeded, UnknownBiller
from fawtara.kernel.ports import Clock, Progress
from fawtara.kernel.references import compact_reference

CHUNK_ROWS = 5_000


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_added: int = 0
    rows_unchanged: int = 0
    rejected_count: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line_no: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < limits.usage_errors_reported_max:
            self.rejected.append((line_no, reason))


def import_usage(
    uow_factory: Callable[[], UnitOfWork],
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    source: str,
    clock: Clock,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    billers: dict[str, Biller | None] = {}
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        report.rows_read += len(chunk)
        if report.rows_read > limits.usage_file_rows_max:
            raise LimitExceeded(f"a usage file has at most {limits.usage_file_rows_max} rows")
        _import_chunk(uow_factory(), chunk, source, clock, billers, report)
        if progress is not None:
            progress(report.rows_read, None)
    return report


def _parse(
    chunk: list[tuple[int, Mapping[str, str | None]]],
    billers: dict[str, Biller | None],
    uow: UnitOfWork,
    report: ImportReport,
) -> list[UsageRow]:
    parsed: list[UsageRow] = []
    for line_no, raw in chunk:
        try:
            row = parse_usage_row(line_no, raw)
            if row.biller_code not in billers:
                billers[row.biller_code] = uow.billers.get(row.biller_code)
            biller = billers[row.biller_code]
            if biller is None:
                raise UnknownBiller(f"unknown biller {row.biller_code}")
            parse_cycle(biller.calendar, row.cycle_id)
        except FawtaraError as error:
            report.reject(line_no, f"{error.code}: {error.message}")
            continue
        parsed.append(row)
    return parsed


def _import_chunk(
    uow: UnitOfWork,
    chunk: list[tuple[int, Mapping[str, str | None]]],
    source: str,
    clock: Clock,
    billers: dict[str, Biller | None],
    report: ImportReport,
) -> None:
    with uow:
        parsed = _parse(chunk, billers, uow, report)
        service_ids: dict[tuple[str, str], int] = {}
        for biller_code in {row.biller_code for row in parsed}:
            refs = {
                compact_reference(r.service_ref) for r in parsed if r.biller_code == biller_code
            }
            for ref, known_id in uow.services.ids_by_reference(biller_code, refs).items():
                service_ids[(biller_code, ref)] = known_id
        seen: dict[tuple[int, str], int] = {}
        for cycle_id in {row.cycle_id for row in parsed}:
            ids = list(service_ids.values())
            for known_id, quantity in uow.usage.existing(cycle_id, ids).items():
                seen[(known_id, cycle_id)] = quantity
        now = clock.now()
        new_rows = []
        for row in parsed:
            service_id = service_ids.get((row.biller_code, compact_reference(row.service_ref)))
            if service_id is None:
                report.reject(
                    row.line_no,
                    f"UNKNOWN_SERVICE: no service {row.service_ref!r} at {row.biller_code}",
                )
                continue
            before = seen.get((service_id, row.cycle_id))
            if before == row.quantity:
                report.rows_unchanged += 1
                continue
            if before is not None:
                error = InvalidUsage(f"already recorded with quantity {before}, not {row.quantity}")
                report.reject(row.line_no, f"USAGE_CONFLICT: {error.message}")
                continue
            seen[(service_id, row.cycle_id)] = row.quantity
            new_rows.append(
                {
                    "service_id": service_id,
                    "cycle_id": row.cycle_id,
                    "biller_code": row.biller_code,
                    "quantity": row.quantity,
                    "source": limits.clip(source, limits.usage_source_length_max),
                    "imported_at": now,
                }
            )
        uow.usage.add(new_rows)
        uow.commit()
        report.rows_added += len(new_rows)
