"""Collecting an upload-mode biller's payments files, on the fake store and a fake switch:
each payment posted once, the file acknowledged with the receipts of those posted."""

from __future__ import annotations

import pytest

from fawtara.billing.use_cases.collect_payments import collect_payments
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.notices import DownloadedFile, PostPayment
from tests.fakes.billing import FakeSwitchLink
from tests.fakes.billing_world import NOW
from tests.unit.billing.conftest import World


def notice(world: World, payment_id: str, reference: str, **changes: object) -> PostPayment:
    bill = world.bills[reference]
    fields: dict[str, object] = {
        "payment_id": payment_id,
        "biller_code": "ELEC",
        "customer_ref": reference,
        "bill_ids": (bill.id,),
        "amount_minor": bill.amount_minor,
        "currency": "SYP",
        "channel": "counter",
        "paid_at": NOW,
    }
    fields.update(changes)
    return PostPayment(**fields)  # type: ignore[arg-type]


def a_file(file_id: str, *payments: PostPayment) -> DownloadedFile:
    return DownloadedFile(file_id, payments, NOW)


def test_each_payment_is_posted_and_the_file_acknowledged_with_its_receipts(world: World) -> None:
    switch = FakeSwitchLink()
    first, second = world.meters
    switch.files.append(
        ("ELEC", a_file("PF-ELEC-1", notice(world, "P1", first), notice(world, "P2", second)))
    )
    report = collect_payments(world.store.uow, switch, ManualClock(NOW), ["ELEC"])
    assert report.counts() == {
        "payment_files": 1,
        "payments_posted": 2,
        "payments_replayed": 0,
        "payments_refused": 0,
    }
    assert set(switch.acknowledged["PF-ELEC-1"]) == {"P1", "P2"}
    with world.store.uow() as uow:
        bills = uow.bills.get_many([world.bills[first].id, world.bills[second].id])
    assert {bill.status for bill in bills} == {BillStatus.PAID}


def test_a_file_collected_again_posts_nothing_twice(world: World) -> None:
    """A run that posted but died before its acknowledgement is redone from the start."""
    switch = FakeSwitchLink()
    switch.files.append(("ELEC", a_file("PF-ELEC-1", notice(world, "P1", world.meters[0]))))
    collect_payments(world.store.uow, switch, ManualClock(NOW), ["ELEC"])
    switch.acknowledged.clear()  # as if the acknowledgement had been lost
    again = collect_payments(world.store.uow, switch, ManualClock(NOW), ["ELEC"])
    assert again.counts()["payments_posted"] == 0
    assert again.counts()["payments_replayed"] == 1
    with world.store.uow() as uow:
        assert len(uow.postings.allocations("P1")) == 1


def test_a_refused_payment_gets_no_receipt_and_the_others_are_kept(world: World) -> None:
    switch = FakeSwitchLink()
    refused = notice(world, "P9", world.meters[1], currency="USD")
    kept = notice(world, "P1", world.meters[0])
    switch.files.append(("ELEC", a_file("PF-ELEC-1", kept, refused)))
    report = collect_payments(world.store.uow, switch, ManualClock(NOW), ["ELEC"])
    assert report.files[0].refused == (("P9", "CURRENCY_MISMATCH"),)
    assert switch.acknowledged["PF-ELEC-1"].keys() == {"P1"}


def test_a_switch_that_does_not_answer_raises_and_changes_nothing(world: World) -> None:
    switch = FakeSwitchLink()
    switch.files.append(("ELEC", a_file("PF-ELEC-1", notice(world, "P1", world.meters[0]))))
    switch.down = True
    with pytest.raises(SwitchUnreachable):
        collect_payments(world.store.uow, switch, ManualClock(NOW), ["ELEC"])
    with world.store.uow() as uow:
        assert uow.postings.get("P1") is None
    assert switch.acknowledged == {}
