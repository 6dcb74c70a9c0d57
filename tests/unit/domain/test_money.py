"""Money as integer qirsh, the named rounding rules, rates and the 2026 redenomination."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fawtara.kernel import limits, money
from fawtara.kernel.errors import CurrencyMismatch, InvalidAmount
from fawtara.kernel.money import Money, Rate, Rounding, divide_rounded, old_to_new_minor

DECIMAL_ROUNDING = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.UP: decimal.ROUND_UP,
}


# Rounding rules ------------------------------------------------------------


def test_half_up_rounds_half_a_qirsh_away_from_zero() -> None:
    # 5 / 2 = 2.5 -> 3; -5 / 2 = -2.5 -> -3 (away from zero, not toward +inf).
    assert divide_rounded(5, 2, Rounding.HALF_UP) == 3
    assert divide_rounded(-5, 2, Rounding.HALF_UP) == -3


def test_half_even_rounds_an_exact_half_to_the_even_neighbour() -> None:
    # 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4.
    assert divide_rounded(5, 2, Rounding.HALF_EVEN) == 2
    assert divide_rounded(7, 2, Rounding.HALF_EVEN) == 4
    assert divide_rounded(-5, 2, Rounding.HALF_EVEN) == -2
    assert divide_rounded(-7, 2, Rounding.HALF_EVEN) == -4


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounding", "expected"),
    [
        # 9 / 4 = 2.25
        (9, 4, Rounding.HALF_UP, 2),
        (9, 4, Rounding.HALF_EVEN, 2),
        (9, 4, Rounding.DOWN, 2),
        (9, 4, Rounding.UP, 3),
        # 11 / 4 = 2.75
        (11, 4, Rounding.HALF_UP, 3),
        (11, 4, Rounding.HALF_EVEN, 3),
        (11, 4, Rounding.DOWN, 2),
        (11, 4, Rounding.UP, 3),
        # 7 / 2 = 3.5, an exact half
        (7, 2, Rounding.HALF_UP, 4),
        (7, 2, Rounding.DOWN, 3),
        (7, 2, Rounding.UP, 4),
        # -9 / 4 = -2.25: DOWN is toward zero, UP away from zero
        (-9, 4, Rounding.HALF_UP, -2),
        (-9, 4, Rounding.HALF_EVEN, -2),
        (-9, 4, Rounding.DOWN, -2),
        (-9, 4, Rounding.UP, -3),
        # -11 / 4 = -2.75
        (-11, 4, Rounding.HALF_UP, -3),
        (-11, 4, Rounding.HALF_EVEN, -3),
        (-11, 4, Rounding.DOWN, -2),
        (-11, 4, Rounding.UP, -3),
        # -5 / 2 = -2.5, a negative exact half
        (-5, 2, Rounding.DOWN, -2),
        (-5, 2, Rounding.UP, -3),
        # -1 / 3 = -0.33...: only UP leaves zero
        (-1, 3, Rounding.HALF_UP, 0),
        (-1, 3, Rounding.HALF_EVEN, 0),
        (-1, 3, Rounding.DOWN, 0),
        (-1, 3, Rounding.UP, -1),
        # exact quotients are never moved: 8 / 4 = 2, 0 / 7 = 0
        (8, 4, Rounding.UP, 2),
        (8, 4, Rounding.DOWN, 2),
        (0, 7, Rounding.UP, 0),
    ],
)
def test_each_rounding_rule_on_a_worked_quotient(
    numerator: int, denominator: int, rounding: Rounding, expected: int
) -> None:
    assert divide_rounded(numerator, denominator, rounding) == expected


@settings(database=None)
@given(
    numerator=st.integers(min_value=-(10**21), max_value=10**21),
    denominator=st.integers(min_value=1, max_value=10**9),
    rounding=st.sampled_from(list(Rounding)),
)
def test_divide_rounded_agrees_with_decimal_quantize_for_each_rule(
    numerator: int, denominator: int, rounding: Rounding
) -> None:
    with decimal.localcontext() as context:
        context.prec = 100  # far more digits than the operands, so the quotient is exact enough
        quotient = Decimal(numerator) / Decimal(denominator)
        expected = quotient.quantize(Decimal(1), rounding=DECIMAL_ROUNDING[rounding])
    assert divide_rounded(numerator, denominator, rounding) == int(expected)


# Money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount_minor"),
    [
        ("1234.50", 123450),
        ("3200", 320000),  # 3,200 SYP = 3,200 × 100 qirsh
        ("0.01", 1),
        ("0.5", 50),
        ("0", 0),
        ("-17.55", -1755),
        ("  17.55\n", 1755),  # surrounding whitespace is ignored
        ("10000000000000", limits.amount_minor_max),  # 10^13 SYP = 10^15 qirsh, the limit
    ],
)
def test_parse_reads_major_units_exactly(text: str, amount_minor: int) -> None:
    assert Money.parse(text) == Money(amount_minor, "SYP")


@pytest.mark.parametrize(
    "text",
    [
        # more than two decimals: a fraction of a qirsh
        "12.345",
        "0.001",
        "1.005",
        # float-like and other junk
        "",
        "   ",
        "abc",
        "1,234.50",
        "12.5.0",
        "1.5f",
        "0x10",
        "--1",
        "1 000",
        "١٢٣,٤",
        # not finite
        "NaN",
        "nan",
        "sNaN",
        "inf",
        "-Infinity",
        # beyond the amount limit of 10^15 qirsh
        "10000000000000.01",
        "-10000000000000.01",
        "1e20",
    ],
)
def test_parse_rejects_text_that_is_not_an_exact_amount(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse(text)


@pytest.mark.parametrize("value", [1.5, 150, Decimal("1.50"), None])
def test_parse_rejects_anything_but_text(value: object) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse(value)  # type: ignore[arg-type]


def test_parse_rejects_a_fraction_of_a_qirsh_hidden_beyond_28_digits() -> None:
    with pytest.raises(InvalidAmount):
        Money.parse("1.00000000000000000000000000001")


def test_parse_rejects_an_exponent_beyond_the_decimal_range_as_an_invalid_amount() -> None:
    with pytest.raises(InvalidAmount):
        Money.parse("1e999999")


@pytest.mark.parametrize("currency", ["USD", "syp", "", "SYR"])
def test_parse_rejects_an_unknown_currency(currency: str) -> None:
    with pytest.raises(InvalidAmount, match="unknown currency"):
        Money.parse("1.00", currency)


@pytest.mark.parametrize(
    "amount_minor",
    [limits.amount_minor_max + 1, -limits.amount_minor_max - 1, 1.0, True, "100"],
)
def test_money_refuses_amounts_beyond_the_limit_or_not_integers(amount_minor: object) -> None:
    with pytest.raises(InvalidAmount):
        Money(amount_minor)  # type: ignore[arg-type]


def test_money_accepts_the_limit_itself_in_both_directions() -> None:
    assert Money(limits.amount_minor_max).amount_minor == 10**15
    assert Money(-limits.amount_minor_max).amount_minor == -(10**15)


@settings(database=None)
@given(st.integers(min_value=-limits.amount_minor_max, max_value=limits.amount_minor_max))
def test_parse_of_the_decimal_text_round_trips(amount_minor: int) -> None:
    amount = Money(amount_minor)
    assert Money.parse(str(amount.to_decimal())) == amount


def test_adding_and_subtracting_stay_in_whole_qirsh() -> None:
    # 17.55 + 2.63 = 20.18 SYP; 20.18 - 30.00 = -9.82 SYP.
    total = Money(1755) + Money(263)
    assert total == Money(2018)
    assert total - Money(3000) == Money(-982)
    assert -Money(1755) == Money(-1755)


def test_a_sum_beyond_the_limit_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        Money(limits.amount_minor_max) + Money(1)


def test_adding_another_currency_is_a_currency_mismatch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only SYP is known; a second currency is registered for this test alone.
    monkeypatch.setitem(money.CURRENCY_EXPONENTS, "USD", 2)
    with pytest.raises(CurrencyMismatch):
        Money(100, "SYP") + Money(100, "USD")
    with pytest.raises(CurrencyMismatch):
        Money(100, "SYP") - Money(100, "USD")


def test_zero_is_not_positive_and_one_qirsh_is() -> None:
    assert Money.zero() == Money(0, "SYP")
    assert not Money.zero().is_positive()
    assert not Money(-1).is_positive()
    assert Money(1).is_positive()


@pytest.mark.parametrize(
    ("amount_minor", "text"),
    [
        (123450, "1,234.50 SYP"),
        (320000, "3,200.00 SYP"),
        (5, "0.05 SYP"),
        (-1755, "-17.55 SYP"),
        (0, "0.00 SYP"),
    ],
)
def test_format_shows_two_decimals_and_thousands_separators(amount_minor: int, text: str) -> None:
    assert Money(amount_minor).format() == text
    assert str(Money(amount_minor)) == text


def test_to_decimal_keeps_two_places() -> None:
    assert str(Money(123450).to_decimal()) == "1234.50"
    assert str(Money(7).to_decimal()) == "0.07"


# Rates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "micro_minor"),
    [
        ("0.026325", 2_632_500),  # 2.6325 qirsh = 2,632,500 millionths of a qirsh
        ("6.00", 600_000_000),  # 600 qirsh
        ("14", 1_400_000_000),
        ("0.07", 7_000_000),
        ("0", 0),
        ("0.00000001", 1),  # one millionth of a qirsh, the finest rate
        ("10000", limits.rate_micro_minor_max),  # 10^4 SYP = 10^6 qirsh = 10^12 millionths
    ],
)
def test_rate_parse_is_exact_to_a_millionth_of_a_qirsh(text: str, micro_minor: int) -> None:
    assert Rate.parse(text) == Rate(micro_minor, "SYP")


@pytest.mark.parametrize(
    "text",
    [
        "0.000000001",  # a tenth of a millionth of a qirsh
        "0.0263250001",  # 2,632,500.01 millionths of a qirsh
        "-0.01",
        "10000.00000001",  # just above the rate limit
        "abc",
        "",
        "NaN",
        "Infinity",
    ],
)
def test_rate_parse_rejects_inexact_negative_huge_or_junk_rates(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Rate.parse(text)


def test_rate_parse_rejects_an_unknown_currency() -> None:
    with pytest.raises(InvalidAmount, match="unknown currency"):
        Rate.parse("1.00", "EUR")


def test_rate_parse_rejects_a_fraction_hidden_beyond_28_digits() -> None:
    with pytest.raises(InvalidAmount):
        Rate.parse("1.000000000000000000000000000001")


@pytest.mark.parametrize("micro_minor", [-1, limits.rate_micro_minor_max + 1, 1.5, True])
def test_rate_refuses_negative_huge_or_non_integer_values(micro_minor: object) -> None:
    with pytest.raises(InvalidAmount):
        Rate(micro_minor)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("quantity", "rounding", "amount_minor"),
    [
        # 2 units × 2.6325 qirsh = 5.265 qirsh
        (2, Rounding.HALF_UP, 5),
        (2, Rounding.HALF_EVEN, 5),
        (2, Rounding.DOWN, 5),
        (2, Rounding.UP, 6),
        # 200 units × 2.6325 = 526.5 qirsh, an exact half
        (200, Rounding.HALF_UP, 527),
        (200, Rounding.HALF_EVEN, 526),
        (200, Rounding.DOWN, 526),
        (200, Rounding.UP, 527),
        # 600 units × 2.6325 = 1,579.5 qirsh: half-even goes up to the even 1,580
        (600, Rounding.HALF_EVEN, 1580),
        # 100 units × 2.6325 = 263.25 qirsh
        (100, Rounding.HALF_UP, 263),
        (100, Rounding.UP, 264),
        (0, Rounding.UP, 0),
    ],
)
def test_rate_times_rounds_by_the_named_rule(
    quantity: int, rounding: Rounding, amount_minor: int
) -> None:
    assert Rate.parse("0.026325").times(quantity, rounding) == Money(amount_minor)


@pytest.mark.parametrize(
    ("micro_minor", "text"),
    [(2_632_500, "0.026325"), (600_000_000, "6.00"), (7_000_000, "0.07"), (0, "0.00")],
)
def test_rate_to_text_prints_major_units(micro_minor: int, text: str) -> None:
    assert Rate(micro_minor).to_text() == text


@settings(database=None)
@given(st.integers(min_value=0, max_value=limits.rate_micro_minor_max))
def test_rate_parse_of_to_text_round_trips(micro_minor: int) -> None:
    rate = Rate(micro_minor)
    assert Rate.parse(rate.to_text()) == rate


# The 2026 redenomination ---------------------------------------------------------


def test_old_pounds_convert_to_new_at_a_hundred_to_one() -> None:
    # 320,000 old SYP = 32,000,000 old qirsh -> 3,200.00 new SYP = 320,000 new qirsh.
    assert old_to_new_minor(32_000_000, Rounding.HALF_UP) == 320_000


@pytest.mark.parametrize(
    ("old_minor", "rounding", "new_minor"),
    [
        # 1,234.56 old SYP = 123,456 old qirsh -> 1,234.56 new qirsh
        (123_456, Rounding.HALF_UP, 1235),
        (123_456, Rounding.DOWN, 1234),
        # 0.50 old SYP = 50 old qirsh -> half a new qirsh
        (50, Rounding.HALF_UP, 1),
        (50, Rounding.HALF_EVEN, 0),
        (50, Rounding.DOWN, 0),
        (50, Rounding.UP, 1),
        # -1.50 old SYP = -150 old qirsh -> -1.5 new qirsh
        (-150, Rounding.HALF_UP, -2),
        (-150, Rounding.HALF_EVEN, -2),
        (-150, Rounding.DOWN, -1),
        (-150, Rounding.UP, -2),
    ],
)
def test_old_to_new_settles_the_fraction_of_a_new_qirsh_by_the_named_rule(
    old_minor: int, rounding: Rounding, new_minor: int
) -> None:
    assert old_to_new_minor(old_minor, rounding) == new_minor
