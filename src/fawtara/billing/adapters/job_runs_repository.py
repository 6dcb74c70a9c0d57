"""`job_runs`: one row per (job, biller, day), its status, tries and counts.

Starting a run is a compare-and-set: a new key is inserted (ON CONFLICT DO
NOTHING), an existing one moves to `running` only from `failed` (its retry
time come) or `interrupted`. Two schedulers that both believe they lead can
therefore never run the same key at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from fawtara.billing.domain.jobs import JobKey, JobName, JobRun, JobStatus
from fawtara.kernel import limits
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict


def _run(row: Any) -> JobRun:
    return JobRun(
        key=JobKey(row.scheduled_for, JobName(row.job), row.biller_code),
        status=JobStatus(row.status),
        attempts=row.attempts,
        started_at=row.started_at,
        finished_at=row.finished_at,
        next_attempt_at=row.next_attempt_at,
        counts=dict(row.counts or {}),
        error=row.error,
        runner=row.runner,
    )


class SqlJobRunRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _key(self, key: JobKey) -> Any:
        j = t.job_runs.c
        return (
            (j.job == key.job.value)
            & (j.biller_code == key.biller_code)
            & (j.scheduled_for == key.scheduled_for)
        )

    def since(self, day: date) -> dict[JobKey, JobRun]:
        query = select(t.job_runs).where(t.job_runs.c.scheduled_for >= day)
        runs = [_run(row) for row in self.connection.execute(query)]
        return {run.key: run for run in runs}

    def start(self, key: JobKey, now: datetime, runner: str) -> bool:
        """Take the key to `running`; False when another run holds it or it succeeded."""
        if insert_ignoring_conflict(
            self.connection,
            t.job_runs,
            {
                "job": key.job.value,
                "biller_code": key.biller_code,
                "scheduled_for": key.scheduled_for,
                "status": JobStatus.RUNNING.value,
                "attempts": 1,
                "started_at": now,
                "counts": {},
                "runner": limits.clip(runner, limits.job_runner_length_max),
            },
        ):
            return True
        j = t.job_runs.c
        retry = or_(
            j.status == JobStatus.INTERRUPTED.value,
            (j.status == JobStatus.FAILED.value) & (j.next_attempt_at <= now),
            # A recurring job (collect_payments) succeeded with its next run's time.
            (j.status == JobStatus.SUCCEEDED.value) & (j.next_attempt_at <= now),
        )
        moved = self.connection.execute(
            update(t.job_runs)
            .where(self._key(key), retry)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=j.attempts + 1,
                started_at=now,
                finished_at=None,
                next_attempt_at=None,
                runner=limits.clip(runner, limits.job_runner_length_max),
            )
        )
        return moved.rowcount == 1

    def finish(
        self,
        key: JobKey,
        status: JobStatus,
        now: datetime,
        counts: dict[str, int],
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        j = t.job_runs.c
        self.connection.execute(
            update(t.job_runs)
            .where(self._key(key), j.status == JobStatus.RUNNING.value)
            .values(
                status=status.value,
                finished_at=now,
                counts=counts,
                error=None if error is None else limits.clip(error, limits.detail_length_max),
                next_attempt_at=next_attempt_at,
            )
        )

    def interrupt_running(self, now: datetime) -> int:
        """Runs left `running` by a scheduler that died: tried again at once."""
        j = t.job_runs.c
        result = self.connection.execute(
            update(t.job_runs)
            .where(j.status == JobStatus.RUNNING.value)
            .values(
                status=JobStatus.INTERRUPTED.value,
                finished_at=now,
                error="interrupted: its scheduler stopped before it finished",
            )
        )
        return int(result.rowcount)

    def recent(self, limit: int) -> list[JobRun]:
        j = t.job_runs.c
        query = select(t.job_runs).order_by(j.started_at.desc(), j.id.desc()).limit(limit)
        return [_run(row) for row in self.connection.execute(query)]
