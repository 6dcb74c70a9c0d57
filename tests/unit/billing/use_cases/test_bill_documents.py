"""A bill as printed, on the fake store: only for the bill's own subscriber."""

from __future__ import annotations

import pytest

from fawtara.billing.use_cases.bill_documents import bill_document
from fawtara.kernel.errors import UnknownBill, UnknownBiller
from tests.fakes.billing_world import LINES
from tests.unit.billing.conftest import World


def test_a_bill_is_printed_with_its_lines_and_its_biller(world: World) -> None:
    reference = world.meters[0]
    bill = world.bills[reference]
    document = bill_document(world.store.uow(), "ELEC", reference, bill.id)
    assert (document.bill_id, document.amount_minor, document.grace_days) == (bill.id, 320_000, 15)
    assert document.customer_name_ar == f"مشترك {reference}"
    assert [line.amount_minor for line in document.lines] == [LINES[0]["amount_minor"]]
    assert document.lines[0].rate == "6.00"


def test_knowing_a_bill_id_shows_nobody_elses_bill(world: World) -> None:
    bill = world.bills[world.meters[0]]
    with pytest.raises(UnknownBill):
        bill_document(world.store.uow(), "ELEC", world.meters[1], bill.id)
    with pytest.raises(UnknownBill):
        bill_document(world.store.uow(), "ELEC", world.meters[0], "ELEC-2026-B5-999")
    with pytest.raises(UnknownBiller):
        bill_document(world.store.uow(), "WATER", world.meters[0], bill.id)
