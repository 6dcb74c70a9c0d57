"""Money as an integer count of minor units with a currency.

SYP has exponent 2: since 1 January 2026 the new pound (100 old pounds) and
its qirsh (قرش). No float ever touches an amount; `Decimal` appears only at
the edges, when parsing or displaying text.

Tariff rates may carry fractions of a qirsh (a call unit at 2.6325 qirsh), so
they are a separate type, `Rate`, counted in millionths of a minor unit. The
one place a rate meets an amount is `Rate.times`, which names its rounding.
"""

from __future__ import annotations

import decimal
import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from fawtara.kernel import limits
from fawtara.kernel.errors import CurrencyMismatch, InvalidAmount

# ISO 4217 exponents of the currencies the network handles.
CURRENCY_EXPONENTS: dict[str, int] = {"SYP": 2}

# Rates are integers in millionths of a minor unit.
RATE_SCALE = 1_000_000

# Amount and rate text: ASCII digits, an optional sign and decimal point. No
# exponents, separators or other scripts' digits: "1e3" or "1_000" on a money
# field is a mistake to refuse, not a number to guess.
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,30})?", re.ASCII)

# The 2026 redenomination: 100 old pounds = 1 new pound (Decree 293 of 2025).
OLD_POUNDS_PER_NEW_POUND = 100


class Rounding(enum.Enum):
    """The named rounding rules. Each use site picks one explicitly."""

    HALF_UP = "half_up"  # 0.5 qirsh and above rounds away from zero: bills.
    HALF_EVEN = "half_even"  # banker's rounding, for statistics and shares.
    DOWN = "down"  # toward zero: never charge a fraction not owed.
    UP = "up"  # away from zero.


def divide_rounded(numerator: int, denominator: int, rounding: Rounding) -> int:
    """numerator / denominator rounded to an integer by the named rule."""
    assert denominator > 0, "denominator must be positive"
    quotient, remainder = divmod(abs(numerator), denominator)
    sign = -1 if numerator < 0 else 1
    if remainder:
        twice = 2 * remainder
        if rounding is Rounding.UP:
            quotient += 1
        elif rounding is Rounding.HALF_UP:
            quotient += 1 if twice >= denominator else 0
        elif rounding is Rounding.HALF_EVEN and (
            twice > denominator or (twice == denominator and quotient % 2 == 1)
        ):
            quotient += 1
    return sign * quotient


def parse_decimal_text(text: object, what: str) -> Decimal:
    """An exact Decimal from strict decimal text, or InvalidAmount."""
    if not isinstance(text, str) or not _DECIMAL_TEXT.fullmatch(text.strip()):
        raise InvalidAmount(f"not a decimal {what}: {text!r}", "صيغة المبلغ غير صالحة")
    return Decimal(text.strip())


def scale_exactly(value: Decimal, exponent: int, what: str, text: str) -> int:
    """value × 10^exponent as an int, refusing any fraction left over."""
    context = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.Overflow])
    scaled = context.multiply(value, Decimal(10) ** exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(
            f"{text!r} is finer than the {what} allows", "المبلغ يحتوي على كسور غير مسموحة"
        )
    return int(scaled)


def check_currency(currency: str) -> str:
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidAmount(
            f"unknown currency {currency!r}; known: {', '.join(sorted(CURRENCY_EXPONENTS))}",
            f"عملة غير معروفة: {currency}",
        )
    return currency


def check_amount_minor(amount_minor: int) -> int:
    if type(amount_minor) is not int:
        raise InvalidAmount(f"amount must be an integer of minor units, got {amount_minor!r}")
    if abs(amount_minor) > limits.amount_minor_max:
        raise InvalidAmount(
            f"amount {amount_minor} exceeds the limit of {limits.amount_minor_max} minor units",
            "المبلغ يتجاوز الحد المسموح",
        )
    return amount_minor


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount: `amount_minor` qirsh of `currency`."""

    amount_minor: int
    currency: str = "SYP"

    def __post_init__(self) -> None:
        check_amount_minor(self.amount_minor)
        check_currency(self.currency)

    @classmethod
    def zero(cls, currency: str = "SYP") -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str = "SYP") -> Money:
        """Parse a decimal string in major units ("1234.50") exactly."""
        exponent = CURRENCY_EXPONENTS[check_currency(currency)]
        value = parse_decimal_text(text, "amount")
        return cls(scale_exactly(value, exponent, f"qirsh of {currency}", text), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def is_positive(self) -> bool:
        return self.amount_minor > 0

    def to_decimal(self) -> Decimal:
        """For display and ISO messages only."""
        return Decimal(self.amount_minor).scaleb(-CURRENCY_EXPONENTS[self.currency])

    def format(self) -> str:
        """'1,234.50 SYP' (Latin digits; Arabic display lives in the web layer)."""
        exponent = CURRENCY_EXPONENTS[self.currency]
        return f"{self.to_decimal():,.{exponent}f} {self.currency}"

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True, slots=True)
class Rate:
    """A price per unit of quantity, exact to a millionth of a minor unit."""

    micro_minor: int
    currency: str = "SYP"

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if (
            type(self.micro_minor) is not int
            or not 0 <= self.micro_minor <= limits.rate_micro_minor_max
        ):
            raise InvalidAmount(
                f"rate out of range: {self.micro_minor!r} millionths of a minor unit"
            )

    @classmethod
    def parse(cls, text: str, currency: str = "SYP") -> Rate:
        """Parse a price in major units per unit ("0.026325") exactly."""
        exponent = CURRENCY_EXPONENTS[check_currency(currency)]
        value = parse_decimal_text(text, "rate")
        micro = scale_exactly(value, exponent + 6, "millionth of a minor unit", text)
        assert RATE_SCALE == 10**6
        return cls(micro, currency)

    def times(self, quantity: int, rounding: Rounding) -> Money:
        """quantity × rate, rounded to a whole minor unit by the named rule."""
        micro = quantity * self.micro_minor
        return Money(divide_rounded(micro, RATE_SCALE, rounding), self.currency)

    def to_text(self) -> str:
        """The rate in major units, plain decimal, at least the currency's decimals."""
        exponent = CURRENCY_EXPONENTS[self.currency]
        whole, fraction = divmod(self.micro_minor, 10 ** (exponent + 6))
        digits = f"{fraction:0{exponent + 6}d}".rstrip("0").ljust(exponent, "0")
        return f"{whole}.{digits}"


def old_to_new_minor(old_minor: int, rounding: Rounding) -> int:
    """Convert an amount in old pounds (before 2026) to new-pound minor units.

    Both denominations have a qirsh, so the conversion divides by 100 and may
    leave a fraction of a new qirsh, which the named rule settles.
    """
    return divide_rounded(old_minor, OLD_POUNDS_PER_NEW_POUND, rounding)


class Denomination(enum.Enum):
    """Which pound a stored figure is in. History before 2026 stays readable."""

    OLD = "old"  # before 1 January 2026
    NEW = "new"  # the 2026 pound
