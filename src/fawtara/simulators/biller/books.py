"""The simulated biller's books: its customers and their bills, and how it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fawtara.biller_api.codes import ErrorCode
from fawtara.biller_api.schema import BillStatus, OpenBill


class BillerRefusal(Exception):
    """An expected refusal, answered as an ErrorAnswer with its code's HTTP status."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Bill:
    bill_id: str
    cycle: str
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    amount_minor: int
    currency: str
    paid_minor: int = 0
    cancelled: bool = False

    @property
    def outstanding_minor(self) -> int:
        return self.amount_minor - self.paid_minor

    @property
    def status(self) -> BillStatus:
        if self.cancelled:
            return "cancelled"
        if self.paid_minor == 0:
            return "issued"
        return "paid" if self.outstanding_minor <= 0 else "partially_paid"

    def as_open_bill(self) -> OpenBill:
        return OpenBill(
            bill_id=self.bill_id,
            cycle=self.cycle,
            period_start=self.period_start,
            period_end=self.period_end,
            issued_on=self.issued_on,
            due_on=self.due_on,
            amount_minor=self.amount_minor,
            paid_minor=self.paid_minor,
            currency=self.currency,
            status=self.status,
        )


@dataclass(slots=True)
class Customer:
    customer_ref: str
    name_ar: str
    name_en: str
    bills: list[Bill]  # newest first
