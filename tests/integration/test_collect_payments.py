"""The billing system collects an upload-mode biller's payments files (in process, both
engines): each payment posted once, however often it is collected, and acknowledged."""

from __future__ import annotations

from datetime import timedelta

from fawtara.billing.bootstrap import lifecycle
from fawtara.billing.domain.jobs import JobName, JobStatus
from fawtara.billing.use_cases.collect_payments import collect_payments
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.billing.use_cases.scheduler import Scheduler
from fawtara.kernel.clock import ManualClock
from fawtara.wiring import Platform
from tests.upload_support import UploadWorld, pay, payment_state, sms_queued, upload_world


def collect(world: UploadWorld) -> dict[str, int]:
    platform = world.platform
    report = collect_payments(
        platform.billing_uow_factory(), platform.switch_link, platform.clock, ["ELEC"]
    )
    return report.counts()


def posted_in_billing(platform: Platform, payment_id: str) -> bool:
    with platform.billing_uow(readonly=True) as uow:
        return uow.postings.get(payment_id) is not None


def test_collecting_posts_each_payment_in_billing_and_completes_it_at_the_switch(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    paid = [pay(world.client, meter)["payment_id"] for meter in world.meters[:2]]
    assert not any(posted_in_billing(world.platform, p) for p in paid), "no notice was sent"

    assert collect(world) == {
        "payment_files": 1,
        "payments_posted": 2,
        "payments_replayed": 0,
        "payments_refused": 0,
    }
    for payment_id in paid:
        assert posted_in_billing(world.platform, payment_id)
        assert payment_state(world.platform, payment_id) == "completed"
        assert sms_queued(world.platform, payment_id) == 1
    assert collect(world)["payment_files"] == 0, "nothing left to collect"


def test_a_collection_cut_short_before_its_acknowledgement_posts_nothing_twice(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    payment_id = pay(world.client, world.meters[0])["payment_id"]
    link = world.platform.switch_link
    (downloaded,) = link.payment_files("ELEC", None)
    for command in downloaded.payments:  # posted, then the collector dies before the ack
        post_payment(world.platform.billing_uow(), command, world.platform.clock.now())
    assert payment_state(world.platform, payment_id) == "debited"

    counts = collect(world)
    assert (counts["payment_files"], counts["payments_posted"], counts["payments_replayed"]) == (
        1,
        0,
        1,
    )
    assert payment_state(world.platform, payment_id) == "completed"
    with world.platform.billing_uow(readonly=True) as uow:
        assert uow.postings.get(payment_id) is not None
    assert sms_queued(world.platform, payment_id) == 1


def test_the_scheduler_collects_every_minute_and_records_each_run(
    platform: Platform, clock: ManualClock
) -> None:
    world = upload_world(platform)
    scheduler = Scheduler(lifecycle(world.platform), "s", collect_billers=("ELEC",))
    payment_id = pay(world.client, world.meters[0])["payment_id"]

    first = scheduler.tick().collections
    assert [(key.job, key.biller_code, status) for key, status in first] == [
        (JobName.COLLECT_PAYMENTS, "ELEC", JobStatus.SUCCEEDED)
    ]
    assert payment_state(world.platform, payment_id) == "completed"
    assert scheduler.tick().collections == [], "not again within the minute"
    clock.advance(timedelta(seconds=61))
    assert [status for _, status in scheduler.tick().collections] == [JobStatus.SUCCEEDED]
    with world.platform.billing_uow(readonly=True) as uow:
        (run,) = [r for r in uow.jobs.recent(10) if r.key.job is JobName.COLLECT_PAYMENTS]
    assert (run.status, run.attempts) == (JobStatus.SUCCEEDED, 2)
    assert run.counts["payment_files"] == 0
