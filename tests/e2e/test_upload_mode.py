"""An upload-mode biller end to end: a payment made at the switch waits for its payments
file, the billing system collects it over the real HTTP link (or from the CLI), and only
then does the subscriber's SMS confirmation go."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fawtara.billing.adapters.switch_link.http import HttpSwitchLink
from fawtara.billing.use_cases.collect_payments import collect_payments
from fawtara.config import Settings
from fawtara.kernel.clock import ManualClock
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.sms.use_cases.notifications import ReceiptBacklog, WorkerPolicy, work_once
from fawtara.switch.use_cases.payment_history import payment_history
from fawtara.wiring import Platform, bootstrap
from tests.smsc_support import Smsc, fresh, running_smsc, wait_until
from tests.upload_support import pay, payment_state, sms_queued, upload_world

FAWTARA = str(Path(sys.executable).parent / "fawtara")


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    with running_smsc() as running:
        yield running


def send_sms(platform: Platform, smsc: Smsc, payment_id: str, timeout_s: float) -> bool:
    """Run the switch's SMS worker against the SMSC simulator; True once the payment's SMS
    is delivered (a receipt for every part), False when `timeout_s` passes first."""
    policy = WorkerPolicy(backoff_ms_min=50, backoff_ms_max=200, receipt_match_grace_s=5)
    backlog = ReceiptBacklog()

    def delivered() -> bool:
        work_once(
            lambda: SqlSmsUnitOfWork(platform.engine), gateway, platform.clock, policy, backlog
        )
        sms = payment_history(platform.uow(readonly=True), payment_id).sms
        return bool(sms) and sms[0].state == "delivered"

    with SmppGateway(fresh(smsc).config()) as gateway:
        try:
            wait_until(delivered, timeout_s=timeout_s, step_s=0.02)
        except AssertionError:
            return False
    return True


def test_a_payment_is_posted_by_the_collector_over_http_and_then_confirmed_by_sms(
    platform: Platform, smsc: Smsc
) -> None:
    world = upload_world(platform)
    link = HttpSwitchLink("http://testserver", {"ELEC": "ELEC.elec-secret"}, 5.0)
    link.client = world.client  # the switch's real FastAPI app, over HTTP (httpx)
    payment_id = pay(world.client, world.meters[0])["payment_id"]
    assert payment_state(world.platform, payment_id) == "debited"
    assert sms_queued(world.platform, payment_id) == 0, "no SMS before the biller has it"
    assert not send_sms(world.platform, smsc, payment_id, timeout_s=0.5)

    report = collect_payments(
        world.platform.billing_uow_factory(), link, world.platform.clock, ["ELEC"]
    )
    assert [(f.posted, f.replayed, f.refused) for f in report.files] == [(1, 0, ())]
    with world.platform.billing_uow(readonly=True) as uow:
        posting = uow.postings.get(payment_id)
    assert posting is not None, "the billing system has the payment"
    assert payment_state(world.platform, payment_id) == "completed"
    assert sms_queued(world.platform, payment_id) == 1
    assert send_sms(world.platform, smsc, payment_id, timeout_s=15), "the SMS confirmation"
    again = collect_payments(
        world.platform.billing_uow_factory(), link, world.platform.clock, ["ELEC"]
    )
    assert again.files == []


def run(switch_db: Path, billing_db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FAWTARA_DATABASE_URL": f"sqlite:///{switch_db}",
        "FAWTARA_BILLING_DATABASE_URL": f"sqlite:///{billing_db}",
        "FAWTARA_SWITCH_URL": "",
        "FAWTARA_BILLER_LINKS": "ELEC=upload",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [FAWTARA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_collect_payments_on_demand_says_what_each_file_brought(tmp_path: Path) -> None:
    switch_db, billing_db = tmp_path / "switch.db", tmp_path / "billing.db"
    assert run(switch_db, billing_db, "db", "upgrade").returncode == 0
    assert run(switch_db, billing_db, "billing", "db", "upgrade").returncode == 0
    settings = Settings(
        f"sqlite:///{switch_db}", "127.0.0.1", 8000, billing_database_url=f"sqlite:///{billing_db}"
    )
    platform = bootstrap(settings, ManualClock(datetime(2026, 11, 1, 7, tzinfo=UTC)))
    world = upload_world(platform)
    payment_id = pay(world.client, world.meters[0])["payment_id"]
    platform.engine.dispose()

    done = run(switch_db, billing_db, "billing", "collect-payments")
    assert done.returncode == 0, done.stderr
    line = r"ELEC PF-ELEC-\d{8}-01: 1 posted, 0 already posted, 0 refused; acknowledged"
    assert re.search(line, done.stdout), done.stdout
    assert payment_state(world.platform, payment_id) == "completed"
    again = run(switch_db, billing_db, "billing", "collect-payments")
    assert again.returncode == 0 and "0 payments file(s) of ELEC" in again.stdout
