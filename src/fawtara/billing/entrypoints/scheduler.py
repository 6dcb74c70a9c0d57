"""The scheduler loop: lead (one at a time), run due jobs, drain reconnections and orders.

`fawtara billing scheduler` runs it alone; `fawtara billing serve` runs it as a thread beside
the workers. A process that does not hold the leader lock waits, trying
again each round, so a standby takes over within a round of the leader's death.
"""

from __future__ import annotations

import logging
import threading

from fawtara.billing.bootstrap import BillingWiring, scheduler_lock
from fawtara.billing.bootstrap import scheduler as make_scheduler
from fawtara.billing.use_cases.ports import ProvisioningGateway
from fawtara.billing.use_cases.scheduler import TickReport
from fawtara.kernel import limits
from fawtara.kernel.errors import SchedulerBusy

log = logging.getLogger("fawtara.scheduler")


def run_scheduler(
    platform: BillingWiring,
    stop: threading.Event,
    provisioning: ProvisioningGateway | None = None,
    tick_s: float = limits.scheduler_tick_s,
) -> int:
    """Rounds until `stop` is set; returns how many rounds this process led."""
    scheduler, lock = make_scheduler(platform, provisioning), scheduler_lock(platform)
    leading, rounds = False, 0
    try:
        while not stop.is_set():
            if not leading:
                leading = lock.try_acquire()
                if leading:
                    log.info("this scheduler (%s) leads", scheduler.runner)
                    scheduler.take_over()
            elif not lock.holds():
                log.warning("this scheduler lost the lead")
                leading = False
            if leading:
                try:
                    scheduler.tick()
                    rounds += 1
                except Exception:  # a bad round is logged; the next one retries
                    log.exception("scheduler round failed")
            stop.wait(tick_s)
    finally:
        lock.release()
    return rounds


def run_once(
    platform: BillingWiring, provisioning: ProvisioningGateway | None = None
) -> TickReport:
    """One round, if no other scheduler leads (SchedulerBusy otherwise)."""
    scheduler, lock = make_scheduler(platform, provisioning), scheduler_lock(platform)
    if not lock.try_acquire():
        raise SchedulerBusy("another scheduler holds the lead; one runs at a time")
    try:
        scheduler.take_over()
        return scheduler.tick()
    finally:
        lock.release()
