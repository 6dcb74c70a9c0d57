"""Model-based test of the payment state machine (hypothesis, stateful).

Random interleavings of payments (new and retried; by bank, and in cash at a
counter, which may find its bill paid meanwhile), bank faults (down, reply
lost), time passing with worker rounds, and reversals. After every step the
books balance and no bill holds more than it owes; at the end, once the bank
is back and the worker has drained everything, every payment is final and
every pound is where the switch says it is.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from sqlalchemy import select

from fawtara.banks.adapters.in_memory import Fault, InMemoryBank
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.config import Settings
from fawtara.counters.domain.cash import round_cash
from fawtara.counters.use_cases.cash_payments import CashPayment, take_cash_payment
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import FawtaraError
from fawtara.storage import schema
from fawtara.storage import tables as t
from fawtara.storage.engine import make_engine
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import FINAL_STATES, PaymentRequest, PaymentState
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.ledger import verify_ledger
from fawtara.switch.use_cases.participants import register_participant
from fawtara.switch.use_cases.payment_steps import process_due
from fawtara.wiring import Platform
from tests.support import build_world, usage_rows

ACCOUNTS = ("ACC-A", "ACC-B", "ACC-POOR")
START_BALANCE = {"ACC-A": 5_000_000, "ACC-B": 5_000_000, "ACC-POOR": 50_000}
BANK = Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",))
PORTAL = Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",))
OPS = Participant("OPS", ParticipantKind.OPERATOR, "العمليات", "Ops", ("portal",), True)
COUNTER = Participant("DAM01", ParticipantKind.CHANNEL, "مركز دمشق", "Damascus", ("counter",))
METERS = 4


class PaymentMachine(RuleBasedStateMachine):
    payments = Bundle("payments")

    @initialize()
    def build(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        engine = make_engine(f"sqlite:///{Path(self.folder.name) / 'model.db'}")
        schema.upgrade(engine)
        billing_engine = make_engine(f"sqlite:///{Path(self.folder.name) / 'billing.db'}")
        schema.upgrade(billing_engine, system=schema.BILLING)
        self.clock = ManualClock(datetime(2026, 11, 5, 9, 0, tzinfo=UTC))
        settings = Settings("sqlite", "127.0.0.1", 0)
        self.platform = Platform(settings, engine, self.clock, billing_engine)
        world = build_world(self.platform, electricity_services=METERS)
        for participant in (BANK, PORTAL, OPS, COUNTER):
            register_participant(self.platform.uow(), participant, self.clock, secret="s")
        rows = [("ELEC", "2026-B5", m, str(100 + 50 * n)) for n, m in enumerate(world.meters)]
        import_usage(self.platform.billing_uow_factory(), usage_rows(rows), "u.csv", self.clock)
        run_bill_run(self.platform.billing_uow_factory(), "ELEC", "2026-B5", self.clock)
        self.meters = world.meters
        self.bill_of = {m: f"ELEC-2026-B5-{world.service_ids[m]}" for m in world.meters}
        with self.platform.billing_uow(readonly=True) as uow:
            self.amount_of = {
                m: uow.bills.get_many([self.bill_of[m]])[0].amount_minor for m in world.meters
            }
        self.bank = InMemoryBank({("BEMO", a): b for a, b in START_BALANCE.items()})
        self.switch = self.platform.switch(self.bank)
        self.switch.sleep = lambda s: self.clock.advance(timedelta(seconds=s))
        self.requests: dict[str, PaymentRequest] = {}
        self.cash: dict[str, CashPayment] = {}

    def teardown(self) -> None:
        if hasattr(self, "platform"):
            self.drain()
            self.check_money()
            self.platform.engine.dispose()
            assert self.platform.billing_engine is not None
            self.platform.billing_engine.dispose()
            self.folder.cleanup()

    @rule(
        target=payments,
        meter=st.integers(0, METERS - 1),
        account=st.sampled_from(ACCOUNTS),
        partial=st.booleans(),
    )
    def pay(self, meter: int, account: str, partial: bool) -> str:
        ref = self.meters[meter]
        amount = self.amount_of[ref] // 2 if partial else self.amount_of[ref]
        request = PaymentRequest(
            payment_id=str(uuid.uuid4()),
            channel="portal",
            biller_code="ELEC",
            customer_ref=ref,
            bill_ids=(self.bill_of[ref],),
            amount_minor=max(amount, 100),
            currency="SYP",
            payer_bank="BEMO",
            payer_account=account,
            msisdn=None,
            bank_reference=None,
        )
        self.requests[request.payment_id] = request
        try:
            use_cases.submit_payment(self.switch, PORTAL, request, wait_s=0)
        except FawtaraError:
            del self.requests[request.payment_id]  # refused whole: nothing stored
        return request.payment_id

    @rule(target=payments, meter=st.integers(0, METERS - 1), partial=st.booleans())
    def pay_cash(self, meter: int, partial: bool) -> str:
        ref = self.meters[meter]
        due = max(self.amount_of[ref] // 2 if partial else self.amount_of[ref], 100)
        payment = CashPayment(
            payment_id=str(uuid.uuid4()),
            counter_code="DAM01",
            shift_id="s1",
            cashier="rana",
            biller_code="ELEC",
            customer_ref=ref,
            bill_ids=(self.bill_of[ref],),
            amount_due_minor=due,
            cash_taken_minor=round_cash(due, (1_000,)),
            accepted_at=self.clock.now(),
            msisdn=None,
        )
        try:
            take_cash_payment(self.switch, payment, wait_s=0)
            self.cash[payment.payment_id] = payment
        except FawtaraError as refusal:  # the station keeps it and sends it again later
            assert refusal.code == "BILL_PAYMENT_IN_PROGRESS"
        return payment.payment_id

    @rule(payment_id=payments)
    def retry(self, payment_id: str) -> None:
        if payment_id in self.cash:
            outcome = take_cash_payment(self.switch, self.cash[payment_id], wait_s=0)
            assert outcome.payment_id == payment_id
        request = self.requests.get(payment_id)
        if request is not None:
            with self.platform.uow(readonly=True) as uow:
                before = uow.payments.get(payment_id)
            after = use_cases.submit_payment(self.switch, PORTAL, request, wait_s=0)
            assert before is not None and after.payment_id == before.payment_id

    @rule(
        fault=st.sampled_from([Fault.NONE, Fault.DOWN, Fault.DROP_REPLY]),
        count=st.one_of(st.none(), st.integers(1, 3)),
    )
    def bank_fault(self, fault: Fault, count: int | None) -> None:
        self.bank.set_fault(fault, count)

    @rule(seconds=st.integers(1, 90))
    def time_passes(self, seconds: int) -> None:
        step = max(1, seconds // 6)
        for _ in range(0, seconds, step):
            self.clock.advance(timedelta(seconds=step))
            process_due(self.switch)

    @rule(payment_id=payments)
    def reverse(self, payment_id: str) -> None:
        if payment_id not in self.requests and payment_id not in self.cash:
            return
        try:
            use_cases.reverse_payment(self.switch, OPS, payment_id, "model test")
        except FawtaraError as refusal:
            assert refusal.code == "PAYMENT_NOT_REVERSIBLE"

    @invariant()
    def books_balance(self) -> None:
        if hasattr(self, "platform"):
            report = verify_ledger(self.platform.uow(readonly=True))
            assert report.balanced, report.offending

    @invariant()
    def no_bill_holds_more_than_it_owes(self) -> None:
        if not hasattr(self, "platform"):
            return
        # The biller's books, and the switch's copy of them.
        assert self.platform.billing_engine is not None
        with self.platform.billing_engine.connect() as connection:
            rows = connection.execute(select(t.bills.c.amount_minor, t.bills.c.paid_minor)).all()
        copy = t.presented_bills.c
        with self.platform.engine.connect() as connection:
            rows += connection.execute(select(copy.amount_minor, copy.paid_minor)).all()
        assert all(0 <= paid <= amount for amount, paid in rows)

    def drain(self) -> None:
        self.bank.set_fault(Fault.NONE)
        for _ in range(150):
            self.clock.advance(timedelta(seconds=2))
            process_due(self.switch)

    def check_money(self) -> None:
        with self.platform.uow(readonly=True) as uow:
            stored = [uow.payments.get(pid) for pid in self.requests]
        assert all(p is not None and p.state in FINAL_STATES for p in stored), [
            (p.payment_id, p.state) for p in stored if p is not None and p.state not in FINAL_STATES
        ]
        kept = {account: 0 for account in ACCOUNTS}
        for payment in stored:
            assert payment is not None
            if payment.state is PaymentState.COMPLETED:
                kept[payment.payer_account] += payment.amount_minor
        for account in ACCOUNTS:
            # each completed payment took its amount once; everything else came back
            assert self.bank.balance("BEMO", account) == START_BALANCE[account] - kept[account]
        self.check_cash()

    def check_cash(self) -> None:
        """Every cash payment final; the drawer holds what was not handed back; none lost."""
        with self.platform.uow(readonly=True) as uow:
            stored = [uow.payments.get(pid) for pid in self.cash]
            net = {}
            for code in (
                "counter:DAM01:cash",
                "bank:BEMO:settlement",
                "biller:ELEC:payable",
                "switch:refunds_due",
                "switch:cash_rounding",
            ):
                account = uow.ledger.account_by_code(code)
                balance = None if account is None else uow.ledger.balance(account.id)
                net[code] = (
                    0
                    if balance is None
                    else (balance.debits_posted_minor - balance.credits_posted_minor)
                )
        assert all(p is not None and p.state in FINAL_STATES for p in stored)
        in_drawer = sum(
            self.cash[p.payment_id].cash_taken_minor
            for p in stored
            if p is not None and p.state is not PaymentState.REVERSED
        )
        assert net["counter:DAM01:cash"] == in_drawer
        assert net["counter:DAM01:cash"] + net["bank:BEMO:settlement"] == -(
            net["biller:ELEC:payable"] + net["switch:refunds_due"] + net["switch:cash_rounding"]
        )


TestPaymentModel = PaymentMachine.TestCase
TestPaymentModel.settings = settings(
    max_examples=int(os.environ.get("FAWTARA_MODEL_EXAMPLES", "25")),
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
