"""`fawtara billing collect-payments`: collect the upload-mode billers' payments files now.

The billing scheduler does the same every minute (the `collect_payments` job);
this runs it on demand and says what each file brought.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fawtara.shell import fail, out, platform
from fawtara.switch.bootstrap import BILLING


def collect_payments_command(
    biller: Annotated[
        list[str] | None,
        typer.Option(help="biller code (repeatable); default the upload-mode billers"),
    ] = None,
) -> None:
    """Download the payments files of upload-mode billers (FAWTARA_BILLER_LINKS `CODE=upload`),
    post each payment and acknowledge each file; safe to rerun (posting is idempotent)."""
    from fawtara.billing.use_cases.collect_payments import collect_payments
    from fawtara.switch.use_cases.ports import SwitchUnreachable

    with platform(system=BILLING) as wired:
        codes = [code.upper() for code in biller] if biller else list(wired.settings.upload_billers)
        if not codes:
            raise fail("VALIDATION_ERROR: no biller in upload mode; name one with --biller", 2)
        try:
            report = collect_payments(
                wired.billing_uow_factory(), wired.switch_link, wired.clock, codes
            )
        except SwitchUnreachable as error:
            raise fail(f"SWITCH_UNREACHABLE: {error}") from None
    for found in report.files:
        refused = ", ".join(f"{payment_id} {code}" for payment_id, code in found.refused)
        out.print(
            f"{found.biller_code} {found.file_id}: {found.posted} posted, "
            f"{found.replayed} already posted, {len(found.refused)} refused"
            + (f" ({refused})" if refused else "")
            + "; acknowledged",
            markup=False,
        )
    counts = report.counts()
    out.print(
        f"{counts['payment_files']} payments file(s) of {', '.join(codes)}: "
        f"{counts['payments_posted']} payment(s) posted"
    )
