"""A refund owed to a subscriber paid out at a counter, on both engines (cash_refunds.py).

The refund arises as in issue 5's offline rule: the subscriber's bill is paid
through a bank, then in cash at DAM01 (which did not know), and the biller
takes no advance payments. The journal entry `refund_paid` hands it over:
once, for exactly its amount, at any counter (ALP01 in Aleppo here).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from fawtara.counters.use_cases import staff
from fawtara.counters.use_cases.counter_journal import EntryResult
from fawtara.counters.use_cases.counters import snapshot
from fawtara.storage import tables as t
from fawtara.wiring import Platform
from tests.integration.test_counters import Counters


class Refunds(Counters):
    def open_shift(self, cashier: str, counter: str, float_minor: int = 500_000) -> str:
        shift_id = str(uuid.uuid4())
        entry = self.entry("shift_open", cashier, shift_id, opening_float_minor=float_minor)
        [result] = self.push(entry, counter=counter)
        assert result.status == "applied", result.error
        return shift_id

    def refund_arises(self, shift_id: str, meter_index: int = 0) -> tuple[str, int]:
        """(the cash payment's id, the refund owed): paid by bank, then in cash at DAM01."""
        with self.platform.engine.begin() as connection:
            connection.execute(update(t.billers).values(payment_rule="partial"))
        meter, payment_id = self.meters[meter_index], str(uuid.uuid4())
        with self.platform.uow(readonly=True) as uow:
            [bill] = uow.bills.get_many([self.bill[meter]])
        owed = bill.outstanding_minor
        self.pay(self.request(meter_index, amount=owed))
        [paid] = self.push(
            self.entry(
                "payment",
                "rana",
                shift_id,
                payment_id=payment_id,
                biller="ELEC",
                customer_ref=meter,
                bill_ids=[self.bill[meter]],
                amount_due_minor=owed,
                cash_taken_minor=owed,
                msisdn=None,
            )
        )
        assert paid.outcome is not None and paid.outcome["refund_minor"] == owed, paid
        return payment_id, owed

    def pay_out(
        self, cashier: str, counter: str, shift_id: str | None, payment_id: str, amount: int
    ) -> EntryResult:
        entry = self.entry(
            "refund_paid", cashier, shift_id, payment_id=payment_id, amount_minor=amount
        )
        [result] = self.push(entry, counter=counter)
        return result

    def net_posted(self, code: str) -> int:
        with self.platform.uow(readonly=True) as uow:
            account = uow.ledger.account_by_code(code)
            assert account is not None
            b = uow.ledger.balance(account.id)
        return b.debits_posted_minor - b.credits_posted_minor

    def surplus(self, payment_id: str) -> dict[str, Any]:
        with self.platform.uow(readonly=True) as uow:
            row = uow.cash.surplus(payment_id)
        assert row is not None
        return row


@pytest.fixture
def net(platform: Platform) -> Refunds:
    return Refunds(platform)


def code_of(result: EntryResult) -> str | None:
    return None if result.error is None else result.error["code"]


def test_a_refund_is_paid_out_once_at_another_counter_and_its_books_close(net: Refunds) -> None:
    dam_shift = net.open_shift("rana", "DAM01")
    payment_id, owed = net.refund_arises(dam_shift)
    assert net.net_posted("switch:refunds_due") == -owed
    [listed] = snapshot(net.platform.uow(readonly=True), net.clock, "DAM01", None, 10).refunds
    assert (listed["payment_id"], listed["amount_minor"]) == (payment_id, owed)

    aleppo_shift = net.open_shift("omar", "ALP01", float_minor=owed)
    paid = net.pay_out("omar", "ALP01", aleppo_shift, payment_id, owed)
    assert paid.status == "applied", paid.error
    assert paid.outcome is not None and paid.outcome["refund_minor"] == owed
    assert paid.shift is not None
    assert (paid.shift["refunds_paid_minor"], paid.shift["expected_minor"]) == (owed, 0)
    assert net.net_posted("switch:refunds_due") == 0
    assert net.net_posted("counter:ALP01:cash") == -owed  # cash left the Aleppo drawer
    row = net.surplus(payment_id)
    assert (row["paid_counter"], row["paid_by"], row["paid_shift_id"]) == (
        "ALP01",
        "omar",
        aleppo_shift,
    )
    assert snapshot(net.platform.uow(readonly=True), net.clock, "DAM01", None, 10).refunds == []
    net.books_balance()
    assert "refund_paid" in net.audit_actions("ALP01")

    again = net.pay_out("rana", "DAM01", net.open_shift("huda", "DAM01"), payment_id, owed)
    assert code_of(again) == "NOT_YOUR_SHIFT"  # rana's payout must be in her own shift
    transfers = net.count(t.ledger_transfers)
    again = net.pay_out("rana", "DAM01", dam_shift, payment_id, owed)
    assert (again.status, code_of(again)) == ("rejected", "REFUND_ALREADY_PAID")
    assert net.net_posted("switch:refunds_due") == 0
    assert net.count(t.ledger_transfers) == transfers
    assert "refund_paid_rejected" in net.audit_actions("DAM01")
    net.books_balance()


def test_the_same_payout_entry_sent_again_is_a_duplicate(net: Refunds) -> None:
    shift_id = net.open_shift("rana", "DAM01")
    payment_id, owed = net.refund_arises(shift_id)
    entry = net.entry("refund_paid", "rana", shift_id, payment_id=payment_id, amount_minor=owed)
    first, again = net.push(entry, entry)
    assert (first.status, again.status) == ("applied", "duplicate")
    assert again.outcome == first.outcome
    assert net.net_posted("switch:refunds_due") == 0
    with net.platform.engine.connect() as connection:
        transfers = connection.execute(
            select(t.ledger_transfers.c.id).where(t.ledger_transfers.c.code == "refund_paid")
        ).scalars()
        assert list(transfers) == [f"{payment_id}:refund_paid"]


def test_only_the_refund_owed_is_paid_and_not_by_someone_without_a_shift(net: Refunds) -> None:
    shift_id = net.open_shift("rana", "DAM01")
    payment_id, owed = net.refund_arises(shift_id)
    assert code_of(net.pay_out("rana", "DAM01", shift_id, payment_id, owed + 100)) == (
        "REFUND_AMOUNT_MISMATCH"
    )
    assert code_of(net.pay_out("rana", "DAM01", None, payment_id, owed)) == "UNKNOWN_SHIFT"
    assert code_of(net.pay_out("omar", "DAM01", shift_id, payment_id, owed)) == ("NOT_YOUR_COUNTER")
    assert code_of(net.pay_out("rana", "DAM01", shift_id, str(uuid.uuid4()), owed)) == (
        "REFUND_NOT_OWED"
    )
    assert net.net_posted("switch:refunds_due") == -owed  # nothing was paid
    net.books_balance()


def test_a_voided_payment_owes_no_refund_and_a_paid_refund_blocks_the_void(
    net: Refunds,
) -> None:
    shift_id = net.open_shift("rana", "DAM01")
    payment_id, owed = net.refund_arises(shift_id)
    [voided] = net.push(
        net.entry("void", "huda", shift_id, payment_id=payment_id, reason="wrong subscriber")
    )
    assert voided.status == "applied", voided.error
    refused = net.pay_out("rana", "DAM01", shift_id, payment_id, owed)
    assert code_of(refused) == "REFUND_NOT_OWED"
    net.books_balance()

    other_id, other_owed = net.refund_arises(shift_id, meter_index=1)
    assert net.pay_out("rana", "DAM01", shift_id, other_id, other_owed).status == "applied"
    [late_void] = net.push(
        net.entry("void", "huda", shift_id, payment_id=other_id, reason="too late")
    )
    assert code_of(late_void) == "PAYMENT_NOT_REVERSIBLE"
    net.books_balance()


def test_every_payout_is_audited_with_where(net: Refunds) -> None:
    payment_id, owed = net.refund_arises(net.open_shift("rana", "DAM01"))
    net.pay_out("omar", "ALP01", net.open_shift("omar", "ALP01"), payment_id, owed)
    rows = staff.audit_trail(net.platform.uow(readonly=True), staff.SHELL, "ALP01", 10)
    payout = next(row for row in rows if row.action == "refund_paid")
    assert (payout.actor, payout.counter_code, payout.governorate, payout.target) == (
        "omar",
        "ALP01",
        "Aleppo",
        payment_id,
    )
