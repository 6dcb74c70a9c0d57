"""The billing system's answer to a bill inquiry, on the fake store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fawtara.billing.use_cases.inquiry import BILLS_PRESENTED_MAX, inquire
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import InvalidCustomerReference, UnknownBiller, UnknownService
from tests.fakes.billing_world import ELEC, NOW, a_bill, add_bills, meter
from tests.unit.billing.conftest import World


def add_cycles(world: World, reference: str, count: int) -> list[str]:
    """`count` more bills of one meter, one a month before CYCLE's; their ids, newest first."""
    service_id = world.service_ids[reference]
    due = world.bills[reference].due_on
    bills = [
        a_bill(ELEC, service_id, f"2025-C{n:02d}", 10_000 + n, due_on=due - timedelta(days=30 * n))
        for n in range(1, count + 1)
    ]
    with world.store.uow() as uow:
        add_bills(uow, *bills)
        uow.commit()
    return [bill.id for bill in bills]


def test_a_customer_is_presented_with_their_bills_newest_first(world: World) -> None:
    reference = world.meters[0]
    older = add_cycles(world, reference, 2)
    customer = inquire(world.store.uow(), "ELEC", reference, NOW)
    assert [bill.id for bill in customer.bills] == [world.bills[reference].id, *older]
    assert customer.reference == reference and customer.as_of == NOW
    assert customer.name_en == reference and customer.msisdn == "+963933123456"
    assert customer.bills[0].status is BillStatus.ISSUED
    assert customer.bills[0].due_on == date(2026, 12, 1)


def test_only_the_most_recent_bills_are_presented(world: World) -> None:
    reference = world.meters[0]
    older = add_cycles(world, reference, BILLS_PRESENTED_MAX + 2)
    customer = inquire(world.store.uow(), "ELEC", reference, NOW)
    assert len(customer.bills) == BILLS_PRESENTED_MAX
    assert customer.bills[-1].id == older[BILLS_PRESENTED_MAX - 2]


def test_another_customers_bills_are_not_presented(world: World) -> None:
    customer = inquire(world.store.uow(), "ELEC", world.meters[1], NOW)
    assert [bill.id for bill in customer.bills] == [world.bills[world.meters[1]].id]


def test_a_reference_is_normalised_before_it_is_looked_up(world: World) -> None:
    spaced = " ".join([world.landline[:3], world.landline[3:6], world.landline[6:]])
    customer = inquire(world.store.uow(), "STE", spaced, NOW)
    assert customer.reference == world.landline
    assert [bill.id for bill in customer.bills] == [world.bills[world.landline].id]


def test_a_paid_bill_is_presented_as_paid(world: World) -> None:
    bill = world.bills[world.meters[0]]
    with world.store.uow() as uow:
        uow.bills.save_status([bill.apply_payment(bill.amount_minor)])
        uow.commit()
    (presented,) = inquire(world.store.uow(), "ELEC", world.meters[0], NOW).bills
    assert presented.status is BillStatus.PAID and presented.paid_minor == bill.amount_minor


def test_an_unknown_customer_or_biller_is_named(world: World) -> None:
    with pytest.raises(UnknownService):
        inquire(world.store.uow(), "ELEC", meter(123_456_789), NOW)  # a valid meter, nobody's
    with pytest.raises(UnknownBiller):
        inquire(world.store.uow(), "WATER", world.meters[0], NOW)


def test_a_reference_no_service_kind_accepts_is_refused_as_invalid(world: World) -> None:
    with pytest.raises(InvalidCustomerReference):
        inquire(world.store.uow(), "ELEC", "12", NOW)
