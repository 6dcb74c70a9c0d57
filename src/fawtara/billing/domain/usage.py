"""Usage records: call units or meter readings per service per cycle.

The import file is CSV with a header: `biller,cycle,service_ref,quantity`.
Parsing is pure; each bad row gets its line number and a reason, and the
good rows are kept (see billing/use_cases/usage_import.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fawtara.kernel import limits
from fawtara.kernel.errors import InvalidUsage

COLUMNS = ("biller", "cycle", "service_ref", "quantity")


@dataclass(frozen=True, slots=True)
class UsageRow:
    line_no: int
    biller_code: str
    cycle_id: str
    service_ref: str
    quantity: int


def parse_usage_row(line_no: int, row: Mapping[str, str | None]) -> UsageRow:
    """One CSV row, or InvalidUsage saying what is wrong with it."""
    values = {column: (row.get(column) or "").strip() for column in COLUMNS}
    missing = [column for column, value in values.items() if not value]
    if missing:
        raise InvalidUsage(f"missing {', '.join(missing)}")
    if any(len(value) > 64 for value in values.values()):
        raise InvalidUsage("a field is longer than 64 characters")
    text = values["quantity"]
    if not (text.isascii() and text.isdigit()):
        raise InvalidUsage(f"quantity {text!r} is not a whole non-negative number")
    quantity = int(text)
    if quantity > limits.usage_quantity_max:
        raise InvalidUsage(f"quantity {quantity} exceeds {limits.usage_quantity_max}")
    return UsageRow(
        line_no, values["biller"].upper(), values["cycle"], values["service_ref"], quantity
    )
