"""Cancelling a bill issued in error, on the fake store."""

from __future__ import annotations

import pytest

from fawtara.billing.use_cases.bills import cancel_bill
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import BillNotPayable, UnknownBill
from tests.fakes.billing_world import NOW
from tests.unit.billing.conftest import World
from tests.unit.billing.use_cases.test_post_payment import paid


def test_an_unpaid_bill_is_cancelled_once_and_then_takes_no_payment(world: World) -> None:
    bill_id = world.bills[world.meters[0]].id
    assert cancel_bill(world.store.uow(), bill_id).status is BillStatus.CANCELLED
    assert cancel_bill(world.store.uow(), bill_id).status is BillStatus.CANCELLED
    assert world.store.committed.bills[bill_id].status is BillStatus.CANCELLED
    with pytest.raises(BillNotPayable):
        post_payment(world.store.uow(), paid(world, "late", 320_000), NOW)


def test_a_bill_with_money_on_it_stays_as_it_is(world: World) -> None:
    bill_id = world.bills[world.meters[0]].id
    post_payment(world.store.uow(), paid(world, "some", 1_000), NOW)
    with pytest.raises(BillNotPayable):
        cancel_bill(world.store.uow(), bill_id)
    assert world.store.committed.bills[bill_id].status is BillStatus.PARTIALLY_PAID
    with pytest.raises(UnknownBill):
        cancel_bill(world.store.uow(), "ELEC-2026-B5-999")
