"""`fawtara simulate --days 90`: a quarter of the demo in a minute, on a copy of its data.

A ManualClock walks hour by hour from the issue day of the demo cycles. Each
hour: usage of a cycle that ends is imported (at 00:00 of its issue day),
subscribers pay the bills the scheduler issued, the payment worker takes its
rounds, counters sync, and the scheduler ticks (bill runs, reminders, the
sweep, reconnections, provisioning orders). Every posting is followed by a
scheduler tick 5 seconds later, as the real scheduler's round would.

How subscribers pay (per bill, seeded, so a run is repeatable):
- most early, by the portal (bank pull), their bank's app (push) or cash;
- some on the due day itself, up to 23:59;
- some with cash at a counter that is offline and syncs days later, with the
  original time (the sweep waits for it);
- some whose bank does not answer on the due day: resolved by status inquiry
  at the worker's next round, after midnight;
- a realistic share late: within the grace, after the suspension (then
  reconnected), or not at all.

Protection-rule violations are counted independently of the platform: a
suspension whose every bill, by the simulation's own record, was accepted on
or before its due date.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from fawtara.banks.adapters.in_memory import Account, Fault, InMemoryBank
from fawtara.billing.adapters.provisioning.simulator import NetworkSimulator
from fawtara.billing.domain.jobs import issued_cycle
from fawtara.billing.use_cases.lifecycle import Lifecycle
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.billing.use_cases.scheduler import Scheduler
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.counters.use_cases.counter_sync import record_counter_sync
from fawtara.demo.participants import demo_participants
from fawtara.kernel.bills import Bill
from fawtara.kernel.calendar import DAMASCUS, damascus_date, end_of_day_utc
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.notices import PostPayment
from fawtara.storage import tables as t
from fawtara.storage.schema import BILLING
from fawtara.switch.domain.payments import PaymentRequest
from fawtara.switch.use_cases.payment_steps import process_due
from fawtara.switch.use_cases.payments import submit_payment
from fawtara.wiring import Platform, in_one_process

TICK_AFTER_POSTING = timedelta(seconds=5)  # the scheduler's round (limits.scheduler_tick_s)
# The weak network: in about one hour in a hundred the link between the two systems
# goes down, for 1 to 12 hours (notices wait at the switch; sweeps cannot ask it).
OUTAGE_CHANCE_PER_HOUR = 0.01
OUTAGE_HOURS = (1, 12)
BALANCE_MINOR = 10**12
# (share, profile): cumulative draw per bill.
PROFILES = (
    (0.50, "early"),
    (0.62, "due_day"),
    (0.69, "counter_offline"),
    (0.74, "bank_no_answer"),
    (0.84, "late_in_grace"),
    (0.95, "very_late"),
    (1.00, "never"),
)
USAGE_RANGES = {"electricity": (150, 900), "water": (5, 80), "landline": (0, 600)}


@dataclass
class Plan:
    bill: Bill
    reference: str
    channel: str  # pull | pull_no_answer | push | counter
    accepted_at: datetime
    synced_at: datetime  # counters: when the cash reaches the biller
    done: bool = False


@dataclass
class QuarterReport:
    start: date
    days: int
    rows: dict[str, Counter[str]] = field(default_factory=dict)
    violations: int = 0
    repaired: int = 0
    reconnection_delay_s_max: float = 0.0
    jobs: Counter[str] = field(default_factory=Counter)
    link_down_hours: int = 0


class Quarter:
    def __init__(self, platform: Platform, seed: int) -> None:
        clock = platform.clock
        assert isinstance(clock, ManualClock), "the simulation runs on a manual clock"
        self.platform, self.clock, self.rng = platform, clock, random.Random(seed)
        self.bank = InMemoryBank()
        self.switch = platform.switch(self.bank)
        self.switch.sleep = lambda seconds: clock.advance(timedelta(seconds=seconds))
        self.network = NetworkSimulator()
        self.lifecycle = Lifecycle(
            platform.billing_uow_factory(), clock, self.network, 3, platform.switch_link
        )
        self.scheduler = Scheduler(self.lifecycle, "simulate")
        self.participants = {p.code: p for p in demo_participants()}
        with platform.billing_uow(readonly=True) as uow:  # their calendars: the billing's
            self.billers = {b.code: b for b in uow.billers.list()}
        self.plans: dict[str, Plan] = {}
        self.queue: list[tuple[datetime, str, str]] = []  # (when, channel, bill id)
        self.held: dict[str, datetime] = {}  # cash a counter holds offline: bill id -> accepted
        self.counter_billers = [c for c, b in self.billers.items() if "counter" in b.channels]
        self.counts: dict[str, Counter[str]] = {code: Counter() for code in self.billers}
        self.link_down_until: datetime | None = None
        self.link_down_hours = 0

    # The hours ----------------------------------------------------------------

    def run(self, start: date, days: int, progress: Callable[[int], None]) -> QuarterReport:
        self.clock.set(datetime.combine(start, time(0), tzinfo=DAMASCUS))
        for code in self.billers:
            if "counter" in self.billers[code].channels:
                self._counter_sync(code, self.clock.now())
        for hour in range(days * 24):
            now = datetime.combine(start, time(0), tzinfo=DAMASCUS) + timedelta(hours=hour)
            self.clock.set(now)
            self._weather(now)
            if now.astimezone(DAMASCUS).hour == 0:
                self._import_usage(damascus_date(now))
            if hour == 0 or now.astimezone(DAMASCUS).hour == 2:  # after the 01:00 bill runs
                self._plan_new_bills()
            self._pay_between(now, now + timedelta(hours=1))
            self.clock.set(now + timedelta(minutes=59))
            while process_due(self.switch):
                pass
            self._tick()
            if hour % 24 == 23:
                progress(hour // 24 + 1)
        return self._report(start, days)

    def _weather(self, now: datetime) -> None:
        """The link between the systems, both ways: down now and then, for hours."""
        if self.link_down_until is not None and now >= self.link_down_until:
            self.link_down_until = None
        if self.link_down_until is None and self.rng.random() < OUTAGE_CHANCE_PER_HOUR:
            self.link_down_until = now + timedelta(hours=self.rng.randint(*OUTAGE_HOURS))
        down = self.link_down_until is not None
        self.link_down_hours += down
        links: tuple[Any, ...] = (self.platform.biller, self.platform.switch_link)
        for link in links:  # the in-process links (fawtara/links/) can be cut
            link.reachable = not down

    def _tick(self) -> None:
        for key, status in self.scheduler.tick().jobs_run:
            self.counts[key.biller_code][f"job {key.job.value} {status.value}"] += 1

    def _import_usage(self, day: date) -> None:
        """Meter readings (and call units) of each cycle issued today, before its bill run."""
        for code, biller in self.billers.items():
            cycle = issued_cycle(biller.calendar, day)
            if cycle is None:
                continue
            s = t.services.c
            with self.platform.billing_uow(readonly=True) as uow:
                assert uow.connection is not None
                services = uow.connection.execute(
                    select(s.reference, s.kind).where(s.biller_code == code)
                ).all()
            rows = [
                (n, {"biller": code, "cycle": cycle.id, "service_ref": ref,
                     "quantity": str(self.rng.randint(*USAGE_RANGES.get(kind, (0, 0))))})
                for n, (ref, kind) in enumerate(services, start=2)
            ]  # fmt: skip
            import_usage(
                self.platform.billing_uow_factory(), rows, f"simulate-{cycle.id}", self.clock
            )

    # Who pays, when and how ------------------------------------------------------

    def _plan_new_bills(self) -> None:
        """Plans for the bills issued since: the billing's bills, which each bill run
        (the scheduler's job) has published to the switch, so they can be paid there."""
        b, s = t.bills.c, t.services.c
        with self.platform.billing_uow(readonly=True) as uow:
            assert uow.connection is not None
            rows = uow.connection.execute(
                select(b.id, s.reference)
                .join_from(t.bills, t.services, s.id == b.service_id)
                .where(b.status == "issued", b.amount_minor > 0)
            ).all()
            fresh = [(bill_id, ref) for bill_id, ref in rows if bill_id not in self.plans]
            bills = {bill.id: bill for bill in uow.bills.get_many([i for i, _ in fresh])}
        for bill_id, reference in fresh:
            plan = self._plan(bills[bill_id], reference)
            if plan is None:
                continue
            self.plans[bill_id] = plan
            when = plan.synced_at if plan.channel == "counter" else plan.accepted_at
            heapq.heappush(self.queue, (when, plan.channel, bill_id))
            if plan.channel == "counter":
                self.held[bill_id] = plan.accepted_at

    def _plan(self, bill: Bill, reference: str) -> Plan | None:
        biller, rng = self.billers[bill.biller_code], self.rng
        draw = rng.random()
        profile = next(name for share, name in PROFILES if draw < share)
        self.counts[bill.biller_code][f"bills {profile}"] += 1
        due_start = datetime.combine(bill.due_on, time(0), tzinfo=DAMASCUS)
        counter = "counter" in biller.channels
        channel = rng.choices(["pull", "push", "counter"], [45, 35, 20 if counter else 0])[0]
        if profile == "never":
            self.plans[bill.id] = Plan(bill, reference, "none", due_start, due_start, done=True)
            return None
        if profile == "early":
            days = max((bill.due_on - bill.issued_on).days - 3, 1)
            accepted = due_start - timedelta(days=rng.randint(2, days), minutes=rng.randint(0, 900))
        elif profile == "due_day":
            accepted = due_start + timedelta(hours=18, minutes=rng.randint(0, 359))
        elif profile == "counter_offline" and counter:
            channel = "counter"
            accepted = due_start + timedelta(hours=rng.randint(9, 23), minutes=rng.randint(0, 59))
        elif profile in ("bank_no_answer", "counter_offline"):
            channel, accepted = "pull_no_answer", due_start + timedelta(hours=23, minutes=50)
        elif profile == "late_in_grace":
            accepted = due_start + timedelta(
                days=rng.randint(1, max(biller.grace_days, 1)), hours=9
            )
        else:
            late = biller.grace_days + rng.randint(2, 12)
            accepted = due_start + timedelta(days=late, hours=rng.randint(8, 20))
        sync_delay = (
            timedelta(days=rng.randint(1, 4))
            if profile == "counter_offline"
            else (timedelta(minutes=rng.randint(5, 120)))
        )
        return Plan(bill, reference, channel, accepted, accepted + sync_delay)

    def _pay_between(self, start: datetime, end: datetime) -> None:
        while self.queue and self.queue[0][0] < end:
            at, _, bill_id = heapq.heappop(self.queue)
            plan = self.plans[bill_id]
            self.clock.set(max(at, start))
            self._pay(plan)
            plan.done = True
            self.held.pop(bill_id, None)
            self.clock.set(max(at, start) + TICK_AFTER_POSTING)
            self._tick()
        for code in self.counter_billers:
            held = [at for bill_id, at in self.held.items() if bill_id.startswith(f"{code}-")]
            through = min([end, *[h - timedelta(microseconds=1) for h in held if h < end]])
            self._counter_sync(code, through)

    def _pay(self, plan: Plan) -> None:
        bill, code = plan.bill, plan.bill.biller_code
        late = plan.accepted_at > end_of_day_utc(bill.due_on)
        self.counts[code][f"paid by {plan.channel}{' (late)' if late else ''}"] += 1
        if plan.channel == "counter":  # the counter's cash, posted at the biller when it syncs
            post_payment(
                self.platform.billing_uow(),
                PostPayment(f"counter-{uuid.uuid4()}", code, plan.reference, (bill.id,),
                            bill.outstanding_minor, bill.currency, "counter", plan.accepted_at),
                self.clock.now(),
            )  # fmt: skip
            return
        if self.link_down_until is not None:
            self.counts[code]["notices delayed (link down)"] += 1
        push = plan.channel == "push"
        payment_id = str(uuid.uuid4())
        account = f"ACC-{bill.service_id}"
        self.bank.accounts.setdefault(("BEMO", account), Account(BALANCE_MINOR))
        request = PaymentRequest(
            payment_id=payment_id, channel="bank" if push else "portal", biller_code=code,
            customer_ref=plan.reference, bill_ids=(bill.id,), amount_minor=bill.outstanding_minor,
            currency=bill.currency, payer_bank="BEMO", payer_account=account, msisdn=None,
            bank_reference=f"BEMO-APP-{payment_id[:8]}" if push else None,
        )  # fmt: skip
        if plan.channel == "pull_no_answer":
            self.bank.set_fault(Fault.DROP_REPLY, count=1)
        participant = self.participants["BEMO" if push else "PORTAL"]
        submit_payment(self.switch, participant, request, wait_s=0)

    def _counter_sync(self, biller_code: str, through: datetime) -> None:
        """The switch keeps the counters' marks; the sweep asks it for them before suspending."""
        record_counter_sync(
            self.platform.uow_factory(), self.clock, f"{biller_code}-CENTRE-1", biller_code, through
        )

    # The summary --------------------------------------------------------------------

    def _report(self, start: date, days: int) -> QuarterReport:
        report = QuarterReport(start, days, self.counts, link_down_hours=self.link_down_hours)
        sb = t.suspension_bills.c
        with self.platform.billing_uow(readonly=True) as uow:  # the lifecycle is the billing's
            assert uow.connection is not None
            summary = uow.lifecycle.summary()
            causes: dict[int, list[str]] = {}
            for row in uow.connection.execute(select(sb.suspension_id, sb.bill_id)):
                causes.setdefault(row.suspension_id, []).append(row.bill_id)
            suspensions = uow.connection.execute(select(t.service_suspensions)).all()
            for row in suspensions:
                self.counts[row.biller_code]["suspensions"] += 1
                if row.ended_by == "payment":
                    self.counts[row.biller_code]["reconnected after payment"] += 1
                elif row.ended_by is None:
                    self.counts[row.biller_code]["still suspended"] += 1
                if all(self._accepted_on_time(bill_id) for bill_id in causes[row.id]):
                    report.violations += 1
            for row in uow.connection.execute(
                select(t.job_runs.c.biller_code, t.job_runs.c.counts).where(
                    t.job_runs.c.job == "overdue_sweep"
                )
            ):
                for name, label in (
                    ("suspensions_deferred", "suspensions deferred (switch unreachable)"),
                    ("waiting_payment_in_flight", "suspensions waiting (payment in flight)"),
                ):
                    self.counts[row.biller_code][label] += int((row.counts or {}).get(name, 0))
            report.reconnection_delay_s_max = self._reconnection_delay_s_max(uow.connection)
            report.jobs.update(_outbox_topics(uow.connection))  # reminders, notices, reviews
            report.rows = self.counts
        with self.platform.uow(readonly=True) as uow:  # the switch's: payment confirmations
            assert uow.connection is not None
            report.jobs.update(_outbox_topics(uow.connection))
        report.repaired = summary["protection_violations_repaired"]
        return report

    def _accepted_on_time(self, bill_id: str) -> bool:
        plan = self.plans.get(bill_id)
        if plan is None or plan.channel == "none":
            return False
        return plan.accepted_at <= end_of_day_utc(plan.bill.due_on)

    def _reconnection_delay_s_max(self, connection: Connection) -> float:
        """Longest time from the posting that paid a suspension's bills to its reconnection."""
        p, sb, bp, post = (t.service_suspensions.c, t.suspension_bills.c, t.bill_payments.c,
                           t.biller_postings.c)  # fmt: skip
        query = (
            select(p.id, p.ended_at, func.max(post.posted_at))
            .join_from(t.service_suspensions, t.suspension_bills, sb.suspension_id == p.id)
            .join(t.bill_payments, bp.bill_id == sb.bill_id)
            .join(t.biller_postings, post.payment_id == bp.payment_id)
            .where(p.ended_by == "payment")
            .group_by(p.id, p.ended_at)
        )
        delays = [
            (ended - posted).total_seconds() for _, ended, posted in connection.execute(query)
        ]
        return max(delays, default=0.0)


def _outbox_topics(connection: Connection) -> Counter[str]:
    """Rows of a store's outbox by topic (each system has its own outbox)."""
    query = select(t.outbox.c.topic, func.count()).group_by(t.outbox.c.topic)
    return Counter({topic: int(count) for topic, count in connection.execute(query)})


def latest_issue_day(platform: Platform) -> date | None:
    """The newest issue day of the billing's bills (None: nothing billed yet)."""
    with platform.billing_uow(readonly=True) as uow:
        assert uow.connection is not None
        value: date | None = uow.connection.execute(select(func.max(t.bills.c.issued_on))).scalar()
        return value


def simulation_source(
    platform: Platform, scratch: Path, in_place: bool, subscribers: int
) -> tuple[Platform, str]:
    """The platform to simulate on, and where its data came from.

    Never the configured stores unless `in_place`: copies of both when they
    are SQLite files with the demo seeded, otherwise scratch stores seeded
    with the demo. Either way both systems run in this process (the Biller API
    and the switch link called in process), as the seed does.
    """
    from fawtara.demo.scratch import (
        refuse_configured_scratch,
        scratch_paths,
        scratch_platform,
        simulation_platform,
    )
    from fawtara.demo.seed import seed_demo

    placeholder = datetime(2026, 11, 1, tzinfo=DAMASCUS)
    if in_place:
        return _in_place(platform, placeholder.date()), "the stores themselves (--in-place)"
    refuse_configured_scratch(platform.settings, scratch)
    where = " and ".join(str(path) for path in scratch_paths(scratch))
    if _seeded_sqlite(platform):
        copied = f"{platform.settings.sqlite_path} and {platform.settings.billing_sqlite_path}"
        return simulation_platform(platform, scratch, placeholder), f"copies of {copied} at {where}"
    scratch_copy = scratch_platform(scratch, placeholder)
    seed_demo(scratch_copy, subscribers)
    return scratch_copy, f"scratch stores at {where}, seeded with the demo"


def _in_place(platform: Platform, placeholder: date) -> Platform:
    """The configured stores on a ManualClock at their newest issue day; both must be current."""
    platform.require_current_schema()
    platform.require_current_schema(BILLING)
    start = latest_issue_day(platform) or placeholder
    clock = ManualClock(datetime.combine(start, time(0), tzinfo=DAMASCUS))
    return in_one_process(
        Platform(platform.settings, platform.engine, clock, platform.billing_engine)
    )


def _seeded_sqlite(platform: Platform) -> bool:
    """Both stores are SQLite files that exist and the billing one has bills to copy."""
    paths = (platform.settings.sqlite_path, platform.settings.billing_sqlite_path)
    if not all(path is not None and path.exists() for path in paths):
        return False
    if platform.schema_revisions(BILLING)[0] is None:
        return False  # a file with no billing schema yet: nothing seeded in it
    return latest_issue_day(platform) is not None


def run_simulation(
    platform: Platform, days: int, seed: int, progress: Callable[[int], None]
) -> QuarterReport:
    start = latest_issue_day(platform)
    assert start is not None, "the demo is seeded before a simulation"
    return Quarter(platform, seed).run(start, days, progress)
