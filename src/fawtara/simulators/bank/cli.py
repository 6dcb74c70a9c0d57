"""Starting the bank simulator: `run_bank_simulator` and the `fawtara bank-sim` command body."""

from __future__ import annotations

import re
from pathlib import Path

import uvicorn

from fawtara.simulators.bank.app import create_bank_app
from fawtara.simulators.bank.consent import ConsentPolicy
from fawtara.simulators.bank.store import BankStore

# Bank codes as the switch's registry spells them: CBSY, BEMO, BARAKA.
BANK_CODE = re.compile(r"[A-Z0-9]{2,11}", re.ASCII)
SHUTDOWN_GRACE_S = 3


def run_bank_simulator(
    bank_code: str,
    port: int,
    database: Path,
    host: str = "127.0.0.1",
    consent: str = "off",
) -> None:
    """Serve one simulated bank until interrupted; its books live in `database`.

    `consent` is the consent policy: off, all or third-party (consent.py).
    """
    store = BankStore(database, bank_code)
    app = create_bank_app(store, consent=ConsentPolicy.named(consent))
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )


def bank_sim_command(
    bank: str, port: int, database: Path, host: str = "127.0.0.1", consent: str = "off"
) -> None:
    """The body of `fawtara bank-sim`; bad arguments raise ValueError with one line."""
    code = bank.upper()
    if not BANK_CODE.fullmatch(code):
        raise ValueError(f"bank code {bank!r} must be 2 to 11 letters or digits")
    if not 1 <= port <= 65_535:
        raise ValueError(f"port {port} is not a TCP port")
    if database.exists() and not database.is_file():
        raise ValueError(f"database {database} exists and is not a file")
    ConsentPolicy.named(consent)  # a wrong name fails here, before the port is taken
    print(
        f"bank simulator {code} on http://{host}:{port} (books in {database}, consent {consent})",
        flush=True,
    )
    run_bank_simulator(code, port, database, host, consent)
