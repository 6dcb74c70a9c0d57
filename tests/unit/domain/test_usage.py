"""Parsing one row of a usage file (`biller,cycle,service_ref,quantity`)."""

from __future__ import annotations

import pytest

from fawtara.billing.domain.usage import COLUMNS, UsageRow, parse_usage_row
from fawtara.kernel import limits
from fawtara.kernel.errors import InvalidUsage

GOOD = {"biller": "EDAM", "cycle": "2026-B1", "service_ref": "1000000008", "quantity": "400"}


def test_a_good_row_is_read_with_its_line_number() -> None:
    assert parse_usage_row(7, GOOD) == UsageRow(7, "EDAM", "2026-B1", "1000000008", 400)


def test_fields_are_trimmed_and_the_biller_code_upper_cased() -> None:
    row = {
        "biller": " edam ",
        "cycle": " 2026-B1",
        "service_ref": "1000000008 ",
        "quantity": " 400 ",
    }
    assert parse_usage_row(2, row) == UsageRow(2, "EDAM", "2026-B1", "1000000008", 400)


def test_columns_are_the_documented_header() -> None:
    assert COLUMNS == ("biller", "cycle", "service_ref", "quantity")


@pytest.mark.parametrize("quantity", ["0", "000", str(limits.usage_quantity_max)])
def test_zero_and_the_largest_quantity_are_accepted(quantity: str) -> None:
    assert parse_usage_row(2, GOOD | {"quantity": quantity}).quantity == int(quantity)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({k: v for k, v in GOOD.items() if k != "biller"}, "missing biller"),
        (GOOD | {"cycle": None}, "missing cycle"),
        (GOOD | {"service_ref": ""}, "missing service_ref"),
        (GOOD | {"quantity": "   "}, "missing quantity"),
        (GOOD | {"cycle": "", "quantity": None}, "missing cycle, quantity"),
        ({}, "missing biller, cycle, service_ref, quantity"),
        (GOOD | {"service_ref": "x" * 65}, "longer than 64"),
        (GOOD | {"quantity": "-1"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "+5"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "1.5"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "400.0"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "1e3"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "4,000"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "4 000"}, "not a whole non-negative number"),
        (GOOD | {"quantity": "abc"}, "not a whole non-negative number"),
        (GOOD | {"quantity": str(limits.usage_quantity_max + 1)}, "exceeds 1000000000"),
        (GOOD | {"quantity": "9" * 64}, "exceeds 1000000000"),
    ],
    ids=[
        "no-biller-column",
        "cycle-none",
        "service-ref-empty",
        "quantity-blank",
        "two-missing",
        "empty-row",
        "too-long",
        "negative",
        "plus-sign",
        "fraction",
        "trailing-zero-fraction",
        "exponent",
        "thousands-comma",
        "thousands-space",
        "letters",
        "above-limit",
        "far-above-limit",
    ],
)
def test_a_bad_row_is_refused_with_its_reason(row: dict[str, str | None], reason: str) -> None:
    with pytest.raises(InvalidUsage, match=reason):
        parse_usage_row(2, row)


def test_a_superscript_quantity_is_refused_as_invalid_usage() -> None:
    with pytest.raises(InvalidUsage):
        parse_usage_row(2, GOOD | {"quantity": "²"})
