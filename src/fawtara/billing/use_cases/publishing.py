"""The billing system publishes a bill run to the switch as bill files.

Every biller does, online or not: the switch needs a copy of the open bills
for the counters that sell them offline, and an upload-mode biller (no
online link) has no other way to present them. A file's id carries its
checksum, so publishing the same bills again changes nothing at the switch
and publishing them after a change is a new file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fawtara.billing.use_cases.ports import SwitchLink, UnitOfWork
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.ports import Progress
from fawtara.kernel.presentment import PresentedBill, UploadedRow

PUBLISH_PAGE_ROWS = 5_000


def publish_cycle(
    uow_factory: Callable[[], UnitOfWork],
    link: SwitchLink,
    biller_code: str,
    cycle_id: str,
    progress: Progress | None = None,
) -> int:
    """Upload the cycle's bills, a page a file; returns the rows the switch applied."""
    applied, sent, after = 0, 0, ""
    while True:
        with uow_factory() as uow:
            page = uow.publishing.cycle_bills(biller_code, cycle_id, after, PUBLISH_PAGE_ROWS)
        if not page:
            return applied
        rows = [_row(number, found) for number, found in enumerate(page, start=1)]
        applied += link.upload_bills(biller_code, file_id(biller_code, cycle_id, rows), rows)
        sent += len(rows)
        after = page[-1]["id"]
        if progress is not None:
            progress(sent, None)


def file_id(biller_code: str, cycle_id: str, rows: list[UploadedRow]) -> str:
    digest = hashlib.sha256(repr([(r.customer_ref, r.bill) for r in rows]).encode()).hexdigest()
    return f"{biller_code}-{cycle_id}-{digest[:24]}"


def _row(number: int, found: dict[str, Any]) -> UploadedRow:
    return UploadedRow(
        row=number,
        customer_ref=found["reference"],
        name_ar=found["name_ar"],
        name_en=found["name_en"],
        bill=PresentedBill(
            id=found["id"],
            cycle_id=found["cycle_id"],
            period_start=found["period_start"],
            period_end=found["period_end"],
            issued_on=found["issued_on"],
            due_on=found["due_on"],
            amount_minor=found["amount_minor"],
            paid_minor=found["paid_minor"],
            currency=found["currency"],
            status=BillStatus(found["status"]),
        ),
        governorate=found["governorate"],
        msisdn=found["msisdn"],
        language=found["language"],
    )
