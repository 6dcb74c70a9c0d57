"""The pure rules of payments files: ids, acknowledgement checksums, receipts, the split."""

from __future__ import annotations

from datetime import date

import pytest

from fawtara.kernel.errors import PaymentNotInFile, ValidationError
from fawtara.switch.domain.payment_files import (
    ack_checksum,
    allocate,
    check_receipts,
    file_id,
    file_id_prefix,
)


def test_a_file_id_names_the_biller_the_day_and_its_number_that_day() -> None:
    assert file_id("WATER", date(2026, 4, 1), 1) == "PF-WATER-20260401-01"
    assert file_id("WATER", date(2026, 4, 1), 123) == "PF-WATER-20260401-123"
    assert file_id("WATER", date(2026, 4, 1), 7).startswith(
        file_id_prefix("WATER", date(2026, 4, 1))
    )


def test_the_same_receipts_in_any_order_have_the_same_checksum() -> None:
    assert ack_checksum({"A": "1", "B": "2"}) == ack_checksum({"B": "2", "A": "1"})
    assert ack_checksum({"A": "1"}) != ack_checksum({"A": "2"})
    assert ack_checksum({}) != ack_checksum({"A": "1"})


@pytest.mark.parametrize(
    ("receipts", "error"),
    [
        ({"P3": "R3"}, PaymentNotInFile),
        ({"P1": "R1", "P3": "R3", "P4": "R4"}, PaymentNotInFile),
        ({"P1": ""}, ValidationError),
        ({"P1": "R" * 65}, ValidationError),
    ],
)
def test_receipts_name_only_payments_of_the_file(
    receipts: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_receipts("PF-X-20260401-01", ["P1", "P2"], receipts)


def test_receipts_may_leave_out_a_payment_the_biller_refused() -> None:
    check_receipts("PF-X-20260401-01", ["P1", "P2"], {"P1": "R1"})
    check_receipts("PF-X-20260401-01", ["P1", "P2"], {})


@pytest.mark.parametrize(
    ("amount", "bills", "split", "credit"),
    [
        (1500, [("B1", 1500)], (("B1", 1500, "paid"),), 0),
        (1000, [("B1", 1500)], (("B1", 1000, "partially_paid"),), 0),
        (2500, [("B1", 1500), ("B2", 1000)], (("B1", 1500, "paid"), ("B2", 1000, "paid")), 0),
        (
            2000,
            [("B1", 1500), ("B2", 1000)],
            (("B1", 1500, "paid"), ("B2", 500, "partially_paid")),
            0,
        ),
        (2000, [("B1", 1500)], (("B1", 1500, "paid"),), 500),  # advance: the rest is credit
    ],
)
def test_the_amount_goes_over_the_bills_in_order_and_the_rest_is_credit(
    amount: int,
    bills: list[tuple[str, int]],
    split: tuple[tuple[str, int, str], ...],
    credit: int,
) -> None:
    assert allocate(amount, bills) == (split, credit)
    assert sum(taken for _, taken, _ in split) + credit == amount
