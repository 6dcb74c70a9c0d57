"""The SMSC simulator in a subprocess of its own, on free loopback ports, for tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fawtara.sms.adapters.config import SmppConfig

SYSTEM_ID, PASSWORD = "fawtara", "secret1"
# A second account, as the billing system has its own at the operator's SMSC.
BILLING_SYSTEM_ID, BILLING_PASSWORD = "fawtara-billing", "secret2"
BANK_SYSTEM_ID, BANK_PASSWORD = "fawtara-banks", "secret3"  # the bank simulators' codes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Smsc:
    smpp_port: int
    http_port: int
    process: subprocess.Popen[bytes]

    def config(self, **changes: Any) -> SmppConfig:
        options: dict[str, Any] = {
            "port": self.smpp_port,
            "system_id": SYSTEM_ID,
            "password": PASSWORD,
            "rebind_backoff_s_min": 0.05,
            "rebind_backoff_s_max": 0.5,
            "response_timeout_s": 5.0,
            "part_deadline_s": 5.0,
        }
        options.update(changes)
        return SmppConfig(**options)

    def billing_config(self, **changes: Any) -> SmppConfig:
        """The login of the second account (the billing system's)."""
        return self.config(system_id=BILLING_SYSTEM_ID, password=BILLING_PASSWORD, **changes)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def messages(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call("GET", "/messages")
        return result

    def reset(self) -> None:
        self.call("POST", "/admin/reset", {})

    def faults(self, **faults: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", "/admin/faults", faults)
        return result


def wait_until(
    condition: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(step_s)


def fresh(smsc: Smsc) -> Smsc:
    """A module's simulator, reset for the next test (no messages, faults or receipts left)."""
    smsc.reset()
    return smsc


@contextmanager
def running_smsc(receipt_delay_ms: int = 50) -> Iterator[Smsc]:
    smpp_port, http_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "fawtara.simulators.smsc",
        "--port",
        str(smpp_port),
        "--http-port",
        str(http_port),
        "--system-id",
        SYSTEM_ID,
        "--password",
        PASSWORD,
        "--account",
        f"{BILLING_SYSTEM_ID}:{BILLING_PASSWORD}",
        "--account",
        f"{BANK_SYSTEM_ID}:{BANK_PASSWORD}",
        "--receipt-delay-ms",
        str(receipt_delay_ms),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ)
    )
    smsc = Smsc(smpp_port, http_port, process)
    try:

        def healthy() -> bool:
            try:
                return bool(smsc.call("GET", "/healthz")["status"] == "ok")
            except OSError:
                assert process.poll() is None, "the simulator exited"
                return False

        wait_until(healthy, timeout_s=15)
        yield smsc
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
