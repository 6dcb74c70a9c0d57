"""Bills: issued once per service per cycle, then paid, partly paid or cancelled.

    issued ──pay all──▶ paid
       │ └─pay part──▶ partially_paid ──pay rest──▶ paid
       └──cancel────▶ cancelled

A bill is never paid twice and never receives more than it is owed; what a
payment brings beyond the chosen bills (only where the biller allows
advances) is a credit on the service, not an overpayment of a bill.
A bill of zero is issued already paid: nothing is owed on it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, PaymentRuleKind
from fawtara.kernel.calendar import Cycle, due_on
from fawtara.kernel.errors import (
    AmountNotAllowed,
    BillAlreadyPaid,
    BillNotPayable,
    LimitExceeded,
    ValidationError,
)


class BillStatus(enum.Enum):
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Bill:
    id: str
    biller_code: str
    service_id: int
    cycle_id: str
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    amount_minor: int
    paid_minor: int
    currency: str
    status: BillStatus

    @property
    def outstanding_minor(self) -> int:
        return self.amount_minor - self.paid_minor

    def apply_payment(self, amount_minor: int) -> Bill:
        """The bill after `amount_minor` more is paid on it."""
        if self.status is BillStatus.PAID:
            raise BillAlreadyPaid(f"bill {self.id} is already paid")
        if self.status is BillStatus.CANCELLED:
            raise BillNotPayable(f"bill {self.id} is cancelled")
        if not 0 < amount_minor <= self.outstanding_minor:
            raise AmountNotAllowed(
                f"bill {self.id} owes {self.outstanding_minor}; cannot take {amount_minor}"
            )
        paid = self.paid_minor + amount_minor
        status = BillStatus.PAID if paid == self.amount_minor else BillStatus.PARTIALLY_PAID
        return replace(self, paid_minor=paid, status=status)

    def reverse_payment(self, amount_minor: int) -> Bill:
        """The bill after a reversal takes back `amount_minor` of what was paid on it."""
        assert 0 < amount_minor <= self.paid_minor, "a reversal returns what was paid"
        paid = self.paid_minor - amount_minor
        status = BillStatus.ISSUED if paid == 0 else BillStatus.PARTIALLY_PAID
        return replace(self, paid_minor=paid, status=status)

    def cancel(self) -> Bill:
        """A bill issued in error is cancelled; one with money on it is not."""
        if self.status is BillStatus.CANCELLED:
            return self
        if self.status is not BillStatus.ISSUED or self.paid_minor:
            raise BillNotPayable(f"bill {self.id} has payments and cannot be cancelled")
        return replace(self, status=BillStatus.CANCELLED)


def bill_id_for(biller_code: str, cycle_id: str, service_id: int) -> str:
    """Deterministic, so a rerun of a cycle finds the bill it already issued."""
    return f"{biller_code}-{cycle_id}-{service_id}"


def issue_bill(biller: Biller, cycle: Cycle, service_id: int, lines: Sequence[BillLine]) -> Bill:
    if len(lines) > limits.bill_lines_max:
        raise LimitExceeded(f"a bill has at most {limits.bill_lines_max} lines")
    total = sum(line.amount_minor for line in lines)
    return Bill(
        id=bill_id_for(biller.code, cycle.id, service_id),
        biller_code=biller.code,
        service_id=service_id,
        cycle_id=cycle.id,
        period_start=cycle.period_start,
        period_end=cycle.period_end,
        issued_on=cycle.issued_on,
        due_on=due_on(cycle.issued_on, biller.due_days),
        amount_minor=total,
        paid_minor=total if total == 0 else 0,
        currency=biller.currency,
        status=BillStatus.PAID if total == 0 else BillStatus.ISSUED,
    )


@dataclass(frozen=True, slots=True)
class Allocation:
    bill_id: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """How one payment splits over the chosen bills, and what is left over."""

    allocations: tuple[Allocation, ...]
    credit_minor: int  # surplus kept as a credit on the service (advance rule)


def plan_payment(biller: Biller, bills: Sequence[Bill], amount_minor: int) -> PaymentPlan:
    """Split `amount_minor` over `bills`, oldest due first, by the biller's rule."""
    if not bills:
        raise ValidationError("a payment pays at least one bill")
    if len(bills) > limits.bills_per_payment_max:
        raise LimitExceeded(f"a payment pays at most {limits.bills_per_payment_max} bills")
    if len({bill.id for bill in bills}) != len(bills):
        raise ValidationError("a bill is chosen twice in one payment")
    for bill in bills:
        if bill.status is BillStatus.PAID:
            raise BillAlreadyPaid(f"bill {bill.id} is already paid")
        if bill.status is BillStatus.CANCELLED:
            raise BillNotPayable(f"bill {bill.id} is cancelled")
        if bill.biller_code != biller.code:
            raise BillNotPayable(f"bill {bill.id} is not a bill of {biller.code}")
    outstanding = sum(bill.outstanding_minor for bill in bills)
    biller.payment_rule.check(amount_minor, outstanding)
    remaining = amount_minor
    allocations: list[Allocation] = []
    for bill in sorted(bills, key=lambda b: (b.due_on, b.id)):
        share = min(remaining, bill.outstanding_minor)
        if share > 0:
            allocations.append(Allocation(bill.id, share))
            remaining -= share
    assert remaining == 0 or biller.payment_rule.kind is PaymentRuleKind.ADVANCE
    return PaymentPlan(tuple(allocations), remaining)


@dataclass(frozen=True, slots=True)
class BillLine:
    description_en: str
    description_ar: str
    quantity: int
    unit: str
    rate: str  # the rate as printed, major units per unit
    amount_minor: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "en": self.description_en,
            "ar": self.description_ar,
            "quantity": self.quantity,
            "unit": self.unit,
            "rate": self.rate,
            "amount_minor": self.amount_minor,
        }


def last_day_before_suspension(due: date, grace_days: int) -> date:
    """The last Damascus day on which an unpaid bill still suspends nothing."""
    assert grace_days >= 0
    return due + timedelta(days=grace_days)
