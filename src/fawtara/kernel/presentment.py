"""What a biller presents of a customer, as the switch receives it over the Biller API.

The switch does not keep the biller's books: it keeps a copy of the last
presentment (an inquiry's answer, or the rows of a bill file) to check a
payment against and to serve counters that work offline. The copy says when
it was taken; an online biller that does not answer is replaced by its copy
only while the copy is younger than `limits.presented_copy_age_s_max`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fawtara.kernel.bills import BillStatus


@dataclass(frozen=True, slots=True)
class PresentedBill:
    id: str
    cycle_id: str
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    amount_minor: int
    paid_minor: int
    currency: str
    status: BillStatus


@dataclass(frozen=True, slots=True)
class PresentedCustomer:
    """A customer's bills at a biller, as presented at `as_of`."""

    biller_code: str
    reference: str
    name_ar: str
    name_en: str
    bills: tuple[PresentedBill, ...]
    as_of: datetime
    msisdn: str | None = None
    governorate: str | None = None
    language: str = "ar"


def copy_is_fresh(refreshed_at: datetime, now: datetime, age_s_max: int) -> bool:
    """Whether a copy may stand in for a biller that does not answer."""
    return (now - refreshed_at).total_seconds() <= age_s_max


@dataclass(frozen=True, slots=True)
class UploadedRow:
    """One row of a bill file: a bill and who it is for."""

    row: int
    customer_ref: str
    name_ar: str
    name_en: str
    bill: PresentedBill
    governorate: str | None = None
    msisdn: str | None = None
    language: str = "ar"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    code: str
    message: str
