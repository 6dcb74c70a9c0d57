"""A bill as the subscriber reads it on paper: who bills, for what, how much, by when.

The portal offers it as an A4 PDF (receipts/adapters/pdf.py). It says what
happens if the bill stays unpaid: the service may be suspended after the last
day of the biller's grace (billing/domain/lifecycle.py), and comes back by itself
once the overdue amount is paid.

Pure: built by receipts/use_cases/receipts.py from the stored bill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fawtara.kernel.bills import BillLine, BillStatus, last_day_before_suspension


@dataclass(frozen=True, slots=True)
class BillDocument:
    bill_id: str
    biller_code: str
    biller_name_ar: str
    biller_name_en: str
    customer_ref: str
    customer_name_ar: str
    period: str  # the cycle id, e.g. 2026-B5
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    grace_days: int
    amount_minor: int
    paid_minor: int
    currency: str
    status: BillStatus
    lines: tuple[BillLine, ...]  # usage and charges, when the biller itemises them

    @property
    def amount_due_minor(self) -> int:
        return self.amount_minor - self.paid_minor

    @property
    def last_day_before_suspension(self) -> date:
        """Unpaid after this day, the service may be suspended."""
        return last_day_before_suspension(self.due_on, self.grace_days)

    @property
    def is_settled(self) -> bool:
        return self.status in (BillStatus.PAID, BillStatus.CANCELLED)
