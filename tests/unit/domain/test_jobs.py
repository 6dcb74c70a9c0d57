"""When the biller jobs are due (billing/domain/jobs.py)."""

from __future__ import annotations

from datetime import date, datetime, time

from fawtara.billing.domain.jobs import (
    JobKey,
    JobName,
    issued_cycle,
    job_retry_delay_s,
    planned_jobs,
)
from fawtara.kernel.billers import CalendarKind
from fawtara.kernel.calendar import DAMASCUS

BILLERS = [("STE", CalendarKind.MONTHLY), ("ELEC", CalendarKind.BIMONTHLY)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=DAMASCUS)


def test_a_cycle_is_issued_on_the_day_after_its_period() -> None:
    assert issued_cycle(CalendarKind.MONTHLY, date(2026, 12, 1)).id == "2026-11"  # type: ignore[union-attr]
    assert issued_cycle(CalendarKind.BIMONTHLY, date(2027, 1, 1)).id == "2026-B6"  # type: ignore[union-attr]
    assert issued_cycle(CalendarKind.BIMONTHLY, date(2026, 12, 1)) is None
    assert issued_cycle(CalendarKind.MONTHLY, date(2026, 12, 2)) is None


def test_jobs_of_the_day_become_due_at_their_damascus_time() -> None:
    day = date(2026, 12, 1)
    early = planned_jobs(BILLERS, at(day, 0, 59), catch_up_days=0)
    assert early == []
    after_bill_run = planned_jobs(BILLERS, at(day, 1, 0), catch_up_days=0)
    assert after_bill_run == [JobKey(day, JobName.BILL_RUN, "STE")]  # ELEC issues bimonthly
    all_day = planned_jobs(BILLERS, at(day, 23), catch_up_days=0)
    assert {k.job for k in all_day} == {JobName.BILL_RUN, JobName.REMINDERS, JobName.OVERDUE_SWEEP}
    assert len(all_day) == 5


def test_missed_days_are_caught_up_except_the_sweep_which_acts_on_the_present() -> None:
    keys = planned_jobs(BILLERS, at(date(2026, 12, 3), 0, 30), catch_up_days=3)
    assert JobKey(date(2026, 12, 1), JobName.BILL_RUN, "STE") in keys
    assert JobKey(date(2026, 12, 2), JobName.REMINDERS, "ELEC") in keys
    assert not [k for k in keys if k.job is JobName.OVERDUE_SWEEP]


def test_failed_jobs_back_off_from_a_minute_to_an_hour() -> None:
    assert [job_retry_delay_s(n) for n in (1, 2, 3)] == [60, 120, 240]
    assert job_retry_delay_s(50) == 3600
