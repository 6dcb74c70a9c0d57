"""Background workers: drive due payments (and, when wired, send SMS) until stopped."""

from __future__ import annotations

import logging
import threading

from fawtara.switch.use_cases.payment_steps import Switch, process_due

log = logging.getLogger("fawtara.worker")

IDLE_SLEEP_S = 0.25  # between rounds that found nothing to do


def run_payment_worker(switch: Switch, stop: threading.Event, once: bool = False) -> int:
    """Drive due payments (unknown outcomes, retries, returns); returns rounds run."""
    rounds = 0
    while not stop.is_set():
        try:
            worked = process_due(switch)
        except Exception:  # a worker must outlive one bad round; the next retries
            log.exception("payment worker round failed")
            worked = 0
        rounds += 1
        if once:
            break
        if not worked:
            stop.wait(IDLE_SLEEP_S)
    return rounds
