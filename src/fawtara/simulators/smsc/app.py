"""The simulator process: the SMPP server and the HTTP API on one event loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from functools import partial

from fawtara.simulators.smsc.server import SmscSimulator
from fawtara.simulators.smsc.web import handle_http

log = logging.getLogger("fawtara.simulators.smsc")
DEMO_ACCOUNTS = {"fawtara": "fawtara1"}


async def serve_smsc(
    smpp_port: int,
    http_port: int,
    accounts: Mapping[str, str],
    receipt_delay_ms: int,
    host: str = "127.0.0.1",
    stop: asyncio.Event | None = None,
) -> None:
    """Serve the logins `accounts` (system_id → password) until `stop` is set (or the task
    is cancelled)."""
    smsc = SmscSimulator(accounts, receipt_delay_ms)
    smpp = await asyncio.start_server(smsc.handle, host, smpp_port)
    web = await asyncio.start_server(partial(handle_http, smsc), host, http_port)
    log.info(
        "SMSC simulator: SMPP on %s:%s, HTTP on %s:%s, accounts %s, receipts after %s ms",
        host,
        smpp_port,
        host,
        http_port,
        ", ".join(repr(system_id) for system_id in accounts),
        receipt_delay_ms,
    )
    stop = stop or asyncio.Event()
    async with smpp, web:
        await stop.wait()


def run_smsc_simulator(
    smpp_port: int = 2775,
    http_port: int = 2776,
    accounts: Mapping[str, str] | None = None,
    receipt_delay_ms: int = 200,
    host: str = "127.0.0.1",
) -> None:
    """Run the simulator in this process until SIGTERM or SIGINT."""
    logins = dict(accounts or DEMO_ACCOUNTS)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve_smsc(smpp_port, http_port, logins, receipt_delay_ms, host, stop)

    asyncio.run(main())
