"""`python -m fawtara.simulators.bank --bank CBSY --port 8101 --database var/bank-CBSY.db`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fawtara.simulators.bank.cli import bank_sim_command
from fawtara.simulators.bank.consent import POLICIES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fawtara.simulators.bank")
    parser.add_argument("--bank", required=True, help="the bank's code, e.g. CBSY")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--database", type=Path, required=True, help="its own SQLite file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--consent",
        choices=POLICIES,
        default="off",
        help="which pull debits need the holder's one-time code: none, all, or those a third"
        " party initiated",
    )
    parser.add_argument("--require-consent", action="store_true", help="the same as --consent all")
    arguments = parser.parse_args(argv)
    try:
        bank_sim_command(
            arguments.bank,
            arguments.port,
            arguments.database,
            arguments.host,
            "all" if arguments.require_consent else arguments.consent,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
