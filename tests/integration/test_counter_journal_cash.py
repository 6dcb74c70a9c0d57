"""The journal's cash entries at the switch (counters/use_cases/counter_journal_cash.py).

"Not yet" is not "never": cash already in the drawer waits for a payment in
flight instead of being rejected; a void waits for its payment to settle. A
void gives back only a payment of its own shift; the time the cash was taken
must be plausible (it counts for the 30-day rule). Both engines.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fawtara.banks.adapters.in_memory import Fault
from fawtara.billing.bootstrap import lifecycle
from fawtara.billing.use_cases.lifecycle import sweep
from fawtara.counters.use_cases.counter_journal import JournalEntry, apply_journal
from fawtara.kernel import errors, limits
from fawtara.kernel.billers import ServiceState
from fawtara.kernel.calendar import end_of_day_utc
from fawtara.storage import tables as t
from fawtara.switch.domain.payments import PaymentState
from fawtara.switch.use_cases.biller_side import in_flight
from fawtara.switch.use_cases.ports import BillerUnreachable
from fawtara.wiring import Platform
from tests.integration.test_counters import Counters, open_shift
from tests.support import ELEC


@pytest.fixture
def net(platform: Platform) -> Counters:
    return Counters(platform)


def service_state(net: Counters, meter: str) -> ServiceState:
    """The state of the meter's service in the biller's own books."""
    with net.platform.billing_uow(readonly=True) as uow:
        [bill] = uow.bills.get_many([net.bill[meter]])
        found: ServiceState = uow.lifecycle.service_states([bill.service_id])[bill.service_id]
    return found


def void_entry(net: Counters, shift_id: str, payment: JournalEntry) -> JournalEntry:
    return net.entry(
        "void", "huda", shift_id, payment_id=payment.data["payment_id"], reason="wrong bill"
    )


class BillerDown:
    """The real in-process biller, unreachable while `down`."""

    def __init__(self, inner: object) -> None:
        self.inner, self.down = inner, True

    def inquire(self, biller_code: str, customer_ref: str) -> object:
        if self.down:
            raise BillerUnreachable("biller network down")
        return self.inner.inquire(biller_code, customer_ref)  # type: ignore[attr-defined]

    def post(self, command: object) -> object:
        if self.down:
            raise BillerUnreachable("biller network down")
        return self.inner.post(command)  # type: ignore[attr-defined]

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        self.inner.reverse(biller_code, payment_id, reason)  # type: ignore[attr-defined]


@pytest.mark.parametrize("settled", ["completed", "returned"])
def test_cash_for_a_bill_held_by_a_bank_payment_waits_then_applies_once(
    net: Counters, settled: str
) -> None:
    shift_id = open_shift(net, float_minor=0)
    owed = net.owed()
    net.bank.set_fault(Fault.DROP_REPLY, count=1)
    bank = net.pay(net.request(amount=owed))
    assert bank.state is PaymentState.UNKNOWN  # the bill is held, its fate unknown
    if settled == "returned":
        net.bank.set_fault(Fault.DOWN)  # the bank is gone past the deadline
    cash = net.cash_entry(shift_id)
    close = net.entry("shift_close", "rana", shift_id, counted_minor=owed)
    with pytest.raises(errors.EntryNotYet, match="waits until that payment is settled"):
        net.push(cash, close)
    assert net.count(t.counter_journal) == 1  # only the shift_open: the close waits behind
    assert net.count(t.payments) == 1
    if settled == "returned":
        net.run_worker(65)
        net.bank.set_fault(Fault.NONE)
        net.run_worker(40)
    else:
        net.run_worker(2)
    first, closed = net.push(cash, close)
    assert first.status == "applied" and first.outcome is not None, first.error
    outcome = first.outcome
    assert outcome["state"] == "completed"
    if settled == "completed":  # the bank paid the bill: the cash is all surplus
        assert outcome["posted_minor"] == 0
        assert outcome["credit_minor"] + outcome["refund_minor"] == owed
    else:
        assert (outcome["posted_minor"], outcome["refund_minor"]) == (owed, 0)
    assert closed.shift is not None and closed.shift["state"] == "closed"
    [again] = net.push(cash)
    assert again.status == "duplicate" and again.outcome == outcome
    assert net.count(t.payments) == 2
    assert net.bill_status() == ("paid", owed)  # paid once
    net.books_balance()


def test_a_void_of_a_payment_the_biller_has_not_confirmed_waits_then_applies(
    net: Counters,
) -> None:
    shift_id = open_shift(net, float_minor=0)
    biller = BillerDown(net.switch.biller)
    net.switch.biller = biller
    payment = net.cash_entry(shift_id)
    [taken] = net.push(payment)
    assert taken.status == "applied" and taken.outcome is not None
    assert taken.outcome["state"] == "debited"  # cash in the drawer, biller out of reach
    void = void_entry(net, shift_id, payment)
    with pytest.raises(errors.EntryNotYet, match="still debited"):
        net.push(void)
    assert net.count(t.counter_journal) == 2  # shift_open, payment: the void is not rejected
    biller.down = False
    net.run_worker(5)
    [voided] = net.push(void)
    assert voided.status == "applied" and voided.outcome is not None, voided.error
    assert voided.outcome["state"] == "reversed"
    assert net.bill_status() == ("issued", 0)  # reopened
    with net.platform.uow(readonly=True) as uow:
        drawer = uow.ledger.account_by_code("counter:DAM01:cash")
        assert drawer is not None
        balance = uow.ledger.balance(drawer.id)
    assert balance.debits_posted_minor == balance.credits_posted_minor  # the cash went back
    net.books_balance()


def test_a_void_gives_back_only_a_payment_of_its_own_shift(net: Counters) -> None:
    ranas = open_shift(net, "rana")
    hudas = open_shift(net, "huda")
    payment = net.cash_entry(ranas)
    [taken] = net.push(payment)
    assert taken.status == "applied", taken.error
    [elsewhere] = net.push(void_entry(net, hudas, payment))
    assert elsewhere.error is not None and elsewhere.error["code"] == "NOT_YOUR_SHIFT"
    assert net.owed() == 0  # still paid
    [voided] = net.push(void_entry(net, ranas, payment))
    assert voided.status == "applied", voided.error


def test_the_time_cash_was_taken_must_fall_in_its_shift_and_not_ahead_of_the_switch(
    net: Counters,
) -> None:
    shift_id = open_shift(net)
    skew = timedelta(seconds=limits.counter_clock_skew_s + 1)
    entry = net.cash_entry(shift_id)
    for at in (entry.at - skew, net.clock.now() + skew):  # backdated; from the future
        [refused] = net.push(replace(entry, entry_id=str(uuid.uuid4()), at=at))
        assert refused.error is not None, at
        assert refused.error["code"] == "ENTRY_TIME_IMPLAUSIBLE"
    assert net.count(t.payments) == 0
    [applied] = net.push(replace(entry, at=entry.at + timedelta(seconds=30)))
    assert applied.status == "applied", applied.error


def test_cash_taken_by_a_cashier_disabled_before_the_sync_is_still_applied(
    net: Counters,
) -> None:
    shift_id = open_shift(net)
    payment = net.cash_entry(shift_id)  # taken offline while rana was active
    with net.platform.engine.begin() as connection:
        connection.execute(update(t.staff).where(t.staff.c.username == "rana").values(active=0))
    [applied] = net.push(payment)
    assert applied.status == "applied", applied.error
    assert net.owed() == 0
    [opened] = net.push(net.entry("shift_open", "rana", str(uuid.uuid4()), opening_float_minor=0))
    assert opened.error is not None and opened.error["code"] == "NOT_ALLOWED"  # new work: no


def test_cash_taken_by_the_due_day_and_synced_late_protects_its_bill_while_the_biller_is_down(
    net: Counters,
) -> None:
    """Cash is accepted when the counter took it: an offline counter's cash taken on the due
    day, synced after the grace with the biller out of reach, is in the switch's in-flight
    answer at that instant, so the sweep does not count the bill overdue; the notice then
    posts it at that instant too (docs/BILLER-API.md, Time)."""
    with net.platform.uow(readonly=True) as uow:
        [bill] = uow.bills.get_many([net.bill[net.meters[0]]])
    net.clock.set(end_of_day_utc(bill.due_on) - timedelta(hours=1))  # 23:00 in Damascus
    shift_id = open_shift(net, float_minor=0)
    cash = net.cash_entry(shift_id)  # then the counter's line went down
    net.switch.biller = biller = BillerDown(net.switch.biller)
    net.clock.advance(timedelta(days=ELEC.grace_days + 2))  # past due date and grace
    synced = net.clock.now()
    [taken] = apply_journal(net.journal, "DAM01", [cash], synced)  # the late sync
    assert taken.outcome is not None and taken.outcome["state"] == "debited", taken.error

    answer = in_flight(net.platform.uow(readonly=True), net.clock, "ELEC", [net.meters[0]])
    assert [(p[0], p[2], p[3], p[4]) for p in answer.payments] == [
        (cash.data["payment_id"], (bill.id,), bill.outstanding_minor, cash.at)
    ]
    assert answer.counters_synced_through == synced
    report = sweep(lifecycle(net.platform), "ELEC", net.clock.now())
    assert report.suspended == len(net.meters) - 1  # the other meters owe their bills
    assert report.waiting_payment_in_flight == 0  # not even waiting: accepted on time
    assert service_state(net, net.meters[0]) is ServiceState.ACTIVE
    assert service_state(net, net.meters[1]) is ServiceState.SUSPENDED

    biller.down = False
    net.run_worker(5)
    assert net.bill_status() == ("paid", bill.amount_minor)
    with net.platform.billing_store().connect() as connection:  # the biller's books
        paid_at = connection.execute(
            select(t.biller_postings.c.paid_at).where(
                t.biller_postings.c.payment_id == cash.data["payment_id"]
            )
        ).scalar_one()
    assert paid_at == cash.at
    assert in_flight(net.platform.uow(), net.clock, "ELEC", [net.meters[0]]).payments == ()
    net.books_balance()
