"""Billers, the services they bill, and the rule a payment must follow."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from fawtara.kernel import limits
from fawtara.kernel.errors import AmountNotAllowed, ValidationError


class ServiceKind(enum.Enum):
    LANDLINE = "landline"
    INTERNET = "internet"
    ELECTRICITY = "electricity"
    WATER = "water"


class ServiceState(enum.Enum):
    """A service's state at the biller. The lifecycle issue adds the moves."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISCONNECTED = "disconnected"


class CalendarKind(enum.Enum):
    MONTHLY = "monthly"  # telecom: one cycle per calendar month
    BIMONTHLY = "bimonthly"  # electricity, water: six cycles a year


class PaymentRuleKind(enum.Enum):
    EXACT = "exact"  # each chosen bill is paid in full, nothing more
    PARTIAL = "partial"  # less than the outstanding amount is accepted
    ADVANCE = "advance"  # any amount in bounds; beyond what is due becomes a credit


@dataclass(frozen=True, slots=True)
class PaymentRule:
    kind: PaymentRuleKind
    minimum_minor: int = 1
    maximum_minor: int = limits.amount_minor_max

    def __post_init__(self) -> None:
        if not 0 < self.minimum_minor <= self.maximum_minor <= limits.amount_minor_max:
            raise ValidationError(
                f"payment rule bounds out of order: {self.minimum_minor}..{self.maximum_minor}"
            )

    def check(self, amount_minor: int, outstanding_minor: int) -> None:
        """Refuse an amount the biller does not allow for this outstanding total."""
        if not self.minimum_minor <= amount_minor <= self.maximum_minor:
            raise AmountNotAllowed(
                f"amount {amount_minor} outside the biller's bounds "
                f"{self.minimum_minor}..{self.maximum_minor}"
            )
        if self.kind is PaymentRuleKind.EXACT and amount_minor != outstanding_minor:
            raise AmountNotAllowed(
                f"this biller takes the exact amount due, {outstanding_minor}, got {amount_minor}"
            )
        if self.kind is PaymentRuleKind.PARTIAL and amount_minor > outstanding_minor:
            raise AmountNotAllowed(
                f"amount {amount_minor} exceeds the {outstanding_minor} due; "
                "this biller takes no advance payments"
            )


@dataclass(frozen=True, slots=True)
class Biller:
    code: str
    name_ar: str
    name_en: str
    service_kinds: tuple[ServiceKind, ...]
    calendar: CalendarKind
    payment_rule: PaymentRule
    due_days: int = 30
    grace_days: int = 0
    currency: str = "SYP"
    channels: tuple[str, ...] = ("bank", "portal", "counter")

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2,16}", self.code, re.ASCII):
            raise ValidationError(f"biller code must be 2..16 upper-case letters: {self.code!r}")
        if not 1 <= self.due_days <= limits.due_days_max:
            raise ValidationError(f"due days must be 1..{limits.due_days_max}: {self.due_days}")
        if not 0 <= self.grace_days <= limits.grace_days_max:
            raise ValidationError(f"grace days must be 0..{limits.grace_days_max}")
        if not self.service_kinds:
            raise ValidationError("a biller bills at least one kind of service")
