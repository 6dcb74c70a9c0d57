"""Bill files: a biller with a weak or no online link uploads its bills to the switch.

A file is applied once per file id, in one transaction: the same file id with
the same checksum answers the stored answer and changes nothing; with another
checksum it is refused (BILL_FILE_REUSED). Each row is checked on its own; a
bad row is reported with its number and a named code and the others apply.
The rows become the switch's copy of what the biller presents (source
`upload`), which payments and counters are checked against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import (
    BillFileReused,
    FawtaraError,
    LimitExceeded,
    UnknownBiller,
    ValidationError,
)
from fawtara.kernel.ports import Clock
from fawtara.kernel.presentment import PresentedCustomer, RowError, UploadedRow
from fawtara.kernel.references import normalise_reference
from fawtara.switch.use_cases.ports import UnitOfWork

FILE_ID_LENGTH_MAX = 64
FILE_ROWS_MAX = 20_000
ERRORS_REPORTED_MAX = 1_000


@dataclass(frozen=True, slots=True)
class BillFileResult:
    file_id: str
    rows_applied: int
    rows_unchanged: int
    errors: tuple[RowError, ...]
    replayed: bool


def accept_bill_file(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    biller_code: str,
    file_id: str,
    checksum: str,
    rows: Sequence[UploadedRow],
) -> BillFileResult:
    if not 0 < len(file_id) <= FILE_ID_LENGTH_MAX:
        raise ValidationError(f"a file id is 1..{FILE_ID_LENGTH_MAX} characters")
    if not 0 < len(rows) <= FILE_ROWS_MAX:
        raise LimitExceeded(f"a bill file holds 1..{FILE_ROWS_MAX} rows")
    with uow_factory() as uow:
        stored = uow.biller_links.bill_file(file_id)
        if stored is not None:
            return _replay(stored, biller_code, file_id, checksum)
        biller = uow.billers.get(biller_code)
        if biller is None:
            raise UnknownBiller(f"unknown biller {biller_code!r}")
        owners = uow.presentment.owner_of([row.bill.id for row in rows])
        good, errors = _check_rows(biller, rows, owners)
        now = clock.now()
        for customer in _customers(biller_code, good, now):
            uow.presentment.store(customer, "upload", now)
        result = BillFileResult(file_id, len(good), 0, tuple(errors[:ERRORS_REPORTED_MAX]), False)
        uow.biller_links.add_bill_file(
            file_id, biller_code, checksum, len(rows), _answer(result), now
        )
        uow.commit()
    return result


def _check_rows(
    biller: Biller, rows: Sequence[UploadedRow], owners: dict[str, str]
) -> tuple[list[UploadedRow], list[RowError]]:
    good: list[UploadedRow] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for row in rows:
        try:
            good.append(_checked(biller, row, owners, seen))
        except FawtaraError as error:
            errors.append(RowError(row.row, error.code, error.message))
    return good, errors


def _checked(
    biller: Biller, row: UploadedRow, owners: dict[str, str], seen: set[str]
) -> UploadedRow:
    bill = row.bill
    if bill.id in seen:
        raise ValidationError(f"bill {bill.id} is twice in this file")
    seen.add(bill.id)
    if owners.get(bill.id, biller.code) != biller.code:
        raise ValidationError(f"bill id {bill.id} belongs to another biller")
    if bill.currency != biller.currency:
        raise ValidationError(f"{biller.code} bills in {biller.currency}, not {bill.currency}")
    if bill.due_on < bill.issued_on or bill.period_end < bill.period_start:
        raise ValidationError(f"bill {bill.id}: dates out of order")
    if not 0 <= bill.paid_minor <= bill.amount_minor <= limits.amount_minor_max:
        raise ValidationError(f"bill {bill.id}: amounts out of range")
    reference = _reference(biller, row.customer_ref)
    return replace(row, customer_ref=reference)


def _reference(biller: Biller, customer_ref: str) -> str:
    last: FawtaraError | None = None
    for kind in biller.service_kinds:
        try:
            return normalise_reference(kind, customer_ref)
        except FawtaraError as error:
            last = error
    assert last is not None, "a biller has at least one service kind"
    raise last


def _customers(biller_code: str, rows: Sequence[UploadedRow], now: Any) -> list[PresentedCustomer]:
    by_customer: dict[str, list[UploadedRow]] = defaultdict(list)
    for row in rows:
        by_customer[row.customer_ref].append(row)
    return [
        PresentedCustomer(
            biller_code=biller_code,
            reference=reference,
            name_ar=group[-1].name_ar,
            name_en=group[-1].name_en,
            bills=tuple(row.bill for row in group),
            as_of=now,
            msisdn=group[-1].msisdn,
            governorate=group[-1].governorate,
            language=group[-1].language,
        )
        for reference, group in by_customer.items()
    ]


def _answer(result: BillFileResult) -> dict[str, Any]:
    return {
        "rows_applied": result.rows_applied,
        "errors": [[e.row, e.code, e.message] for e in result.errors],
    }


def _replay(
    stored: dict[str, Any], biller_code: str, file_id: str, checksum: str
) -> BillFileResult:
    if stored["checksum"] != checksum or stored["biller_code"] != biller_code:
        raise BillFileReused(f"bill file {file_id} was uploaded with other contents")
    answer = stored["answer"]
    return BillFileResult(
        file_id,
        0,
        int(answer["rows_applied"]),
        tuple(RowError(int(r), str(c), str(m)) for r, c, m in answer["errors"]),
        True,
    )
