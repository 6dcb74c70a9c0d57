"""Publishing a bill run to the switch as bill files, on the fake store and a fake switch."""

from __future__ import annotations

import pytest

from fawtara.billing.use_cases import publishing
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.billing.use_cases.publishing import publish_cycle
from fawtara.kernel.bills import BillStatus
from tests.fakes.billing import FakeSwitchLink
from tests.fakes.billing_world import ELEC, a_bill, add_bills, add_service, meter
from tests.unit.billing.conftest import CYCLE, World


def publish(world: World, switch: FakeSwitchLink, biller_code: str = "ELEC") -> int:
    return publish_cycle(world.store.uow, switch, biller_code, CYCLE)


def test_a_cycle_is_uploaded_with_its_customers_and_bills(world: World) -> None:
    switch = FakeSwitchLink()
    assert publish(world, switch) == 2
    ((biller_code, file_id, rows),) = switch.uploads
    assert biller_code == "ELEC" and file_id.startswith(f"ELEC-{CYCLE}-")
    assert [row.customer_ref for row in rows] == world.meters
    assert [row.row for row in rows] == [1, 2]
    first = rows[0]
    assert first.bill.id == world.bills[world.meters[0]].id
    assert first.bill.amount_minor == 320_000 and first.bill.status is BillStatus.ISSUED
    assert first.name_en == world.meters[0] and first.governorate == "Damascus"


def test_publishing_twice_uploads_the_same_file(world: World) -> None:
    switch = FakeSwitchLink()
    publish(world, switch)
    publish(world, switch)
    first, second = switch.uploads
    assert first == second


def test_a_change_to_a_bill_is_a_new_file(world: World) -> None:
    switch = FakeSwitchLink()
    publish(world, switch)
    bill = world.bills[world.meters[0]]
    with world.store.uow() as uow:
        uow.bills.save_status([bill.apply_payment(1_000)])
        uow.commit()
    publish(world, switch)
    (_, before, _), (_, after, rows) = switch.uploads
    assert before != after
    assert rows[0].bill.paid_minor == 1_000


def test_only_the_cycles_bills_of_the_biller_are_published(world: World) -> None:
    with world.store.uow() as uow:
        add_bills(uow, a_bill(ELEC, world.service_ids[world.meters[0]], "2026-B4", 5_000))
        uow.commit()
    switch = FakeSwitchLink()
    publish(world, switch)
    ((_, _, rows),) = switch.uploads
    assert {row.bill.cycle_id for row in rows} == {CYCLE}
    assert publish(world, switch, biller_code="STE") == 0


def test_a_large_cycle_goes_up_a_page_a_file(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with world.store.uow() as uow:
        service_id = add_service(uow, "ELEC", meter(100_000_002))
        add_bills(uow, a_bill(ELEC, service_id, CYCLE, 7_000))
        uow.commit()
    monkeypatch.setattr(publishing, "PUBLISH_PAGE_ROWS", 2)
    switch = FakeSwitchLink()
    assert publish(world, switch) == 3
    assert [len(rows) for _, _, rows in switch.uploads] == [2, 1]
    assert len({file_id for _, file_id, _ in switch.uploads}) == 2


def test_a_switch_that_is_down_fails_the_publication(world: World) -> None:
    switch = FakeSwitchLink()
    switch.down = True
    with pytest.raises(SwitchUnreachable):
        publish(world, switch)
    assert switch.uploads == []
