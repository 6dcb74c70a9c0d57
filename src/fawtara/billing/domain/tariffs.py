"""Tariffs as data: dated decisions that price a cycle's usage.

A tariff has an optional fixed fee per cycle (landline rental, internet
package) and blocks of quantity with a rate each. Blocks are ordered by their
inclusive upper bound; the last block may be open (`upper` None).

* Incremental blocks (electricity, the lower water blocks): each part of the
  quantity is priced at the rate of the block it falls in.
* Whole-quantity blocks (`whole_quantity`, the upper water blocks): when the
  quantity falls in such a block, the whole quantity is priced at its rate.

Every line is rounded to a whole qirsh by `LINE_ROUNDING` (half up), so the
printed lines add up to the printed total. A new decision is a new row with a
later `effective_from`; the tariff in force on a cycle's first day prices it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.billers import ServiceKind
from fawtara.kernel.bills import BillLine
from fawtara.kernel.errors import InvalidAmount, InvalidTariff, InvalidUsage, NoTariffInForce
from fawtara.kernel.money import Money, Rate, Rounding

LINE_ROUNDING = Rounding.HALF_UP

# Units as printed on Arabic bill lines; an unknown unit is printed as stored.
UNIT_NAMES_AR = {"kWh": "ك.و.س", "m3": "م³", "unit": "وحدة", "cycle": "دورة"}


@dataclass(frozen=True, slots=True)
class Block:
    upper: int | None  # inclusive upper bound of the quantity; None = no bound
    rate: Rate
    whole_quantity: bool = False


@dataclass(frozen=True, slots=True)
class Tariff:
    biller_code: str
    service_kind: ServiceKind
    tariff_class: str
    effective_from: date
    decision: str
    unit: str
    blocks: tuple[Block, ...]
    fixed_fee: Money | None = None
    fixed_fee_label_en: str = ""
    fixed_fee_label_ar: str = ""
    currency: str = "SYP"

    def __post_init__(self) -> None:
        check_blocks(self.blocks)

    def price(self, quantity: int) -> tuple[BillLine, ...]:
        """The bill lines for `quantity` units in one cycle."""
        if type(quantity) is not int or not 0 <= quantity <= limits.usage_quantity_max:
            raise InvalidUsage(f"quantity must be 0..{limits.usage_quantity_max}, got {quantity!r}")
        lines: list[BillLine] = []
        if self.fixed_fee is not None:
            lines.append(
                BillLine(
                    self.fixed_fee_label_en,
                    self.fixed_fee_label_ar,
                    1,
                    "cycle",
                    str(self.fixed_fee.to_decimal()),
                    self.fixed_fee.amount_minor,
                )
            )
        lines.extend(self._usage_lines(quantity))
        return tuple(lines)

    def _usage_lines(self, quantity: int) -> list[BillLine]:
        lower = 0
        lines: list[BillLine] = []
        for index, block in enumerate(self.blocks):
            in_block = block.upper is None or quantity <= block.upper
            if block.whole_quantity and in_block and quantity > lower:
                return [self._line(index, lower, block, quantity)]
            if not block.whole_quantity:
                top = quantity if block.upper is None else min(quantity, block.upper)
                if top > lower:
                    lines.append(self._line(index, lower, block, top - lower))
            if in_block or block.upper is None:
                break
            lower = block.upper
        return lines

    def _line(self, index: int, lower: int, block: Block, quantity: int) -> BillLine:
        if block.whole_quantity:
            span_en, span_ar = "whole quantity", "كامل الكمية"
        else:
            top = "" if block.upper is None else str(block.upper)
            span_en = f"{lower + 1}-{top}" if top else f"above {lower}"
            span_ar = f"{lower + 1}-{top}" if top else f"أكثر من {lower}"
        unit_ar = UNIT_NAMES_AR.get(self.unit, self.unit)
        if len(self.blocks) == 1:
            label_en, label_ar = f"{self.unit} consumed", f"الاستهلاك ({unit_ar})"
        else:
            label_en = f"Block {index + 1} ({span_en} {self.unit})"
            label_ar = f"الشريحة {index + 1} ({span_ar} {unit_ar})"
        amount = block.rate.times(quantity, LINE_ROUNDING)
        return BillLine(
            label_en, label_ar, quantity, self.unit, block.rate.to_text(), amount.amount_minor
        )


def check_blocks(blocks: Sequence[Block]) -> None:
    if not blocks:
        raise InvalidTariff("a tariff needs at least one block")
    previous = 0
    seen_whole = False
    for position, block in enumerate(blocks):
        last = position == len(blocks) - 1
        if block.upper is None and not last:
            raise InvalidTariff("only the last block may be open-ended")
        if block.upper is not None and block.upper <= previous:
            raise InvalidTariff(f"block upper bounds must increase: {block.upper} after {previous}")
        if seen_whole and not block.whole_quantity:
            raise InvalidTariff("an incremental block cannot follow a whole-quantity block")
        seen_whole = seen_whole or block.whole_quantity
        previous = block.upper or previous
    if blocks[-1].upper is not None:
        raise InvalidTariff("the last block must be open-ended, or some quantities have no price")


def tariff_from_dict(row: Mapping[str, Any]) -> Tariff:
    """Build a tariff from its stored form (a row with a JSON `structure`)."""
    structure = row["structure"]
    currency = str(row.get("currency", "SYP"))
    try:
        blocks = tuple(
            Block(
                upper=_upper(item.get("upper")),
                rate=Rate.parse(str(item["rate"]), currency),
                whole_quantity=item.get("whole_quantity", False) is True,
            )
            for item in structure["blocks"]
        )
        fee_text = structure.get("fixed_fee")
        fixed_fee = None if fee_text is None else Money.parse(str(fee_text), currency)
    except (KeyError, TypeError, ValueError, InvalidAmount) as error:
        raise InvalidTariff(f"malformed tariff structure: {error}") from error
    return Tariff(
        biller_code=str(row["biller_code"]),
        service_kind=ServiceKind(row["service_kind"]),
        tariff_class=str(row["tariff_class"]),
        effective_from=row["effective_from"],
        decision=str(row["decision"]),
        unit=str(structure.get("unit", "unit")),
        blocks=blocks,
        fixed_fee=fixed_fee,
        fixed_fee_label_en=str(structure.get("fixed_fee_label_en", "")),
        fixed_fee_label_ar=str(structure.get("fixed_fee_label_ar", "")),
        currency=currency,
    )


def _upper(value: object) -> int | None:
    if value is None or (type(value) is int and value > 0):
        return value
    raise InvalidTariff(f"a block's upper bound is a positive whole number or null, got {value!r}")


def tariff_structure(tariff: Tariff) -> dict[str, Any]:
    """The JSON-ready structure stored beside a tariff's key columns."""
    return {
        "unit": tariff.unit,
        "fixed_fee": None if tariff.fixed_fee is None else str(tariff.fixed_fee.to_decimal()),
        "fixed_fee_label_en": tariff.fixed_fee_label_en,
        "fixed_fee_label_ar": tariff.fixed_fee_label_ar,
        "blocks": [
            {"upper": b.upper, "rate": b.rate.to_text(), "whole_quantity": b.whole_quantity}
            for b in tariff.blocks
        ],
    }


def tariff_in_force(tariffs: Sequence[Tariff], on: date) -> Tariff:
    """The latest tariff whose decision took effect on or before `on`."""
    candidates = [t for t in tariffs if t.effective_from <= on]
    if not candidates:
        raise NoTariffInForce(f"no tariff in force on {on.isoformat()}")
    return max(candidates, key=lambda t: t.effective_from)
