"""Tariffs as data: the Syrian electricity, water and landline tables, priced by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fawtara.billing.domain.tariffs import (
    Block,
    Tariff,
    tariff_from_dict,
    tariff_in_force,
    tariff_structure,
)
from fawtara.kernel import limits
from fawtara.kernel.billers import ServiceKind
from fawtara.kernel.bills import BillLine
from fawtara.kernel.errors import InvalidTariff, InvalidUsage, NoTariffInForce
from fawtara.kernel.money import Money, Rate, Rounding, divide_rounded


def block(upper: int | None, rate: str, whole_quantity: bool = False) -> Block:
    return Block(upper, Rate.parse(rate), whole_quantity)


def electricity_residential(effective_from: date = date(2025, 11, 1)) -> Tariff:
    """Ministry of Energy Decision 687 of 2025 (syria.md §3), in new SYP per kWh."""
    return Tariff(
        biller_code="EDAM",
        service_kind=ServiceKind.ELECTRICITY,
        tariff_class="residential",
        effective_from=effective_from,
        decision="687/2025",
        unit="kWh",
        blocks=(block(300, "6.00"), block(None, "14.00")),
    )


def water_household() -> Tariff:
    """The 2023 household water tariff (syria.md §4), old SYP ÷ 100, per m³."""
    return Tariff(
        biller_code="WDAM",
        service_kind=ServiceKind.WATER,
        tariff_class="household",
        effective_from=date(2023, 9, 1),
        decision="2023",
        unit="m3",
        blocks=(
            block(5, "0"),
            block(15, "0.07"),
            block(25, "0.15"),
            block(35, "0.22"),
            block(50, "1.50"),
            block(80, "4.00", whole_quantity=True),
            block(120, "15.00", whole_quantity=True),
            block(None, "30.00", whole_quantity=True),
        ),
    )


def landline() -> Tariff:
    """A monthly rental of 17.55 SYP and call units at 0.026325 SYP (2.6325 qirsh)."""
    return Tariff(
        biller_code="STE",
        service_kind=ServiceKind.LANDLINE,
        tariff_class="residential",
        effective_from=date(2026, 1, 1),
        decision="STE-2026",
        unit="unit",
        blocks=(block(None, "0.026325"),),
        fixed_fee=Money(1755),
        fixed_fee_label_en="Monthly rental",
        fixed_fee_label_ar="الاشتراك الشهري",
    )


def quantities_and_amounts(lines: tuple[BillLine, ...]) -> list[tuple[int, int]]:
    return [(line.quantity, line.amount_minor) for line in lines]


# Electricity: incremental blocks ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwh", "lines", "total_minor"),
    [
        (0, [], 0),
        (1, [(1, 600)], 600),  # 1 × 6.00 = 6.00 SYP
        (300, [(300, 180_000)], 180_000),  # 300 × 6.00 = 1,800.00 SYP
        (301, [(300, 180_000), (1, 1_400)], 181_400),  # 1,800.00 + 1 × 14.00
        # The official estimate for unmetered homes: 300 × 6 + 100 × 14 = 3,200.00 SYP
        (400, [(300, 180_000), (100, 140_000)], 320_000),
    ],
)
def test_electricity_residential_prices_each_part_at_its_blocks_rate(
    kwh: int, lines: list[tuple[int, int]], total_minor: int
) -> None:
    priced = electricity_residential().price(kwh)
    assert quantities_and_amounts(priced) == lines
    assert sum(line.amount_minor for line in priced) == total_minor


def test_electricity_lines_name_their_block_and_rate() -> None:
    first, second = electricity_residential().price(400)
    assert first == BillLine(
        "Block 1 (1-300 kWh)", "الشريحة 1 (1-300 ك.و.س)", 300, "kWh", "6.00", 180_000
    )
    assert second == BillLine(
        "Block 2 (above 300 kWh)", "الشريحة 2 (أكثر من 300 ك.و.س)", 100, "kWh", "14.00", 140_000
    )


@settings(database=None)
@given(st.integers(min_value=0, max_value=limits.usage_quantity_max))
def test_electricity_total_matches_the_decision_formula(kwh: int) -> None:
    # Both rates are whole qirsh, so no line rounds: 600 per kWh up to 300, then 1,400.
    expected = 600 * min(kwh, 300) + 1_400 * max(kwh - 300, 0)
    priced = electricity_residential().price(kwh)
    assert sum(line.amount_minor for line in priced) == expected
    assert sum(line.quantity for line in priced) == kwh


# Water: incremental lower blocks, whole-quantity upper blocks ------------------------------


@pytest.mark.parametrize(
    ("cubic_metres", "lines", "total_minor"),
    [
        (0, [], 0),
        (5, [(5, 0)], 0),  # the first 5 m³ are free
        (6, [(5, 0), (1, 7)], 7),  # 1 × 0.07
        # 40 m³: 5×0 + 10×0.07 + 10×0.15 + 10×0.22 + 5×1.50 = 0.70+1.50+2.20+7.50 = 11.90 SYP
        (40, [(5, 0), (10, 70), (10, 150), (10, 220), (5, 750)], 1_190),
        # 50 m³, the last incremental quantity: ... + 15×1.50 = 0.70+1.50+2.20+22.50 = 26.90 SYP
        (50, [(5, 0), (10, 70), (10, 150), (10, 220), (15, 2_250)], 2_690),
        (51, [(51, 20_400)], 20_400),  # whole quantity: 51 × 4.00 = 204.00 SYP
        (80, [(80, 32_000)], 32_000),  # 80 × 4.00 = 320.00 SYP
        (81, [(81, 121_500)], 121_500),  # 81 × 15.00 = 1,215.00 SYP
        (120, [(120, 180_000)], 180_000),  # 120 × 15.00 = 1,800.00 SYP
        (121, [(121, 363_000)], 363_000),  # 121 × 30.00 = 3,630.00 SYP
    ],
)
def test_water_household_prices_whole_quantities_above_fifty_cubic_metres(
    cubic_metres: int, lines: list[tuple[int, int]], total_minor: int
) -> None:
    priced = water_household().price(cubic_metres)
    assert quantities_and_amounts(priced) == lines
    assert sum(line.amount_minor for line in priced) == total_minor


def test_a_whole_quantity_line_says_so() -> None:
    (line,) = water_household().price(81)
    assert line == BillLine(
        "Block 7 (whole quantity m3)", "الشريحة 7 (كامل الكمية م³)", 81, "m3", "15.00", 121_500
    )


def water_by_hand(cubic_metres: int) -> int:
    """The 2023 water schedule in qirsh, written independently of `Tariff`."""
    if cubic_metres > 120:
        return cubic_metres * 3_000
    if cubic_metres > 80:
        return cubic_metres * 1_500
    if cubic_metres > 50:
        return cubic_metres * 400
    bands = [(5, 0), (15, 7), (25, 15), (35, 22), (50, 150)]
    total, lower = 0, 0
    for upper, rate in bands:
        total += max(0, min(cubic_metres, upper) - lower) * rate
        lower = upper
    return total


@settings(database=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_water_total_matches_the_schedule_written_by_hand(cubic_metres: int) -> None:
    priced = water_household().price(cubic_metres)
    assert sum(line.amount_minor for line in priced) == water_by_hand(cubic_metres)


# Landline: a fixed fee and units at a fraction of a qirsh ---------------------------------


@pytest.mark.parametrize(
    ("units", "lines", "total_minor"),
    [
        (0, [(1, 1_755)], 1_755),  # the rental alone
        # 2 × 0.026325 SYP = 0.05265 SYP = 5.265 qirsh -> 5
        (2, [(1, 1_755), (2, 5)], 1_760),
        # 100 × 2.6325 qirsh = 263.25 -> 263; 17.55 + 2.63 = 20.18 SYP
        (100, [(1, 1_755), (100, 263)], 2_018),
        # 200 × 2.6325 = 526.5 qirsh, half up -> 527
        (200, [(1, 1_755), (200, 527)], 2_282),
    ],
)
def test_landline_adds_units_rounded_half_up_per_line_to_the_rental(
    units: int, lines: list[tuple[int, int]], total_minor: int
) -> None:
    priced = landline().price(units)
    assert quantities_and_amounts(priced) == lines
    assert sum(line.amount_minor for line in priced) == total_minor


def test_landline_lines_print_the_rental_and_the_unit_rate() -> None:
    rental, units = landline().price(100)
    assert rental == BillLine("Monthly rental", "الاشتراك الشهري", 1, "cycle", "17.55", 1_755)
    assert units == BillLine("unit consumed", "الاستهلاك (وحدة)", 100, "unit", "0.026325", 263)


@pytest.mark.parametrize("quantity", [-1, limits.usage_quantity_max + 1, 1.5, "3", True, None])
def test_price_refuses_a_quantity_out_of_range_or_not_an_integer(quantity: object) -> None:
    with pytest.raises(InvalidUsage):
        landline().price(quantity)  # type: ignore[arg-type]


def test_price_accepts_the_largest_quantity() -> None:
    # 10^9 kWh: 300 × 600 + (10^9 - 300) × 1,400 qirsh
    priced = electricity_residential().price(limits.usage_quantity_max)
    assert sum(line.amount_minor for line in priced) == 180_000 + (10**9 - 300) * 1_400


# Properties of any valid tariff -----------------------------------------------------------


@st.composite
def tariffs(draw: st.DrawFn, incremental_only: bool = False) -> Tariff:
    count = draw(st.integers(min_value=1, max_value=6))
    steps = draw(st.lists(st.integers(min_value=1, max_value=500), min_size=count, max_size=count))
    uppers: list[int | None] = []
    bound = 0
    for step in steps:
        bound += step
        uppers.append(bound)
    uppers[-1] = None  # the last block is open: every quantity has a price
    whole_from = count if incremental_only else draw(st.integers(min_value=0, max_value=count))
    rates = draw(
        st.lists(
            st.integers(min_value=0, max_value=limits.rate_micro_minor_max),
            min_size=count,
            max_size=count,
        )
    )
    blocks = tuple(
        Block(upper, Rate(rate), whole_quantity=index >= whole_from)
        for index, (upper, rate) in enumerate(zip(uppers, rates, strict=True))
    )
    fee = draw(st.none() | st.integers(min_value=0, max_value=10**9).map(Money))
    return Tariff(
        "TEST",
        ServiceKind.INTERNET,
        "any",
        date(2026, 1, 1),
        "d",
        "unit",
        blocks,
        fixed_fee=fee,
        fixed_fee_label_en="Fee",
        fixed_fee_label_ar="رسم",
    )


@settings(database=None)
@given(tariffs(incremental_only=True), st.integers(min_value=0, max_value=5_000))
def test_incremental_block_quantities_sum_to_the_quantity_priced(
    tariff: Tariff, quantity: int
) -> None:
    usage = [line for line in tariff.price(quantity) if line.unit != "cycle"]
    assert sum(line.quantity for line in usage) == quantity


@settings(database=None)
@given(tariffs(), st.integers(min_value=0, max_value=5_000))
def test_each_line_is_its_quantity_times_its_rate_rounded_half_up(
    tariff: Tariff, quantity: int
) -> None:
    lines = tariff.price(quantity)
    usage = [line for line in lines if line.unit != "cycle"]
    for line in usage:
        rate = Rate.parse(line.rate)
        assert line.amount_minor == divide_rounded(
            line.quantity * rate.micro_minor, 1_000_000, Rounding.HALF_UP
        )
    exact_micro = sum(line.quantity * Rate.parse(line.rate).micro_minor for line in usage)
    # Each usage line is off the exact price by at most half a qirsh.
    usage_total = sum(line.amount_minor for line in usage)
    assert abs(usage_total * 1_000_000 - exact_micro) <= len(usage) * 500_000
    fee_total = sum(line.amount_minor for line in lines if line.unit == "cycle")
    assert fee_total == (0 if tariff.fixed_fee is None else tariff.fixed_fee.amount_minor)
    assert len(lines) <= limits.bill_lines_max


# Invalid structures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ((), "at least one block"),
        ((block(300, "6"), block(200, "14")), "must increase"),
        ((block(300, "6"), block(300, "14")), "must increase"),
        ((block(0, "6"),), "must increase"),
        ((block(-5, "6"),), "must increase"),
        ((block(None, "6"), block(300, "14")), "only the last block"),
        ((block(300, "6"), block(None, "14"), block(None, "20")), "only the last block"),
        ((block(50, "1", whole_quantity=True), block(None, "2")), "cannot follow"),
        ((block(5, "0"), block(50, "1", whole_quantity=True), block(80, "2")), "cannot follow"),
    ],
    ids=[
        "empty",
        "decreasing",
        "equal",
        "zero-bound",
        "negative-bound",
        "open-first",
        "two-open",
        "incremental-after-whole",
        "incremental-after-whole-middle",
    ],
)
def test_an_invalid_block_structure_is_refused(blocks: tuple[Block, ...], reason: str) -> None:
    with pytest.raises(InvalidTariff, match=reason):
        Tariff(
            "EDAM", ServiceKind.ELECTRICITY, "residential", date(2025, 11, 1), "687", "kWh", blocks
        )


def test_a_quantity_beyond_a_closed_last_block_is_never_priced_for_free() -> None:
    try:
        tariff = Tariff(
            "EDAM",
            ServiceKind.ELECTRICITY,
            "residential",
            date(2025, 11, 1),
            "687",
            "kWh",
            (block(300, "6.00"),),
        )
    except InvalidTariff:
        return  # refusing the structure is one acceptable fix
    with pytest.raises(InvalidUsage):  # refusing the quantity is the other
        tariff.price(400)


def test_a_quantity_beyond_a_closed_whole_quantity_block_is_never_priced_as_a_lower_one() -> None:
    try:
        tariff = Tariff(
            "WDAM",
            ServiceKind.WATER,
            "household",
            date(2023, 9, 1),
            "2023",
            "m3",
            water_household().blocks[:-1],
        )
    except InvalidTariff:
        return
    with pytest.raises(InvalidUsage):
        tariff.price(200)


# Stored form --------------------------------------------------------------------------------


def stored_row(tariff: Tariff) -> dict[str, Any]:
    return {
        "biller_code": tariff.biller_code,
        "service_kind": tariff.service_kind.value,
        "tariff_class": tariff.tariff_class,
        "effective_from": tariff.effective_from,
        "decision": tariff.decision,
        "currency": tariff.currency,
        "structure": tariff_structure(tariff),
    }


@pytest.mark.parametrize(
    "tariff",
    [electricity_residential(), water_household(), landline()],
    ids=["electricity", "water", "landline"],
)
def test_a_tariff_survives_its_stored_form(tariff: Tariff) -> None:
    assert tariff_from_dict(stored_row(tariff)) == tariff


def test_the_stored_structure_of_the_landline_tariff() -> None:
    assert tariff_structure(landline()) == {
        "unit": "unit",
        "fixed_fee": "17.55",
        "fixed_fee_label_en": "Monthly rental",
        "fixed_fee_label_ar": "الاشتراك الشهري",
        "blocks": [{"upper": None, "rate": "0.026325", "whole_quantity": False}],
    }


@settings(database=None)
@given(tariffs())
def test_any_valid_tariff_survives_its_stored_form(tariff: Tariff) -> None:
    assert tariff_from_dict(stored_row(tariff)) == tariff


@pytest.mark.parametrize(
    "structure",
    [
        {},
        None,
        {"blocks": [{"upper": 300}]},  # no rate
        {"blocks": [{"upper": 300, "rate": "abc"}]},
        {"blocks": [{"upper": 300, "rate": "-1"}]},
        {"blocks": [{"upper": 300, "rate": "0.000000001"}]},  # finer than a millionth of a qirsh
        {"blocks": [{"upper": "three hundred", "rate": "6"}]},
        {"blocks": [{"upper": None, "rate": "6"}], "fixed_fee": "17.555"},
        {"blocks": [{"upper": None, "rate": "6"}], "fixed_fee": "free"},
        {"blocks": []},
        {"blocks": [{"upper": None, "rate": "6"}, {"upper": 300, "rate": "14"}]},
    ],
    ids=[
        "no-blocks-key",
        "not-a-mapping",
        "no-rate",
        "junk-rate",
        "negative-rate",
        "inexact-rate",
        "junk-upper",
        "inexact-fee",
        "junk-fee",
        "empty-blocks",
        "open-first",
    ],
)
def test_a_malformed_stored_structure_is_an_invalid_tariff(structure: Any) -> None:
    row = stored_row(landline()) | {"structure": structure}
    with pytest.raises(InvalidTariff):
        tariff_from_dict(row)


# Which decision is in force ----------------------------------------------------------------


DECISION_2024 = electricity_residential(effective_from=date(2024, 3, 1))
DECISION_687 = electricity_residential(effective_from=date(2025, 11, 1))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 3, 1), DECISION_2024),  # its first day
        (date(2025, 10, 31), DECISION_2024),  # the day before Decision 687
        (date(2025, 11, 1), DECISION_687),  # Decision 687's first day
        (date(2026, 1, 1), DECISION_687),
    ],
)
def test_tariff_in_force_is_the_latest_decision_on_or_before_the_day(
    on: date, expected: Tariff
) -> None:
    assert tariff_in_force([DECISION_687, DECISION_2024], on) is expected
    assert tariff_in_force([DECISION_2024, DECISION_687], on) is expected


@pytest.mark.parametrize(
    ("tariffs_known", "on"),
    [([DECISION_2024, DECISION_687], date(2024, 2, 29)), ([], date(2026, 1, 1))],
    ids=["before-the-first-decision", "no-decisions"],
)
def test_no_tariff_in_force_before_the_first_decision(
    tariffs_known: list[Tariff], on: date
) -> None:
    with pytest.raises(NoTariffInForce, match=on.isoformat()):
        tariff_in_force(tariffs_known, on)
