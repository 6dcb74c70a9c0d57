"""A payment notice and the biller's answer, as both systems hold them.

The switch sends a `PostPayment` for each payment it accepted (over the Biller
API, docs/BILLER-API.md); the billing system posts it and answers a
`PostingResult`. The payment id is the idempotency key: `request_hash` says
whether a second notice with that id is the same request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from fawtara.kernel.references import compact_reference


@dataclass(frozen=True, slots=True)
class PostPayment:
    payment_id: str
    biller_code: str
    customer_ref: str
    bill_ids: tuple[str, ...]
    amount_minor: int
    currency: str
    channel: str
    paid_at: datetime  # when the channel accepted the money; counts for the due date

    def request_hash(self) -> str:
        body = {
            "biller": self.biller_code,
            "customer_ref": compact_reference(self.customer_ref),
            "bill_ids": sorted(self.bill_ids),
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "channel": self.channel,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PostingResult:
    payment_id: str
    bills: tuple[tuple[str, int, str], ...]  # (bill id, amount taken, status after)
    credit_minor: int
    replayed: bool
    receipt_id: str = ""  # the biller's receipt of the notice

    def __post_init__(self) -> None:
        if not self.receipt_id:
            object.__setattr__(self, "receipt_id", biller_receipt_id(self.payment_id))


def biller_receipt_id(payment_id: str) -> str:
    """The billing system's receipt of a notice: deterministic, so a replay answers the same."""
    return "BR-" + hashlib.sha256(payment_id.encode()).hexdigest()[:16].upper()


@dataclass(frozen=True, slots=True)
class InFlight:
    """The switch's answer: payments accepted that the biller has not acknowledged."""

    as_of: datetime
    payments: tuple[tuple[str, str, tuple[str, ...], int, datetime], ...]
    # (payment id, customer reference, bill ids, amount, accepted at)
    counters_synced_through: datetime | None


@dataclass(frozen=True, slots=True)
class DownloadedFile:
    """A payments file as the billing system downloads it (docs/BILLER-API.md)."""

    file_id: str
    payments: tuple[PostPayment, ...]
    created_at: datetime
