"""A cashier's shift at a counter, and the count of the drawer at its close.

    open ──close, counted = expected──▶ closed
      │
      └──close, counted ≠ expected──▶ awaiting_approval ──supervisor──▶ approved

expected = opening float + cash taken − cash voided − refunds paid (payments
voided during the shift were taken into the drawer and handed back; a refund
owed to a subscriber is handed over from it); variance = counted −
expected (negative: cash missing). A close with a variance waits for a
supervisor of the same counter, who may not approve their own shift.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from fawtara.kernel import limits
from fawtara.kernel.errors import (
    InvalidAmount,
    SelfApproval,
    ShiftNotAwaitingApproval,
    ShiftNotOpen,
)


class ShiftState(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"


@dataclass(frozen=True, slots=True)
class ShiftCash:
    """What went through the drawer during a shift (from the cash payments)."""

    payments: int
    cash_taken_minor: int
    voided_minor: int
    refunds_paid_minor: int = 0  # refunds owed to subscribers, handed over from the drawer


@dataclass(frozen=True, slots=True)
class Shift:
    shift_id: str
    counter_code: str
    cashier: str
    opened_at: datetime
    opening_float_minor: int
    state: ShiftState = ShiftState.OPEN
    closed_at: datetime | None = None
    expected_minor: int | None = None  # fixed at the close
    counted_minor: int | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None

    def __post_init__(self) -> None:
        check_cash_amount(self.opening_float_minor, "opening float")

    @property
    def variance_minor(self) -> int | None:
        if self.counted_minor is None or self.expected_minor is None:
            return None
        return self.counted_minor - self.expected_minor

    def close(self, counted_minor: int, cash: ShiftCash, at: datetime) -> Shift:
        if self.state is not ShiftState.OPEN:
            raise ShiftNotOpen(f"shift {self.shift_id} is {self.state.value}, not open")
        check_cash_amount(counted_minor, "counted cash")
        expected = expected_minor(self.opening_float_minor, cash)
        state = ShiftState.CLOSED if counted_minor == expected else ShiftState.AWAITING_APPROVAL
        return replace(
            self, state=state, closed_at=at, expected_minor=expected, counted_minor=counted_minor
        )

    def approve(self, supervisor: str, at: datetime) -> Shift:
        if self.state is not ShiftState.AWAITING_APPROVAL:
            raise ShiftNotAwaitingApproval(
                f"shift {self.shift_id} is {self.state.value}: only a close with a variance "
                "waits for approval"
            )
        if supervisor == self.cashier:
            raise SelfApproval(
                f"{supervisor} closed shift {self.shift_id}; another supervisor must approve it"
            )
        return replace(self, state=ShiftState.APPROVED, approved_by=supervisor, approved_at=at)


def expected_minor(opening_float_minor: int, cash: ShiftCash) -> int:
    return (
        opening_float_minor + cash.cash_taken_minor - cash.voided_minor - cash.refunds_paid_minor
    )


def check_cash_amount(amount_minor: int, what: str) -> None:
    if not 0 <= amount_minor <= limits.amount_minor_max:
        raise InvalidAmount(f"the {what} must be 0..{limits.amount_minor_max} qirsh")
