"""`fawtara`: operate the platform from a shell.

Every expected failure is one line on stderr with its stable code and a
non-zero exit (1 for a refused operation, 2 for bad input).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fawtara.cli.biller_check import biller_check
from fawtara.cli.billing import billing_app
from fawtara.cli.station import counter_station
from fawtara.console import err, fail, out, progress_bar, structured_logs
from fawtara.counters.entrypoints.cli.counters import audit, counters_app, staff_app
from fawtara.receipts.entrypoints.cli.receipts import keys_app, receipt_app
from fawtara.shell import platform
from fawtara.switch.use_cases import ledger as ledger_handlers
from fawtara.wiring import BILLING, in_one_process

__all__ = ["app", "err", "fail", "main", "out", "platform", "progress_bar", "structured_logs"]

app = typer.Typer(
    help="Fawtara: electronic bill presentment and payment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
sms_app = typer.Typer(help="SMS confirmations.", no_args_is_help=True)
participants_app = typer.Typer(help="Participants: banks, billers, channels.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")
app.add_typer(demo_app, name="demo")
app.add_typer(participants_app, name="participants")
app.add_typer(sms_app, name="sms")
app.add_typer(keys_app, name="keys")
app.add_typer(receipt_app, name="receipt")
app.add_typer(counters_app, name="counters")
app.add_typer(staff_app, name="staff")
app.add_typer(billing_app, name="billing")
app.command("audit")(audit)
app.command("counter-station")(counter_station)
app.command("biller-check")(biller_check)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the switch's migrations to FAWTARA_DATABASE_URL (billing: `fawtara billing db`)."""
    with platform(check_schema=False) as wired:
        before, after = wired.upgrade_schema()
    out.print(f"schema at {after} (was {before or 'empty'})")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the newest one this code knows."""
    with platform(check_schema=False) as wired:
        current, head = wired.schema_revisions()
    out.print(f"database: {current or 'empty'}; code: {head}")


@ledger_app.command("verify")
def ledger_verify() -> None:
    """Re-check every transfer; exit 1 and list the offenders if the books do not balance."""
    with platform() as wired:
        report = ledger_handlers.verify_ledger(wired.uow(readonly=True))
    for transfer_id, problems in report.offending:
        err.print(f"offending transfer {transfer_id}: {'; '.join(problems)}", markup=False)
    for currency, (debits, credits) in sorted(report.totals.items()):
        out.print(
            f"{currency}: debits {debits} = credits {credits}"
            if debits == credits
            else f"{currency}: debits {debits} != credits {credits}"
        )
    if not report.balanced:
        raise fail(
            f"LEDGER_UNBALANCED: {report.offending_count} offending transfer(s) "
            f"among {report.transfers_checked}"
        )
    out.print(f"ledger balanced: {report.transfers_checked} transfers checked")


@ledger_app.command("balances")
def ledger_balances() -> None:
    """Posted and pending balance of every account."""
    with platform() as wired, wired.uow(readonly=True) as uow:
        table = Table("account", "type", "debits", "credits", "pending dr", "pending cr", "net")
        table.columns[0].no_wrap = True
        for account in uow.ledger.accounts():
            balance = uow.ledger.balance(account.id)
            table.add_row(
                account.code,
                account.type.value,
                str(balance.debits_posted_minor),
                str(balance.credits_posted_minor),
                str(balance.debits_pending_minor),
                str(balance.credits_pending_minor),
                str(balance.net_posted_minor(account.type)),
            )
    out.print(table)


@app.command("billers")
def billers() -> None:
    """List the registered billers."""
    from fawtara.switch.use_cases.billers import list_billers

    with platform() as wired:
        found = list_billers(wired.uow(readonly=True))
    table = Table("code", "name", "الاسم", "kinds", "rule", "due days", "grace")
    for biller in found:
        table.add_row(
            biller.code,
            biller.name_en,
            biller.name_ar,
            ", ".join(k.value for k in biller.service_kinds),
            biller.payment_rule.kind.value,
            str(biller.due_days),
            str(biller.grace_days),
        )
    out.print(table)


@demo_app.command("seed")
def demo_seed(
    subscribers: Annotated[int, typer.Option(help="subscribers per biller, about")] = 350,
) -> None:
    """Seed the demo data once (billers, tariffs, subscribers, usage, bills, signing keys)."""
    from fawtara.demo.seed import seed_demo
    from fawtara.receipts.bootstrap import init_switch_keys

    with platform() as wired:
        wired.require_current_schema(BILLING)
        init_switch_keys(wired.settings)  # the demo's receipts are signed (docs/RECEIPTS.md)
        summary = seed_demo(in_one_process(wired), subscribers)
    out.print(summary)


@participants_app.command("add")
def participants_add(
    code: Annotated[str, typer.Argument(help="participant code, e.g. BEMO")],
    kind: Annotated[str, typer.Option(help="bank | biller | channel | operator")],
    name_ar: Annotated[str, typer.Option(help="Arabic name")],
    name_en: Annotated[str, typer.Option(help="English name")],
    channel: Annotated[list[str], typer.Option(help="a channel it may use; repeat")],
    can_reverse: Annotated[bool, typer.Option(help="may reverse payments")] = False,
) -> None:
    """Register a participant and print its API key (shown once, stored as a hash)."""
    from fawtara.switch.domain.participants import Participant, ParticipantKind
    from fawtara.switch.use_cases.participants import register_participant

    with platform() as wired:
        try:
            participant = Participant(
                code.upper(), ParticipantKind(kind), name_ar, name_en, tuple(channel), can_reverse
            )
        except ValueError as error:
            raise fail(f"VALIDATION_ERROR: {error}", 2) from None
        key = register_participant(wired.uow(), participant, wired.clock)
    if key is None:
        raise fail(f"CONFLICT: participant {participant.code} exists already; keys are shown once")
    out.print(key)


@participants_app.command("list")
def participants_list() -> None:
    """The registered participants (never their keys)."""
    with platform() as wired, wired.uow(readonly=True) as uow:
        found = uow.participants.list()
    table = Table("code", "kind", "name", "الاسم", "channels", "can reverse")
    for p in found:
        table.add_row(
            p.code,
            p.kind.value,
            p.name_en,
            p.name_ar,
            ", ".join(p.channels),
            "yes" if p.can_reverse else "no",
        )
    out.print(table)


@app.command("worker")
def worker(
    once: Annotated[bool, typer.Option(help="run one round and exit")] = False,
) -> None:
    """Drive due payments: status inquiries, retries, returns. Runs until Ctrl-C."""
    import threading

    from fawtara.switch.entrypoints.workers import run_payment_worker

    structured_logs()
    with platform() as wired:
        switch = wired.switch(wired.bank_gateway())
    stop = threading.Event()
    try:
        rounds = run_payment_worker(switch, stop, once=once)
    except KeyboardInterrupt:
        stop.set()
        return
    out.print(f"{rounds} worker round(s)")


@app.command("bank-sim")
def bank_sim(
    bank: Annotated[str, typer.Option(help="bank code, e.g. BEMO")] = "BEMO",
    port: Annotated[int, typer.Option(help="TCP port on loopback")] = 8101,
    database: Annotated[Path | None, typer.Option(help="its own SQLite file")] = None,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    consent: Annotated[
        str,
        typer.Option(
            help="which pull debits need the holder's one-time code (SMS): off, all, or"
            " third-party (those not initiated by the bank itself)"
        ),
    ] = "off",
    require_consent: Annotated[bool, typer.Option(help="the same as --consent all")] = False,
) -> None:
    """Run a bank simulator (ISO 20022 over HTTP, real balances) until Ctrl-C."""
    from fawtara.simulators.bank.cli import bank_sim_command

    path = database or Path(f"var/bank-{bank.upper()}.db")
    try:
        bank_sim_command(
            bank.upper(), port, path, host, consent="all" if require_consent else consent
        )
    except ValueError as error:
        raise fail(f"VALIDATION_ERROR: {error}", 2) from None


@app.command("up")
def up(
    host: Annotated[str | None, typer.Option(help="default FAWTARA_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default FAWTARA_PORT or 8000")] = None,
) -> None:
    """Run everything for the demo: the bank simulators as children, the workers, the API."""
    from fawtara.cli.up import run_platform

    structured_logs()
    with platform() as wired:
        pass
    run_platform(wired, host or wired.settings.host, port or wired.settings.port)


@app.command("smsc-sim")
def smsc_sim(
    port: Annotated[int, typer.Option(help="SMPP port")] = 2775,
    http_port: Annotated[int, typer.Option(help="HTTP port of /messages and /admin/faults")] = 2776,
    system_id: Annotated[str, typer.Option(help="the first login accepted")] = "fawtara",
    password: Annotated[str, typer.Option(help="its password (at most 8 characters)")] = "fawtara1",
    account: Annotated[
        list[str] | None,
        typer.Option(help="one more login, SYSTEM_ID:PASSWORD (repeatable), e.g. a biller's"),
    ] = None,
    receipt_delay_ms: Annotated[
        int, typer.Option(help="delay of delivery receipts; negative: none")
    ] = 200,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
) -> None:
    """Run the SMSC simulator (SMPP 3.4 server with an HTTP view) until Ctrl-C; each account
    gets the delivery receipts of its own messages only."""
    from fawtara.simulators.smsc.cli import smsc_sim as run

    run(port, http_port, system_id, password, account, receipt_delay_ms, host)


@sms_app.command("status")
def sms_status(payment_id: Annotated[str, typer.Argument(help="the payment's UUID")]) -> None:
    """The SMS a payment triggered: state, SMSC ids, delivery receipt."""
    from fawtara.switch.domain.participants import Participant, ParticipantKind
    from fawtara.switch.use_cases.payments import get_payment, payment_messages

    operator = Participant("CLI", ParticipantKind.OPERATOR, "سطر الأوامر", "command line", ())
    with platform() as wired:
        payment = get_payment(wired.uow(readonly=True), operator, payment_id)
        messages = payment_messages(wired.uow(readonly=True), payment)
    if not messages:
        out.print(f"no SMS yet for payment {payment.payment_id} ({payment.state.value})")
        return
    table = Table("kind", "state", "to", "parts", "SMSC ids", "submitted", "delivered", "reason")
    for m in messages:
        table.add_row(
            str(m["kind"]),
            str(m["state"]),
            str(m["msisdn"]),
            str(m["parts"]),
            ", ".join(str(i) for i in m["smsc_message_ids"]),
            str(m["submitted_at"]),
            str(m["delivered_at"]),
            str(m["failure_reason"] or ""),
        )
    out.print(table)
    for m in messages:
        out.print(str(m["text"]))


@app.command("sms-worker")
def sms_worker() -> None:
    """Send the SMS confirmations: drain the sms.* outbox over SMPP until Ctrl-C."""
    from fawtara.sms.entrypoints.sms_worker import main as sms_worker_main

    with platform() as wired:
        pass
    sms_worker_main(wired)


@app.command("simulate")
def simulate(
    days: Annotated[int, typer.Option(help="simulated days, 1..366")] = 90,
    database: Annotated[
        Path,
        typer.Option(
            help="the switch's scratch SQLite file (overwritten); the billing's is beside it,"
            " NAME-billing.db"
        ),
    ] = Path("var/simulate.db"),
    in_place: Annotated[
        bool,
        typer.Option(
            help="run on FAWTARA_DATABASE_URL and FAWTARA_BILLING_DATABASE_URL themselves"
            " (changes them for good)"
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="random seed: the same seed, the same quarter")] = 1,
    subscribers: Annotated[int, typer.Option(help="per biller, when a scratch is seeded")] = 350,
) -> None:
    """A time-compressed quarter on copies of both stores; prints what the lifecycle did."""
    from fawtara.demo.quarter import run_simulation, simulation_source

    if not 1 <= days <= 366:
        raise fail("VALIDATION_ERROR: --days must be 1..366", 2)
    with platform(check_schema=False) as wired:
        if wired.settings.sqlite_path is None and not in_place and not database.suffix:
            raise fail("VALIDATION_ERROR: --database must name a SQLite file", 2)
        target, origin = simulation_source(wired, database, in_place, subscribers)
        err.print(f"simulating {days} days on {origin}", markup=False)
        with progress_bar() as bar:
            task = bar.add_task("simulated days", total=days)
            report = run_simulation(
                target, days, seed, lambda done: bar.update(task, completed=done)
            )
    out.print(quarter_table(report))
    out.print(
        f"protection-rule violations: {report.violations}; suspensions undone by the rule: "
        f"{report.repaired}; longest reconnection after payment: "
        f"{report.reconnection_delay_s_max:.0f} s (simulated); the link between the "
        f"systems was down {report.link_down_hours} h"
    )
    if report.violations:
        raise typer.Exit(1)


def quarter_table(report: object) -> Table:
    from fawtara.demo.quarter import QuarterReport

    assert isinstance(report, QuarterReport)
    names = sorted({name for counts in report.rows.values() for name in counts})
    billers = sorted(report.rows)
    table = Table(f"{report.days} days from {report.start}", *billers, title="fawtara simulate")
    for name in names:
        table.add_row(name, *(str(report.rows[b].get(name, 0)) for b in billers))
    for topic, count in sorted(report.jobs.items()):
        table.add_row(f"outbox {topic}", str(count), *[""] * (len(billers) - 1))
    table.add_row("protection-rule violations", str(report.violations), *[""] * (len(billers) - 1))
    return table


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="default FAWTARA_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default FAWTARA_PORT or 8000")] = None,
) -> None:
    """Serve the HTTP API until Ctrl-C."""
    import uvicorn

    from fawtara.switch.entrypoints.api.app import create_app

    structured_logs()
    with platform() as wired:
        api = create_app(wired)
    uvicorn.run(
        api,
        host=host or wired.settings.host,
        port=port or wired.settings.port,
        log_level="info",
        log_config=None,  # uvicorn's lines go through structured_logs() too
    )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
