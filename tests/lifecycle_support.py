"""A small telecom biller with subscribers, the switch, a bank, counters and a network.

Each `LifecycleWorld` registers its own biller code, so several worlds (the
examples of a property test) share one database without seeing each other:
the sweep, the reminders and the counters are per biller.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from fawtara.banks.adapters.in_memory import Fault, InMemoryBank
from fawtara.billing.adapters.provisioning.simulator import NetworkSimulator
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.lifecycle import Lifecycle, ReviewReport, sweep
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller
from fawtara.counters.use_cases.counter_sync import record_counter_sync
from fawtara.kernel.billers import Biller, CalendarKind, PaymentRule, PaymentRuleKind, ServiceKind
from fawtara.kernel.bills import Bill
from fawtara.kernel.calendar import DAMASCUS
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.notices import PostPayment
from fawtara.storage import tables as t
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import Payment, PaymentRequest
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.billers import register_biller
from fawtara.switch.use_cases.participants import register_participant
from fawtara.switch.use_cases.payment_steps import process_due
from fawtara.switch.use_cases.ports import BillerUnreachable
from fawtara.wiring import Platform
from tests.support import STE_LANDLINE, publish_bills

BEMO = Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",))
PORTAL = Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",))
BALANCE = 10**12


def landline(n: int) -> str:
    """The n-th subscriber's Damascus landline number (a reference the Biller API accepts;
    each world is its own biller, so worlds may share numbers)."""
    return f"011{2_345_600 + n}"


def damascus(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """An aware instant at a Damascus wall-clock time."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=DAMASCUS)


class SwitchableBiller:
    """The in-process biller gateway, which a test can take off the network."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down = inner, False

    def post(self, command: PostPayment) -> Any:
        if self.down:
            raise BillerUnreachable("biller system unreachable (test)")
        return self.inner.post(command)

    def inquire(self, biller_code: str, customer_ref: str) -> Any:
        if self.down:
            raise BillerUnreachable("biller system unreachable (test)")
        return self.inner.inquire(biller_code, customer_ref)

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        self.inner.reverse(biller_code, payment_id, reason)


class LifecycleWorld:
    def __init__(
        self, platform: Platform, code: str = "TEL", services: int = 3, grace_days: int = 2
    ) -> None:
        clock = platform.clock
        assert isinstance(clock, ManualClock)
        self.platform, self.clock, self.code = platform, clock, code
        self.biller = Biller(
            code=code,
            name_ar="اتصالات الاختبار",
            name_en="Test Telecom",
            service_kinds=(ServiceKind.LANDLINE,),
            calendar=CalendarKind.MONTHLY,
            payment_rule=PaymentRule(PaymentRuleKind.EXACT),
            due_days=30,
            grace_days=grace_days,
            channels=("bank", "portal", "counter"),
        )
        register_biller(platform.uow(), self.biller, clock)
        register_billing_biller(platform.billing_uow(), self.biller, clock)
        tariff = dataclasses.replace(STE_LANDLINE, biller_code=code)
        add_tariff(platform.billing_uow(), tariff, clock)
        for participant in (BEMO, PORTAL):
            register_participant(platform.uow(), participant, clock, secret="s")
        self.service_ids = self._add_services(services)
        self.references = {sid: landline(n) for n, sid in enumerate(self.service_ids)}
        self.bank = InMemoryBank({("BEMO", "ACC"): BALANCE})
        self.switch = platform.switch(self.bank)
        self.biller_link = SwitchableBiller(self.switch.biller)
        self.switch.biller = self.biller_link
        self.switch.sleep = lambda seconds: clock.advance(timedelta(seconds=seconds))
        self.network = NetworkSimulator()
        self.lifecycle = Lifecycle(
            platform.billing_uow_factory(), clock, self.network, 3, platform.switch_link
        )

    def _add_services(self, count: int) -> list[int]:
        now = self.clock.now()
        with self.platform.billing_uow() as uow:
            customers = uow.customers.add(
                [
                    {
                        "biller_code": self.code,
                        "name_ar": f"مشترك {n}",
                        "name_en": f"Subscriber {n}",
                        "msisdn": "+963933123456",
                        "governorate": "Damascus",
                        "language": "ar" if n % 2 == 0 else "en",
                        "created_at": now,
                    }
                    for n in range(count)
                ]
            )
            ids = uow.services.add(
                [
                    {
                        "biller_code": self.code,
                        "customer_id": customer,
                        "kind": "landline",
                        "reference": landline(n),
                        "tariff_class": "residential",
                        "state": "active",
                        "created_at": now,
                    }
                    for n, customer in enumerate(customers)
                ]
            )
            uow.commit()
        return list(ids)

    # Bills --------------------------------------------------------------------

    def issue(self, cycle_id: str) -> dict[int, Bill]:
        """The cycle's bills, one per service (rental only: no usage), published to the
        switch as the billing system does after each bill run."""
        run_bill_run(self.platform.billing_uow_factory(), self.code, cycle_id, self.clock)
        publish_bills(self.platform, self.code, cycle_id)
        with self.platform.billing_uow(readonly=True) as uow:
            bills = uow.bills.get_many(
                [f"{self.code}-{cycle_id}-{sid}" for sid in self.service_ids]
            )
        return {bill.service_id: bill for bill in bills}

    def bill(self, bill_id: str) -> Bill:
        """The bill in the biller's own books."""
        with self.platform.billing_uow(readonly=True) as uow:
            return uow.bills.get_many([bill_id])[0]

    # Payments, by every channel -------------------------------------------------

    def _request(self, bill: Bill, push: bool) -> PaymentRequest:
        payment_id = str(uuid.uuid4())
        return PaymentRequest(
            payment_id=payment_id,
            channel="bank" if push else "portal",
            biller_code=self.code,
            customer_ref=self.references[bill.service_id],
            bill_ids=(bill.id,),
            amount_minor=bill.amount_minor,
            currency="SYP",
            payer_bank="BEMO",
            payer_account="ACC",
            msisdn=None,
            bank_reference=f"BEMO-APP-{payment_id[:8]}" if push else None,
        )

    def pay_pull(self, bill: Bill, at: datetime, bank_answers: bool = True) -> Payment:
        """A portal payment debited by the bank; with no answer it stays `unknown`."""
        self.clock.set(at)
        if not bank_answers:
            self.bank.set_fault(Fault.DROP_REPLY, count=1)
        return use_cases.submit_payment(self.switch, PORTAL, self._request(bill, False), wait_s=0)

    def pay_push(self, bill: Bill, at: datetime, in_transit: bool = False) -> Payment:
        """A bank app's payment; in transit: the biller has not got it yet."""
        self.clock.set(at)
        self.biller_link.down = in_transit
        try:
            return use_cases.submit_payment(self.switch, BEMO, self._request(bill, True), wait_s=0)
        finally:
            self.biller_link.down = False

    def pay_counter(self, bill: Bill, accepted_at: datetime, synced_at: datetime) -> None:
        """Cash at a counter, posted to the biller when the counter syncs, with its time."""
        self.clock.set(synced_at)
        post_payment(
            self.platform.billing_uow(),
            PostPayment(
                payment_id=f"counter-{uuid.uuid4()}",
                biller_code=self.code,
                customer_ref=self.references[bill.service_id],
                bill_ids=(bill.id,),
                amount_minor=bill.amount_minor,
                currency="SYP",
                channel="counter",
                paid_at=accepted_at,
            ),
            synced_at,
        )

    def counter_synced(self, counter: str, through: datetime) -> None:
        record_counter_sync(self.platform.uow_factory(), self.clock, counter, self.code, through)

    def settle_payments(self, at: datetime) -> None:
        """The payment worker's rounds at `at`: unknown outcomes and pushes settle."""
        self.clock.set(at)
        while process_due(self.switch):
            pass

    # The lifecycle --------------------------------------------------------------

    def sweep(self, at: datetime) -> ReviewReport:
        self.clock.set(at)
        return sweep(self.lifecycle, self.code, at)

    def states(self) -> dict[int, str]:
        s = t.services.c
        with self.platform.billing_store().connect() as connection:
            rows = connection.execute(select(s.id, s.state).where(s.biller_code == self.code)).all()
        return {row.id: row.state for row in rows}

    def suspensions(self) -> list[dict[str, Any]]:
        p = t.service_suspensions.c
        with self.platform.billing_store().connect() as connection:
            rows = connection.execute(
                select(t.service_suspensions).where(p.biller_code == self.code).order_by(p.id)
            ).mappings()
            return [dict(row) for row in rows]

    def outbox(self, topic: str) -> list[dict[str, Any]]:
        o = t.outbox.c
        with self.platform.billing_store().connect() as connection:
            rows = connection.execute(
                select(t.outbox).where(o.topic == topic).order_by(o.id)
            ).mappings()
            return [dict(row) for row in rows if row["payload"].get("biller_code") == self.code]

    def count(self, table: Any, *where: Any) -> int:
        with self.platform.billing_store().connect() as connection:
            query = select(func.count()).select_from(table).where(*where)
            return int(connection.execute(query).scalar_one())
