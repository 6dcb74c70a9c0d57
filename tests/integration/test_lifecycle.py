"""The service lifecycle on both engines: worked examples of each path.

Cycle 2026-10 is issued on 1 Nov 2026 and due on 1 Dec 2026; the test biller
gives 2 days of grace, so an unpaid bill suspends from 4 Dec (Damascus).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fawtara.billing.use_cases.lifecycle import drain_reconnect_requests, send_orders
from fawtara.billing.use_cases.lifecycle_notices import send_reminders
from fawtara.sms.domain.sms import TOPICS, notice_from_payload, render
from fawtara.storage import tables as t
from fawtara.switch.domain.payments import PaymentState
from fawtara.wiring import Platform
from tests.lifecycle_support import LifecycleWorld, damascus

DUE = date(2026, 12, 1)
FIRST_SUSPENSION_DAY = date(2026, 12, 4)


@pytest.fixture
def world(platform: Platform) -> LifecycleWorld:
    world = LifecycleWorld(platform, services=3)
    world.clock.set(damascus(date(2026, 11, 1), 2))
    world.bills = world.issue("2026-10")  # type: ignore[attr-defined]
    return world


def bills(world: LifecycleWorld) -> list:  # type: ignore[type-arg]
    return [world.bills[sid] for sid in world.service_ids]  # type: ignore[attr-defined]


def test_an_unpaid_bill_suspends_its_service_only_after_due_date_and_grace(
    world: LifecycleWorld,
) -> None:
    assert world.sweep(damascus(date(2026, 12, 3), 23, 59)).suspended == 0
    report = world.sweep(damascus(FIRST_SUSPENSION_DAY, 0, 1))
    assert report.suspended == 3
    assert set(world.states().values()) == {"suspended"}
    suspension = world.suspensions()[0]
    assert suspension["suspended_on"] == FIRST_SUSPENSION_DAY and suspension["ended_at"] is None
    with world.platform.billing_store().connect() as connection:
        cause = connection.execute(t.suspension_bills.select()).mappings().first()
    assert cause is not None and cause["due_on"] == DUE
    assert cause["grace_until"] == date(2026, 12, 3)
    assert len(world.outbox("sms.service_suspended")) == 3


@pytest.mark.parametrize(
    ("hour", "minute", "second", "protected"),
    [(23, 59, 59, True), (0, 0, 0, False)],
    ids=["23:59:59 on the due date", "00:00 the day after"],
)
def test_a_payment_accepted_by_the_end_of_the_due_day_protects_even_if_it_settles_later(
    world: LifecycleWorld, hour: int, minute: int, second: int, protected: bool
) -> None:
    day = DUE if hour else date(2026, 12, 2)
    bill = bills(world)[0]
    payment = world.pay_pull(bill, damascus(day, hour, minute, second), bank_answers=False)
    assert payment.state is PaymentState.UNKNOWN
    report = world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    assert world.states()[bill.service_id] == "active"  # on time, or late but in flight
    assert report.waiting_payment_in_flight == (0 if protected else 1)
    world.settle_payments(damascus(FIRST_SUSPENSION_DAY, 10, 1))
    assert world.bill(bill.id).status.value == "paid"
    world.sweep(damascus(FIRST_SUSPENSION_DAY, 11))
    assert world.states()[bill.service_id] == "active"


def test_a_push_in_transit_on_the_due_date_protects_the_bill(world: LifecycleWorld) -> None:
    bill = bills(world)[0]
    payment = world.pay_push(bill, damascus(DUE, 23, 30), in_transit=True)
    assert payment.state is PaymentState.DEBITED
    world.sweep(damascus(date(2026, 12, 10), 10))
    assert world.states()[bill.service_id] == "active"


def test_an_offline_counter_holds_suspensions_until_it_syncs(world: LifecycleWorld) -> None:
    first, second, _ = bills(world)
    world.counter_synced("TEL-DAMASCUS-1", damascus(date(2026, 11, 30), 18))  # went offline
    report = world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    assert report.suspended == 0 and report.waiting_counters == 3
    world.pay_counter(first, damascus(DUE, 23, 59), synced_at=damascus(date(2026, 12, 5), 9))
    world.counter_synced("TEL-DAMASCUS-1", damascus(date(2026, 12, 5), 9))
    report = world.sweep(damascus(date(2026, 12, 5), 10))
    assert report.suspended == 2
    assert world.states()[first.service_id] == "active"
    assert world.states()[second.service_id] == "suspended"


def test_a_counter_silent_too_long_no_longer_holds_suspensions(world: LifecycleWorld) -> None:
    world.counter_synced("TEL-HOMS-1", damascus(date(2026, 11, 20), 18))
    assert world.sweep(damascus(date(2026, 12, 8), 10)).suspended == 0  # 5 days past grace
    assert world.sweep(damascus(date(2026, 12, 9), 10)).suspended == 3


def test_a_late_synced_on_time_payment_undoes_the_suspension_with_an_apology(
    world: LifecycleWorld,
) -> None:
    bill = bills(world)[0]
    world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    assert world.states()[bill.service_id] == "suspended"
    world.pay_counter(bill, damascus(DUE, 20), synced_at=damascus(date(2026, 12, 6), 8))
    report = drain_reconnect_requests(world.lifecycle)
    assert report.protection_violations_repaired == 1
    assert world.states()[bill.service_id] == "active"
    assert world.suspensions()[0]["ended_by"] == "protection"
    apology = world.outbox("sms.suspension_apology")
    assert len(apology) == 1 and not world.outbox("sms.service_reconnected")
    with world.platform.billing_uow(readonly=True) as uow:
        assert uow.lifecycle.summary()["protection_violations_repaired"] == 1


def test_paying_the_overdue_amount_reconnects_through_the_posting_hook(
    world: LifecycleWorld,
) -> None:
    bill = bills(world)[1]
    world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    world.pay_pull(bill, damascus(date(2026, 12, 7), 9))
    assert len(world.outbox("lifecycle.reconnect")) == 1  # written with the posting
    report = drain_reconnect_requests(world.lifecycle)
    assert report.reconnected == 1 and report.protection_violations_repaired == 0
    assert world.states()[bill.service_id] == "active"
    assert world.suspensions()[1]["ended_by"] == "payment"
    assert len(world.outbox("sms.service_reconnected")) == 1
    assert drain_reconnect_requests(world.lifecycle).reconnected == 0  # drained once


def test_orders_reach_the_network_in_order_and_failures_are_retried(
    world: LifecycleWorld,
) -> None:
    bill = bills(world)[0]
    world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    world.pay_counter(bill, damascus(date(2026, 12, 5), 8), damascus(date(2026, 12, 5), 8))
    drain_reconnect_requests(world.lifecycle)
    world.network.fail_next = 1
    first = send_orders(world.lifecycle)
    assert first.failed == 1 and first.sent == 2  # the failed service's reconnect waits
    assert (world.code, world.references[bill.service_id]) not in world.network.lines
    world.clock.advance(timedelta(seconds=6))  # past the first retry delay (5 s)
    assert send_orders(world.lifecycle).sent == 1  # the suspension first …
    assert send_orders(world.lifecycle).sent == 1  # … then its reconnection
    assert world.network.suspended_lines() == {
        (world.code, world.references[sid]) for sid in world.service_ids[1:]
    }
    assert send_orders(world.lifecycle).sent == 0


def test_a_sweep_run_twice_suspends_once_and_queues_one_sms_and_order(
    world: LifecycleWorld,
) -> None:
    world.sweep(damascus(FIRST_SUSPENSION_DAY, 10))
    again = world.sweep(damascus(FIRST_SUSPENSION_DAY, 10, 5))
    assert again.suspended == 0
    assert len(world.suspensions()) == 3
    assert world.count(t.provisioning_orders) == 3
    assert len(world.outbox("sms.service_suspended")) == 3


def test_reminders_go_before_the_due_date_and_on_the_first_overdue_day_but_not_when_paid(
    world: LifecycleWorld,
) -> None:
    paid, in_flight, unpaid = bills(world)
    world.pay_pull(paid, damascus(date(2026, 11, 20), 9))
    world.pay_pull(in_flight, damascus(date(2026, 11, 27), 9), bank_answers=False)
    uow_factory = world.platform.billing_uow_factory()
    now = damascus(date(2026, 11, 28), 9)
    world.clock.set(now)  # the switch answers at the time of the reminder run
    switch = world.platform.switch_link
    counts = send_reminders(uow_factory, world.code, date(2026, 11, 28), 3, now, switch)
    # the paid one is not read; the one in flight at the switch is skipped
    assert counts["due_soon"] == 1 and counts["skipped_accepted"] == 1
    again = send_reminders(uow_factory, world.code, date(2026, 11, 28), 3, now, switch)
    assert again["due_soon"] == 0 and again["already_queued"] == 1
    world.settle_payments(damascus(date(2026, 11, 28), 9, 1))
    counts = send_reminders(uow_factory, world.code, date(2026, 12, 2), 3, now, switch)
    assert counts["overdue"] == 1
    due_soon = world.outbox("sms.bill_due_soon")[0]
    notice = notice_from_payload(TOPICS["sms.bill_due_soon"], due_soon["payload"])
    assert due_soon["payload"]["service_ref"] == world.references[unpaid.service_id]
    assert "٠١/١٢/٢٠٢٦" in render(notice) or "01/12/2026" in render(notice)
