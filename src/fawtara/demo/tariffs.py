"""The tariffs the demo seeds: the current published figures, in new pounds.

Every figure is written here as it was published, in old pounds, beside its
decision and date (sources: the design brief's reference/syria.md, §3–5). It is
converted once, on the way in, by the 2026 redenomination: 100 old pounds =
1 new pound (Decree 293 of 2025, `OLD_POUNDS_PER_NEW_POUND`). Telecom figures
also carry the two across-the-board increases that followed their price list.

Rates keep fractions of a qirsh (a call unit costs 2.6325 new qirsh), so a
converted rate must come out exact; a fixed fee is an amount owed, a whole
number of qirsh, so its conversion names its rounding (`FEE_ROUNDING`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fawtara.billing.domain.tariffs import Block, Tariff
from fawtara.kernel.billers import ServiceKind
from fawtara.kernel.money import (
    OLD_POUNDS_PER_NEW_POUND,
    Money,
    Rate,
    Rounding,
    divide_rounded,
)

# An increase as an exact fraction (numerator, denominator).
Increase = tuple[int, int]

# Syrian Telecom raised fixed-line and internet prices by 30 % from
# 1 Nov 2023 and by 35 % more from 1 Mar 2024 (§5, sources [33][34]).
TELECOM_INCREASES: tuple[Increase, ...] = ((130, 100), (135, 100))

# 4,500 old SYP × 1.30 × 1.35 = 78.975 new SYP: the half qirsh rounds up,
# the same rule as every bill line (tariffs.LINE_ROUNDING).
FEE_ROUNDING = Rounding.HALF_UP


def new_rate(old_pounds: str, increases: Sequence[Increase] = ()) -> Rate:
    """A unit price published in old pounds, after `increases`, in new pounds.

    `Rate.parse` reads the text as millionths of an (old) qirsh; dividing by
    100 makes them millionths of a new qirsh. Must be exact: a rate is never
    rounded.
    """
    numerator = Rate.parse(old_pounds).micro_minor
    denominator = OLD_POUNDS_PER_NEW_POUND
    for times, per in increases:
        numerator, denominator = numerator * times, denominator * per
    assert numerator % denominator == 0, f"{old_pounds} old SYP is not exact in new pounds"
    return Rate(numerator // denominator)


def new_fee(old_pounds: str, increases: Sequence[Increase] = ()) -> Money:
    """A fixed fee published in old pounds, after `increases`, in whole new qirsh."""
    numerator = Money.parse(old_pounds).amount_minor  # old qirsh
    denominator = OLD_POUNDS_PER_NEW_POUND
    for times, per in increases:
        numerator, denominator = numerator * times, denominator * per
    return Money(divide_rounded(numerator, denominator, FEE_ROUNDING))


# --- Electricity (§3) -------------------------------------------------------

ELECTRICITY_DECISION = (
    "Ministry of Energy Decision 687 of 2025 (issued 2025-10-30, in force 2025-11-01); "
    "old SYP ÷ 100"
)
ELECTRICITY_FROM = date(2025, 11, 1)


def electricity_tariffs(biller_code: str) -> tuple[Tariff, ...]:
    residential = Tariff(
        biller_code,
        ServiceKind.ELECTRICITY,
        "residential",
        ELECTRICITY_FROM,
        ELECTRICITY_DECISION,
        "kWh",
        # Incremental: 1–300 kWh a cycle at 600 old SYP (6.00 new), the part
        # above 300 at 1,400 old SYP (14.00 new). No fixed fee.
        (Block(300, new_rate("600")), Block(None, new_rate("1400"))),
    )
    commercial = Tariff(
        biller_code,
        ServiceKind.ELECTRICITY,
        "commercial",
        ELECTRICITY_FROM,
        ELECTRICITY_DECISION,
        "kWh",
        # 0.4 kV commercial subscribers: every kWh at 1,400 old SYP (14.00 new).
        (Block(None, new_rate("1400")),),
    )
    return residential, commercial


# --- Water (§4) -------------------------------------------------------------

WATER_DECISION = (
    "Ministry of Water Resources decision of 23-24 Aug 2023, bills from 2023-09-01 "
    "(blocks 1-4 from the 2014 tariff); old SYP ÷ 100"
)
WATER_FROM = date(2023, 9, 1)

# (upper m³ per cycle, old SYP per m³, whole quantity). Blocks 1–5 are
# incremental; from 51 m³ on, the whole quantity is priced at its block's rate.
WATER_HOUSEHOLD_BLOCKS: tuple[tuple[int | None, str, bool], ...] = (
    (5, "0", False),
    (15, "7", False),  # 0.07 new SYP
    (25, "15", False),  # 0.15
    (35, "22", False),  # 0.22
    (50, "150", False),  # 1.50
    (80, "400", True),  # 4.00, whole quantity
    (120, "1500", True),  # 15.00, whole quantity
    (None, "3000", True),  # 30.00, whole quantity
)


def water_tariffs(biller_code: str) -> tuple[Tariff, ...]:
    blocks = tuple(
        Block(upper, new_rate(old), whole) for upper, old, whole in WATER_HOUSEHOLD_BLOCKS
    )
    return (
        Tariff(
            biller_code, ServiceKind.WATER, "household", WATER_FROM, WATER_DECISION, "m3", blocks
        ),
    )


# --- Syrian Telecom (§5) ----------------------------------------------------

TELECOM_FROM = date(2024, 3, 1)  # the later of the two increases
LANDLINE_DECISION = (
    "Syrian Telecom prices of 2022-06-01 (rental 1,000 SYP a month, local call 1.5 SYP "
    "per 3 minutes), +30 % from 2023-11-01, +35 % from 2024-03-01; old SYP ÷ 100"
)
INTERNET_DECISION = (
    "Syrian Telecom ADSL packages of June 2022, +30 % from 2023-11-01, +35 % from "
    "2024-03-01; old SYP ÷ 100, fee rounded half up to the qirsh"
)

# (class, old SYP a month in June 2022, speed, monthly cap) from §5 [30].
ADSL_PACKAGES: tuple[tuple[str, str, str, int], ...] = (
    ("adsl-1m", "4500", "1", 50),  # 7,897.5 old = 78.975 → 78.98 new SYP
    ("adsl-2m", "6800", "2", 85),  # 11,934 old = 119.34 new SYP
    ("adsl-4m", "11500", "4", 140),  # 20,182.5 old = 201.825 → 201.83 new SYP
)


def telecom_tariffs(biller_code: str) -> tuple[Tariff, ...]:
    landline = Tariff(
        biller_code,
        ServiceKind.LANDLINE,
        "residential",
        TELECOM_FROM,
        LANDLINE_DECISION,
        "unit",
        # A metered local call unit (3 minutes): 1.5 old SYP × 1.30 × 1.35 =
        # 2.6325 old = 0.026325 new SYP.
        (Block(None, new_rate("1.5", TELECOM_INCREASES)),),
        # Monthly rental: 1,000 old SYP × 1.30 × 1.35 = 1,755 old = 17.55 new SYP.
        fixed_fee=new_fee("1000", TELECOM_INCREASES),
        fixed_fee_label_en="Monthly rental",
        fixed_fee_label_ar="الاشتراك الشهري",
    )
    packages = tuple(
        Tariff(
            biller_code,
            ServiceKind.INTERNET,
            tariff_class,
            TELECOM_FROM,
            INTERNET_DECISION,
            "GB",
            # A package has no metered usage, but a tariff needs a block.
            (Block(None, Rate(0)),),
            fixed_fee=new_fee(old_fee, TELECOM_INCREASES),
            fixed_fee_label_en=f"ADSL {speed} Mbit/s package ({cap} GB)",
            fixed_fee_label_ar=f"باقة ADSL بسرعة {speed} ميغابت/ثا ({cap} غيغابايت)",
        )
        for tariff_class, old_fee, speed, cap in ADSL_PACKAGES
    )
    return (landline, *packages)


def demo_tariffs(telecom: str, electricity: str, water: str) -> tuple[Tariff, ...]:
    return (*telecom_tariffs(telecom), *electricity_tariffs(electricity), *water_tariffs(water))
