"""Payments files: how an upload-mode biller collects the payments the switch accepted.

A biller that cannot be called online downloads its payments as files and
acknowledges each with its receipt ids (docs/BILLER-API.md, "Payments file").
The rules here are pure: a file's id, the checksum that makes an
acknowledgement idempotent, which receipts an acknowledgement may name, and
how a payment's amount goes over its bills when the biller posts it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date

from fawtara.kernel.errors import PaymentNotInFile, ValidationError

FILE_ID_PREFIX = "PF"
RECEIPT_ID_LENGTH_MAX = 64  # biller_acknowledgements.biller_receipt_id


def file_id(biller_code: str, day: date, number_in_day: int) -> str:
    """`PF-WATER-20260401-01`: the biller, the Damascus day it was cut, its number that day."""
    assert number_in_day > 0, "files of a day count from 1"
    return f"{FILE_ID_PREFIX}-{biller_code}-{day:%Y%m%d}-{number_in_day:02d}"


def file_id_prefix(biller_code: str, day: date) -> str:
    return f"{FILE_ID_PREFIX}-{biller_code}-{day:%Y%m%d}-"


def ack_checksum(receipts: Mapping[str, str]) -> str:
    """SHA-256 of the receipts as canonical JSON: the same acknowledgement, the same sum."""
    body = json.dumps(dict(receipts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def check_receipts(file_id: str, payment_ids: Collection[str], receipts: Mapping[str, str]) -> None:
    """Every receipt names a payment of the file and is 1..64 characters."""
    strangers = sorted(set(receipts) - set(payment_ids))
    if strangers:
        raise PaymentNotInFile(
            f"payment {strangers[0]} is not in file {file_id}"
            + (f" (and {len(strangers) - 1} more)" if len(strangers) > 1 else "")
        )
    for payment_id, receipt_id in receipts.items():
        if not 0 < len(receipt_id) <= RECEIPT_ID_LENGTH_MAX:
            raise ValidationError(
                f"the receipt of {payment_id} must be 1..{RECEIPT_ID_LENGTH_MAX} characters"
            )


def allocate(
    amount_minor: int, bills: Sequence[tuple[str, int]]
) -> tuple[tuple[tuple[str, int, str], ...], int]:
    """The amount over the bills (id, outstanding) in their order; the rest is credit.

    The switch checked the payment against its copy when it accepted it, so the
    split is the one the biller makes for a payment within its rule: each bill
    takes what it owes, in the order named, and what is left is the customer's
    credit (only an advance rule leaves any).
    """
    assert amount_minor > 0, "a payment's amount is above 0"
    left, split = amount_minor, []
    for bill_id, outstanding_minor in bills:
        taken = min(left, max(outstanding_minor, 0))
        left -= taken
        status = "paid" if taken == outstanding_minor else "partially_paid"
        split.append((bill_id, taken, status))
    return tuple(split), left
