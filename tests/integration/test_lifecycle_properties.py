"""The protection rule under random interleavings (hypothesis), on both engines.

Each example is a small telecom biller of its own (so examples share the
test's database without seeing each other) with one or two services and one
or two issued cycles. Every bill gets at most one payment, by a channel drawn
from all of them, at a time drawn around its due date (exactly 23:59 and
00:00 Damascus on the due date's edge among them):

- pull: the bank answers at once;
- pull, unknown: the bank's answer is lost; a worker round resolves it later;
- push: the bank app's payment, posted at once;
- push in transit: the biller is unreachable; a worker round posts it later,
  and the biller's notices accepted after it wait behind it (they are
  delivered in acceptance order);
- counter: cash at a counter that syncs it days later, with its original time.

Between payments, worker rounds and sweeps happen at random times, and during
some sweeps the billing system's link to the switch is down (its in-flight
check does not answer). The test keeps its own record of the truth and checks
after every sweep:

1. no service is suspended for a bill paid or accepted on time: every
   suspension whose bills were all accepted on time (including cash a counter
   still holds) was made only after the counter wait had run out, and ends
   undone (`protection`) once the counter syncs;
2. a service with a bill overdue past grace, not waiting for a payment in
   flight or an unsynced counter, is suspended by the sweep;
3. a suspended service whose overdue bills are paid is reconnected (by the
   posting's review, or by the sweep at the latest);
4. a sweep that cannot reach the switch suspends nothing (never blind); a
   later sweep with the link back does what 2 says.
"""

from __future__ import annotations

import itertools
import os
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fawtara.billing.use_cases.lifecycle import drain_reconnect_requests
from fawtara.config import Settings
from fawtara.kernel import limits
from fawtara.kernel.bills import Bill
from fawtara.kernel.calendar import DAMASCUS, damascus_date, end_of_day_utc
from fawtara.kernel.clock import ManualClock
from fawtara.wiring import Platform
from tests.lifecycle_support import LifecycleWorld

CYCLES = {"2026-10": date(2026, 12, 1), "2026-11": date(2026, 12, 31)}  # cycle: due date
CHANNELS = ("pull", "pull_unknown", "push", "push_in_transit", "counter", "none")
COUNTER = "CTR-1"
_codes = (
    "".join(pair)
    for pair in itertools.product(string.ascii_uppercase, repeat=3)
    if "".join(pair) != "TEL"
)


@dataclass(frozen=True)
class PaymentPlan:
    channel: str
    accepted_at: datetime
    settles_after: timedelta  # unknown / in transit: until a worker round; counter: its sync


@dataclass
class Truth:
    """What really happened to each bill, and what the platform can know of it."""

    plan: dict[str, PaymentPlan] = field(default_factory=dict)
    known_at: dict[str, datetime] = field(default_factory=dict)  # the platform learns of it
    posted_at: dict[str, datetime] = field(default_factory=dict)  # the biller has it


def instants(due: date) -> st.SearchStrategy[datetime]:
    edge = st.sampled_from(
        [
            datetime.combine(due, time(23, 59), tzinfo=DAMASCUS),
            datetime.combine(due + timedelta(days=1), time(0, 0), tzinfo=DAMASCUS),
        ]
    )
    minutes = st.integers(-9 * 24 * 60, 12 * 24 * 60).map(
        lambda m: datetime.combine(due, time(0, 0), tzinfo=DAMASCUS) + timedelta(minutes=m)
    )
    return st.one_of(edge, minutes)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    cycles = draw(st.lists(st.sampled_from(sorted(CYCLES)), min_size=1, max_size=2, unique=True))
    services = draw(st.integers(1, 2))
    plans: dict[tuple[str, int], PaymentPlan] = {}
    for cycle in cycles:
        for index in range(services):
            channel = draw(st.sampled_from(CHANNELS))
            plans[(cycle, index)] = PaymentPlan(
                channel,
                draw(instants(CYCLES[cycle])),
                timedelta(hours=draw(st.integers(1, 8 * 24))),
            )
    last_due = max(CYCLES[c] for c in cycles)
    first_due = min(CYCLES[c] for c in cycles)
    sweep_times = draw(
        st.lists(
            st.integers(0, (last_due - first_due).days * 24 + 14 * 24).map(
                lambda h: (
                    datetime.combine(first_due, time(10), tzinfo=DAMASCUS) + timedelta(hours=h)
                )
            ),
            min_size=1,
            max_size=6,
        )
    )
    settle_times = draw(
        st.lists(st.sampled_from(sweep_times).map(lambda t: t - timedelta(hours=3)), max_size=3)
    )
    link_down = draw(st.lists(st.booleans(), min_size=len(sweep_times), max_size=len(sweep_times)))
    return {
        "link_down_at": {at for at, down in zip(sweep_times, link_down, strict=True) if down},
        "cycles": cycles,
        "services": services,
        "grace_days": draw(st.sampled_from([0, 2])),
        "plans": plans,
        "sweeps": sorted(sweep_times),
        "settles": sorted(settle_times),
    }


class Example:
    def __init__(self, platform: Platform, scenario: dict[str, object]) -> None:
        self.scenario = scenario
        platform.clock.set(datetime(2026, 11, 1, 0, 0, tzinfo=DAMASCUS))  # type: ignore[attr-defined]
        self.world = LifecycleWorld(
            platform,
            code=next(_codes),
            services=int(scenario["services"]),  # type: ignore[call-overload]
            grace_days=int(scenario["grace_days"]),  # type: ignore[call-overload]
        )
        self.grace = int(scenario["grace_days"])  # type: ignore[call-overload]
        self.truth = Truth()
        self.bills: dict[str, Bill] = {}
        self.world.counter_synced(COUNTER, self.world.clock.now())
        for cycle in sorted(scenario["cycles"]):  # type: ignore[call-overload]
            issue_day = CYCLES[cycle] - timedelta(days=30)
            self.world.clock.set(datetime.combine(issue_day, time(2), tzinfo=DAMASCUS))
            for index, (service_id, bill) in enumerate(sorted(self.world.issue(cycle).items())):
                self.bills[bill.id] = bill
                plan = scenario["plans"][(cycle, index)]  # type: ignore[index]
                assert service_id == bill.service_id
                if plan.channel != "none":
                    self.truth.plan[bill.id] = plan

    # The events -----------------------------------------------------------------

    def run(self) -> None:
        events: list[tuple[datetime, int, str, str]] = []
        for bill_id, plan in self.truth.plan.items():
            events.append((plan.accepted_at, 0, "pay", bill_id))
            if plan.channel == "counter":
                events.append((plan.accepted_at + plan.settles_after, 1, "sync", bill_id))
        events += [(at, 2, "settle", "") for at in self.scenario["settles"]]  # type: ignore[attr-defined]
        events += [(at, 3, "sweep", "") for at in self.scenario["sweeps"]]  # type: ignore[attr-defined]
        for at, _, kind, bill_id in sorted(events):
            getattr(self, kind)(at, bill_id)
        self.finish()

    def pay(self, at: datetime, bill_id: str) -> None:
        plan, bill, world = self.truth.plan[bill_id], self.bills[bill_id], self.world
        if plan.channel == "counter":
            return  # the counter holds it until it syncs
        if plan.channel in ("pull", "pull_unknown"):
            world.pay_pull(bill, at, bank_answers=plan.channel == "pull")
        else:
            world.pay_push(bill, at, in_transit=plan.channel == "push_in_transit")
        self.truth.known_at[bill_id] = at
        if plan.channel in ("pull", "push") and not self.notice_waiting(at):
            self.truth.posted_at[bill_id] = at
        self.review(at)

    def notice_waiting(self, at: datetime) -> bool:
        """A notice of this biller that the switch could not deliver is still waiting: the
        biller's link is down at the switch, and later notices queue behind it."""
        return any(
            plan.channel == "push_in_transit"
            and self.known(bill_id, at)
            and bill_id not in self.truth.posted_at
            for bill_id, plan in self.truth.plan.items()
        )

    def sync(self, at: datetime, bill_id: str) -> None:
        plan = self.truth.plan[bill_id]
        self.world.pay_counter(self.bills[bill_id], plan.accepted_at, synced_at=at)
        self.truth.known_at[bill_id] = self.truth.posted_at[bill_id] = at
        self.counter_heartbeat(at)
        self.review(at)

    def settle(self, at: datetime, _: str = "") -> None:
        self.world.settle_payments(at)
        for bill_id, plan in self.truth.plan.items():
            if plan.channel != "counter" and bill_id in self.truth.known_at:
                self.truth.posted_at.setdefault(bill_id, at)
        self.review(at)

    def counter_heartbeat(self, at: datetime) -> None:
        """An online counter syncs continuously, except the cash it holds offline."""
        held = [
            plan.accepted_at
            for bill_id, plan in self.truth.plan.items()
            if plan.channel == "counter"
            and bill_id not in self.truth.posted_at
            and plan.accepted_at <= at
        ]
        through = min([at, *[moment - timedelta(microseconds=1) for moment in held]])
        self.world.counter_synced(COUNTER, through)

    def review(self, at: datetime) -> None:
        """What the scheduler does within seconds of a posting: review flagged services."""
        self.world.clock.set(at)
        before = self.world.states()
        drain_reconnect_requests(self.world.lifecycle)
        after = self.world.states()
        for service_id, state in after.items():
            if before[service_id] == "suspended":
                assert state == self.expected_for_suspended(service_id, at), (service_id, at)

    def sweep(self, at: datetime, _: str = "") -> None:
        self.counter_heartbeat(at)
        link_down = at in self.scenario["link_down_at"]  # type: ignore[operator]
        link = self.world.platform.switch_link
        before = self.world.states()
        link.reachable = not link_down  # type: ignore[attr-defined]
        try:
            self.world.sweep(at)
        finally:
            link.reachable = True  # type: ignore[attr-defined]
        after = self.world.states()
        for service_id, state in before.items():
            if state == "suspended":
                expected = self.expected_for_suspended(service_id, at)
            elif link_down:
                expected = "active"  # the in-flight check did not answer: suspend nothing
            else:
                suspend = any(self.suspends(b, at) for b in self.bills_of(service_id))
                expected = "suspended" if suspend else "active"
            assert after[service_id] == expected, (service_id, at, state, self.scenario)
        self.check_safety()

    def finish(self) -> None:
        """Everything synced and settled, then a last sweep: nothing wrong is left."""
        end = max([self.world.clock.now(), *[p.accepted_at for p in self.truth.plan.values()]])
        end = end + timedelta(days=1)
        for bill_id, plan in self.truth.plan.items():
            if plan.channel == "counter" and bill_id not in self.truth.posted_at:
                self.sync(end, bill_id)
        self.settle(end + timedelta(minutes=1))
        self.sweep(end + timedelta(minutes=2))
        for suspension in self.world.suspensions():
            cause = self.cause_of(suspension["id"])
            wrongful = all(self.accepted_on_time(bill_id) for bill_id in cause)
            if wrongful:
                assert suspension["ended_by"] == "protection", suspension
            else:
                assert suspension["ended_by"] != "protection", suspension

    # The test's own statement of the rules ----------------------------------------

    def bills_of(self, service_id: int) -> list[Bill]:
        return [bill for bill in self.bills.values() if bill.service_id == service_id]

    def accepted_on_time(self, bill_id: str) -> bool:
        """The truth, whether or not the platform knows it yet."""
        plan = self.truth.plan.get(bill_id)
        return plan is not None and plan.accepted_at <= end_of_day_utc(self.bills[bill_id].due_on)

    def known(self, bill_id: str, at: datetime) -> bool:
        return bill_id in self.truth.known_at and self.truth.known_at[bill_id] <= at

    def overdue(self, bill: Bill, at: datetime) -> bool:
        today = damascus_date(at)
        if today <= bill.due_on + timedelta(days=self.grace):
            return False
        if self.known(bill.id, at) and self.accepted_on_time(bill.id):
            return False
        return bill.id not in self.truth.posted_at or self.truth.posted_at[bill.id] > at

    def suspends(self, bill: Bill, at: datetime) -> bool:
        if not self.overdue(bill, at):
            return False
        if self.known(bill.id, at):  # a late payment still on its way: its outcome first
            return False
        waited = damascus_date(at) - (bill.due_on + timedelta(days=self.grace))
        held = any(
            plan.channel == "counter"
            and plan.accepted_at <= end_of_day_utc(bill.due_on)
            and not self.known(other, at)
            for other, plan in self.truth.plan.items()
        )
        return not held or waited > timedelta(days=limits.counter_sync_wait_days_max)

    def expected_for_suspended(self, service_id: int, at: datetime) -> str:
        suspension = next(
            s
            for s in self.world.suspensions()
            if s["service_id"] == service_id and (s["ended_at"] is None or s["ended_at"] >= at)
        )
        cause = self.cause_of(suspension["id"])
        if all(self.known(b, at) and self.accepted_on_time(b) for b in cause):
            return "active"  # undone, with an apology
        overdue = any(self.overdue(bill, at) for bill in self.bills_of(service_id))
        return "suspended" if overdue else "active"

    def cause_of(self, suspension_id: int) -> list[str]:
        from sqlalchemy import select

        from fawtara.storage import tables as t

        assert self.world.platform.billing_engine is not None
        with self.world.platform.billing_engine.connect() as connection:
            query = select(t.suspension_bills.c.bill_id).where(
                t.suspension_bills.c.suspension_id == suspension_id
            )
            return list(connection.execute(query).scalars())

    def check_safety(self) -> None:
        """A suspension for bills all accepted on time needs the counter wait run out."""
        for suspension in self.world.suspensions():
            cause = self.cause_of(suspension["id"])
            if all(self.accepted_on_time(b) for b in cause):
                for bill_id in cause:
                    bill = self.bills[bill_id]
                    assert self.truth.plan[bill_id].channel == "counter", suspension
                    waited = suspension["suspended_on"] - (bill.due_on + timedelta(days=self.grace))
                    assert waited > timedelta(days=limits.counter_sync_wait_days_max), suspension


def test_a_notice_accepted_after_one_in_transit_waits_behind_it(
    engine: Engine, billing_engine: Engine
) -> None:
    """Found by hypothesis: a payment in transit at 23:59 on the due day, a sweep at
    00:00 that suspends the other service, whose payment at 00:01 then waits behind the
    first notice (the biller's link is down at the switch) until the worker round."""
    midnight = datetime(2026, 12, 2, 0, 0, tzinfo=DAMASCUS)
    scenario = {
        "link_down_at": set(),
        "cycles": ["2026-10"],
        "services": 2,
        "grace_days": 0,
        "plans": {
            ("2026-10", 0): PaymentPlan(
                "push_in_transit", midnight - timedelta(minutes=1), timedelta(hours=1)
            ),
            ("2026-10", 1): PaymentPlan(
                "pull", midnight + timedelta(minutes=1), timedelta(hours=1)
            ),
        },
        "sweeps": [midnight],
        "settles": [],
    }
    Example(_platform(engine, billing_engine), scenario).run()


def _platform(engine: Engine, billing_engine: Engine) -> Platform:
    clock = ManualClock(datetime(2026, 11, 1, tzinfo=DAMASCUS))
    url = engine.url.render_as_string(hide_password=False)
    billing_url = billing_engine.url.render_as_string(hide_password=False)
    settings = Settings(url, "127.0.0.1", 0, billing_database_url=billing_url)
    return Platform(settings, engine, clock, billing_engine)


@settings(
    # Modest, so each engine runs this in seconds; FAWTARA_LIFECYCLE_EXAMPLES=500 digs deeper.
    max_examples=int(os.environ.get("FAWTARA_LIFECYCLE_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_no_suspension_for_bills_accepted_on_time_and_every_overdue_service_is_suspended(
    engine: Engine, billing_engine: Engine, scenario: dict[str, object]
) -> None:
    Example(_platform(engine, billing_engine), scenario).run()
