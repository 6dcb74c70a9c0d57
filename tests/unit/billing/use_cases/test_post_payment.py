"""Posting a payment at the biller, on the fake store: once, by the biller's rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fawtara.billing.use_cases.lifecycle_hook import RECONNECT_TOPIC
from fawtara.billing.use_cases.post_payment import notice_status, post_payment, reverse_posting
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import (
    AmountNotAllowed,
    BillAlreadyPaid,
    ChannelNotAccepted,
    CurrencyMismatch,
    PaymentIdReused,
    UnknownBill,
    UnknownBiller,
    UnknownService,
    ValidationError,
)
from fawtara.kernel.notices import PostPayment
from tests.fakes.billing_world import ELEC, NOW, a_bill, add_bills
from tests.unit.billing.conftest import World


def paid(world: World, payment_id: str, amount_minor: int, **changes: object) -> PostPayment:
    """A notice paying the first meter's bill, with `changes` to any field."""
    reference = world.meters[0]
    command = PostPayment(
        payment_id=payment_id,
        biller_code="ELEC",
        customer_ref=reference,
        bill_ids=(world.bills[reference].id,),
        amount_minor=amount_minor,
        currency="SYP",
        channel="bank",
        paid_at=NOW,
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def bill_status(world: World, reference: str) -> tuple[int, BillStatus]:
    bill = world.store.committed.bills[world.bills[reference].id]
    return bill.paid_minor, bill.status


def test_a_payment_pays_the_bill_and_is_posted_once(world: World) -> None:
    result = post_payment(world.store.uow(), paid(world, "pay-1", 320_000), NOW)
    assert result.bills == ((world.bills[world.meters[0]].id, 320_000, "paid"),)
    assert not result.replayed and result.credit_minor == 0
    assert bill_status(world, world.meters[0]) == (320_000, BillStatus.PAID)
    posting = world.store.committed.postings["pay-1"]
    assert posting["service_id"] == world.service_ids[world.meters[0]]
    assert posting["amount_minor"] == 320_000


def test_the_same_id_and_body_replays_the_stored_answer_and_writes_nothing(world: World) -> None:
    first = post_payment(world.store.uow(), paid(world, "pay-1", 320_000), NOW)
    commits = world.store.commits
    again = post_payment(world.store.uow(), paid(world, "pay-1", 320_000), NOW)
    assert again.replayed and again.bills == first.bills
    assert again.receipt_id == first.receipt_id
    assert world.store.commits == commits
    assert list(world.store.committed.postings) == ["pay-1"]


def test_the_same_id_with_another_body_is_refused(world: World) -> None:
    post_payment(world.store.uow(), paid(world, "pay-1", 320_000), NOW)
    with pytest.raises(PaymentIdReused):
        post_payment(world.store.uow(), paid(world, "pay-1", 100_000), NOW)
    with pytest.raises(PaymentIdReused):
        post_payment(world.store.uow(), paid(world, "pay-1", 320_000, channel="portal"), NOW)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"biller_code": "WATER"}, UnknownBiller),
        ({"channel": "counter", "biller_code": "STE"}, ChannelNotAccepted),
        ({"channel": "cash-van"}, ChannelNotAccepted),
        ({"currency": "USD"}, CurrencyMismatch),
        ({"customer_ref": "9999999999"}, UnknownService),
        ({"bill_ids": ("ELEC-2026-B5-999",)}, UnknownBill),
        ({"bill_ids": ("STE-2026-10-3",)}, UnknownBill),  # another service's bill
        ({"amount_minor": 99}, AmountNotAllowed),  # under ELEC's minimum
        ({"amount_minor": 320_001}, AmountNotAllowed),  # no advances at ELEC
        ({"bill_ids": ("ELEC-2026-B5-1", "ELEC-2026-B5-1")}, ValidationError),
        ({"payment_id": ""}, ValidationError),
        ({"payment_id": "p" * 65}, ValidationError),
    ],
)
def test_a_bad_notice_is_refused_by_name_and_writes_nothing(
    world: World, changes: dict[str, object], error: type[Exception]
) -> None:
    before = world.store.committed
    with pytest.raises(error):
        notice = replace(paid(world, "bad", 320_000), **changes)  # type: ignore[arg-type]
        post_payment(world.store.uow(), notice, NOW)
    assert world.store.committed is before and world.store.commits == 1
    assert world.store.committed.postings == {}


def test_a_notice_that_fails_on_its_second_bill_leaves_the_first_unpaid(world: World) -> None:
    service_id = world.service_ids[world.meters[0]]
    older = a_bill(ELEC, service_id, "2026-B4", 150_000, due_on=world.bills[world.meters[0]].due_on)
    older = replace(older, id="ELEC-2026-B4-1", paid_minor=150_000, status=BillStatus.PAID)
    with world.store.uow() as uow:
        add_bills(uow, older)
        uow.commit()
    bill_ids = (world.bills[world.meters[0]].id, older.id)
    with pytest.raises(BillAlreadyPaid):
        post_payment(world.store.uow(), paid(world, "two", 320_000, bill_ids=bill_ids), NOW)
    assert bill_status(world, world.meters[0]) == (0, BillStatus.ISSUED)
    assert world.store.committed.postings == {}


def test_a_partial_payment_leaves_the_bill_partly_paid_and_the_rest_pays_it(world: World) -> None:
    bill_id = world.bills[world.meters[0]].id
    part = post_payment(world.store.uow(), paid(world, "p-1", 120_000), NOW)
    assert part.bills == ((bill_id, 120_000, "partially_paid"),)
    with pytest.raises(AmountNotAllowed):
        post_payment(world.store.uow(), paid(world, "p-2", 200_001), NOW)
    rest = post_payment(world.store.uow(), paid(world, "p-3", 200_000), NOW)
    assert rest.bills == ((bill_id, 200_000, "paid"),)
    with pytest.raises(BillAlreadyPaid):
        post_payment(world.store.uow(), paid(world, "p-4", 100), NOW)


def landline_notice(world: World, payment_id: str, amount_minor: int) -> PostPayment:
    return paid(
        world,
        payment_id,
        amount_minor,
        biller_code="STE",
        customer_ref=world.landline,
        bill_ids=(world.bills[world.landline].id,),
    )


def test_an_exact_biller_takes_the_amount_due_and_nothing_else(world: World) -> None:
    for amount_minor in (175_499, 175_501, 100_000):
        with pytest.raises(AmountNotAllowed):
            post_payment(world.store.uow(), landline_notice(world, "x", amount_minor), NOW)
    assert bill_status(world, world.landline) == (0, BillStatus.ISSUED)
    result = post_payment(world.store.uow(), landline_notice(world, "x", 175_500), NOW)
    assert result.bills == ((world.bills[world.landline].id, 175_500, "paid"),)


def test_a_payment_over_two_bills_pays_the_oldest_due_first(world: World) -> None:
    service_id = world.service_ids[world.meters[0]]
    newer = world.bills[world.meters[0]]
    older = a_bill(ELEC, service_id, "2026-B4", 150_000, due_on=newer.due_on.replace(month=10))
    with world.store.uow() as uow:
        add_bills(uow, older)
        uow.commit()
    notice = paid(world, "both", 200_000, bill_ids=(newer.id, older.id))
    result = post_payment(world.store.uow(), notice, NOW)
    assert result.bills == ((older.id, 150_000, "paid"), (newer.id, 50_000, "partially_paid"))


def test_a_reversal_reopens_the_bills_exactly_once(world: World) -> None:
    reference = world.meters[0]
    post_payment(world.store.uow(), paid(world, "keep", 100_000), NOW)
    post_payment(world.store.uow(), paid(world, "undo", 50_000), NOW)
    assert reverse_posting(world.store.uow(), "undo", "bank returned it", NOW)
    assert bill_status(world, reference) == (100_000, BillStatus.PARTIALLY_PAID)
    assert not reverse_posting(world.store.uow(), "undo", "a retry", NOW)
    assert bill_status(world, reference) == (100_000, BillStatus.PARTIALLY_PAID)
    assert reverse_posting(world.store.uow(), "keep", "bank returned it", NOW)
    assert bill_status(world, reference) == (0, BillStatus.ISSUED)
    status = notice_status(world.store.uow(), "undo")
    assert status is not None and status.reversed and status.result.replayed


def test_reversing_an_unknown_payment_changes_nothing(world: World) -> None:
    assert not reverse_posting(world.store.uow(), "never-posted", "?", NOW)
    assert world.store.commits == 1 and world.store.committed.reversals == {}


def test_notice_status_answers_what_was_posted_and_none_for_an_unknown_id(world: World) -> None:
    posted = post_payment(world.store.uow(), paid(world, "pay-1", 320_000), NOW)
    status = notice_status(world.store.uow(), "pay-1")
    assert status is not None and not status.reversed and status.posted_at == NOW
    assert status.result.bills == posted.bills and status.result.receipt_id == posted.receipt_id
    assert notice_status(world.store.uow(), "pay-2") is None


def test_a_posting_to_a_suspended_service_asks_for_its_review_once(world: World) -> None:
    suspended = world.service_ids[world.meters[1]]
    world.store.committed.services[suspended]["state"] = "suspended"
    notice = paid(
        world,
        "late",
        320_000,
        customer_ref=world.meters[1],
        bill_ids=(world.bills[world.meters[1]].id,),
    )
    post_payment(world.store.uow(), notice, NOW)
    post_payment(world.store.uow(), paid(world, "on-time", 320_000), NOW)
    outbox = world.store.committed.outbox
    assert list(outbox) == [(RECONNECT_TOPIC, "late")]
    assert outbox[(RECONNECT_TOPIC, "late")]["payload"] == {
        "service_id": suspended,
        "biller_code": "ELEC",
    }
