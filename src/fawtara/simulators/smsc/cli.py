"""The body of `fawtara smsc-sim`, for the Typer app in cli/main.py."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from fawtara.simulators.smsc.app import run_smsc_simulator


def smsc_sim(
    port: Annotated[int, typer.Option(help="SMPP port")] = 2775,
    http_port: Annotated[int, typer.Option(help="HTTP port of /messages and /admin/faults")] = 2776,
    system_id: Annotated[str, typer.Option(help="the one login accepted")] = "fawtara",
    password: Annotated[str, typer.Option(help="its password (≤ 8 characters)")] = "fawtara1",
    receipt_delay_ms: Annotated[
        int, typer.Option(help="delay of delivery receipts; negative: none")
    ] = 200,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
) -> None:
    """Run the SMSC simulator (SMPP 3.4 server + HTTP API) until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_smsc_simulator(port, http_port, system_id, password, receipt_delay_ms, host)


def main() -> None:
    typer.run(smsc_sim)
