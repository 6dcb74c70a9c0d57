"""A refund owed to a subscriber, paid out at the counter station (issue 5's offline rule).

Real parts over real sockets (tests/station_support.py): the switch's HTTP app,
a fault proxy, a station on its own SQLite file, the cashier's page as HTTP
forms. The refund arises as it would: the station takes cash for a bill while
the line is cut, the subscriber pays the same bill at the bank meanwhile, and
the biller takes no advance payments.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select, update

from fawtara.storage import tables as t
from fawtara.switch.use_cases.ledger import verify_ledger
from tests.e2e import test_station_offline as offline
from tests.e2e.test_station_offline import (
    SYNC_S_MAX,
    Line,
    pay_at_counter,
    sign_in_and_open_shift,
)
from tests.station_support import (
    CASHIER,
    COUNTER_KEY,
    SUPERVISOR,
    bank_payment,
    last_shift_at_switch,
    wait_until,
)

line = offline.line  # the fixture: switch ← fault proxy ← station ← the cashier's page


def refund_arises(line: Line) -> tuple[str, int, str]:
    """(cash payment id, refund owed, service number): cash taken offline, bank paid too."""
    for store in (line.platform.billing_store(), line.platform.engine):  # both registries
        with store.begin() as db:
            db.execute(update(t.billers).values(payment_rule="partial"))
    bill = line.bills[0]
    line.proxy.cut()
    payment_id, _ = pay_at_counter(line.page, bill)
    bank_payment(line.switch_url, bill, "BEMO-REFUND-1")
    line.proxy.restore()
    wait_until(lambda: line.station.store.pending_count() == 0, "the sync", SYNC_S_MAX)
    payment = line.station.store.payment(payment_id)
    assert payment is not None and payment.outcome is not None
    assert payment.outcome["refund_minor"] == bill.amount_minor
    line.station.syncer.refresh_snapshot()  # the snapshot now lists the refund owed
    return payment_id, bill.amount_minor, bill.meter


def refunds_due(line: Line) -> int:
    """Net posted on switch:refunds_due (credits are what is owed)."""
    with line.platform.uow(readonly=True) as uow:
        account = uow.ledger.account_by_code("switch:refunds_due")
        assert account is not None
        balance = uow.ledger.balance(account.id)
    return balance.credits_posted_minor - balance.debits_posted_minor


def test_the_cashier_finds_the_refund_owed_pays_it_out_once_and_the_drawer_agrees(
    line: Line,
) -> None:
    sign_in_and_open_shift(line.page)
    payment_id, owed, meter = refund_arises(line)
    assert refunds_due(line) == owed

    desk = line.page.get("/", params={"biller": "ELEC", "ref": meter}).text
    assert "صرف المبلغ المستحق" in desk and f"/refunds/{payment_id}/pay" in desk
    slip = line.page.post(f"/refunds/{payment_id}/pay", follow_redirects=True)
    assert slip.status_code == 200, slip.text
    assert 'id="refund-amount"' in slip.text and "المبلغ المسلَّم للمشترك" in slip.text
    wait_until(lambda: line.station.store.pending_count() == 0, "the payout's sync", SYNC_S_MAX)
    assert 'id="refund-synced"' in line.page.get(f"/refunds/{payment_id}").text
    found_again = line.page.get("/", params={"biller": "ELEC", "ref": meter}).text
    assert "صرف المبلغ المستحق" not in found_again

    with line.platform.engine.connect() as db:
        row = db.execute(
            select(t.cash_surpluses).where(t.cash_surpluses.c.payment_id == payment_id)
        ).one()
    assert (row.paid_counter, row.paid_by) == ("DAM01", CASHIER) and row.paid_at is not None
    assert refunds_due(line) == 0
    assert verify_ledger(line.platform.uow(readonly=True)).balanced

    again = line.page.post(f"/refunds/{payment_id}/pay")  # the station refuses a second time
    assert again.status_code == 409 and "REFUND_ALREADY_PAID" in again.text
    shift = last_shift_at_switch(line)
    assert shift["refunds_paid_minor"] == owed
    local = line.station.store.shift_cash(shift["shift_id"])
    assert local.refunds_paid_minor == owed
    assert shift["expected_minor"] == (
        shift["opening_float_minor"] + shift["cash_taken_minor"] - owed
    )
    result = push_straight(  # nor does the switch, sent straight to it
        line, "refund_paid", CASHIER, shift["shift_id"], payment_id=payment_id, amount_minor=owed
    )
    assert (result["status"], result["error"]["code"]) == ("rejected", "REFUND_ALREADY_PAID")
    assert refunds_due(line) == 0

    counted = str(shift["expected_minor"] // 100)  # the drawer as both sides expect it
    line.page.post("/shift/close", data={"counted": counted})
    closed = last_shift_at_switch(line)
    assert (closed["state"], closed["variance_minor"]) == ("closed", 0)


def push_straight(line: Line, kind: str, who: str, shift_id: str, **data: object) -> dict[str, Any]:
    """An entry sent to the switch as another desk of the counter would."""
    entry = {
        "entry_id": str(uuid.uuid4()),
        "kind": kind,
        "at": line.platform.clock.now().isoformat(),
        "cashier": who,
        "shift_id": shift_id,
        "data": data,
    }
    answer = httpx.post(
        f"{line.switch_url}/v1/counter/journal",
        headers={"X-Api-Key": COUNTER_KEY},
        json={"entries": [entry], "synced_through": None},
        timeout=30,
    )
    [result] = answer.json()["results"]
    return dict(result)


def test_a_payout_made_offline_but_paid_meanwhile_elsewhere_is_shown_as_refused(
    line: Line,
) -> None:
    sign_in_and_open_shift(line.page)
    payment_id, owed, _meter = refund_arises(line)
    line.proxy.cut()
    slip = line.page.post(f"/refunds/{payment_id}/pay", follow_redirects=True)
    assert 'id="pending-sync"' in slip.text
    other_shift = str(uuid.uuid4())  # meanwhile the supervisor's desk pays it online
    opened = push_straight(line, "shift_open", SUPERVISOR, other_shift, opening_float_minor=owed)
    assert opened["status"] == "applied", opened
    paid = push_straight(
        line, "refund_paid", SUPERVISOR, other_shift, payment_id=payment_id, amount_minor=owed
    )
    assert paid["status"] == "applied", paid

    line.proxy.restore()
    wait_until(lambda: line.station.store.pending_count() == 0, "the sync", SYNC_S_MAX)
    refused = line.page.get(f"/refunds/{payment_id}").text
    assert 'id="refund-rejected"' in refused and "REFUND_ALREADY_PAID" in refused
    shift = line.station.store.last_shift_of(CASHIER)
    assert shift is not None
    assert line.station.store.shift_cash(shift.shift_id).refunds_paid_minor == 0
    assert last_shift_at_switch(line)["refunds_paid_minor"] == 0
    assert refunds_due(line) == 0  # paid once, by the supervisor's desk
    assert verify_ledger(line.platform.uow(readonly=True)).balanced
