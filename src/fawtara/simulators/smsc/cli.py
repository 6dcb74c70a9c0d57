"""The body of `fawtara smsc-sim`, for the Typer app in cli/main.py."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from fawtara.simulators.smsc.app import run_smsc_simulator

SYSTEM_ID_LENGTH_MAX = 15  # SMPP 3.4: system_id is a C-Octet String of at most 16 octets
PASSWORD_LENGTH_MAX = 8  # … and password of at most 9


def parse_accounts(system_id: str, password: str, more: list[str]) -> dict[str, str]:
    """The logins the simulator accepts: `system_id`/`password` first, then each
    `SYSTEM_ID:PASSWORD` of `more`; a system_id named twice with two passwords is refused."""
    accounts = {system_id: password}
    for account in more:
        extra_id, colon, extra_password = account.partition(":")
        if not colon or not extra_id:
            raise typer.BadParameter(
                f"{account!r} is not SYSTEM_ID:PASSWORD", param_hint="--account"
            )
        if accounts.setdefault(extra_id, extra_password) != extra_password:
            raise typer.BadParameter(f"two passwords for {extra_id!r}", param_hint="--account")
    for found_id, found_password in accounts.items():
        if len(found_id) > SYSTEM_ID_LENGTH_MAX or len(found_password) > PASSWORD_LENGTH_MAX:
            raise typer.BadParameter(
                f"{found_id!r}: system_id ≤ {SYSTEM_ID_LENGTH_MAX}, "
                f"password ≤ {PASSWORD_LENGTH_MAX} characters"
            )
    return accounts


def smsc_sim(
    port: Annotated[int, typer.Option(help="SMPP port")] = 2775,
    http_port: Annotated[int, typer.Option(help="HTTP port of /messages and /admin/faults")] = 2776,
    system_id: Annotated[str, typer.Option(help="the first login accepted")] = "fawtara",
    password: Annotated[str, typer.Option(help="its password (≤ 8 characters)")] = "fawtara1",
    account: Annotated[
        list[str] | None,
        typer.Option(help="one more login, SYSTEM_ID:PASSWORD (repeatable), e.g. a biller's"),
    ] = None,
    receipt_delay_ms: Annotated[
        int, typer.Option(help="delay of delivery receipts; negative: none")
    ] = 200,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
) -> None:
    """Run the SMSC simulator (SMPP 3.4 server + HTTP API) until Ctrl-C. Each account gets
    the delivery receipts of its own messages only."""
    accounts = parse_accounts(system_id, password, account or [])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_smsc_simulator(port, http_port, accounts, receipt_delay_ms, host)


def main() -> None:
    typer.run(smsc_sim)
