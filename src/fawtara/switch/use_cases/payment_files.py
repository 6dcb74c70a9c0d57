"""The switch's payments files: how an upload-mode biller collects its payments.

A biller in upload mode (FAWTARA_BILLER_LINKS `CODE=upload`) is never called;
its payments wait at the switch in `debited`. When it downloads its files,
the switch first cuts new ones from its payments in no file yet (acceptance
order, at most `limits.payments_per_file_max` a file, while fewer than
`limits.payment_files_open_max` are open), then lists the open ones. A file
once cut keeps its id and its payments until acknowledged.

The acknowledgement names the biller's receipt for each payment it posted.
It is stored first (so a second one, different, is refused), then each
payment completes exactly as a 200 answer to its notice would (ledger,
acknowledgement, copy, SMS); a payment without a receipt was refused and its
money goes back. Each payment's move is its own compare-and-set, so an
acknowledgement cut short by a crash is finished by sending it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.calendar import damascus_date
from fawtara.kernel.errors import PaymentFileAckConflict, PaymentFileUnknown
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.switch.domain.payment_files import (
    ack_checksum,
    allocate,
    check_receipts,
    file_id_prefix,
)
from fawtara.switch.domain.payment_files import file_id as make_file_id
from fawtara.switch.domain.payments import PaymentState
from fawtara.switch.use_cases.payment_steps import Switch, complete_acknowledged, return_refused


@dataclass(frozen=True, slots=True)
class PaymentsFile:
    file_id: str
    biller_code: str
    created_at: datetime
    payments: tuple[PostPayment, ...]  # what each notice says (biller_api/notices.py)


def download(switch: Switch, biller_code: str, after: str | None) -> list[PaymentsFile]:
    """Cut what is due, then the biller's open files after file `after` (oldest first).
    An online biller has no payments files: its notices are its payments."""
    if biller_code not in switch.upload_billers:
        return []
    _cut(switch, biller_code)
    with switch.reader() as uow:
        after_number = 0
        if after:
            found = uow.payment_files.get(after)
            if found is None or found["biller_code"] != biller_code:
                raise PaymentFileUnknown(f"no payments file {after} of {biller_code}")
            after_number = int(found["number"])
        rows = uow.payment_files.open_files(
            biller_code, after_number, limits.payment_files_open_max
        )
        return [
            PaymentsFile(
                row["file_id"],
                biller_code,
                row["created_at"],
                tuple(
                    _facts(biller_code, e["payment_id"], e["notice"])
                    for e in uow.payment_files.entries(row["file_id"])
                ),
            )
            for row in rows
        ]


def _cut(switch: Switch, biller_code: str) -> int:
    """New files from the biller's payments in no file; returns how many were cut."""
    cut = 0
    with switch.uow_factory() as uow:
        uow.payment_files.lock_biller(biller_code)  # one cut at a time per biller
        now = switch.clock.now()
        prefix = file_id_prefix(biller_code, damascus_date(now))
        number = uow.payment_files.last_number(biller_code)
        of_day = uow.payment_files.count_with_prefix(biller_code, prefix)
        room = limits.payment_files_open_max - uow.payment_files.count_open(biller_code)
        while cut < room:
            rows = uow.payment_files.unfiled(biller_code, limits.payments_per_file_max)
            if not rows:
                break
            cut += 1
            file_id = make_file_id(biller_code, damascus_date(now), of_day + cut)
            uow.payment_files.add(
                file_id, biller_code, number + cut, [_entry(biller_code, row) for row in rows], now
            )
        uow.commit()
    return cut


def _entry(biller_code: str, row: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A payment as its file keeps it: what its notice says, fixed when the file is cut."""
    assert row["accepted_at"].tzinfo is not None, "instants are timezone-aware"
    return row["payment_id"], {
        "biller": biller_code,
        "customer_ref": row["customer_ref"],
        "bill_ids": list(row["bill_ids"]),
        "amount_minor": int(row["amount_minor"]),
        "currency": row["currency"],
        "channel": row["channel"],
        "accepted_at": row["accepted_at"].isoformat(),
    }


def _facts(biller_code: str, payment_id: str, stored: Mapping[str, Any]) -> PostPayment:
    return PostPayment(
        payment_id=payment_id,
        biller_code=biller_code,
        customer_ref=stored["customer_ref"],
        bill_ids=tuple(stored["bill_ids"]),
        amount_minor=int(stored["amount_minor"]),
        currency=stored["currency"],
        channel=stored["channel"],
        paid_at=datetime.fromisoformat(stored["accepted_at"]),
    )


def acknowledge(
    switch: Switch, biller_code: str, file_id: str, receipts: Mapping[str, str]
) -> None:
    """The biller took the file: complete each payment it has a receipt for, return the
    others. The same acknowledgement again changes nothing; another one is refused."""
    checksum = ack_checksum(receipts)
    with switch.uow_factory() as uow:
        found = uow.payment_files.get(file_id)
        if found is None or found["biller_code"] != biller_code:
            raise PaymentFileUnknown(f"no payments file {file_id} of {biller_code}")
        notices = {e["payment_id"]: e["notice"] for e in uow.payment_files.entries(file_id)}
        if found["ack_checksum"] is not None and found["ack_checksum"] != checksum:
            raise PaymentFileAckConflict(
                f"payments file {file_id} was acknowledged with other receipts"
            )
        check_receipts(file_id, list(notices), receipts)
        if found["acknowledged_at"] is not None:
            return
        uow.payment_files.record_ack(file_id, checksum, receipts)
        uow.commit()
    for payment_id, notice in notices.items():
        _settle(switch, file_id, payment_id, notice, receipts.get(payment_id))
    with switch.uow_factory() as uow:
        uow.payment_files.mark_acknowledged(file_id, switch.clock.now())
        uow.commit()


def _settle(
    switch: Switch,
    file_id: str,
    payment_id: str,
    notice: Mapping[str, Any],
    receipt_id: str | None,
) -> None:
    with switch.reader() as uow:
        payment = uow.payments.get(payment_id)
        assert payment is not None, "a payment in a file exists"
        if payment.state is not PaymentState.DEBITED:
            return  # settled already (an acknowledgement sent again after a crash)
        bill_ids = [str(bill_id) for bill_id in notice["bill_ids"]]
        copies = {bill.id: bill for bill in uow.bills.get_many(bill_ids)}
    if receipt_id is None:
        return_refused(switch, payment, f"not posted: no receipt in payments file {file_id}")
        return
    split, credit = allocate(
        int(notice["amount_minor"]),
        [(b, copies[b].outstanding_minor if b in copies else 0) for b in bill_ids],
    )
    result = PostingResult(payment_id, split, credit, replayed=False, receipt_id=receipt_id)
    complete_acknowledged(switch, payment, result)
