"""`fawtara up`: the whole platform in one process tree, for a newcomer's demo.

The switch's API and workers (payments, SMS) run here; the billers' billing system
(`fawtara billing serve`: the Biller API and the biller's scheduled jobs, on its own
store var/billing.db) and the systems the switch does not own (the banks, the
operator's SMSC) run as child processes, each with its own state under
FAWTARA_VAR_DIR (./var/), as is the demo counter station's journal. Ctrl-C stops
everything. The banks want the account holder's one-time code for the debits a third
party (the portal) initiates, not for their own app's (docs/BANKS.md, "Consent").
The ports come from the settings (FAWTARA_PORT, FAWTARA_BILLING_PORT, FAWTARA_BANKS,
FAWTARA_SMSC_PORT, FAWTARA_SMSC_HTTP_PORT, FAWTARA_STATION_PORT), so a second
instance can run beside the demo. The switch and the billing system bind to the
simulated SMSC with logins of their own (FAWTARA_SMSC_SYSTEM_ID and
FAWTARA_BILLING_SMSC_SYSTEM_ID), as two customers of the operator do, and so do
the bank simulators texting one-time codes (FAWTARA_BANK_SMSC_SYSTEM_ID): each
gets the delivery receipts of its own messages.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from fawtara.demo.bank_accounts import demo_accounts
from fawtara.demo.counters import demo_counter_key
from fawtara.sms.bootstrap import BANKS, BILLING, SmppConfig, login_environment, smpp_config
from fawtara.sms.entrypoints.sms_worker import run_sms_worker
from fawtara.switch.entrypoints.workers import run_payment_worker
from fawtara.wiring import Platform

log = logging.getLogger("fawtara.up")

PR_SET_PDEATHSIG = 1
CHILD_START_S_MAX = 30  # a simulator not healthy by then is reported, not awaited
# Open banking: the portal's debits need the holder's one-time code, the bank's own app's not.
CONSENT = ("--consent", "third-party")


def fawtara_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from fawtara.cli.main import main; main()", *args]


def demo_station_command(platform: Platform, switch_port: int) -> list[str]:
    """The station of the demo counter DAM01: its page, its local journal, its sync."""
    settings = platform.settings
    return fawtara_command(
        "counter-station",
        "--counter",
        "DAM01",
        "--switch",
        f"http://127.0.0.1:{switch_port}",
        "--api-key",
        demo_counter_key("DAM01"),
        "--db",
        str(settings.var_dir / "station-DAM01.db"),
        "--port",
        str(settings.station_port),
        "--keys-dir",
        str(settings.keys_dir),
    )


def smsc_command(switch: SmppConfig, others: list[SmppConfig], http_port: int) -> list[str]:
    """The simulated SMSC with an account per sender of SMS, the switch's first, then the
    billing system's and the banks': each gets the delivery receipts of its own messages."""
    accounts = [f"--account={other.system_id}:{other.password}" for other in others]
    return fawtara_command(
        "smsc-sim",
        "--port",
        str(switch.port),
        "--http-port",
        str(http_port),
        "--system-id",
        switch.system_id,
        "--password",
        switch.password,
        *accounts,
    )


def local_banks(platform: Platform) -> dict[str, str]:
    """The configured banks that live on this machine: the simulators to start."""
    return {
        code: url
        for code, url in platform.settings.banks
        if urlsplit(url).hostname in ("127.0.0.1", "localhost")
    }


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM when `fawtara up` dies, even by SIGKILL."""
    # Elsewhere than Linux the children are still terminated on a normal exit.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def children(
    commands: list[list[str]], environment: Mapping[str, str] | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = [
        subprocess.Popen(command, env=environment, preexec_fn=_die_with_parent)
        for command in commands
    ]
    try:
        yield started
    finally:
        for child in started:
            child.terminate()
        for child in started:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def wait_healthy(urls: list[str]) -> None:
    deadline = time.monotonic() + CHILD_START_S_MAX
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        for url in list(pending):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    pending.remove(url)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    if pending:
        raise RuntimeError(f"simulators not healthy after {CHILD_START_S_MAX} s: {pending}")


def open_demo_accounts(platform: Platform, banks: dict[str, str]) -> None:
    """Open the demo subscribers' accounts once; a second run keeps the balances."""
    for code, rows in demo_accounts(platform).items():
        if code not in banks or not rows:
            continue
        base = banks[code]
        if httpx.get(f"{base}/admin/accounts/{rows[0]['number']}", timeout=5).status_code == 200:
            continue
        for start in range(0, len(rows), 500):
            response = httpx.post(
                f"{base}/admin/accounts", json=rows[start : start + 500], timeout=30
            )
            response.raise_for_status()
        log.info("opened %d demo accounts at %s", len(rows), code)


def run_platform(platform: Platform, host: str, port: int) -> None:
    import uvicorn

    from fawtara.switch.entrypoints.api.app import create_app

    banks = local_banks(platform)
    sms, billing_sms, bank_sms = smpp_config(), smpp_config(BILLING), smpp_config(BANKS)
    settings = platform.settings
    smsc_view = f"http://127.0.0.1:{settings.smsc_http_port}"
    commands = [
        fawtara_command(
            "bank-sim",
            "--bank",
            code,
            "--port",
            str(urlsplit(url).port or 80),
            "--database",
            str(settings.var_dir / f"bank-{code}.db"),
            *CONSENT,
        )
        for code, url in banks.items()
    ]
    commands.append(smsc_command(sms, [billing_sms, bank_sms], settings.smsc_http_port))
    commands.append(demo_station_command(platform, port))
    # The billers' billing system, a service of its own (its store, its Biller API, its jobs).
    billing = f"http://127.0.0.1:{settings.billing_port}"
    commands.append(fawtara_command("billing", "serve", "--port", str(settings.billing_port)))
    # The billing service and the banks read their own logins from these.
    environment = {
        **os.environ,
        **login_environment(BILLING, billing_sms),
        **login_environment(BANKS, bank_sms),
    }
    with children(commands, environment):
        wait_healthy([*banks.values(), smsc_view, billing])
        log.info("the billing system (Biller API): %s", billing)
        log.info("the counter DAM01 (cashier rana): http://127.0.0.1:%d", settings.station_port)
        open_demo_accounts(platform, banks)
        bank = platform.bank_gateway()
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=run_payment_worker,
                args=(platform.switch(bank), stop),
                name="payment-worker",
                daemon=True,
            ),
            threading.Thread(
                target=run_sms_worker, args=(platform, sms, stop), name="sms-worker", daemon=True
            ),
        ]
        for worker in workers:
            worker.start()
        log.info("SMS received by the simulated SMSC: %s/messages", smsc_view)
        try:
            uvicorn.run(
                create_app(platform, bank), host=host, port=port, log_level="info", log_config=None
            )
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
