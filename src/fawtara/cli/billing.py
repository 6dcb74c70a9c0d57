"""`fawtara billing …`: the billers' billing system, a service of its own.

It has its own store (FAWTARA_BILLING_DATABASE_URL, default var/billing.db)
with its own migrations, and serves the Biller API to the switch
(docs/BILLER-API.md) on FAWTARA_BILLING_PORT (default 8200). Its commands
(usage, bill runs, the scheduler of reminders and suspensions) work on that
store only; a bill run reaches the switch as bill files over the switch link
(FAWTARA_SWITCH_URL). The process is wired by the billing system's own root
(billing/bootstrap.py); only with FAWTARA_SWITCH_URL set empty does it host
both systems and call the switch in process (fawtara/wiring.py), as tests do.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fawtara.billing.bootstrap import BILLING, BillingWiring, bootstrap_billing
from fawtara.billing.domain.usage import COLUMNS
from fawtara.config import Settings
from fawtara.console import err, fail, failing_cleanly, out, progress_bar, structured_logs

billing_app = typer.Typer(
    help="The billers' billing system (its store, its Biller API, its jobs).",
    no_args_is_help=True,
)
billing_db_app = typer.Typer(help="The billing system's database schema.", no_args_is_help=True)
usage_app = typer.Typer(help="Usage (call units, meter readings).", no_args_is_help=True)
billing_app.add_typer(billing_db_app, name="db")
billing_app.add_typer(usage_app, name="usage")


@contextmanager
def platform(check_schema: bool = True) -> Iterator[BillingWiring]:
    """The billing process's wiring, its store at the newest migration unless
    `check_schema` is off; expected errors become one line on stderr."""
    with failing_cleanly():
        settings = Settings.from_environment()
        if settings.switch_url:
            wired: BillingWiring = bootstrap_billing(settings)
        else:
            from fawtara.wiring import bootstrap

            wired = bootstrap(settings)
        if check_schema:
            wired.require_current_schema(BILLING)
        yield wired


@billing_db_app.command("upgrade")
def billing_db_upgrade() -> None:
    """Apply the billing migrations to the database named by FAWTARA_BILLING_DATABASE_URL."""
    with platform(check_schema=False) as wired:
        before, after = wired.upgrade_schema(BILLING)
    out.print(f"billing schema at {after} (was {before or 'empty'})")


@billing_db_app.command("current")
def billing_db_current() -> None:
    """Show the billing store's schema revision and the newest one this code knows."""
    with platform(check_schema=False) as wired:
        current, head = wired.schema_revisions(BILLING)
    out.print(f"billing database: {current or 'empty'}; code: {head}")


def read_usage_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise fail(
                f"INVALID_USAGE: {path} lacks the column(s) {', '.join(missing)}; "
                f"the header must be {','.join(COLUMNS)}",
                2,
            )
        for row in reader:
            yield reader.line_num, row


@usage_app.command("import")
def usage_import(
    file: Annotated[Path, typer.Argument(help="CSV with header biller,cycle,service_ref,quantity")],
    show: Annotated[int, typer.Option(help="how many rejected rows to print")] = 20,
) -> None:
    """Import call units or meter readings; bad rows are listed, good rows kept."""
    from fawtara.billing.use_cases.usage_import import import_usage

    if not file.is_file():
        raise fail(f"INVALID_USAGE: no such file {file}", 2)
    with platform() as wired, progress_bar() as bar:
        task = bar.add_task("importing usage", total=None)
        report = import_usage(
            wired.billing_uow_factory(),
            read_usage_rows(file),
            file.name,
            wired.clock,
            lambda done, _total: bar.update(task, completed=done),
        )
    for line_no, reason in report.rejected[:show]:
        err.print(f"{file}:{line_no}: {reason}", markup=False)
    out.print(
        f"{report.rows_read} rows: {report.rows_added} added, "
        f"{report.rows_unchanged} already there, {report.rejected_count} rejected"
    )
    if report.rejected_count:
        raise typer.Exit(1)


@billing_app.command("bill-run")
def bill_run(
    biller: Annotated[str, typer.Option(help="biller code, e.g. STE")],
    cycle: Annotated[
        str, typer.Option(help="cycle id: 2026-11 (monthly) or 2026-B6 (two-monthly)")
    ],
    publish: Annotated[
        bool, typer.Option(help="send the cycle's bills to the switch as bill files")
    ] = True,
) -> None:
    """Issue one bill per active service for a cycle, then publish them to the switch;
    safe to rerun (a bill file already applied changes nothing)."""
    from fawtara.billing.use_cases.bill_run import run_bill_run
    from fawtara.billing.use_cases.publishing import publish_cycle

    with platform() as wired, progress_bar() as bar:
        task = bar.add_task(f"bill run {biller} {cycle}", total=None)
        report = run_bill_run(
            wired.billing_uow_factory(),
            biller.upper(),
            cycle,
            wired.clock,
            lambda done, total: bar.update(task, completed=done, total=total),
        )
        applied = None
        if publish:
            task = bar.add_task(f"publishing {report.biller_code} {cycle}", total=None)
            applied = publish_cycle(
                wired.billing_uow_factory(),
                wired.switch_link,
                report.biller_code,
                report.cycle_id,
                lambda done, _total: bar.update(task, completed=done),
            )
    out.print(
        f"{report.bills_issued} bills issued for {report.biller_code} {report.cycle_id}; "
        f"{report.services_without_usage} services without usage were not billed"
    )
    if applied is not None:
        out.print(
            f"{applied} bill row(s) published to the switch (a file sent again is answered alike)"
        )


@billing_app.command("jobs")
def jobs(
    limit: Annotated[int, typer.Option(help="how many runs, newest first")] = 30,
) -> None:
    """The scheduler's job runs (status, tries, counts) and the lifecycle's counts."""
    from fawtara.billing.use_cases.lifecycle import lifecycle_summary
    from fawtara.kernel import limits

    if not 0 < limit <= limits.job_runs_listed_max:
        raise fail(f"VALIDATION_ERROR: --limit must be 1..{limits.job_runs_listed_max}", 2)
    with platform() as wired, wired.billing_uow(readonly=True) as uow:
        found = uow.jobs.recent(limit)
    table = Table("job", "biller", "for", "status", "tries", "started", "finished", "counts")
    for run in found:
        table.add_row(
            run.key.job.value,
            run.key.biller_code,
            run.key.scheduled_for.isoformat(),
            run.status.value,
            str(run.attempts),
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            "" if run.finished_at is None else f"{run.finished_at:%H:%M:%S}",
            run.error or ", ".join(f"{k} {v}" for k, v in run.counts.items() if v),
        )
    out.print(table)
    summary = lifecycle_summary(wired.billing_uow(readonly=True))
    out.print(", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in summary.items()))


@billing_app.command("scheduler")
def scheduler(
    once: Annotated[bool, typer.Option(help="one round, then exit")] = False,
) -> None:
    """Run the biller jobs (bill runs, reminders, the overdue sweep, payments files) until
    Ctrl-C; one leads.

    `fawtara billing serve` runs the same loop beside the Biller API."""
    import threading

    from fawtara.billing.entrypoints.scheduler import run_once, run_scheduler

    with platform() as wired:
        if once:
            report = run_once(wired)
            for key, status in [*report.jobs_run, *report.collections]:
                out.print(f"{key.job.value} {key.biller_code} {key.scheduled_for}: {status.value}")
            out.print(
                f"{len(report.jobs_run)} job(s); {report.reviews.reconnected} reconnected; "
                f"{report.orders.sent} order(s) sent, {report.orders.failed} failed"
            )
            return
    stop = threading.Event()
    try:
        rounds = run_scheduler(wired, stop)
    except KeyboardInterrupt:
        stop.set()
        return
    out.print(f"{rounds} scheduler round(s)")


@billing_app.command("serve")
def billing_serve(
    host: Annotated[str | None, typer.Option(help="default FAWTARA_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default FAWTARA_BILLING_PORT or 8200")] = None,
    scheduler: Annotated[
        bool, typer.Option(help="run the biller's jobs too (bill runs, reminders, suspensions)")
    ] = True,
    sms: Annotated[
        bool,
        typer.Option(
            help="send the biller's own SMS (reminders, suspensions) over FAWTARA_SMSC_*, "
            "as FAWTARA_BILLING_SMSC_SYSTEM_ID"
        ),
    ] = True,
) -> None:
    """Serve the Biller API (inquiry, payment notices, reversals) until Ctrl-C, with the
    scheduler of the biller's jobs and the sender of its SMS beside it (docs/LIFECYCLE.md)."""
    import threading

    import uvicorn

    from fawtara.billing.entrypoints.api import create_billing_app
    from fawtara.billing.entrypoints.scheduler import run_scheduler
    from fawtara.sms.bootstrap import smpp_config
    from fawtara.sms.entrypoints.sms_worker import run_sms_worker_until_stopped

    structured_logs()
    with platform(check_schema=False) as wired:
        api = create_billing_app(wired)
    stop = threading.Event()
    threads = []
    if scheduler:
        threads.append(threading.Thread(target=run_scheduler, args=(wired, stop), name="scheduler"))
    if sms:
        sender_args = (wired, smpp_config(BILLING), stop, BILLING)
        threads.append(
            threading.Thread(target=run_sms_worker_until_stopped, args=sender_args, name="sms")
        )
    for thread in threads:
        thread.daemon = True
        thread.start()
    try:
        uvicorn.run(
            api,
            host=host or wired.settings.host,
            port=port or wired.settings.billing_port,
            log_level="info",
            log_config=None,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


@billing_app.command("collect-payments")
def collect_payments_command(
    biller: Annotated[
        list[str] | None,
        typer.Option(help="biller code (repeatable); default the upload-mode billers"),
    ] = None,
) -> None:
    """Download the payments files of upload-mode billers (FAWTARA_BILLER_LINKS `CODE=upload`),
    post each payment and acknowledge each file; safe to rerun (posting is idempotent)."""
    from fawtara.billing.use_cases.collect_payments import collect_payments
    from fawtara.billing.use_cases.ports import SwitchUnreachable

    with platform() as wired:
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
