"""The payment switch on both engines, with a stateful in-process bank.

Worked examples of each path of the state machine (switch/domain/payments.py):
every state and transition is reached here, and after each the books
balance and the bank's balances tell the same story as the switch.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fawtara.banks.adapters.in_memory import Fault, InMemoryBank
from fawtara.banks.domain.banking import BankStatus, DebitInstruction
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.kernel import errors, limits
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.notices import PostPayment
from fawtara.storage import tables as t
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import PaymentRequest, PaymentState
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.ledger import verify_ledger
from fawtara.switch.use_cases.participants import register_participant
from fawtara.switch.use_cases.payment_steps import Switch, process_due
from fawtara.switch.use_cases.ports import BillerUnreachable
from fawtara.wiring import Platform
from tests.support import build_world, usage_rows

BALANCE = 1_000_000  # 10,000.00 SYP
BEMO = Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",))
PORTAL = Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",))
OPS = Participant(
    "OPS", ParticipantKind.OPERATOR, "العمليات", "Operations", ("portal",), can_reverse=True
)


class Network:
    """The world of a test: storage, the switch, a bank with accounts, the bills."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        world = build_world(platform, electricity_services=3)
        for participant in (BEMO, PORTAL, OPS):
            register_participant(platform.uow(), participant, platform.clock, secret="s")
        rows = [
            ("ELEC", "2026-B5", meter, q)
            for meter, q in zip(world.meters, ["400", "100", "50"], strict=True)
        ]
        import_usage(platform.billing_uow_factory(), usage_rows(rows), "u.csv", platform.clock)
        run_bill_run(platform.billing_uow_factory(), "ELEC", "2026-B5", platform.clock)
        self.meters = world.meters
        self.bill = {m: f"ELEC-2026-B5-{world.service_ids[m]}" for m in world.meters}
        self.bank = InMemoryBank({("BEMO", "ACC-1"): BALANCE, ("BEMO", "ACC-POOR"): 100})
        clock = platform.clock
        assert isinstance(clock, ManualClock)
        self.clock = clock
        self.switch = platform.switch(self.bank)
        self.switch.sleep = lambda seconds: clock.advance(timedelta(seconds=seconds))

    def request(
        self,
        meter_index: int = 0,
        amount: int = 320_000,
        account: str = "ACC-1",
        channel: str = "portal",
        bank_reference: str | None = None,
        payment_id: str | None = None,
    ) -> PaymentRequest:
        meter = self.meters[meter_index]
        return PaymentRequest(
            payment_id=payment_id or str(uuid.uuid4()),
            channel=channel,
            biller_code="ELEC",
            customer_ref=meter,
            bill_ids=(self.bill[meter],),
            amount_minor=amount,
            currency="SYP",
            payer_bank="BEMO",
            payer_account=account,
            msisdn="0933123456",
            bank_reference=bank_reference,
        )

    def pay(self, request: PaymentRequest, by: Participant = PORTAL, wait_s: float = 0):
        return use_cases.submit_payment(self.switch, by, request, wait_s=wait_s)

    def run_worker(self, seconds: int) -> None:
        """Let `seconds` pass, one second at a time, with a worker round each."""
        for _ in range(seconds):
            self.clock.advance(timedelta(seconds=1))
            process_due(self.switch)

    def count(self, table: object) -> int:
        with self.platform.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    def bill_status(self, meter_index: int = 0) -> tuple[str, int]:
        """The bill in the biller's own books."""
        with self.platform.billing_uow(readonly=True) as uow:
            bill = uow.bills.get_many([self.bill[self.meters[meter_index]]])[0]
        return bill.status.value, bill.paid_minor

    def books_balance(self) -> None:
        report = verify_ledger(self.platform.uow(readonly=True))
        assert report.balanced, report.offending

    def posted(self, code: str) -> tuple[int, int, int, int]:
        with self.platform.uow(readonly=True) as uow:
            account = uow.ledger.account_by_code(code)
            assert account is not None
            b = uow.ledger.balance(account.id)
        return (
            b.debits_posted_minor,
            b.credits_posted_minor,
            b.debits_pending_minor,
            b.credits_pending_minor,
        )


@pytest.fixture
def net(platform: Platform) -> Network:
    return Network(platform)


def test_a_pull_payment_debits_the_bank_pays_the_bill_and_queues_one_sms(net: Network) -> None:
    payment = net.pay(net.request())
    assert payment.state is PaymentState.COMPLETED and payment.receipt_no
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE - 320_000
    assert net.bill_status() == ("paid", 320_000)
    assert net.posted("bank:BEMO:settlement") == (320_000, 0, 0, 0)
    assert net.posted("biller:ELEC:payable") == (0, 320_000, 0, 0)
    assert net.count(t.outbox) == 1 and net.count(t.bill_reservations) == 0
    with net.platform.uow(readonly=True) as uow:
        event = uow.outbox.pending("sms.payment_completed", payment.payment_id)
        states = [e["to_state"] for e in uow.payments.events(payment.payment_id)]
    assert event is not None and event["payload"]["msisdn"] == "+963933123456"
    assert event["payload"]["periods"] == ["2026-B5"]
    assert states == ["received", "debited", "completed"]
    net.books_balance()


def test_a_retry_gets_the_same_answer_and_no_second_debit(net: Network) -> None:
    request = net.request()
    first = net.pay(request)
    again = net.pay(request)
    assert (again.state, again.receipt_no) == (first.state, first.receipt_no)
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE - 320_000
    assert net.count(t.payments) == 1


def test_the_same_id_with_another_body_is_refused(net: Network) -> None:
    request = net.request()
    net.pay(request)
    with pytest.raises(errors.PaymentIdReused):
        net.pay(net.request(amount=100_000, payment_id=request.payment_id))
    with pytest.raises(errors.PaymentIdReused):  # another participant, same id
        net.pay(request, by=OPS)


def test_a_refusal_by_the_bank_fails_the_payment_and_frees_the_bill(net: Network) -> None:
    payment = net.pay(net.request(account="ACC-POOR"))
    assert (payment.state, payment.reason_code) == (PaymentState.FAILED, "INSUFFICIENT_FUNDS")
    assert net.bill_status() == ("issued", 0)
    assert net.posted("bank:BEMO:settlement") == (0, 0, 0, 0)
    assert net.count(t.bill_reservations) == 0 and net.count(t.outbox) == 0
    assert net.pay(net.request()).state is PaymentState.COMPLETED
    net.books_balance()


def test_a_lost_reply_leaves_the_payment_unknown_until_an_inquiry_finds_the_debit(
    net: Network,
) -> None:
    net.bank.set_fault(Fault.DROP_REPLY, count=1)
    payment = net.pay(net.request())
    assert payment.state is PaymentState.UNKNOWN
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE - 320_000  # applied, reply lost
    net.run_worker(2)
    done = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    assert done.state is PaymentState.COMPLETED
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE - 320_000  # never twice
    net.books_balance()


def test_a_debit_the_bank_never_saw_is_sent_again_and_booked_once(net: Network) -> None:
    net.bank.set_fault(Fault.DOWN, count=1)
    payment = net.pay(net.request())
    assert payment.state is PaymentState.UNKNOWN
    net.run_worker(2)
    done = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    assert done.state is PaymentState.COMPLETED
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE - 320_000


def test_a_debit_sent_again_and_refused_fails_the_payment(net: Network) -> None:
    net.bank.set_fault(Fault.DOWN, count=1)
    payment = net.pay(net.request(account="ACC-POOR"))
    net.run_worker(2)
    done = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    assert (done.state, done.reason_code) == (PaymentState.FAILED, "INSUFFICIENT_FUNDS")
    assert net.bill_status() == ("issued", 0)


def test_an_unknown_outcome_past_its_deadline_is_returned_when_the_bank_is_back(
    net: Network,
) -> None:
    net.bank.set_fault(Fault.DROP_REPLY, count=1)
    payment = net.pay(net.request())
    net.bank.set_fault(Fault.DOWN)  # the bank is gone for longer than the deadline
    net.run_worker(65)
    mid = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    assert (mid.state, mid.reason_code) == (PaymentState.RETURNING, "BANK_TIMEOUT")
    net.bank.set_fault(Fault.NONE)
    net.run_worker(40)
    done = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    assert done.state is PaymentState.RETURNED
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE  # debited once, returned once
    assert net.bill_status() == ("issued", 0)
    assert net.posted("biller:ELEC:payable") == (0, 0, 0, 0)
    net.books_balance()


def test_a_return_for_a_debit_that_never_happened_ends_failed(net: Network) -> None:
    net.bank.set_fault(Fault.DOWN)
    payment = net.pay(net.request())
    net.run_worker(65)
    net.bank.set_fault(Fault.NONE)
    net.run_worker(40)
    done = use_cases.get_payment(net.platform.uow(), PORTAL, payment.payment_id)
    # the reason stays the timeout; the bank's answer to the return proved no debit
    assert (done.state, done.reason_code) == (PaymentState.FAILED, "BANK_TIMEOUT")
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE


def test_a_push_payment_is_posted_without_a_second_debit(net: Network) -> None:
    payment = net.pay(net.request(channel="bank", bank_reference="BEMO-APP-77"), by=BEMO)
    assert payment.state is PaymentState.COMPLETED
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE  # the bank debited in its own app
    assert net.bill_status() == ("paid", 320_000)


class BillerDownOnce:
    """The real in-process biller, unreachable for the first posting."""

    def __init__(self, inner: object) -> None:
        self.inner, self.down = inner, True

    def post(self, command: PostPayment) -> object:
        if self.down:
            self.down = False
            raise BillerUnreachable("biller network down")
        return self.inner.post(command)  # type: ignore[attr-defined]

    def inquire(self, biller_code: str, customer_ref: str) -> object:
        return self.inner.inquire(biller_code, customer_ref)  # type: ignore[attr-defined]

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        self.inner.reverse(biller_code, payment_id, reason)  # type: ignore[attr-defined]


def test_a_push_payment_the_biller_refuses_is_returned_to_the_bank(net: Network) -> None:
    request = net.request(channel="bank", bank_reference="BEMO-APP-78")
    app_debit = DebitInstruction(
        request.payment_id,
        "BEMO",
        "ACC-1",
        320_000,
        "SYP",
        "ELEC",
        "paid in the bank's app",
        net.clock.now(),
    )
    assert net.bank.debit(app_debit).status is BankStatus.ACCEPTED
    net.switch.biller = BillerDownOnce(net.switch.biller)
    payment = net.pay(request, by=BEMO)
    assert payment.state is PaymentState.DEBITED  # accepted; the biller is not reachable
    # meanwhile the bill is paid at a counter straight into the billing system
    post_payment(
        net.platform.billing_uow(),
        PostPayment(
            "counter-1",
            "ELEC",
            net.meters[0],
            (net.bill[net.meters[0]],),
            320_000,
            "SYP",
            "counter",
            net.clock.now(),
        ),
        net.clock.now(),
    )
    net.run_worker(20)
    done = use_cases.get_payment(net.platform.uow(), BEMO, request.payment_id)
    assert (done.state, done.reason_code) == (PaymentState.RETURNED, "BILLER_REFUSED")
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE  # the app's debit came back
    assert net.bill_status() == ("paid", 320_000)  # paid once, by the counter
    net.books_balance()


def test_a_reversal_reopens_the_bill_reverses_the_ledger_and_credits_the_payer(
    net: Network,
) -> None:
    payment = net.pay(net.request())
    with pytest.raises(errors.ReversalNotAllowed):
        use_cases.reverse_payment(net.switch, PORTAL, payment.payment_id, "mistake")
    reversed_ = use_cases.reverse_payment(net.switch, OPS, payment.payment_id, "mistake")
    assert reversed_.state is PaymentState.REVERSED
    assert net.bill_status() == ("issued", 0)
    assert net.bank.balance("BEMO", "ACC-1") == BALANCE
    assert net.posted("biller:ELEC:payable") == (320_000, 320_000, 0, 0)
    assert net.count(t.outbox) == 2  # completed, then reversed
    again = use_cases.reverse_payment(net.switch, OPS, payment.payment_id, "mistake")
    assert again.state is PaymentState.REVERSED and net.bank.balance("BEMO", "ACC-1") == BALANCE
    net.books_balance()


def test_a_participant_sees_only_its_own_payments(net: Network) -> None:
    payment = net.pay(net.request())
    with pytest.raises(errors.UnknownPayment):
        use_cases.get_payment(net.platform.uow(), BEMO, payment.payment_id)
    assert use_cases.get_payment(net.platform.uow(), OPS, payment.payment_id).state is (
        PaymentState.COMPLETED
    )


def test_a_bill_in_flight_cannot_be_paid_a_second_time(net: Network) -> None:
    net.bank.set_fault(Fault.DOWN)
    net.pay(net.request())
    with pytest.raises(errors.BillPaymentInProgress):
        net.pay(net.request())


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount": 0}, errors.InvalidAmount),
        ({"amount": 320_001}, errors.AmountNotAllowed),
        ({"account": "ACC-1", "channel": "counter"}, errors.ChannelNotAllowed),
        ({"payment_id": "not-a-uuid"}, errors.ValidationError),
    ],
)
def test_bad_requests_get_their_named_error_and_change_nothing(
    net: Network,
    change: dict[str, object],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        net.pay(net.request(**change))  # type: ignore[arg-type]
    assert net.count(t.payments) == 0 and net.bank.balance("BEMO", "ACC-1") == BALANCE


def test_a_paid_bill_and_another_customers_bill_are_refused(net: Network) -> None:
    net.pay(net.request())
    with pytest.raises(errors.BillAlreadyPaid):
        net.pay(net.request())
    foreign = PaymentRequest(
        payment_id=str(uuid.uuid4()),
        channel="portal",
        biller_code="ELEC",
        customer_ref=net.meters[1],
        bill_ids=(net.bill[net.meters[2]],),
        amount_minor=30_000,
        currency="SYP",
        payer_bank="BEMO",
        payer_account="ACC-1",
        msisdn=None,
        bank_reference=None,
    )
    with pytest.raises(errors.UnknownBill):
        net.pay(foreign)
    assert net.count(t.payments) == 1


def test_waiting_returns_the_final_state_once_the_worker_has_resolved_it(net: Network) -> None:
    net.bank.set_fault(Fault.DROP_REPLY, count=1)
    request = net.request()
    first = net.pay(request)
    assert first.state is PaymentState.UNKNOWN

    def sleep_and_work(seconds: float) -> None:
        net.clock.advance(timedelta(seconds=max(seconds, 1)))
        process_due(net.switch)

    net.switch.sleep = sleep_and_work
    waited = net.pay(request, wait_s=5)
    assert waited.state is PaymentState.COMPLETED


def test_the_switch_type_is_wired_by_bootstrap(net: Network) -> None:
    assert isinstance(net.switch, Switch)


class CountingBank(InMemoryBank):
    def __init__(self, accounts: dict[tuple[str, str], int]) -> None:
        super().__init__(accounts)
        self.debit_calls = 0

    def debit(self, instruction: DebitInstruction) -> object:  # type: ignore[override]
        self.debit_calls += 1
        return super().debit(instruction)


def test_concurrent_duplicates_execute_exactly_once(net: Network) -> None:
    import threading

    bank = CountingBank({("BEMO", "ACC-1"): BALANCE})
    switch = net.platform.switch(bank)
    request = net.request()
    answers: list[object] = []
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def client() -> None:
        start.wait()
        try:
            answers.append(use_cases.submit_payment(switch, PORTAL, request, wait_s=0))
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and len(answers) == 6
    assert bank.debit_calls == 1
    assert bank.balance("BEMO", "ACC-1") == BALANCE - 320_000
    with net.platform.uow(readonly=True) as uow:
        events = uow.payments.events(request.payment_id)
    assert [e["to_state"] for e in events].count("received") == 1
    assert net.count(t.payments) == 1


def test_a_step_that_breaks_for_one_payment_does_not_hold_back_the_others_of_a_round(
    net: Network,
) -> None:
    net.bank.set_fault(Fault.DROP_REPLY, count=2)
    with net.platform.billing_uow(readonly=True) as uow:
        second_bill = uow.bills.get_many([net.bill[net.meters[1]]])[0]
    broken = net.pay(net.request(0))
    healthy = net.pay(net.request(1, amount=second_bill.amount_minor))
    assert broken.state is healthy.state is PaymentState.UNKNOWN
    real_status = net.bank.status

    def status(request: Any) -> Any:
        if request.payment_id == broken.payment_id:
            raise RuntimeError("a bug in one payment's step")
        return real_status(request)

    net.bank.status = status  # type: ignore[method-assign]
    net.run_worker(2)
    states = {
        p: use_cases.get_payment(net.platform.uow(), PORTAL, p).state
        for p in (broken.payment_id, healthy.payment_id)
    }
    assert states == {
        broken.payment_id: PaymentState.UNKNOWN,  # kept for a later round, nothing lost
        healthy.payment_id: PaymentState.COMPLETED,
    }
    net.bank.status = real_status  # type: ignore[method-assign]
    net.run_worker(limits.payment_lease_s + 2)  # its lease runs out: the next round takes it
    assert use_cases.get_payment(net.platform.uow(), PORTAL, broken.payment_id).state is (
        PaymentState.COMPLETED
    )
    net.books_balance()
