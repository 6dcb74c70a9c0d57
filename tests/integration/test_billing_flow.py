"""The biller billing system on both engines: usage, bill runs, payment posting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import (
    AmountNotAllowed,
    BillAlreadyPaid,
    ChannelNotAccepted,
    NoTariffInForce,
    PaymentIdReused,
    UnknownBill,
    UnknownBiller,
)
from fawtara.kernel.notices import PostPayment
from fawtara.storage import tables as t
from fawtara.wiring import Platform
from tests.support import World, build_world, usage_rows

CYCLE = "2026-B5"  # September-October 2026, issued 2026-11-01, due 2026-12-01


@pytest.fixture
def world(platform: Platform) -> World:
    return build_world(platform)


def count(platform: Platform, table: Any) -> int:
    with platform.billing_store().connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def import_cycle(platform: Platform, world: World, quantities: list[int]) -> None:
    rows = [("ELEC", CYCLE, m, str(q)) for m, q in zip(world.meters, quantities, strict=False)]
    report = import_usage(
        platform.billing_uow_factory(), usage_rows(rows), "test.csv", platform.clock
    )
    assert report.rejected == []


def test_usage_import_keeps_good_rows_and_names_each_bad_one(
    platform: Platform, world: World
) -> None:
    rows = usage_rows(
        [
            ("ELEC", CYCLE, world.meters[0], "400"),
            ("ELEC", CYCLE, world.meters[1], "-3"),
            ("NOPE", CYCLE, world.meters[2], "10"),
            ("ELEC", "2026-13", world.meters[2], "10"),
            ("ELEC", CYCLE, "1234567890", "10"),
            ("ELEC", CYCLE, world.meters[3], ""),
            ("ELEC", CYCLE, world.meters[4], "250"),
        ]
    )
    report = import_usage(platform.billing_uow_factory(), rows, "usage.csv", platform.clock)
    assert (report.rows_read, report.rows_added, report.rejected_count) == (7, 2, 5)
    reasons = dict(report.rejected)
    assert reasons[3].startswith("INVALID_USAGE") and "-3" in reasons[3]
    assert reasons[4].startswith("UNKNOWN_BILLER")
    assert reasons[5].startswith("INVALID_CYCLE")
    assert reasons[6].startswith("UNKNOWN_SERVICE")
    assert reasons[7].startswith("INVALID_USAGE") and "quantity" in reasons[7]
    assert count(platform, t.usage_records) == 2


def test_importing_the_same_file_twice_changes_nothing(platform: Platform, world: World) -> None:
    rows = usage_rows([("ELEC", CYCLE, m, "120") for m in world.meters])
    first = import_usage(platform.billing_uow_factory(), rows, "a.csv", platform.clock)
    second = import_usage(platform.billing_uow_factory(), rows, "a.csv", platform.clock)
    assert (first.rows_added, second.rows_added, second.rows_unchanged) == (5, 0, 5)
    changed = usage_rows([("ELEC", CYCLE, world.meters[0], "121")])
    third = import_usage(platform.billing_uow_factory(), changed, "b.csv", platform.clock)
    assert third.rejected[0][1].startswith("USAGE_CONFLICT")
    assert count(platform, t.usage_records) == 5


def test_a_bill_run_issues_one_priced_bill_per_active_service(
    platform: Platform, world: World
) -> None:
    import_cycle(platform, world, [400, 0, 300, 301, 1])
    report = run_bill_run(
        platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock, batch_rows=2
    )
    assert (report.bills_issued, report.batches, report.services_without_usage) == (5, 3, 0)
    with platform.billing_uow(readonly=True) as uow:
        bills = {
            b.service_id: b
            for sid in world.service_ids.values()
            for b in uow.bills.for_service(sid)
        }
        first = bills[world.service_ids[world.meters[0]]]
        lines = uow.bills.lines(first.id)
    # 400 kWh: 300 x 6.00 + 100 x 14.00 = 3,200.00 SYP
    assert first.amount_minor == 320_000
    assert [line["amount_minor"] for line in lines] == [180_000, 140_000]
    assert first.issued_on == date(2026, 11, 1) and first.due_on == date(2026, 12, 1)
    amounts = sorted(b.amount_minor for b in bills.values())
    # 0 kWh -> 0 (issued paid); 1 -> 6.00; 300 -> 1,800.00; 301 -> 1,814.00
    assert amounts == [0, 600, 180_000, 181_400, 320_000]
    zero = next(b for b in bills.values() if b.amount_minor == 0)
    assert zero.status is BillStatus.PAID


def test_rerunning_a_cycle_issues_nothing_new(platform: Platform, world: World) -> None:
    import_cycle(platform, world, [10, 20, 30, 40, 50])
    run_bill_run(platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock)
    again = run_bill_run(platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock)
    assert (again.services_pending, again.bills_issued) == (0, 0)
    assert count(platform, t.bills) == 5
    with platform.billing_uow(readonly=True) as uow:
        status = uow.bill_runs.status("ELEC", CYCLE)
    assert status is not None
    assert (status["status"], status["bills_issued"], status["attempts"]) == ("completed", 5, 2)


def test_a_run_killed_half_way_is_finished_by_a_rerun_without_duplicates(
    platform: Platform,
    world: World,
) -> None:
    import_cycle(platform, world, [10, 20, 30, 40, 50])

    def die_after_first_batch(done: int, total: int | None) -> None:
        raise KeyboardInterrupt  # as if the process were killed after one commit

    with pytest.raises(KeyboardInterrupt):
        run_bill_run(
            platform.billing_uow_factory(),
            "ELEC",
            CYCLE,
            platform.clock,
            progress=die_after_first_batch,
            batch_rows=2,
        )
    assert count(platform, t.bills) == 2
    report = run_bill_run(
        platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock, batch_rows=2
    )
    assert report.bills_issued == 3
    assert count(platform, t.bills) == 5


def test_services_without_a_meter_reading_are_counted_not_billed(
    platform: Platform, world: World
) -> None:
    import_cycle(platform, world, [10, 20])
    report = run_bill_run(platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock)
    assert (report.bills_issued, report.services_without_usage) == (2, 3)


def test_landlines_are_billed_their_rental_without_usage(platform: Platform, world: World) -> None:
    report = run_bill_run(platform.billing_uow_factory(), "STE", "2026-10", platform.clock)
    assert report.bills_issued == 2
    with platform.billing_uow(readonly=True) as uow:
        bill = uow.bills.for_service(world.service_ids[world.landlines[0]])[0]
    assert bill.amount_minor == 1_755 and bill.due_on == date(2026, 12, 1)


def test_a_bill_run_without_a_tariff_in_force_writes_nothing(
    platform: Platform, world: World
) -> None:
    import_cycle(platform, world, [10, 20, 30, 40, 50])
    with pytest.raises(NoTariffInForce):
        run_bill_run(platform.billing_uow_factory(), "ELEC", "2025-B1", platform.clock)
    with pytest.raises(UnknownBiller):
        run_bill_run(platform.billing_uow_factory(), "NOPE", CYCLE, platform.clock)
    assert count(platform, t.bills) == 0


def paid(
    world: World, payment_id: str, bill_ids: tuple[str, ...], amount: int, channel: str = "bank"
) -> PostPayment:
    return PostPayment(
        payment_id=payment_id,
        biller_code="ELEC",
        customer_ref=world.meters[0],
        bill_ids=bill_ids,
        amount_minor=amount,
        currency="SYP",
        channel=channel,
        paid_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )


@pytest.fixture
def billed(platform: Platform, world: World) -> str:
    import_cycle(platform, world, [400, 20, 30, 40, 50])
    run_bill_run(platform.billing_uow_factory(), "ELEC", CYCLE, platform.clock)
    return f"ELEC-{CYCLE}-{world.service_ids[world.meters[0]]}"


def test_posting_a_payment_pays_the_bill_and_a_retry_changes_nothing(
    platform: Platform,
    world: World,
    billed: str,
) -> None:
    now = platform.clock.now()
    first = post_payment(platform.billing_uow(), paid(world, "pay-1", (billed,), 320_000), now)
    again = post_payment(platform.billing_uow(), paid(world, "pay-1", (billed,), 320_000), now)
    assert first.bills == ((billed, 320_000, "paid"),) and not first.replayed
    assert again.bills == first.bills and again.replayed
    assert count(platform, t.bill_payments) == 1
    with pytest.raises(PaymentIdReused):
        post_payment(platform.billing_uow(), paid(world, "pay-1", (billed,), 100_000), now)
    with pytest.raises(BillAlreadyPaid):
        post_payment(platform.billing_uow(), paid(world, "pay-2", (billed,), 320_000), now)


def test_a_partial_payment_leaves_the_bill_partly_paid_and_never_overpaid(
    platform: Platform,
    world: World,
    billed: str,
) -> None:
    now = platform.clock.now()
    part = post_payment(platform.billing_uow(), paid(world, "p-1", (billed,), 120_000), now)
    assert part.bills == ((billed, 120_000, "partially_paid"),)
    with pytest.raises(AmountNotAllowed):
        post_payment(platform.billing_uow(), paid(world, "p-2", (billed,), 200_001), now)
    rest = post_payment(platform.billing_uow(), paid(world, "p-3", (billed,), 200_000), now)
    assert rest.bills == ((billed, 200_000, "paid"),)


@pytest.mark.parametrize(
    ("bill_ids", "channel", "error"),
    [
        (("ELEC-2026-B5-999999",), "bank", UnknownBill),
        (("STE-2026-10-1",), "bank", UnknownBill),
        (None, "cash-van", ChannelNotAccepted),
    ],
)
def test_bad_postings_are_refused_and_change_nothing(
    platform: Platform,
    world: World,
    billed: str,
    bill_ids: tuple[str, ...] | None,
    channel: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        post_payment(
            platform.billing_uow(),
            paid(world, "bad", bill_ids or (billed,), 320_000, channel),
            platform.clock.now(),
        )
    assert count(platform, t.biller_postings) == 0


def test_an_unpaid_bill_can_be_cancelled_and_then_takes_no_payment(
    platform: Platform,
    world: World,
    billed: str,
) -> None:
    from fawtara.billing.use_cases.bills import cancel_bill
    from fawtara.kernel.errors import BillNotPayable

    assert cancel_bill(platform.billing_uow(), billed).status is BillStatus.CANCELLED
    assert cancel_bill(platform.billing_uow(), billed).status is BillStatus.CANCELLED
    with pytest.raises(BillNotPayable):
        post_payment(
            platform.billing_uow(), paid(world, "late", (billed,), 320_000), platform.clock.now()
        )


def test_a_bill_with_money_on_it_cannot_be_cancelled(
    platform: Platform,
    world: World,
    billed: str,
) -> None:
    from fawtara.billing.use_cases.bills import cancel_bill
    from fawtara.kernel.errors import BillNotPayable

    post_payment(
        platform.billing_uow(), paid(world, "some", (billed,), 1_000), platform.clock.now()
    )
    with pytest.raises(BillNotPayable):
        cancel_bill(platform.billing_uow(), billed)
