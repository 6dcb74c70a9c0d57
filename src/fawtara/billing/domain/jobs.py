"""The biller jobs the scheduler runs, and when.

Every job is keyed by (job, biller, Damascus day it is scheduled for): that
key is unique in `job_runs`, so a job runs to success once per day, and a
rerun after a crash is the same job, not a second one. Jobs are idempotent,
so a rerun finishes what a killed run left.

| job            | when (Damascus)           | what                                          |
|----------------|---------------------------|-----------------------------------------------|
| bill_run       | 01:00 on a cycle's issue day | `run_bill_run` for the cycle issued that day |
| reminders      | 09:00 daily               | SMS for bills due in N days, and newly overdue |
| overdue_sweep | 10:00 daily | suspend, reconnect, undo (billing/domain/lifecycle.py) |
| collect_payments | every minute, all day   | payments files of upload-mode billers     |

`collect_payments` recurs (`limits.payment_collection_interval_s`): its row of
the day is run again once its `next_attempt_at` has come (a succeeded run sets
it; `attempts` counts the day's runs), and it is not planned by `planned_jobs`
(nothing to catch up: each run collects whatever is open).

A day missed while no scheduler ran is caught up for `limits.scheduler_catch_up_days`
(bill runs and reminders; the sweep always acts on the present, so only
today's runs).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.kernel.billers import CalendarKind
from fawtara.kernel.calendar import DAMASCUS, Cycle, cycle_containing


class JobName(enum.StrEnum):
    BILL_RUN = "bill_run"
    REMINDERS = "reminders"
    OVERDUE_SWEEP = "overdue_sweep"
    COLLECT_PAYMENTS = "collect_payments"  # recurring, see above


class JobStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # retried after a backoff
    INTERRUPTED = "interrupted"  # its scheduler died; retried at once


# Damascus time of day at which each job of a day becomes due.
JOB_TIMES: dict[JobName, time] = {
    JobName.BILL_RUN: time(1, 0),
    JobName.REMINDERS: time(9, 0),
    JobName.OVERDUE_SWEEP: time(10, 0),
}


@dataclass(frozen=True, slots=True, order=True)
class JobKey:
    scheduled_for: date
    job: JobName
    biller_code: str


def issued_cycle(calendar: CalendarKind, day: date) -> Cycle | None:
    """The cycle issued on `day` (the first day after its period), or None."""
    cycle = cycle_containing(calendar, day - timedelta(days=1))
    return cycle if cycle.issued_on == day else None


def planned_jobs(
    billers: Iterable[tuple[str, CalendarKind]],
    now: datetime,
    catch_up_days: int = limits.scheduler_catch_up_days,
) -> list[JobKey]:
    """Every job due by `now`, oldest first, whatever has run already."""
    assert now.tzinfo is not None
    local = now.astimezone(DAMASCUS)
    today = local.date()
    planned: list[JobKey] = []
    for code, calendar in billers:
        for back in range(catch_up_days, -1, -1):
            day = today - timedelta(days=back)
            for job, at in JOB_TIMES.items():
                if day == today and local.time() < at:
                    continue
                if job is JobName.OVERDUE_SWEEP and day != today:
                    continue
                if job is JobName.BILL_RUN and issued_cycle(calendar, day) is None:
                    continue
                planned.append(JobKey(day, job, code))
    return sorted(planned)


def job_retry_delay_s(attempts: int) -> int:
    """A failed job waits 1, 2, 4 … minutes, capped, before the next try."""
    return int(
        backoff_s(attempts, limits.job_retry_backoff_s_first, limits.job_retry_backoff_s_max)
    )


@dataclass(frozen=True, slots=True)
class JobRun:
    """One row of `job_runs`: the latest try of a job key and its outcome."""

    key: JobKey
    status: JobStatus
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    next_attempt_at: datetime | None
    counts: dict[str, int]
    error: str | None
    runner: str

    def recurs_at(self) -> datetime | None:
        """When a recurring job may run again (None: running, or not recurring)."""
        done = (JobStatus.SUCCEEDED, JobStatus.FAILED)
        return self.next_attempt_at if self.status in done else None

    def waits_until(self) -> datetime | None:
        """When a failed run may be tried again (None: it is not waiting)."""
        return self.next_attempt_at if self.status is JobStatus.FAILED else None
