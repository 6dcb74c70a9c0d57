"""The SMS worker process: drain the sms.* outbox, submit over SMPP, store receipts.

Run it as `fawtara sms-worker` (the switch's), or beside `fawtara billing serve`.
SIGTERM or SIGINT stops it after the current round. Exit status 78 (EX_CONFIG)
when the SMSC refuses the login: no retry can fix credentials.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from dataclasses import dataclass

from fawtara.sms.bootstrap import (
    SWITCH,
    SmppConfig,
    Stores,
    open_sms_gateway,
    smpp_config,
    sms_uow_factory,
)
from fawtara.sms.use_cases.notifications import (
    ReceiptBacklog,
    SmsGatewayMisconfigured,
    WorkerPolicy,
    work_once,
)

log = logging.getLogger("fawtara.sms.worker")
EXIT_CONFIG_ERROR = 78
RECONNECT_S = 5.0


@dataclass
class WorkerTotals:
    rounds: int = 0
    taken_in: int = 0
    sent: int = 0
    receipts: int = 0
    recovered: int = 0


def run_sms_worker(
    platform: Stores,
    smpp_config: SmppConfig,
    stop_event: threading.Event,
    policy: WorkerPolicy | None = None,
    idle_sleep_s: float = 0.2,
    stop_when_idle: bool = False,
    system: str = SWITCH,
) -> WorkerTotals:
    """Work rounds until stop_event is set (or, with stop_when_idle, a round finds nothing),
    on the outbox of `system`'s store.

    Raises SmsGatewayMisconfigured when the SMSC refuses the login.
    """
    policy = policy or WorkerPolicy()
    uow_factory = sms_uow_factory(platform, system)
    backlog = ReceiptBacklog()
    totals = WorkerTotals()
    gateway = open_sms_gateway(smpp_config)
    try:
        while not stop_event.is_set():
            done = work_once(uow_factory, gateway, platform.clock, policy, backlog)
            totals.rounds += 1
            totals.taken_in += done.taken_in
            totals.sent += done.sent
            totals.receipts += done.receipts
            totals.recovered += done.recovered
            if done.idle:
                if stop_when_idle:
                    break
                stop_event.wait(idle_sleep_s)
    finally:
        gateway.close()
    return totals


def run_sms_worker_until_stopped(
    platform: Stores,
    smpp_config: SmppConfig,
    stop_event: threading.Event,
    system: str = SWITCH,
    reconnect_s: float = RECONNECT_S,
) -> None:
    """`run_sms_worker` beside a service: an SMSC that is not up yet, or that drops the
    link, is tried again every `reconnect_s`; a refused login stops it (logged)."""
    while not stop_event.is_set():
        try:
            run_sms_worker(platform, smpp_config, stop_event, system=system)
        except SmsGatewayMisconfigured as error:
            log.critical("%s SMS worker stopped: %s", system, error)
            return
        except Exception as error:  # an SMSC down or gone: wait, then bind again
            log.warning("%s SMS worker: no SMSC (%s); again in %.0f s", system, error, reconnect_s)
            stop_event.wait(reconnect_s)


def main(platform: Stores) -> None:
    """`fawtara sms-worker`: the switch's SMS worker on `platform` until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop_event = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop_event.set())
    try:
        totals = run_sms_worker(platform, smpp_config(), stop_event)
    except SmsGatewayMisconfigured as error:
        log.critical("SMS worker stopped: %s", error)
        sys.exit(EXIT_CONFIG_ERROR)
    log.info("SMS worker stopped: %s", totals)
