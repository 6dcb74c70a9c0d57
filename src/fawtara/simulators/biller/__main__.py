"""`python -m fawtara.simulators.biller --port 8201 --fault none`."""

from __future__ import annotations

import argparse
import re
import sys

from fawtara.simulators.biller.faults import FAULT_NAMES, SLOW_S_DEFAULT, SLOW_S_MAX, Fault
from fawtara.simulators.biller.seed import API_KEY_DEFAULT, BILLER_DEFAULT
from fawtara.simulators.biller.server import build_biller_app, serve_biller

BILLER_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}", re.ASCII)  # schema.Code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fawtara.simulators.biller")
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fault", choices=FAULT_NAMES, default="none")
    parser.add_argument("--biller", default=BILLER_DEFAULT, help="its biller code")
    parser.add_argument("--key", default=API_KEY_DEFAULT, help="the X-Api-Key it accepts")
    parser.add_argument(
        "--slow-s", type=float, default=SLOW_S_DEFAULT, help="how late `slow` answers a notice"
    )
    arguments = parser.parse_args(argv)
    if not BILLER_CODE.fullmatch(arguments.biller):
        parser.error(f"biller code {arguments.biller!r} must be 2 to 16 capitals or digits")
    if not 1 <= arguments.port <= 65_535:
        parser.error(f"port {arguments.port} is not a TCP port")
    if not 0 <= arguments.slow_s <= SLOW_S_MAX:
        parser.error(f"--slow-s must be between 0 and {SLOW_S_MAX}")
    app, _store = build_biller_app(
        Fault(arguments.fault), arguments.biller, arguments.key, arguments.slow_s
    )
    print(
        f"biller simulator {arguments.biller} on http://{arguments.host}:{arguments.port}"
        f" (fault {arguments.fault})",
        flush=True,
    )
    try:
        serve_biller(app, arguments.port, arguments.host)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
