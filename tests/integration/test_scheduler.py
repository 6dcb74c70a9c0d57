"""The scheduler: one leader at a time, every run recorded, a killed job resumed once."""

from __future__ import annotations

import logging
import threading
from datetime import date

import pytest
from sqlalchemy import select

from fawtara.billing.adapters.leader import leader_lock
from fawtara.billing.domain.jobs import JobName, JobStatus
from fawtara.billing.use_cases import lifecycle as lifecycle_module
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.billing.use_cases.scheduler import Scheduler
from fawtara.storage import tables as t
from fawtara.wiring import Platform
from tests.lifecycle_support import LifecycleWorld, damascus

SWEEP_DAY = date(2026, 12, 4)  # the test biller's bills of 2026-10 are overdue from here


@pytest.fixture
def world(platform: Platform) -> LifecycleWorld:
    world = LifecycleWorld(platform, services=4)
    world.clock.set(damascus(date(2026, 11, 1), 2))
    world.issue("2026-10")
    world.clock.set(damascus(SWEEP_DAY, 10, 30))
    return world


def runs(world: LifecycleWorld) -> list[dict[str, object]]:
    with world.platform.billing_store().connect() as connection:
        return [dict(r) for r in connection.execute(select(t.job_runs)).mappings()]


def test_only_one_lock_holder_at_a_time(platform: Platform) -> None:
    first, second = leader_lock(platform.billing_store()), leader_lock(platform.billing_store())
    try:
        assert first.try_acquire() and first.holds()
        assert not second.try_acquire() and not second.holds()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_two_schedulers_racing_run_each_job_once(world: LifecycleWorld) -> None:
    barrier = threading.Barrier(2)
    led: list[str] = []

    def contender(name: str) -> None:
        lock = leader_lock(world.platform.billing_store())
        barrier.wait()
        if lock.try_acquire():
            try:
                scheduler = Scheduler(world.lifecycle, name)
                scheduler.take_over()
                scheduler.tick()
                led.append(name)
            finally:
                lock.release()

    threads = [threading.Thread(target=contender, args=(f"s{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(led) == 1
    recorded = runs(world)
    assert recorded and {r["runner"] for r in recorded} == set(led)
    assert all(r["attempts"] == 1 and r["status"] == "succeeded" for r in recorded)
    sweep_run = next(r for r in recorded if r["job"] == "overdue_sweep")
    assert sweep_run["counts"]["suspended"] == 4  # type: ignore[index]


def test_two_schedulers_in_sequence_do_not_repeat_a_succeeded_job(world: LifecycleWorld) -> None:
    Scheduler(world.lifecycle, "first").tick()
    before = runs(world)
    report = Scheduler(world.lifecycle, "second").tick()
    assert report.jobs_run == []
    assert runs(world) == before


class Killed(BaseException):
    """The process dies here: nothing after this line of the job runs or is recorded."""


def test_a_job_killed_half_way_is_resumed_and_issues_nothing_twice(
    world: LifecycleWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle_module.limits, "lifecycle_batch_rows", 1)
    real_review = lifecycle_module.review
    calls = {"n": 0}

    def dies_on_the_third_batch(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real_review(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle_module, "review", dies_on_the_third_batch)
    with pytest.raises(Killed):
        Scheduler(world.lifecycle, "dies").tick()
    killed = next(r for r in runs(world) if r["job"] == JobName.OVERDUE_SWEEP.value)
    assert killed["status"] == JobStatus.RUNNING.value
    assert len(world.suspensions()) == 2  # two whole batches were committed

    monkeypatch.setattr(lifecycle_module, "review", real_review)
    successor = Scheduler(world.lifecycle, "successor")
    assert successor.take_over() == 1
    successor.tick()
    resumed = next(r for r in runs(world) if r["job"] == JobName.OVERDUE_SWEEP.value)
    assert resumed["status"] == "succeeded" and resumed["attempts"] == 2
    assert resumed["counts"]["suspended"] == 2  # type: ignore[index]
    assert len(world.suspensions()) == 4
    assert world.count(t.provisioning_orders) == 4
    assert len(world.outbox("sms.service_suspended")) == 4
    assert len(world.network.orders) == 4 and world.network.duplicates == 0


def test_a_job_that_cannot_reach_the_switch_logs_one_warning_not_a_traceback(
    world: LifecycleWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_switch(*args: object, **kwargs: object) -> object:
        raise SwitchUnreachable("ConnectError: [Errno 111] Connection refused")

    monkeypatch.setattr(lifecycle_module, "review", no_switch)
    with caplog.at_level(logging.WARNING, logger="fawtara.scheduler"):
        Scheduler(world.lifecycle, "s").tick()
    (record,) = [r for r in caplog.records if r.name == "fawtara.scheduler"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "switch is unreachable" in record.getMessage()
    failed = next(r for r in runs(world) if r["job"] == "overdue_sweep")
    assert failed["status"] == "failed"


def test_a_failing_job_is_recorded_and_retried_after_its_backoff(
    world: LifecycleWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("billing database unreachable")

    monkeypatch.setattr(lifecycle_module, "review", broken)
    scheduler = Scheduler(world.lifecycle, "s")
    scheduler.tick()
    failed = next(r for r in runs(world) if r["job"] == "overdue_sweep")
    assert failed["status"] == "failed" and "unreachable" in str(failed["error"])
    monkeypatch.undo()
    assert scheduler.tick().jobs_run == []  # waits for its retry time (1 min)
    world.clock.set(damascus(SWEEP_DAY, 10, 32))
    statuses = [status for _, status in scheduler.tick().jobs_run]
    assert statuses == [JobStatus.SUCCEEDED]
    retried = next(r for r in runs(world) if r["job"] == "overdue_sweep")
    assert retried["attempts"] == 2 and retried["error"] is None
