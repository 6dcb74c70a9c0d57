"""A world for the subscriber portal: the switch, a real bank simulator that wants
consent for the debits a third party initiates (as under `fawtara up`), and the
SMSC simulator it texts the one-time codes through."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.receipts.bootstrap import init_switch_keys
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform
from tests.smsc_support import BANK_PASSWORD, BANK_SYSTEM_ID, Smsc, free_port, wait_until
from tests.support import build_world, usage_rows

ACCOUNT, HOLDER_MSISDN = "1100000001", "+963944000001"


@contextmanager
def running_bank(smsc: Smsc, database: Path, consent: str = "third-party") -> Iterator[str]:
    """`python -m fawtara.simulators.bank` for BEMO, texting codes through `smsc`."""
    port = free_port()
    command = [sys.executable, "-m", "fawtara.simulators.bank", "--bank", "BEMO"]
    command += ["--port", str(port), "--database", str(database), "--consent", consent]
    environment = dict(os.environ, FAWTARA_SMSC_PORT=str(smsc.smpp_port))
    environment.update(
        FAWTARA_BANK_SMSC_SYSTEM_ID=BANK_SYSTEM_ID, FAWTARA_BANK_SMSC_PASSWORD=BANK_PASSWORD
    )
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, "the bank simulator exited"
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, timeout_s=20)
        account = {"number": ACCOUNT, "holder_name": "مشترك", "msisdn": HOLDER_MSISDN}
        httpx.post(f"{url}/admin/accounts", json=[{**account, "balance_minor": 5_000_000}])
        yield url
    finally:
        process.terminate()
        process.wait(10)


def portal_world(platform: Platform, bank_url: str, keys_dir: Path) -> tuple[Platform, str]:
    """ELEC bills for one meter (two cycles), PORTAL and BEMO registered, the switch's
    receipt keys made in `keys_dir`; the platform wired to the bank, and the meter's number."""
    world = build_world(platform, electricity_services=1)
    for participant in (
        Participant("BEMO", ParticipantKind.BANK, "بنك بيمو", "Bemo", ("bank",)),
        Participant("PORTAL", ParticipantKind.CHANNEL, "بوابة فوترة", "Portal", ("portal",)),
    ):
        register_participant(platform.uow(), participant, platform.clock, secret="secret")
    for cycle in ("2026-B4", "2026-B5"):
        rows = usage_rows([("ELEC", cycle, world.meters[0], "400")])
        import_usage(platform.billing_uow_factory(), rows, f"{cycle}.csv", platform.clock)
        run_bill_run(platform.billing_uow_factory(), "ELEC", cycle, platform.clock)
    settings = dataclasses.replace(
        platform.settings, banks=(("BEMO", bank_url),), keys_dir=keys_dir
    )
    init_switch_keys(settings)
    return dataclasses.replace(platform, settings=settings), world.meters[0]


def code_sent_to(smsc: Smsc, msisdn: str) -> str:
    """The newest one-time code the SMSC carried to `msisdn`."""
    wait_until(lambda: any(m["to"].lstrip("+") == msisdn.lstrip("+") for m in smsc.messages()))
    texts = [m["text"] for m in smsc.messages() if m["to"].lstrip("+") == msisdn.lstrip("+")]
    found = re.findall(r"\b(\d{6})\b", texts[-1])
    assert found, texts[-1]
    return str(found[-1])
