"""A service's life after its bills: reminders, suspension, reconnection, the protection rule.

    active ──sweep: a bill unpaid after due date + grace──▶ suspended
      ▲                                                       │
      ├──────────── the overdue bills are paid (any channel) ─┤  reconnection SMS
      └──── every causing bill turns out accepted on time ────┘  apology SMS, counted

The protection rule (DESIGN.md rule 6). A bill counts as paid on time when
the money that channels accepted for it on or before its due date (a Damascus
day, to 23:59:59.999999) covers it. Accepted means: a posting at the biller
whose `paid_at` is the instant the channel took the money (a counter synced
days later keeps its original time), or a payment still on its way through
the switch (`received`, `unknown`, `debited`: the instant the switch accepted
it). A payment that failed, was returned or was reversed accepted nothing.

A suspension is never decided while information that could protect the bill
may be missing:
- a payment of the bill is still on its way (whenever it was accepted): its
  outcome decides, and the next sweep acts on it;
- a cash counter of the biller has not synced past the end of the due day: it
  may hold an offline payment; the sweep waits for it, at most
  `limits.counter_sync_wait_days_max` days past the grace (after that a silent
  counter would block every suspension of its biller for ever, and a late
  payment it brings is repaired by the apology path).

Pure: no I/O, no clock reads; `today` and instants come in as arguments.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.kernel.billers import ServiceState
from fawtara.kernel.bills import Bill, BillStatus, last_day_before_suspension
from fawtara.kernel.calendar import end_of_day_utc, paid_on_time

# Payments through the switch that a channel accepted and that are not final:
# the money is on its way to the biller.

SETTLED_BILL_STATES = frozenset({BillStatus.PAID, BillStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Money a channel accepted for one bill: when, how much of it, and if still on its way."""

    accepted_at: datetime  # aware: when the channel took the money
    amount_minor: int  # the part of this bill it pays
    in_flight: bool = False  # a switch payment not final yet

    def __post_init__(self) -> None:
        assert self.accepted_at.tzinfo is not None, "acceptance instants are aware"
        assert self.amount_minor > 0, "an acceptance carries money"


@dataclass(frozen=True, slots=True)
class BillStanding:
    """A bill and every acceptance known for it."""

    bill: Bill
    acceptances: tuple[Acceptance, ...] = ()


def covered_on_time(bill: Bill, acceptances: Iterable[Acceptance]) -> bool:
    """The protection rule: accepted on or before the due date, enough to pay the bill."""
    on_time = sum(a.amount_minor for a in acceptances if paid_on_time(a.accepted_at, bill.due_on))
    return on_time >= bill.amount_minor


def is_overdue(standing: BillStanding, today: date, grace_days: int) -> bool:
    """Unpaid after due date + grace, and not accepted on time by any channel."""
    bill = standing.bill
    if bill.status in SETTLED_BILL_STATES:
        return False
    if today <= last_day_before_suspension(bill.due_on, grace_days):
        return False
    return not covered_on_time(bill, standing.acceptances)


class Wait(enum.Enum):
    """Why an overdue bill suspends nothing yet."""

    PAYMENT_IN_FLIGHT = "payment_in_flight"
    COUNTERS_NOT_SYNCED = "counters_not_synced"


def counters_synced(
    due: date, today: date, grace_days: int, counters_synced_through: datetime | None
) -> bool:
    """Whether the biller's counters have told everything they accepted up to the due day.

    None: the biller has no counter that syncs. Past the wait bound the answer
    is yes: a counter silent that long no longer holds suspensions back.
    """
    if counters_synced_through is None or counters_synced_through >= end_of_day_utc(due):
        return True
    waited_past_grace = today - last_day_before_suspension(due, grace_days)
    return waited_past_grace > timedelta(days=limits.counter_sync_wait_days_max)


def suspension_wait(
    standing: BillStanding,
    today: date,
    grace_days: int,
    counters_synced_through: datetime | None,
) -> Wait | None:
    """For an overdue bill: what it still waits for before it may suspend, or None."""
    assert is_overdue(standing, today, grace_days)
    if any(a.in_flight for a in standing.acceptances):
        return Wait.PAYMENT_IN_FLIGHT
    if not counters_synced(standing.bill.due_on, today, grace_days, counters_synced_through):
        return Wait.COUNTERS_NOT_SYNCED
    return None


def suspension_due(
    standing: BillStanding,
    today: date,
    grace_days: int,
    counters_synced_through: datetime | None = None,
) -> bool:
    """Whether this bill, alone, suspends its service today."""
    if not is_overdue(standing, today, grace_days):
        return False
    return suspension_wait(standing, today, grace_days, counters_synced_through) is None


class Action(enum.Enum):
    KEEP = "keep"
    SUSPEND = "suspend"
    RECONNECT = "reconnect"  # the overdue bills were paid
    UNDO = "undo"  # the suspension broke the protection rule: reconnect and apologise


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    cause: tuple[Bill, ...] = ()  # SUSPEND: the bills that suspend the service
    waits: tuple[Wait, ...] = ()  # KEEP of an active service: why overdue bills wait


def review_service(
    state: ServiceState,
    standings: Sequence[BillStanding],
    today: date,
    grace_days: int,
    counters_synced_through: datetime | None = None,
    suspension_cause: Sequence[BillStanding] = (),
) -> Decision:
    """What the daily sweep (or a payment's review) does with one service.

    `standings`: the service's unpaid bills. `suspension_cause`: for a
    suspended service, the bills its open suspension names, as they stand now.
    """
    if state is ServiceState.ACTIVE:
        overdue = [s for s in standings if is_overdue(s, today, grace_days)]
        waits = [suspension_wait(s, today, grace_days, counters_synced_through) for s in overdue]
        cause = tuple(s.bill for s, wait in zip(overdue, waits, strict=True) if wait is None)
        if cause:
            return Decision(Action.SUSPEND, cause=cause)
        return Decision(Action.KEEP, waits=tuple(w for w in waits if w is not None))
    if state is ServiceState.SUSPENDED:
        if suspension_cause and all(
            covered_on_time(s.bill, s.acceptances) for s in suspension_cause
        ):
            return Decision(Action.UNDO)
        if not any(is_overdue(s, today, grace_days) for s in standings):
            return Decision(Action.RECONNECT)
    return Decision(Action.KEEP)


class ReminderKind(enum.Enum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def reminder_due(standing: BillStanding, today: date, days_before: int) -> ReminderKind | None:
    """The reminder a bill gets today, if any: none once paid or accepted for payment."""
    assert 0 < days_before <= limits.reminder_days_before_max
    bill = standing.bill
    if bill.status in SETTLED_BILL_STATES:
        return None
    if bill.due_on - today == timedelta(days=days_before):
        covered = sum(a.amount_minor for a in standing.acceptances)
        return None if covered >= bill.amount_minor else ReminderKind.DUE_SOON
    if today - bill.due_on == timedelta(days=1):
        if covered_on_time(bill, standing.acceptances):
            return None
        if any(a.in_flight for a in standing.acceptances):
            return None  # a payment on its way: its outcome speaks first
        return ReminderKind.OVERDUE
    return None


def reminder_due_dates(today: date, days_before: int) -> tuple[date, date]:
    """(due date of the bills reminded before, due date of the bills overdue since today)."""
    return today + timedelta(days=days_before), today - timedelta(days=1)


class OrderAction(enum.StrEnum):
    SUSPEND = "suspend"
    RECONNECT = "reconnect"


@dataclass(frozen=True, slots=True)
class ProvisioningOrder:
    """An order to the biller's network, made with the state change that needs it."""

    order_id: str  # "suspend:<suspension id>" / "reconnect:<suspension id>": the network's key
    suspension_id: int
    service_id: int
    biller_code: str
    service_ref: str
    action: OrderAction
    attempts: int = 0


def order_for(
    action: OrderAction, suspension_id: int, service_id: int, biller_code: str, service_ref: str
) -> ProvisioningOrder:
    return ProvisioningOrder(
        f"{action.value}:{suspension_id}",
        suspension_id,
        service_id,
        biller_code,
        service_ref,
        action,
    )


def provisioning_retry_delay_s(attempts: int) -> int:
    """An order the network did not take waits 5, 10, 20 … s, capped."""
    return int(
        backoff_s(
            attempts,
            limits.provisioning_retry_backoff_s_first,
            limits.provisioning_retry_backoff_s_max,
        )
    )
