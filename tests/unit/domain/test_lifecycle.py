"""The protection rule and the sweep's decisions, table-driven (billing/domain/lifecycle.py).

The bill is due on 1 Dec 2026 with 2 days of grace: it may suspend from
4 Dec. Instants are Damascus wall-clock times (UTC+3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from fawtara.billing.domain.lifecycle import (
    Acceptance,
    Action,
    BillStanding,
    ReminderKind,
    Wait,
    covered_on_time,
    reminder_due,
    review_service,
    suspension_due,
)
from fawtara.kernel import limits
from fawtara.kernel.billers import ServiceState
from fawtara.kernel.bills import Bill, BillStatus
from fawtara.kernel.calendar import DAMASCUS

DUE = date(2026, 12, 1)
GRACE = 2
AMOUNT = 100_000


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=DAMASCUS)


def bill(status: BillStatus = BillStatus.ISSUED, paid: int = 0, bill_id: str = "B-1") -> Bill:
    return Bill(
        id=bill_id, biller_code="TEL", service_id=1, cycle_id="2026-10",
        period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        issued_on=date(2026, 11, 1), due_on=DUE, amount_minor=AMOUNT, paid_minor=paid,
        currency="SYP", status=status,
    )  # fmt: skip


def paid_at(instant: datetime, amount: int = AMOUNT, in_flight: bool = False) -> Acceptance:
    return Acceptance(instant, amount, in_flight)


ON_TIME_LAST_INSTANT = at(DUE, 23, 59, 59, 999_999)
FIRST_LATE_INSTANT = at(DUE + timedelta(days=1), 0, 0, 0)
SUSPENSION_DAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("standing", "today", "suspends"),
    [
        (BillStanding(bill()), date(2026, 12, 3), False),  # last day of grace
        (BillStanding(bill()), SUSPENSION_DAY, True),
        (BillStanding(bill(), (paid_at(ON_TIME_LAST_INSTANT),)), SUSPENSION_DAY, False),
        (BillStanding(bill(), (paid_at(at(DUE, 23, 59)),)), SUSPENSION_DAY, False),
        (BillStanding(bill(), (paid_at(FIRST_LATE_INSTANT),)), SUSPENSION_DAY, True),
        # 00:00 Damascus on the due date is 21:00 UTC the day before: on time.
        (BillStanding(bill(), (paid_at(at(DUE, 0, 0)),)), SUSPENSION_DAY, False),
        # 23:30 UTC on the due date is 02:30 the next day in Damascus: late.
        (
            BillStanding(bill(), (paid_at(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)),)),
            SUSPENSION_DAY,
            True,
        ),
        # In flight on time (unknown at the bank, a push in transit): protected.
        (BillStanding(bill(), (paid_at(at(DUE, 23), in_flight=True),)), SUSPENSION_DAY, False),
        # In flight but late: not protected, yet the sweep waits for its outcome.
        (
            BillStanding(bill(), (paid_at(FIRST_LATE_INSTANT, in_flight=True),)),
            SUSPENSION_DAY,
            False,
        ),
        # A part accepted on time protects nothing unless it covers the bill.
        (BillStanding(bill(), (paid_at(at(DUE), AMOUNT // 2),)), SUSPENSION_DAY, True),
        (
            BillStanding(bill(), (paid_at(at(DUE), AMOUNT // 2), paid_at(at(DUE, 9), AMOUNT // 2))),
            SUSPENSION_DAY,
            False,
        ),
        # Paid (late, at the biller), or cancelled: nothing to suspend for.
        (BillStanding(bill(BillStatus.PAID, AMOUNT)), SUSPENSION_DAY, False),
        (BillStanding(bill(BillStatus.CANCELLED)), SUSPENSION_DAY, False),
    ],
    ids=[
        "last day of grace",
        "first day after grace",
        "23:59:59.999999 on due date",
        "23:59 on due date",
        "00:00 the day after",
        "00:00 on the due date",
        "23:30 UTC is the next Damascus day",
        "in flight on time",
        "in flight late",
        "half on time",
        "two halves on time",
        "paid late",
        "cancelled",
    ],
)
def test_the_protection_rule(standing: BillStanding, today: date, suspends: bool) -> None:
    assert suspension_due(standing, today, GRACE) is suspends


@pytest.mark.parametrize(
    ("synced_through", "today", "suspends"),
    [
        (None, SUSPENSION_DAY, True),  # no counters
        (at(DUE, 23, 59, 59, 999_999), SUSPENSION_DAY, True),  # synced past the due day
        (at(DUE, 18), SUSPENSION_DAY, False),  # may hold a payment of the due day
        (at(DUE, 18), date(2026, 12, 3) + timedelta(days=limits.counter_sync_wait_days_max), False),
        (at(DUE, 18), date(2026, 12, 4) + timedelta(days=limits.counter_sync_wait_days_max), True),
    ],
    ids=["no counters", "synced", "offline", "last day of waiting", "waited long enough"],
)
def test_the_sweep_waits_for_counters_that_may_hold_an_offline_payment(
    synced_through: datetime | None, today: date, suspends: bool
) -> None:
    assert suspension_due(BillStanding(bill()), today, GRACE, synced_through) is suspends


def test_covered_on_time_sums_only_what_was_accepted_by_the_end_of_the_due_day() -> None:
    standing = (paid_at(at(DUE), AMOUNT - 1), paid_at(FIRST_LATE_INSTANT, 1))
    assert not covered_on_time(bill(), standing)
    assert covered_on_time(bill(), (paid_at(at(DUE), AMOUNT - 1), paid_at(at(DUE, 23), 1)))


def test_an_active_service_is_suspended_for_the_overdue_bills_only() -> None:
    overdue = BillStanding(bill(bill_id="B-1"))
    protected = BillStanding(bill(bill_id="B-2"), (paid_at(at(DUE)),))
    decision = review_service(ServiceState.ACTIVE, [overdue, protected], SUSPENSION_DAY, GRACE)
    assert decision.action is Action.SUSPEND
    assert [b.id for b in decision.cause] == ["B-1"]


def test_an_active_service_waits_while_a_late_payment_is_in_flight() -> None:
    late = BillStanding(bill(), (paid_at(FIRST_LATE_INSTANT, in_flight=True),))
    decision = review_service(ServiceState.ACTIVE, [late], SUSPENSION_DAY, GRACE)
    assert decision.action is Action.KEEP and decision.waits == (Wait.PAYMENT_IN_FLIGHT,)


def test_a_suspended_service_is_reconnected_once_nothing_is_overdue() -> None:
    cause = BillStanding(bill(BillStatus.PAID, AMOUNT), (paid_at(at(date(2026, 12, 6))),))
    decision = review_service(ServiceState.SUSPENDED, [], date(2026, 12, 6), GRACE, None, [cause])
    assert decision.action is Action.RECONNECT


def test_a_suspended_service_stays_suspended_while_another_bill_is_overdue() -> None:
    cause = BillStanding(bill(BillStatus.PAID, AMOUNT), (paid_at(at(date(2026, 12, 6))),))
    other = BillStanding(bill(bill_id="B-0"))
    decision = review_service(
        ServiceState.SUSPENDED, [other], date(2026, 12, 6), GRACE, None, [cause]
    )
    assert decision.action is Action.KEEP


def test_a_suspension_whose_bills_all_turn_out_accepted_on_time_is_undone() -> None:
    cause = BillStanding(bill(BillStatus.PAID, AMOUNT), (paid_at(at(DUE, 23, 59)),))
    decision = review_service(ServiceState.SUSPENDED, [], date(2026, 12, 6), GRACE, None, [cause])
    assert decision.action is Action.UNDO


@pytest.mark.parametrize(
    ("standing", "today", "kind"),
    [
        (BillStanding(bill()), date(2026, 11, 28), ReminderKind.DUE_SOON),
        (BillStanding(bill()), date(2026, 11, 27), None),
        (
            BillStanding(bill(), (paid_at(at(date(2026, 11, 27)), in_flight=True),)),
            date(2026, 11, 28),
            None,
        ),
        (BillStanding(bill()), date(2026, 12, 2), ReminderKind.OVERDUE),
        (BillStanding(bill(), (paid_at(at(DUE, 23, 59)),)), date(2026, 12, 2), None),
        (
            BillStanding(bill(), (paid_at(FIRST_LATE_INSTANT, in_flight=True),)),
            date(2026, 12, 2),
            None,
        ),
        (BillStanding(bill(BillStatus.PAID, AMOUNT)), date(2026, 11, 28), None),
    ],
    ids=[
        "3 days before",
        "4 days before",
        "accepted",
        "first overdue day",
        "accepted on time",
        "late payment in flight",
        "paid",
    ],
)
def test_reminders(standing: BillStanding, today: date, kind: ReminderKind | None) -> None:
    assert reminder_due(standing, today, 3) is kind
