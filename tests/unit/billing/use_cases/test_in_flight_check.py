"""The in-flight check: no answer, or an old one, is no answer; payments count per bill."""

from __future__ import annotations

from datetime import datetime, timedelta

from fawtara.billing.domain.lifecycle import Acceptance, BillStanding
from fawtara.billing.use_cases.in_flight_check import ask_switch, with_in_flight
from fawtara.kernel import limits
from fawtara.kernel.notices import InFlight
from tests.fakes.billing import FakeSwitchLink
from tests.fakes.billing_world import ELEC, NOW, a_bill

REFERENCES = ["1000000009"]
AGE_MAX = timedelta(seconds=limits.in_flight_answer_age_s_max)


Payment = tuple[str, str, tuple[str, ...], int, datetime]


def answer(as_of_age: timedelta = timedelta(0), *payments: Payment) -> InFlight:
    return InFlight(as_of=NOW - as_of_age, payments=tuple(payments), counters_synced_through=None)


def test_a_recent_answer_is_taken() -> None:
    switch = FakeSwitchLink(answer(AGE_MAX))
    assert ask_switch(switch, "ELEC", REFERENCES, NOW) == switch.answer
    assert switch.questions == [("ELEC", ("1000000009",))]


def test_an_answer_older_than_the_limit_is_no_answer() -> None:
    switch = FakeSwitchLink(answer(AGE_MAX + timedelta(seconds=1)))
    assert ask_switch(switch, "ELEC", REFERENCES, NOW) is None


def test_a_switch_that_does_not_answer_gives_no_answer() -> None:
    switch = FakeSwitchLink(answer())
    switch.down = True
    assert ask_switch(switch, "ELEC", REFERENCES, NOW) is None
    assert ask_switch(None, "ELEC", REFERENCES, NOW) is None


def test_nobody_to_ask_about_asks_nothing() -> None:
    switch = FakeSwitchLink(answer())
    assert ask_switch(switch, "ELEC", [], NOW) is None
    assert switch.questions == []


def test_an_in_flight_payment_counts_for_each_of_its_bills_up_to_the_bill() -> None:
    small, large, other = (
        a_bill(ELEC, 1, "2026-B4", 40_000),
        a_bill(ELEC, 1, "2026-B5", 320_000),
        a_bill(ELEC, 2, "2026-B5", 10_000),
    )
    accepted_at = NOW - timedelta(hours=1)
    found = answer(timedelta(0), ("pay-1", "ref", (small.id, large.id), 100_000, accepted_at))
    standings = {1: [BillStanding(small), BillStanding(large)], 2: [BillStanding(other)]}
    counted = with_in_flight(standings, found)
    assert counted[1] == [
        BillStanding(small, (Acceptance(accepted_at, 40_000, in_flight=True),)),
        BillStanding(large, (Acceptance(accepted_at, 100_000, in_flight=True),)),
    ]
    assert counted[2] == [BillStanding(other)]


def test_an_in_flight_payment_adds_to_what_was_accepted_already() -> None:
    bill = a_bill(ELEC, 1, "2026-B5", 320_000)
    posted = Acceptance(NOW - timedelta(days=3), 20_000)
    found = answer(timedelta(0), ("pay-2", "ref", (bill.id,), 300_000, NOW))
    (counted,) = with_in_flight({1: [BillStanding(bill, (posted,))]}, found)[1]
    assert counted.acceptances == (posted, Acceptance(NOW, 300_000, in_flight=True))
