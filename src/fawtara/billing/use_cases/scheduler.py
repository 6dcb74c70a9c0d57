"""The scheduler's use case: run the biller jobs that are due, record each run.

One round (`Scheduler.tick`):
1. plan the jobs due by now (`domain.jobs.planned_jobs`) and skip those that
   succeeded, are running, or failed and wait for their retry time;
2. run each: `job_runs` takes the key to `running` by compare-and-set (one
   commit), the job works in its own transactions, and the run ends
   `succeeded` with its counts or `failed` with its error and retry time;
3. drain the reconnection requests of postings, and send due provisioning
   orders;
4. collect the payments files of the upload-mode billers (`collect_billers`),
   a recurring job run every `limits.payment_collection_interval_s`, recorded
   in `job_runs` like the others (billing/use_cases/collect_payments.py).

Only the scheduler that holds the leader lock calls `tick`
(billing/entrypoints/scheduler.py). When it takes the lead it marks `running` rows `interrupted`:
with one leader, such a row belongs to a scheduler that died half-way, and the
job, idempotent, is run again from where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fawtara.billing.domain.jobs import (
    JobKey,
    JobName,
    JobRun,
    JobStatus,
    issued_cycle,
    job_retry_delay_s,
    planned_jobs,
)
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.collect_payments import collect_payments
from fawtara.billing.use_cases.lifecycle import (
    Lifecycle,
    OrdersReport,
    ReviewReport,
    drain_reconnect_requests,
    error_text,
    send_orders,
    sweep,
)
from fawtara.billing.use_cases.lifecycle_notices import send_reminders
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.billing.use_cases.publishing import publish_cycle
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.calendar import damascus_date
from fawtara.kernel.errors import UnknownBiller

log = logging.getLogger("fawtara.scheduler")

Job = Callable[[Lifecycle, Biller, JobKey, datetime], dict[str, int]]


def _bill_run(lifecycle: Lifecycle, biller: Biller, key: JobKey, now: datetime) -> dict[str, int]:
    cycle = issued_cycle(biller.calendar, key.scheduled_for)
    assert cycle is not None, "bill runs are planned on issue days only"
    report = run_bill_run(lifecycle.uow_factory, biller.code, cycle.id, lifecycle.clock)
    counts = {
        "bills_issued": report.bills_issued,
        "services_without_usage": report.services_without_usage,
    }
    if lifecycle.switch is not None:
        # The switch presents the bills from its copy: a run is done once it has them.
        # A switch that does not answer fails the job, which is retried (the bill run
        # issues nothing twice and a bill file already applied changes nothing).
        counts["bill_rows_published"] = publish_cycle(
            lifecycle.uow_factory, lifecycle.switch, biller.code, cycle.id
        )
    return counts


def _reminders(lifecycle: Lifecycle, biller: Biller, key: JobKey, now: datetime) -> dict[str, int]:
    return send_reminders(
        lifecycle.uow_factory,
        biller.code,
        key.scheduled_for,
        lifecycle.reminder_days_before,
        now,
        lifecycle.switch,
    )


def _overdue_sweep(
    lifecycle: Lifecycle, biller: Biller, key: JobKey, now: datetime
) -> dict[str, int]:
    return sweep(lifecycle, biller.code, now).counts()


def _collect_payments(
    lifecycle: Lifecycle, biller: Biller, key: JobKey, now: datetime
) -> dict[str, int]:
    if lifecycle.switch is None:
        return {"payment_files": 0}
    report = collect_payments(
        lifecycle.uow_factory, lifecycle.switch, lifecycle.clock, [biller.code]
    )
    return report.counts()


JOBS: dict[JobName, Job] = {
    JobName.BILL_RUN: _bill_run,
    JobName.REMINDERS: _reminders,
    JobName.OVERDUE_SWEEP: _overdue_sweep,
    JobName.COLLECT_PAYMENTS: _collect_payments,
}
# Jobs run again all day, this long after each success (billing/domain/jobs.py).
RECURRING_S: dict[JobName, int] = {JobName.COLLECT_PAYMENTS: limits.payment_collection_interval_s}


@dataclass
class TickReport:
    jobs_run: list[tuple[JobKey, JobStatus]] = field(default_factory=list)
    reviews: ReviewReport = field(default_factory=ReviewReport)
    orders: OrdersReport = field(default_factory=OrdersReport)
    collections: list[tuple[JobKey, JobStatus]] = field(default_factory=list)


@dataclass
class Scheduler:
    lifecycle: Lifecycle
    runner: str  # who runs the jobs (host:pid), recorded with each run
    # Billers in upload mode: their payments are collected as payments files.
    collect_billers: tuple[str, ...] = ()

    def take_over(self) -> int:
        """Called on becoming the leader: runs left `running` are interrupted, so retried."""
        with self.lifecycle.uow_factory() as uow:
            interrupted = uow.jobs.interrupt_running(self.lifecycle.clock.now())
            uow.commit()
        if interrupted:
            log.warning("%d job run(s) of a stopped scheduler will be resumed", interrupted)
        return interrupted

    def tick(self) -> TickReport:
        report = TickReport()
        for key in self.due_jobs():
            report.jobs_run.append((key, self.run_job(key)))
        report.reviews = drain_reconnect_requests(self.lifecycle)
        report.orders = send_orders(self.lifecycle)
        for key in self.due_collections():
            report.collections.append((key, self.run_job(key)))
        return report

    def due_collections(self) -> list[JobKey]:
        """Today's collect_payments of each upload-mode biller, when its time has come."""
        if not self.collect_billers or self.lifecycle.switch is None:
            return []
        now = self.lifecycle.clock.now()
        today = damascus_date(now)
        with self.lifecycle.uow_factory() as uow:
            runs = uow.jobs.since(today)
        keys = [JobKey(today, JobName.COLLECT_PAYMENTS, code) for code in self.collect_billers]
        return [key for key in keys if _recurs(runs.get(key), now)]

    def due_jobs(self) -> list[JobKey]:
        now = self.lifecycle.clock.now()
        first_day = damascus_date(now) - timedelta(days=limits.scheduler_catch_up_days)
        with self.lifecycle.uow_factory() as uow:
            billers = uow.billers.list()
            runs = uow.jobs.since(first_day)
        due = []
        for key in planned_jobs([(b.code, b.calendar) for b in billers], now):
            if _is_due(runs.get(key), now):
                due.append(key)
        return due

    def run_job(self, key: JobKey) -> JobStatus:
        """Run one job key if no other run holds it; its final status."""
        clock = self.lifecycle.clock
        with self.lifecycle.uow_factory() as uow:
            biller = uow.billers.get(key.biller_code)
            started = uow.jobs.start(key, clock.now(), self.runner)
            uow.commit()
        if not started:
            return JobStatus.RUNNING
        try:
            if biller is None:
                raise UnknownBiller(f"unknown biller {key.biller_code!r}")
            counts = JOBS[key.job](self.lifecycle, biller, key, clock.now())
        except Exception as error:  # a job's failure is recorded and retried, never fatal
            with self.lifecycle.uow_factory() as uow:
                attempts = _attempts(uow.jobs.since(key.scheduled_for).get(key))
                retry_at = clock.now() + timedelta(seconds=job_retry_delay_s(attempts))
                _log_failure(key, error, retry_at)
                uow.jobs.finish(key, JobStatus.FAILED, clock.now(), {}, error_text(error), retry_at)
                uow.commit()
            return JobStatus.FAILED
        again_s = RECURRING_S.get(key.job)
        again = None if again_s is None else clock.now() + timedelta(seconds=again_s)
        with self.lifecycle.uow_factory() as uow:
            uow.jobs.finish(key, JobStatus.SUCCEEDED, clock.now(), counts, None, again)
            uow.commit()
        log.info("job %s %s %s: %s", key.job.value, key.biller_code, key.scheduled_for, counts)
        return JobStatus.SUCCEEDED


def _log_failure(key: JobKey, error: Exception, retry_at: datetime) -> None:
    """The switch out of reach is the weak network, not a bug: one line, no traceback."""
    what = f"job {key.job.value} {key.biller_code} {key.scheduled_for} failed"
    if isinstance(error, SwitchUnreachable):
        log.warning("%s: the switch is unreachable (%s); again at %s", what, error, retry_at)
    else:
        log.exception("%s; again at %s", what, retry_at)


def _is_due(run: JobRun | None, now: datetime) -> bool:
    """Never run, interrupted, or failed with its retry time come."""
    if run is None or run.status is JobStatus.INTERRUPTED:
        return True
    retry_at = run.waits_until()
    return run.status is JobStatus.FAILED and (retry_at is None or retry_at <= now)


def _recurs(run: JobRun | None, now: datetime) -> bool:
    """A recurring job: never run today, interrupted, or its next run's time has come."""
    if run is None or run.status is JobStatus.INTERRUPTED:
        return True
    again = run.recurs_at()
    return again is not None and again <= now


def _attempts(run: JobRun | None) -> int:
    return 1 if run is None else run.attempts
