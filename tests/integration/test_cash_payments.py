"""Cash at a counter through the switch, on both engines (counters/use_cases/cash_payments.py).

The counter DAM01 is a participant of channel `counter`; its drawer is
counter:DAM01:cash. After every scenario the books balance and money is
conserved: what the drawer holds is what the bills, the biller's credit,
the refunds owed and the rounding account received.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fawtara.counters.domain.cash import round_cash
from fawtara.counters.use_cases.cash_payments import (
    CashOutcome,
    CashPayment,
    shift_cash,
    take_cash_payment,
    void_cash_payment,
)
from fawtara.kernel import errors
from fawtara.storage import tables as t
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import Payment, PaymentState
from fawtara.switch.use_cases.participants import register_participant
from fawtara.switch.use_cases.payments import submit_payment
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.support import publish_bills

DAM01 = Participant("DAM01", ParticipantKind.CHANNEL, "مركز دمشق", "Damascus centre", ("counter",))
HOM01 = Participant("HOM01", ParticipantKind.CHANNEL, "مركز حمص", "Homs centre", ("counter",))
SHIFT = str(uuid.uuid4())


class Counter(Network):
    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        publish_bills(platform, "ELEC", "2026-B5")  # the counters' copy
        for counter in (DAM01, HOM01):
            register_participant(platform.uow(), counter, platform.clock, secret="s")

    def owed(self, meter_index: int = 0) -> int:
        with self.platform.uow(readonly=True) as uow:
            bill = uow.bills.get_many([self.bill[self.meters[meter_index]]])[0]
        return bill.outstanding_minor

    def cash(
        self, amount_due: int, days_ago: int = 0, payment_id: str | None = None, **changes: object
    ) -> CashPayment:
        values: dict[str, object] = {
            "payment_id": payment_id or str(uuid.uuid4()),
            "counter_code": "DAM01",
            "shift_id": SHIFT,
            "cashier": "rana",
            "biller_code": "ELEC",
            "customer_ref": self.meters[0],
            "bill_ids": (self.bill[self.meters[0]],),
            "amount_due_minor": amount_due,
            "cash_taken_minor": round_cash(amount_due, self.switch.cash_denominations_minor),
            "accepted_at": self.clock.now() - timedelta(days=days_ago),
            "msisdn": "0933123456",
        }
        values.update(changes)
        return CashPayment(**values)  # type: ignore[arg-type]

    def take(self, payment: CashPayment):
        return take_cash_payment(self.switch, payment, wait_s=0)

    def paid_by_bank_then_in_cash(self, rule: str) -> tuple[Payment, CashPayment, CashOutcome]:
        """With the biller's payment rule `rule`, the bill is paid in full through a bank,
        then in cash at a counter that was offline the day before and did not know."""
        for store in (self.platform.billing_store(), self.platform.engine):  # both registries
            with store.begin() as connection:
                connection.execute(update(t.billers).values(payment_rule=rule))
        owed = self.owed()
        bank = self.pay(self.request(amount=owed))
        cash = self.cash(owed, days_ago=1)
        return bank, cash, self.take(cash)

    def net_posted(self, code: str) -> int:
        """Debits minus credits posted on an account (0 for one never opened)."""
        with self.platform.uow(readonly=True) as uow:
            account = uow.ledger.account_by_code(code)
            if account is None:
                return 0
            b = uow.ledger.balance(account.id)
        return b.debits_posted_minor - b.credits_posted_minor

    def conserved(self) -> None:
        """The books balance, and every qirsh in a drawer or a bank is accounted for."""
        self.books_balance()
        assets = sum(
            self.net_posted(code)
            for code in ("counter:DAM01:cash", "counter:HOM01:cash", "bank:BEMO:settlement")
        )
        owed = -sum(
            self.net_posted(code)
            for code in ("biller:ELEC:payable", "switch:refunds_due", "switch:cash_rounding")
        )
        assert assets == owed

    def surplus(self, payment_id: str) -> tuple[str, int] | None:
        with self.platform.uow(readonly=True) as uow:
            row = uow.cash.surplus(payment_id)
        return None if row is None else (row["kind"], row["amount_minor"])


@pytest.fixture
def net(platform: Platform) -> Counter:
    return Counter(platform)


def test_cash_is_posted_at_the_instant_it_was_taken_and_its_rounding_booked_apart(
    net: Counter,
) -> None:
    due = net.owed() - 1_234  # a partial payment (ELEC takes them) that needs rounding
    payment = net.cash(due, days_ago=3)  # taken offline three days ago, synced now
    outcome = net.take(payment)
    rounding = payment.cash_taken_minor - due
    assert rounding != 0
    assert (outcome.state, outcome.posted_minor, outcome.credit_minor, outcome.refund_minor) == (
        "completed",
        due,
        0,
        0,
    )
    assert outcome.rounding_minor == rounding and outcome.receipt_no
    assert outcome.accepted_at == payment.accepted_at
    assert net.bill_status() == ("partially_paid", due)
    assert net.net_posted("counter:DAM01:cash") == payment.cash_taken_minor
    assert net.net_posted("switch:cash_rounding") == -rounding  # credited when cash was over
    assert net.net_posted("biller:ELEC:payable") == -due
    with net.platform.billing_store().connect() as connection:  # the biller's books
        paid_at = connection.execute(
            select(t.biller_postings.c.paid_at).where(
                t.biller_postings.c.payment_id == payment.payment_id
            )
        ).scalar_one()
    assert paid_at == payment.accepted_at  # counts for the 30-day rule, not the sync time
    with net.platform.uow(readonly=True) as uow:
        sms = uow.outbox.pending("sms.payment_completed", payment.payment_id)
        stored = uow.payments.get(payment.payment_id)
    assert sms is not None and sms["payload"]["refund_minor"] == 0
    assert stored is not None and (stored.payer_bank, stored.payer_account) == ("DAM01", "cash")
    net.conserved()


def test_the_same_payment_twice_is_one_payment_and_another_under_its_id_is_refused(
    net: Counter,
) -> None:
    payment = net.cash(net.owed())
    first = net.take(payment)
    again = net.take(payment)
    assert again == first and first.state == "completed"
    assert net.count(t.payments) == 1 and net.count(t.outbox) == 1
    rounded = payment.cash_taken_minor != payment.amount_due_minor
    assert net.count(t.ledger_transfers) == 2 + rounded  # reserve, post, the rounding
    due = payment.amount_due_minor
    for other in (
        replace(payment, cash_taken_minor=due if rounded else due + 400),
        replace(
            payment, amount_due_minor=due - 1_000, cash_taken_minor=payment.cash_taken_minor - 1_000
        ),
        replace(payment, cashier="someone-else"),
        replace(payment, shift_id=None),
        replace(payment, accepted_at=payment.accepted_at - timedelta(minutes=1)),
    ):
        with pytest.raises(errors.PaymentIdReused):
            net.take(other)
    assert net.count(t.payments) == 1
    net.conserved()


@pytest.mark.parametrize(("rule", "kind"), [("partial", "refund"), ("advance", "credit")])
def test_a_bill_paid_by_bank_meanwhile_is_paid_once_and_the_cash_becomes_credit_or_refund(
    net: Counter, rule: str, kind: str
) -> None:
    owed = net.owed()
    bank, cash, outcome = net.paid_by_bank_then_in_cash(rule)
    assert bank.state is PaymentState.COMPLETED
    assert outcome.state == "completed" and outcome.posted_minor == 0
    assert (outcome.credit_minor, outcome.refund_minor) == (
        (owed, 0) if kind == "credit" else (0, owed)
    )
    assert net.bill_status() == ("paid", owed)  # one payment on the bill
    with net.platform.billing_store().connect() as connection:  # the biller's books
        postings = connection.execute(select(t.bill_payments.c.payment_id)).scalars().all()
    assert postings == [bank.payment_id]
    assert net.surplus(cash.payment_id) == (kind, owed)
    refunds = net.net_posted("switch:refunds_due")
    assert refunds == (-owed if kind == "refund" else 0)
    assert net.net_posted("biller:ELEC:payable") == -owed * (2 if kind == "credit" else 1)
    with net.platform.uow(readonly=True) as uow:
        sms = uow.outbox.pending("sms.payment_completed", cash.payment_id)
    assert sms is not None and sms["payload"][f"{kind}_minor"] == owed
    net.conserved()


def test_a_part_paid_bill_takes_only_its_rest_from_the_cash(net: Counter) -> None:
    owed = net.owed()
    net.pay(net.request(amount=100_000))
    outcome = net.take(net.cash(owed))
    assert (outcome.posted_minor, outcome.refund_minor) == (owed - 100_000, 100_000)
    assert net.bill_status() == ("paid", owed)
    net.conserved()


def test_a_void_reopens_the_bill_and_undoes_every_transfer(net: Counter) -> None:
    owed = net.owed()
    net.pay(net.request(amount=100_000))  # part paid: the cash makes a refund too
    payment = net.cash(owed - 1_234)
    net.take(payment)
    with pytest.raises(errors.UnknownPayment):
        void_cash_payment(
            net.switch, "HOM01", payment.payment_id, "omar", "wrong bill", net.clock.now()
        )
    voided = void_cash_payment(
        net.switch, "DAM01", payment.payment_id, "omar", "wrong bill", net.clock.now()
    )
    assert voided.state == "reversed"
    assert net.bill_status() == ("partially_paid", 100_000)  # only the bank's part is left
    for code in ("counter:DAM01:cash", "switch:cash_rounding", "switch:refunds_due"):
        assert net.net_posted(code) == 0, code
    assert net.surplus(payment.payment_id) is not None
    again = void_cash_payment(
        net.switch, "DAM01", payment.payment_id, "omar", "wrong bill", net.clock.now()
    )
    assert again == voided
    count, taken, handed_back = shift_cash(net.platform.uow(readonly=True), SHIFT)
    assert (count, taken, handed_back) == (1, payment.cash_taken_minor, payment.cash_taken_minor)
    with net.platform.uow(readonly=True) as uow:
        row = uow.cash.get(payment.payment_id)
        surplus = uow.cash.surplus(payment.payment_id)
    assert row is not None and row["voided_by"] == "omar" and row["void_reason"] == "wrong bill"
    assert surplus is not None and surplus["cancelled_at"] is not None
    with net.platform.uow(readonly=True) as uow:
        notice = uow.outbox.pending("sms.payment_reversed", payment.payment_id)
    assert notice is not None  # the SMS says the cash went back over the counter
    assert notice["payload"]["channel"] == "counter"
    net.conserved()


def test_cash_comes_only_through_the_counter_use_case(net: Counter) -> None:
    request = net.cash(net.owed()).request("SYP")
    with pytest.raises(errors.NotAllowed):
        submit_payment(net.switch, DAM01, request, wait_s=0)
    with pytest.raises(errors.UnknownCounter):
        net.take(net.cash(net.owed(), counter_code="PORTAL"))
    with pytest.raises(errors.CashRoundingMismatch):
        net.take(net.cash(net.owed(), cash_taken_minor=net.owed() + 5_000))
    assert net.count(t.payments) == 0
