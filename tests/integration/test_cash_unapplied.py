"""Cash the switch can never apply is owed back, not lost (cash_payments.py), both engines.

The biller stopped taking cash at counters while DAM01 was offline: the
cashier took the cash all the same. The entry is applied as `unapplied`, the
whole cash taken a refund owed that any counter pays out once; a void of it
cancels the refund instead.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from fawtara.counters.use_cases.counter_journal import JournalEntry
from fawtara.storage import tables as t
from fawtara.wiring import Platform
from tests.integration.test_cash_refunds import Refunds, code_of


@pytest.fixture
def net(platform: Platform) -> Refunds:
    return Refunds(platform)


def cash_no_longer_taken(net: Refunds, shift_id: str) -> tuple[JournalEntry, int]:
    """A cash payment entry for ELEC, which dropped the counter channel meanwhile."""
    with net.platform.engine.begin() as connection:
        channels = connection.execute(
            select(t.billers.c.channels).where(t.billers.c.code == "ELEC")
        ).scalar_one()
        kept = [channel for channel in channels if channel != "counter"]
        elec = t.billers.c.code == "ELEC"
        connection.execute(update(t.billers).where(elec).values(channels=kept))
    owed = net.owed()
    return net.cash_entry(shift_id), owed


def test_cash_a_biller_no_longer_takes_is_owed_back_and_paid_out_once(net: Refunds) -> None:
    shift_id = net.open_shift("rana", "DAM01", float_minor=0)
    entry, owed = cash_no_longer_taken(net, shift_id)
    payment_id = entry.data["payment_id"]
    [taken] = net.push(entry)
    assert taken.status == "applied" and taken.outcome is not None, taken.error
    outcome = taken.outcome
    assert (outcome["state"], outcome["reason_code"]) == ("unapplied", "CHANNEL_NOT_ACCEPTED")
    assert (outcome["posted_minor"], outcome["refund_minor"]) == (0, owed)
    assert net.bill_status() == ("issued", 0)
    assert net.net_posted("switch:refunds_due") == -owed
    assert net.surplus(payment_id)["amount_minor"] == owed
    with net.platform.uow(readonly=True) as uow:
        assert uow.cash.shift_totals(shift_id) == (1, owed, 0)  # the drawer holds it
    assert "payment" in net.audit_actions("DAM01")
    net.books_balance()

    [again] = net.push(entry)
    assert again.status == "duplicate" and again.outcome == outcome
    with net.platform.engine.connect() as connection:
        refunds = connection.execute(
            select(t.ledger_transfers.c.id).where(t.ledger_transfers.c.code == "cash_refund")
        ).scalars()
        assert list(refunds) == [f"{payment_id}:refund"]

    aleppo_shift = net.open_shift("omar", "ALP01", float_minor=owed)
    paid = net.pay_out("omar", "ALP01", aleppo_shift, payment_id, owed)
    assert paid.status == "applied", paid.error
    assert net.net_posted("switch:refunds_due") == 0
    twice = net.pay_out("omar", "ALP01", aleppo_shift, payment_id, owed)
    assert code_of(twice) == "REFUND_ALREADY_PAID"
    [late_void] = net.push(
        net.entry("void", "huda", shift_id, payment_id=payment_id, reason="too late")
    )
    assert code_of(late_void) == "PAYMENT_NOT_REVERSIBLE"
    net.books_balance()


def test_a_void_of_unapplied_cash_cancels_its_refund(net: Refunds) -> None:
    shift_id = net.open_shift("rana", "DAM01", float_minor=0)
    entry, owed = cash_no_longer_taken(net, shift_id)
    payment_id = entry.data["payment_id"]
    assert net.push(entry)[0].status == "applied"
    [voided] = net.push(
        net.entry("void", "huda", shift_id, payment_id=payment_id, reason="handed back")
    )
    assert voided.status == "applied" and voided.outcome is not None, voided.error
    assert voided.outcome["state"] == "reversed"
    assert net.surplus(payment_id)["cancelled_at"] is not None
    assert net.net_posted("switch:refunds_due") == 0
    assert net.net_posted("counter:DAM01:cash") == 0  # the cash went back
    with net.platform.uow(readonly=True) as uow:
        assert uow.cash.shift_totals(shift_id) == (1, owed, owed)
    assert code_of(net.pay_out("rana", "DAM01", shift_id, payment_id, owed)) == "REFUND_NOT_OWED"
    net.books_balance()
