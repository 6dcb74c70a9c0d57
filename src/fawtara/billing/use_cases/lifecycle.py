"""The lifecycle's use cases: the overdue sweep, reviews after a payment, the orders.

Each batch of services is one transaction that decides in the domain
(`domain.lifecycle.review_service`) and writes, together, the state change,
the suspension and its cause, the order to the network and the SMS (outbox).
A sweep killed half-way keeps whole batches; a rerun finds those services
suspended already and does nothing twice (a compare-and-set on the service
state, one open suspension per service, orders and SMS keyed by suspension).

Reconnection has two paths, so its delay is bounded whatever happens:
- a posting at the biller for a suspended service (any channel: the switch or
  a counter) writes an outbox row `lifecycle.reconnect` in its own
  transaction; the scheduler drains it every `limits.scheduler_tick_s`;
- the daily sweep reviews every suspended service as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fawtara.billing.domain.lifecycle import (
    Action,
    BillStanding,
    OrderAction,
    Wait,
    order_for,
    provisioning_retry_delay_s,
    review_service,
)
from fawtara.billing.use_cases.in_flight_check import ask_switch, with_in_flight
from fawtara.billing.use_cases.lifecycle_hook import RECONNECT_TOPIC
from fawtara.billing.use_cases.lifecycle_notices import service_notice
from fawtara.billing.use_cases.ports import (
    OpenSuspension,
    ProvisioningGateway,
    ProvisioningUnreachable,
    ServiceHolder,
    SwitchLink,
    UnitOfWork,
)
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, ServiceState
from fawtara.kernel.bills import Bill, last_day_before_suspension
from fawtara.kernel.calendar import damascus_date
from fawtara.kernel.errors import FawtaraError, UnknownBiller
from fawtara.kernel.ports import Clock
from fawtara.sms.domain.sms import SmsKind

log = logging.getLogger("fawtara.lifecycle")

ENDED_BY_PAYMENT = "payment"
ENDED_BY_PROTECTION = "protection"


@dataclass
class Lifecycle:
    """What the lifecycle use cases need, wired once by bootstrap.

    `switch` is the billing system's link to the switch: before it suspends,
    the lifecycle asks which payments are in flight there. Without a link, or
    without a recent answer, no service is suspended (never suspend blind).
    """

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    provisioning: ProvisioningGateway
    reminder_days_before: int = limits.reminder_days_before_default
    switch: SwitchLink | None = None


@dataclass
class ReviewReport:
    services_reviewed: int = 0
    suspended: int = 0
    reconnected: int = 0
    protection_violations_repaired: int = 0
    waiting_payment_in_flight: int = 0
    waiting_counters: int = 0
    suspensions_deferred: int = 0  # the switch's in-flight check had no recent answer

    def add(self, other: ReviewReport) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    def counts(self) -> dict[str, int]:
        return dict(vars(self))


def sweep(lifecycle: Lifecycle, biller_code: str, now: datetime) -> ReviewReport:
    """The daily overdue sweep of a biller: suspend, reconnect, undo."""
    with lifecycle.uow_factory() as uow:
        biller = uow.billers.get(biller_code)
    if biller is None:
        raise UnknownBiller(f"unknown biller {biller_code!r}")
    today = damascus_date(now)
    cutoff = today - timedelta(days=biller.grace_days + 1)
    report = ReviewReport()

    def overdue(uow: UnitOfWork, after_id: int) -> list[int]:
        return uow.lifecycle.overdue_services(
            biller.code, cutoff, after_id, limits.lifecycle_batch_rows
        )

    def suspended(uow: UnitOfWork, after_id: int) -> list[int]:
        return uow.lifecycle.suspended_services(biller.code, after_id, limits.lifecycle_batch_rows)

    for list_services in (overdue, suspended):
        after_id = 0
        while True:
            with lifecycle.uow_factory() as uow:
                service_ids = list_services(uow, after_id)
            if not service_ids:
                break
            report.add(review(lifecycle, biller, service_ids, now))
            after_id = service_ids[-1]
    return report


def review(
    lifecycle: Lifecycle, biller: Biller, service_ids: Sequence[int], now: datetime
) -> ReviewReport:
    """Decide and act on these services of one biller, in one transaction."""
    today = damascus_date(now)
    report = ReviewReport(services_reviewed=len(service_ids))
    with lifecycle.uow_factory() as uow:
        references = {
            h.reference: h.service_id for h in uow.lifecycle.holders(service_ids).values()
        }
    answer = ask_switch(lifecycle.switch, biller.code, list(references), now)
    with lifecycle.uow_factory() as uow:
        repo = uow.lifecycle
        standings = repo.unpaid_standings(service_ids)  # locks the bills first
        if answer is not None:
            standings = with_in_flight(standings, answer)
        states = repo.service_states(service_ids)
        counters = answer.counters_synced_through if answer is not None else None
        suspensions = repo.open_suspensions(service_ids)
        causes = repo.standings_of([b for s in suspensions.values() for b in s.cause_bill_ids])
        holders = repo.holders(service_ids)
        for service_id in service_ids:
            state = states.get(service_id)
            if state is None or (state is ServiceState.SUSPENDED and service_id not in suspensions):
                continue  # gone, or suspended by hand: not the sweep's to undo
            suspension = suspensions.get(service_id)
            decision = review_service(
                state,
                standings.get(service_id, []),
                today,
                biller.grace_days,
                counters,
                [causes[b] for b in suspension.cause_bill_ids] if suspension else (),
            )
            if decision.action is Action.SUSPEND and answer is None:
                report.suspensions_deferred += 1  # never suspend blind
            elif decision.action is Action.SUSPEND:
                report.suspended += _suspend(uow, biller, holders[service_id], decision.cause, now)
            elif decision.action in (Action.RECONNECT, Action.UNDO) and suspension is not None:
                undo = decision.action is Action.UNDO
                if _reconnect(uow, biller, holders[service_id], suspension, causes, undo, now):
                    report.reconnected += 1
                    report.protection_violations_repaired += undo
            report.waiting_payment_in_flight += Wait.PAYMENT_IN_FLIGHT in decision.waits
            report.waiting_counters += Wait.COUNTERS_NOT_SYNCED in decision.waits
        uow.commit()
    if report.suspensions_deferred:
        log.warning(
            "%d suspension(s) of %s deferred: no recent in-flight answer from the switch",
            report.suspensions_deferred,
            biller.code,
        )
    return report


def _suspend(
    uow: UnitOfWork, biller: Biller, holder: ServiceHolder, cause: Sequence[Bill], now: datetime
) -> int:
    today, service_id = damascus_date(now), holder.service_id
    with_grace = [(b, last_day_before_suspension(b.due_on, biller.grace_days)) for b in cause]
    suspension_id = uow.lifecycle.suspend(service_id, biller.code, with_grace, today, now)
    if suspension_id is None:
        return 0
    uow.lifecycle.add_order(
        order_for(OrderAction.SUSPEND, suspension_id, service_id, biller.code, holder.reference),
        now,
    )
    standings = [BillStanding(bill) for bill in cause]
    key, payload = service_notice(
        SmsKind.SERVICE_SUSPENDED, f"susp:{suspension_id}", biller, holder, standings, now
    )
    uow.outbox.add(f"sms.{SmsKind.SERVICE_SUSPENDED.value}", key, payload, now)
    log.info("suspended service %s of %s for %s", service_id, biller.code, [b.id for b in cause])
    return 1


def _reconnect(
    uow: UnitOfWork,
    biller: Biller,
    holder: ServiceHolder,
    suspension: OpenSuspension,
    causes: dict[str, BillStanding],
    undo: bool,
    now: datetime,
) -> bool:
    ended_by = ENDED_BY_PROTECTION if undo else ENDED_BY_PAYMENT
    if not uow.lifecycle.end_suspension(suspension, ended_by, now):
        return False
    uow.lifecycle.add_order(
        order_for(
            OrderAction.RECONNECT,
            suspension.id,
            suspension.service_id,
            biller.code,
            holder.reference,
        ),
        now,
    )
    kind = SmsKind.SUSPENSION_APOLOGY if undo else SmsKind.SERVICE_RECONNECTED
    prefix = "apol" if undo else "recon"
    standings = [causes[b] for b in suspension.cause_bill_ids]
    key, payload = service_notice(kind, f"{prefix}:{suspension.id}", biller, holder, standings, now)
    uow.outbox.add(f"sms.{kind.value}", key, payload, now)
    if undo:
        log.warning(
            "protection rule: suspension %s of service %s undone, a bill was accepted on time",
            suspension.id,
            suspension.service_id,
        )
    return True


def drain_reconnect_requests(lifecycle: Lifecycle) -> ReviewReport:
    """Review the suspended services that a posting flagged; one transaction per biller."""
    now = lifecycle.clock.now()
    report = ReviewReport()
    with lifecycle.uow_factory() as uow:
        items = uow.lifecycle.claim_outbox(
            RECONNECT_TOPIC, now, limits.lifecycle_reviews_batch_rows
        )
        billers = {code: uow.billers.get(code) for code in {p["biller_code"] for _, p in items}}
    by_biller: dict[str, list[int]] = {}
    for _, payload in items:
        by_biller.setdefault(str(payload["biller_code"]), []).append(int(payload["service_id"]))
    for code, service_ids in sorted(by_biller.items()):
        biller = billers[code]
        if biller is not None:
            report.add(review(lifecycle, biller, sorted(set(service_ids)), now))
    if items:
        with lifecycle.uow_factory() as uow:
            uow.lifecycle.finish_outbox([outbox_id for outbox_id, _ in items], now)
            uow.commit()
    return report


@dataclass
class OrdersReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_orders(lifecycle: Lifecycle) -> OrdersReport:
    """Send due provisioning orders, oldest first per service; retry with backoff."""
    report = OrdersReport()
    with lifecycle.uow_factory() as uow:
        now = lifecycle.clock.now()
        lease = now + timedelta(seconds=limits.provisioning_retry_backoff_s_max)
        orders = uow.lifecycle.due_orders(now, lease, limits.provisioning_batch_rows)
        uow.commit()
    failed_services: set[int] = set()
    for order in orders:
        if order.service_id in failed_services:
            continue  # its earlier order failed: keep the order of the two
        try:
            lifecycle.provisioning.send(order)
        except ProvisioningUnreachable as error:
            failed_services.add(order.service_id)
            delay = provisioning_retry_delay_s(order.attempts + 1)
            with lifecycle.uow_factory() as uow:
                now = lifecycle.clock.now()
                uow.lifecycle.order_failed(
                    order.order_id, str(error), now + timedelta(seconds=delay)
                )
                uow.commit()
            report.failed += 1
            report.errors.append(f"{order.order_id}: {error}")
            continue
        with lifecycle.uow_factory() as uow:
            uow.lifecycle.order_sent(order.order_id, lifecycle.clock.now())
            uow.commit()
        report.sent += 1
    return report


def lifecycle_summary(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return uow.lifecycle.summary()


def error_text(error: BaseException) -> str:
    """A failure as stored: the stable code first when there is one."""
    if isinstance(error, FawtaraError):
        return f"{error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"
