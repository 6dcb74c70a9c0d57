"""The switch's fake biller against the real billing system: the same checks on both.

One side is tests/fakes/switch.py's FakeBillerGateway; the other is the
billing system's use cases on a migrated SQLite store, called in process
(links/biller_in_process.py), as the switch's integration tests call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from fawtara.billing.adapters.uow import BillingUnitOfWork
from fawtara.kernel.bills import Bill
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import BillAlreadyPaid, PaymentIdReused, UnknownBill, UnknownService
from fawtara.kernel.notices import PostPayment
from fawtara.kernel.presentment import PresentedBill, PresentedCustomer
from fawtara.links.biller_in_process import InProcessBillerGateway
from fawtara.storage import schema
from fawtara.storage.engine import make_engine
from fawtara.switch.use_cases.ports import BillerGateway, BillerUnreachable
from tests.fakes.billing_world import ELEC, NOW, a_bill, add_bills, add_service, meter
from tests.fakes.switch import FakeBillerGateway

METER, NEIGHBOUR = meter(400_000_000), meter(400_000_001)


@dataclass
class Biller:
    gateway: BillerGateway
    bills: list[Bill]  # METER's, newest first

    def cut(self) -> None:
        self.gateway.reachable = False  # type: ignore[attr-defined]


def the_bills(service_id: int) -> list[Bill]:
    return [
        a_bill(ELEC, service_id, "2026-B5", 320_000),
        a_bill(ELEC, service_id, "2026-B4", 150_000, due_on=date(2026, 10, 1)),
    ]


def presented(reference: str, bills: list[Bill]) -> PresentedCustomer:
    return PresentedCustomer(
        biller_code="ELEC",
        reference=reference,
        name_ar="مشترك",
        name_en=reference,
        bills=tuple(
            PresentedBill(
                b.id,
                b.cycle_id,
                b.period_start,
                b.period_end,
                b.issued_on,
                b.due_on,
                b.amount_minor,
                b.paid_minor,
                b.currency,
                b.status,
            )
            for b in bills
        ),
        as_of=NOW,
    )


@pytest.fixture(params=["fake", "sqlite"])
def biller(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Biller]:
    if request.param == "fake":
        fake = FakeBillerGateway()
        fake.present(presented(METER, the_bills(1)))
        fake.present(presented(NEIGHBOUR, [a_bill(ELEC, 2, "2026-B5", 1_000)]))
        yield Biller(fake, the_bills(1))
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'billing.db'}")
    schema.upgrade(engine, system=schema.BILLING)
    with BillingUnitOfWork(engine) as uow:
        uow.billers.add(ELEC, NOW)
        service_id = add_service(uow, "ELEC", METER, name=METER)
        neighbour = add_service(uow, "ELEC", NEIGHBOUR, name=NEIGHBOUR)
        add_bills(uow, *the_bills(service_id), a_bill(ELEC, neighbour, "2026-B5", 1_000))
        uow.commit()
    yield Biller(
        InProcessBillerGateway(lambda: BillingUnitOfWork(engine), ManualClock(NOW)),
        the_bills(service_id),
    )
    engine.dispose()


def notice(biller: Biller, payment_id: str, amount_minor: int, *bills: Bill) -> PostPayment:
    return PostPayment(
        payment_id=payment_id,
        biller_code="ELEC",
        customer_ref=METER,
        bill_ids=tuple(bill.id for bill in bills or biller.bills[:1]),
        amount_minor=amount_minor,
        currency="SYP",
        channel="bank",
        paid_at=NOW,
    )


def standing(biller: Biller) -> list[tuple[str, int, str]]:
    found = biller.gateway.inquire("ELEC", METER)
    return [(bill.id, bill.paid_minor, bill.status.value) for bill in found.bills]


def test_a_customer_is_presented_with_their_bills_newest_first(biller: Biller) -> None:
    newer, older = biller.bills
    assert standing(biller) == [(newer.id, 0, "issued"), (older.id, 0, "issued")]
    with pytest.raises(UnknownService):
        biller.gateway.inquire("ELEC", meter(400_000_009))


def test_a_notice_posts_once_and_its_retry_replays_the_answer(biller: Biller) -> None:
    first = biller.gateway.post(notice(biller, "pay-1", 320_000))
    again = biller.gateway.post(notice(biller, "pay-1", 320_000))
    assert first.bills == ((biller.bills[0].id, 320_000, "paid"),) and not first.replayed
    assert again.bills == first.bills and again.replayed
    assert again.receipt_id == first.receipt_id
    with pytest.raises(PaymentIdReused):
        biller.gateway.post(notice(biller, "pay-1", 1_000))
    with pytest.raises(BillAlreadyPaid):
        biller.gateway.post(notice(biller, "pay-2", 320_000))


def test_a_payment_over_two_bills_pays_the_oldest_due_first(biller: Biller) -> None:
    newer, older = biller.bills
    result = biller.gateway.post(notice(biller, "pay-1", 200_000, newer, older))
    assert result.bills == ((older.id, 150_000, "paid"), (newer.id, 50_000, "partially_paid"))
    assert standing(biller) == [(newer.id, 50_000, "partially_paid"), (older.id, 150_000, "paid")]


def test_a_reversal_reopens_the_bills_once(biller: Biller) -> None:
    newer, older = biller.bills
    biller.gateway.post(notice(biller, "keep", 100_000))
    biller.gateway.post(notice(biller, "undo", 50_000))
    biller.gateway.reverse("ELEC", "undo", "returned by the bank")
    biller.gateway.reverse("ELEC", "undo", "a retry")
    biller.gateway.reverse("ELEC", "never-posted", "?")
    assert standing(biller) == [(newer.id, 100_000, "partially_paid"), (older.id, 0, "issued")]


def test_a_bill_of_another_customer_is_neither_paid_nor_shown(biller: Biller) -> None:
    theirs = biller.gateway.inquire("ELEC", NEIGHBOUR).bills[0].id
    with pytest.raises(UnknownBill):
        biller.gateway.post(PostPayment("x", "ELEC", METER, (theirs,), 1_000, "SYP", "bank", NOW))
    with pytest.raises(UnknownBill):
        biller.gateway.bill_document("ELEC", METER, theirs)


def test_a_bill_document_is_a_pdf(biller: Biller) -> None:
    assert biller.gateway.bill_document("ELEC", METER, biller.bills[0].id).startswith(b"%PDF")


def test_a_cut_link_is_unreachable_for_every_call(biller: Biller) -> None:
    biller.cut()
    calls = [
        lambda: biller.gateway.inquire("ELEC", METER),
        lambda: biller.gateway.post(notice(biller, "pay-1", 320_000)),
        lambda: biller.gateway.reverse("ELEC", "pay-1", "?"),
        lambda: biller.gateway.bill_document("ELEC", METER, biller.bills[0].id),
    ]
    for call in calls:
        with pytest.raises(BillerUnreachable):
            call()
