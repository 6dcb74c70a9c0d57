"""`fawtara biller-check URL --key K --biller CODE --customer-ref REF`: a biller's conformance.

Runs the conformance kit (fawtara.biller_api.conformance) against a biller's
online API and prints one line per case, `PASS name (12 ms)` or
`FAIL name: detail`, then a summary. Exits 0 when every case passes, 1 when
one fails, 2 for bad arguments.
"""

from __future__ import annotations

import re
from typing import Annotated

import httpx
import typer

from fawtara.biller_api.conformance import (
    TIMEOUT_S_DEFAULT,
    TIMEOUT_S_MAX,
    CaseResult,
    Fixture,
    run_conformance,
)
from fawtara.biller_api.conformance_session import UNKNOWN_CUSTOMER_REF

BILLER_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}", re.ASCII)  # schema.Code
CUSTOMER_REF_LENGTH_MAX = 32  # schema.CustomerRef


def biller_check(
    url: Annotated[str, typer.Argument(help="the biller's base URL, e.g. https://bills.example")],
    key: Annotated[str, typer.Option("--key", help="the X-Api-Key the switch calls with")],
    biller: Annotated[str, typer.Option("--biller", help="the biller's code, e.g. SIMWATER")],
    customer_ref: Annotated[
        str, typer.Option("--customer-ref", help="a test customer with an open bill")
    ],
    timeout_s: Annotated[
        float, typer.Option("--timeout-s", help="the bound on every answer, in seconds")
    ] = TIMEOUT_S_DEFAULT,
    bills: Annotated[
        list[str] | None,
        typer.Option("--bill", help="a bill to pay (repeat); default: the oldest open bill"),
    ] = None,
    unknown_ref: Annotated[
        str,
        typer.Option(
            "--unknown-ref",
            help="a well-formed reference the biller does not know (for a biller that checks"
            " the form of references first)",
        ),
    ] = UNKNOWN_CUSTOMER_REF,
) -> None:
    """Check that a biller's online API keeps the Biller API v1 contract."""
    problem = argument_problem(url, biller, customer_ref, timeout_s) or (
        argument_problem(url, biller, unknown_ref, timeout_s).replace(
            "--customer-ref", "--unknown-ref"
        )
    )
    if problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    fixture = Fixture(customer_ref, tuple(bills or ()), unknown_customer_ref=unknown_ref)
    with httpx.Client(base_url=url.rstrip("/")) as client:
        results = run_conformance(client, biller, key, fixture, timeout_s)
    for result in results:
        typer.echo(result_line(result))
    failed = sum(not result.passed for result in results)
    typer.echo(f"{len(results) - failed} of {len(results)} cases passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def argument_problem(url: str, biller: str, customer_ref: str, timeout_s: float) -> str:
    if not url.startswith(("http://", "https://")):
        return f"URL {url!r} must start with http:// or https://"
    if not BILLER_CODE.fullmatch(biller):
        return f"biller code {biller!r} must be 2 to 16 capitals or digits"
    if not 1 <= len(customer_ref) <= CUSTOMER_REF_LENGTH_MAX:
        return f"--customer-ref must be 1 to {CUSTOMER_REF_LENGTH_MAX} characters"
    if not 0 < timeout_s <= TIMEOUT_S_MAX:
        return f"--timeout-s must be above 0 and at most {TIMEOUT_S_MAX:g}"
    return ""


def result_line(result: CaseResult) -> str:
    if result.passed:
        note = f": {result.detail}" if result.detail else ""
        return f"PASS {result.name} ({result.duration_ms} ms){note}"
    return f"FAIL {result.name}: {result.detail}"
