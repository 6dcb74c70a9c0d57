"""`make bench`: payments through the switch, core path and end to end, on PostgreSQL and SQLite.

What is measured (full run; `--quick` shortens every window, for development):

* B, the baseline: pgbench's built-in tpcb-like script (`pgbench -c 8 -j 2 -T 20`
  after `pgbench -i -s 10`, in a database of its own), tps without initial
  connection time. One full 20 s run before each core round (3 rounds); B is
  their median.
* core path, PostgreSQL: 8 worker processes (Python threads would share one
  GIL), each with its own engine and `platform.switch(InMemoryBank(...))`,
  call `submit_payment(switch, PORTAL, PaymentRequest(...), wait_s=0)` for
  distinct bills, one after the other. Bank and biller are in process (the
  in-memory bank; the biller is the in-process gateway the Switch wires).
  After a warm-up, a barrier starts all workers at once; the figure is the
  payments completed inside a fixed window, divided by the window. 3 rounds,
  median reported; each round uses fresh bills.
* end to end over HTTP, PostgreSQL: the bank simulator (its own SQLite file,
  synchronous=FULL), the billing system (`fawtara billing serve --no-scheduler
  --no-sms`, on the billing store) and the switch API (uvicorn, see --api-workers;
  it delivers the payment notices to the billing service over the Biller API) run
  as subprocesses on 127.0.0.1; 32 asyncio clients (a minimal keep-alive HTTP/1.1
  client, `RawHttp`: httpx.AsyncClient would spend ~5 ms CPU per request of the
  machine under test) POST /v1/payments?wait=10 with X-Api-Key for distinct
  bills, each from its own bank account. Payments/s, p50 and p99 latency over
  a fixed window after a warm-up; every answer must be `completed`. Beside it:
  a probe of the bank's own latency during the window, the bank simulator
  alone (the same 32 clients posting pain.001 straight to it), and the CPU
  each process used during the window, to show which one is the bottleneck.
* the same on SQLite: the core path in one process (SQLite has one writer),
  and end to end with the switch's database in a SQLite file.
* per payment: SQL statements by kind, transactions, write transactions,
  connection checkouts, and (PostgreSQL) protocol round trips counted from a
  libpq trace; one payment's statements in order; a cProfile of one worker.

Usage:
    .venv/bin/python bench/payments.py            # the full run (make bench), about 8 minutes
    .venv/bin/python bench/payments.py --quick    # short windows, results to a temporary file
Results: bench/results/payments.json and bench/results/payments.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import os
import platform as host
import pstats
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pgdb import (
    PROTECTED_DBS,
    drop_database,
    pg_connect,
    pg_url,
    pgbench_args,
    pgbench_env,
    recreate_database,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
# FAWTARA_BENCH_SRC: another copy of src/ to measure (as in bench/bill_run.py); the
# subprocesses (bank simulator, switch API) get it on their PYTHONPATH.
SRC = os.environ.get("FAWTARA_BENCH_SRC", str(ROOT / "src"))
sys.path.insert(0, SRC)

import httpx  # noqa: E402
from sqlalchemy import Engine, event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from fawtara.banks.adapters.in_memory import InMemoryBank  # noqa: E402
from fawtara.billing.domain.tariffs import Block, Tariff  # noqa: E402
from fawtara.billing.use_cases.bill_run import run_bill_run  # noqa: E402
from fawtara.billing.use_cases.publishing import publish_cycle  # noqa: E402
from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller  # noqa: E402
from fawtara.billing.use_cases.usage_import import import_usage  # noqa: E402
from fawtara.config import Settings  # noqa: E402
from fawtara.kernel import limits  # noqa: E402
from fawtara.kernel.billers import (  # noqa: E402
    Biller,
    CalendarKind,
    PaymentRule,
    PaymentRuleKind,
    ServiceKind,
)
from fawtara.kernel.clock import SystemClock  # noqa: E402
from fawtara.kernel.money import Rate  # noqa: E402
from fawtara.kernel.references import luhn_check_digit  # noqa: E402
from fawtara.storage import tables as t  # noqa: E402
from fawtara.storage.engine import make_engine  # noqa: E402
from fawtara.storage.schema import BILLING, upgrade  # noqa: E402
from fawtara.switch.domain.participants import Participant, ParticipantKind  # noqa: E402
from fawtara.switch.domain.payments import PaymentRequest  # noqa: E402
from fawtara.switch.use_cases.billers import register_biller  # noqa: E402
from fawtara.switch.use_cases.participants import register_participant  # noqa: E402
from fawtara.switch.use_cases.payment_steps import Switch  # noqa: E402
from fawtara.switch.use_cases.payments import fetch_bills, submit_payment  # noqa: E402
from fawtara.wiring import Platform  # noqa: E402

BILLER = "ELEC"
CYCLE = "2026-B5"
BANK = "BEMO"
PORTAL_SECRET = "bench-portal-secret"
BANK_SECRET = "bench-bemo-secret"
MSISDN = "+963933123456"
METER_BASE = 100_000_000
BALANCE_MINOR = 10**13  # 100 billion SYP per account: never the reason a debit is refused
PROBE_INTERVAL_S = 0.25  # the bank-latency probe during end-to-end rounds
COLLECTION_ACCOUNT = "SEPC-COLLECT"  # the switch's account at the bank (docs/BANKS.md)
# End to end: the key the switch presents to the billing service's Biller API.
BILLER_API_KEY = "SWITCH.bench-biller-api-key"
# The billing service of the end-to-end runs: the Biller API alone, as the payments need
# (the scheduler's bill runs and reminders, and the biller's own SMS sender, are not part of
# a payment and were never running beside the benchmark before the two stores split).
BILLING_SERVE_OPTIONS = ("--no-scheduler", "--no-sms")
REFRESH_THREADS = 8  # inquiries in parallel when the e2e copies are refreshed (not timed)

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "fawtara_bench_pay"  # the switch's store
BILLING_DB = "fawtara_bench_pay_billing"  # the billing system's store (billing_url_of)
PGBENCH_DB = "fawtara_bench_pay_pgbench"
# A payment is checked against the switch's copy of the bills; a copy older than this is
# refreshed first by an inquiry to the biller. The measured payments run on fresh copies.
COPY_FRESH_S = limits.presented_copy_refresh_s

THE_BILLER = Biller(
    code=BILLER,
    name_ar="المؤسسة العامة لتوزيع الكهرباء",
    name_en="Public Establishment for Electricity Distribution",
    service_kinds=(ServiceKind.ELECTRICITY,),
    calendar=CalendarKind.BIMONTHLY,
    payment_rule=PaymentRule(PaymentRuleKind.PARTIAL, minimum_minor=100),
    due_days=30,
    grace_days=15,
    channels=("bank", "portal", "counter"),
)
THE_TARIFF = Tariff(
    biller_code=BILLER,
    service_kind=ServiceKind.ELECTRICITY,
    tariff_class="residential",
    effective_from=date(2026, 1, 1),
    decision="benchmark: residential, incremental blocks",
    unit="kWh",
    blocks=(Block(300, Rate.parse("6.00")), Block(None, Rate.parse("14.00"))),
)
PORTAL = Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",))
BANK_PARTICIPANT = Participant(BANK, ParticipantKind.BANK, "بنك بيمو", "Bemo Bank", ("bank",))

T0 = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {message}", flush=True)


@contextmanager
def phase(title: str) -> Iterator[None]:
    say(f"{title} ...")
    start = time.perf_counter()
    yield
    say(f"{title}: done in {time.perf_counter() - start:.1f}s")


@dataclass(frozen=True)
class Plan:
    """Windows and counts of one benchmark run."""

    rounds: int
    pgbench_s: int
    core_workers: int
    core_window_s: float
    core_warmup: int
    core_bills_per_worker: int  # a cap per round; running out is an error, not a short count
    sqlite_core_workers: int
    sqlite_core_bills: int
    e2e_rounds: int
    e2e_clients: int
    e2e_warmup_s: float
    e2e_window_s: float
    e2e_bills_per_round: int
    bank_alone_s: float
    count_payments: int
    profile_payments: int


FULL = Plan(
    rounds=3,
    pgbench_s=20,
    core_workers=8,
    core_window_s=20,
    core_warmup=10,
    core_bills_per_worker=600,
    sqlite_core_workers=1,
    sqlite_core_bills=2_000,
    e2e_rounds=3,
    e2e_clients=32,
    e2e_warmup_s=2,
    e2e_window_s=15,
    e2e_bills_per_round=3_500,
    bank_alone_s=8,
    count_payments=100,
    profile_payments=100,
)
QUICK = Plan(
    rounds=1,
    pgbench_s=5,
    core_workers=8,
    core_window_s=5,
    core_warmup=5,
    core_bills_per_worker=400,
    sqlite_core_workers=1,
    sqlite_core_bills=800,
    e2e_rounds=1,
    e2e_clients=32,
    e2e_warmup_s=1,
    e2e_window_s=5,
    e2e_bills_per_round=2_000,
    bank_alone_s=3,
    count_payments=30,
    profile_payments=50,
)


# --------------------------------------------------------------------------
# PostgreSQL databases and pgbench (the conventions of bench/bill_run.py)


# pg_url, pg_connect, recreate_database, drop_database: bench/pgdb.py
# Also never the bill-run benchmark's database.
PROTECTED = PROTECTED_DBS | {"fawtara_bench"}


def pgbench_init(base_url: str) -> None:
    recreate_database(base_url, PGBENCH_DB, PROTECTED)
    subprocess.run(
        ["pgbench", "-i", "-s", "10", "-q", *pgbench_args(base_url), PGBENCH_DB],
        check=True,
        capture_output=True,
        env=pgbench_env(base_url),
    )


def pgbench_tpcb_tps(base_url: str, seconds: int) -> dict[str, float]:
    """One tpcb-like run: 8 clients, 2 threads; tps without initial connection time."""
    done = subprocess.run(
        ["pgbench", "-c", "8", "-j", "2", "-T", str(seconds), *pgbench_args(base_url), PGBENCH_DB],
        check=True,
        capture_output=True,
        text=True,
        env=pgbench_env(base_url),
    )
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([0-9.]+) ms", done.stdout)
    assert tps is not None, done.stdout
    return {
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else float("nan"),
    }


def pg_settings(url: str) -> dict[str, str]:
    with pg_connect(url) as conn:
        found = {"server_version": conn.execute("SHOW server_version").fetchone()[0]}
        for name in (
            "shared_buffers",
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "commit_delay",
            "max_connections",
        ):
            found[name] = conn.execute(f"SHOW {name}").fetchone()[0]
    return found


def pg_xact_counts(base_url: str, database: str) -> tuple[int, int]:
    """(commits, rollbacks) the server has counted for `database`."""
    with pg_connect(base_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s",
            (database,),
        ).fetchone()
    return int(row[0]), int(row[1])


# --------------------------------------------------------------------------
# The world: a biller, a tariff, participants, services and their bills


Bill = tuple[str, str, int]  # (meter reference, bill id, amount in minor units)


def meter(number: int) -> str:
    payload = f"{number:09d}"
    return payload + luhn_check_digit(payload)


def quantity(n: int) -> int:
    return 50 + (n * 7_919) % 450  # kWh: 50..499, so every bill has an amount to pay


def billing_url_of(url: str) -> str:
    """The billing system's store beside the switch's at `url`: the PostgreSQL database
    NAME_billing on the same server, or the SQLite file NAME-billing.sqlite beside it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        return f"sqlite:///{path.with_name(f'{path.stem}-billing{path.suffix}')}"
    return parsed.set(database=f"{parsed.database}_billing").render_as_string(hide_password=False)


def make_platform(url: str) -> Platform:
    """Both systems, each on its own store; the switch calls the Biller API in process (the
    billing system's use cases on its store), as `Platform.biller` does without biller links."""
    billing_url = billing_url_of(url)
    settings = Settings(url, "127.0.0.1", 0, billing_database_url=billing_url)
    return Platform(settings, make_engine(url), SystemClock(), make_engine(billing_url))


def dispose(platform: Platform) -> None:
    platform.engine.dispose()
    if platform.billing_engine is not None:
        platform.billing_engine.dispose()


def refresh_copies(switch: Switch, bills: list[Bill]) -> dict[str, float]:
    """The bills' inquiry at the biller (what a portal does before it pays): the switch's
    copy of them is then fresh, so that the payments that follow within COPY_FRESH_S are
    checked against it without an inquiry of their own. Last bill first, so that the
    first to be paid are the freshest. Returns bill id -> when its inquiry started
    (time.monotonic())."""
    started: dict[str, float] = {}
    for reference, bill_id, _amount in reversed(bills):
        started[bill_id] = time.monotonic()
        fetch_bills(switch, BILLER, reference)
    return started


def oldest_copy_age_s(refreshed_at: dict[str, float], used: list[Bill]) -> float:
    """How old, now, the oldest copy is that one of the `used` bills' payments met."""
    return time.monotonic() - min(refreshed_at[bill_id] for _ref, bill_id, _amount in used)


def check_fresh(what: str, age_s: float) -> None:
    """The oldest copy a measured payment met must not have been refreshed by it."""
    if age_s > COPY_FRESH_S:
        raise RuntimeError(
            f"{what}: the switch's copies of the bills were {age_s:.0f}s old by the end, over "
            f"the {COPY_FRESH_S}s after which a payment inquires first: shorten the window"
        )


def build_world(url: str, services: int) -> list[Bill]:
    """Both stores' schemas; the biller in both registries, its tariff, `services` meters,
    their usage and one bill each in the billing store, and those bills published to the
    switch (its copy); participants in the switch's store."""
    platform = make_platform(url)
    engine, clock = platform.engine, platform.clock
    billing_engine = platform.billing_store()
    upgrade(engine)
    upgrade(billing_engine, system=BILLING)
    register_billing_biller(platform.billing_uow(), THE_BILLER, clock)
    register_biller(platform.uow(), THE_BILLER, clock)  # the switch's registry
    add_tariff(platform.billing_uow(), THE_TARIFF, clock)
    for participant, secret in ((PORTAL, PORTAL_SECRET), (BANK_PARTICIPANT, BANK_SECRET)):
        register_participant(platform.uow(), participant, clock, secret=secret)
    now = clock.now()
    references = [meter(METER_BASE + n) for n in range(services)]
    chunk_rows = 5_000
    for offset in range(0, services, chunk_rows):
        chunk = references[offset : offset + chunk_rows]
        with platform.billing_uow() as uow:
            customers = uow.customers.add(
                [
                    {
                        "biller_code": BILLER,
                        "name_ar": f"مشترك {offset + i}",
                        "name_en": f"Subscriber {offset + i}",
                        "msisdn": MSISDN,
                        "governorate": "Damascus",
                        "language": "ar",
                        "created_at": now,
                    }
                    for i in range(len(chunk))
                ]
            )
            uow.services.add(
                [
                    {
                        "biller_code": BILLER,
                        "customer_id": customer,
                        "kind": "electricity",
                        "reference": reference,
                        "tariff_class": "residential",
                        "state": "active",
                        "created_at": now,
                    }
                    for customer, reference in zip(customers, chunk, strict=True)
                ]
            )
            uow.commit()
    rows = (
        (
            n + 2,
            {
                "biller": BILLER,
                "cycle": CYCLE,
                "service_ref": reference,
                "quantity": str(quantity(n)),
            },
        )
        for n, reference in enumerate(references)
    )
    report = import_usage(platform.billing_uow_factory(), rows, "bench/payments-usage.csv", clock)
    assert report.rows_added == services and not report.rejected_count, report
    issued = run_bill_run(platform.billing_uow_factory(), BILLER, CYCLE, clock)
    assert issued.bills_issued == services, issued
    published = publish_cycle(platform.billing_uow_factory(), platform.switch_link, BILLER, CYCLE)
    assert published == services, published
    b, s = t.bills.c, t.services.c
    with billing_engine.connect() as connection:
        found = connection.execute(
            select(s.reference, b.id, b.amount_minor)
            .join_from(t.bills, t.services, s.id == b.service_id)
            .where(b.cycle_id == CYCLE, b.status == "issued")
            .order_by(b.service_id)
        ).all()
    p = t.presented_bills.c
    with engine.connect() as connection:
        presented = connection.execute(
            select(func.count())
            .select_from(t.presented_bills)
            .where(p.cycle_id == CYCLE, p.status == "issued")
        ).scalar_one()
    dispose(platform)
    assert len(found) == services and presented == services, (len(found), presented)
    return [(row.reference, row.id, int(row.amount_minor)) for row in found]


class BillPool:
    """Hands out bills that no payment has touched yet."""

    def __init__(self, bills: list[Bill]) -> None:
        self._bills = bills
        self._next = 0

    def take(self, count: int) -> list[Bill]:
        if self._next + count > len(self._bills):
            raise RuntimeError(
                f"bill pool exhausted: wanted {count}, {len(self._bills) - self._next} left"
            )
        taken = self._bills[self._next : self._next + count]
        self._next += count
        return taken

    @property
    def used(self) -> int:
        return self._next


def payment_request(bill: Bill, account: str) -> PaymentRequest:
    reference, bill_id, amount = bill
    return PaymentRequest(
        payment_id=str(uuid.uuid4()),
        channel="portal",
        biller_code=BILLER,
        customer_ref=reference,
        bill_ids=(bill_id,),
        amount_minor=amount,
        currency="SYP",
        payer_bank=BANK,
        payer_account=account,
        msisdn=MSISDN,
        bank_reference=None,
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------
# CPU accounting: the machine, and the processes of each party


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def process_cpu_s(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def all_processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        found[int(entry.name)] = (ppid, cmdline.strip())
    return found


def tree(root: int, processes: dict[int, tuple[int, str]]) -> list[int]:
    pids, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _cmd) in processes.items() if ppid == parent]
        pids += children
        frontier += children
    return pids


def pg_backends(database: str, processes: dict[int, tuple[int, str]]) -> list[int]:
    """The server processes serving connections to `database` (by their process title)."""
    mark = f" {database} "
    return [
        pid
        for pid, (_ppid, cmd) in processes.items()
        if cmd.startswith("postgres:") and mark in cmd
    ]


class CpuWatch:
    """CPU seconds used by groups of processes, and by the machine, between start and stop."""

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups  # name -> callable returning pids (evaluated at start and stop)

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._machine = machine_jiffies()
        self._before = self._sample()

    def _sample(self) -> dict[str, dict[int, float]]:
        processes = all_processes()
        return {
            name: {pid: process_cpu_s(pid) for pid in pids(processes)}
            for name, pids in self.groups.items()
        }

    def stop(self) -> dict[str, Any]:
        wall = time.perf_counter() - self._wall
        busy, total = machine_jiffies()
        after = self._sample()
        used = {}
        for name, samples in after.items():
            before = self._before.get(name, {})
            used[name] = round(
                sum(cpu - before.get(pid, 0.0) for pid, cpu in samples.items()) / wall, 3
            )
        machine_busy = (busy - self._machine[0]) / max(1, total - self._machine[1])
        return {
            "cores_used": used,
            "machine_busy_fraction": round(machine_busy, 3),
            "machine_cores": os.cpu_count(),
        }


# --------------------------------------------------------------------------
# The core path: worker processes calling submit_payment


def core_worker(spec: dict[str, Any], barrier: Any, results: Any) -> None:
    """One worker process: its own engine and switch; warm up, wait, pay for `window_s`."""
    try:
        results.put(_core_worker(spec, barrier))
    except BaseException as error:
        barrier.abort()
        results.put({"worker": spec["worker"], "error": f"{type(error).__name__}: {error}"})
        raise


def _core_worker(spec: dict[str, Any], barrier: Any) -> dict[str, Any]:
    platform = make_platform(spec["url"])
    account = f"ACC-{spec['worker']:04d}"
    switch = platform.switch(InMemoryBank({(BANK, account): BALANCE_MINOR}))
    bills: list[Bill] = spec["bills"]
    warmup = spec["warmup"]
    failures: Counter[str] = Counter()

    def pay(bill: Bill) -> None:
        state = submit_payment(switch, PORTAL, payment_request(bill, account), wait_s=0).state
        if state.value != "completed":
            failures[state.value] += 1

    refreshed_at = refresh_copies(switch, bills)  # before the window: not timed
    for bill in bills[:warmup]:
        pay(bill)
    barrier.wait(timeout=300)
    cpu_start = time.process_time()
    start = time.perf_counter()
    end = start + spec["window_s"]
    latencies: list[float] = []
    exhausted = True
    paid = warmup
    for bill in bills[warmup:]:
        began = time.perf_counter()
        if began >= end:
            exhausted = False
            break
        pay(bill)
        paid += 1
        done = time.perf_counter()
        if done <= end:
            latencies.append(done - began)
    cpu = time.process_time() - cpu_start
    copy_age_s = oldest_copy_age_s(refreshed_at, bills[:paid])
    barrier.wait(timeout=300)  # the parent has read every process's CPU: now disconnect
    dispose(platform)
    return {
        "worker": spec["worker"],
        "completed_in_window": len(latencies),
        "latencies_s": latencies,
        "cpu_s": cpu,
        "exhausted": exhausted,
        "not_completed": dict(failures),
        "copy_age_s": copy_age_s,
    }


def core_round(
    url: str, bills: list[list[Bill]], window_s: float, warmup: int, backend_db: str | None
) -> dict[str, Any]:
    """One measured window with len(bills) worker processes."""
    context = multiprocessing.get_context("spawn")
    workers = len(bills)
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=core_worker,
            args=(
                {
                    "url": url,
                    "worker": n,
                    "bills": bills[n],
                    "warmup": warmup,
                    "window_s": window_s,
                },
                barrier,
                results,
            ),
            daemon=True,
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    pids = [p.pid for p in processes]
    groups: dict[str, Any] = {"workers": lambda _procs: pids}
    if backend_db:
        groups["postgres_backends"] = lambda procs: pg_backends(backend_db, procs)
    watch = CpuWatch(groups)
    barrier.wait(timeout=300)  # every worker has warmed up: the window starts now
    watch.start()
    time.sleep(window_s)
    cpu = watch.stop()
    barrier.wait(timeout=300)
    found = [results.get(timeout=window_s + 300) for _ in range(workers)]
    for process in processes:
        process.join(timeout=60)
    errors = [r["error"] for r in found if "error" in r]
    if errors:
        raise RuntimeError(f"core workers failed: {errors}")
    if any(r["exhausted"] for r in found):
        raise RuntimeError(
            "a core worker ran out of bills inside the window: raise "
            "core_bills_per_worker / sqlite_core_bills in the plan"
        )
    check_fresh("core round", max(r["copy_age_s"] for r in found))
    not_completed = sum(sum(r["not_completed"].values()) for r in found)
    if not_completed:
        raise RuntimeError(f"payments that did not complete: {[r['not_completed'] for r in found]}")
    latencies = [x for r in found for x in r["latencies_s"]]
    completed = len(latencies)
    cores = cpu["cores_used"]
    cpu_ms = {name: 1000 * used * window_s / max(1, completed) for name, used in cores.items()}
    return {
        "payments_per_s": completed / window_s,
        "completed": completed,
        "window_s": window_s,
        "workers": workers,
        "per_worker_completed": [
            r["completed_in_window"] for r in sorted(found, key=lambda r: r["worker"])
        ],
        "p50_ms": 1000 * percentile(latencies, 50),
        "p99_ms": 1000 * percentile(latencies, 99),
        "worker_cpu_ms_per_payment": 1000 * sum(r["cpu_s"] for r in found) / max(1, completed),
        "cpu_ms_per_payment": {name: round(ms, 2) for name, ms in cpu_ms.items()},
        # What the machine could do if it were ours alone and the path stayed CPU-bound.
        "cpu_bound_ceiling_per_s": (os.cpu_count() or 1) * 1000 / max(0.001, sum(cpu_ms.values())),
        "cpu": cpu,
    }


# --------------------------------------------------------------------------
# Cost of one payment: statements, transactions, round trips; a profile


def count_statements(
    url: str, bills: list[Bill], trace_dir: Path | None, base_url: str | None
) -> dict[str, Any]:
    """Pay `bills` one by one in this process, counting what reaches the database."""
    platform = make_platform(url)
    engine: Engine = platform.engine
    account = "ACC-COUNT"
    switch = platform.switch(InMemoryBank({(BANK, account): BALANCE_MINOR}))
    warmup, measured = bills[:5], bills[5:]
    for bill in warmup:
        submit_payment(switch, PORTAL, payment_request(bill, account), wait_s=0)
    counts: Counter[str] = Counter()
    transcript: list[str] = []
    state = {"writes": False, "record": False}
    traces: list[Any] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        counts["statements"] += 1
        counts[f"statements_{verb.lower()}"] += 1
        if verb in ("INSERT", "UPDATE", "DELETE"):
            state["writes"] = True
        if state["record"]:
            transcript.append("  " + " ".join(statement.split())[:150])

    def on_begin(_conn: Any) -> None:
        counts["transactions"] += 1
        state["writes"] = False
        if state["record"]:
            transcript.append("BEGIN")

    def on_end(kind: str) -> Any:
        def listener(_conn: Any) -> None:
            counts[f"{kind}s"] += 1
            if kind == "commit" and state["writes"]:
                counts["write_transactions"] += 1
            if state["record"]:
                transcript.append(kind.upper())

        return listener

    def on_checkout(*_args: Any) -> None:
        counts["connection_checkouts"] += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_end("commit"))
    event.listen(engine, "rollback", on_end("rollback"))
    event.listen(engine.pool, "checkout", on_checkout)
    if trace_dir is not None:  # libpq's own trace of every message on each new connection
        from psycopg import pq

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            handle = open(trace_dir / f"conn{len(traces)}.trace", "w")  # noqa: SIM115
            traces.append(handle)
            dbapi_connection.pgconn.trace(handle.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
            )

        event.listen(engine.pool, "connect", on_connect)
    server_before = None
    if base_url:
        engine.dispose()  # the warm-up's backends exit and report their counters
        time.sleep(1.5)
        server_before = pg_xact_counts(base_url, engine.url.database or "")
    for n, bill in enumerate(measured):
        state["record"] = n == 1
        submit_payment(switch, PORTAL, payment_request(bill, account), wait_s=0)
    state["record"] = False
    engine.dispose()  # server backends exit and flush their statistics
    for handle in traces:
        handle.close()
    payments = len(measured)
    per_payment = {key: round(value / payments, 2) for key, value in sorted(counts.items())}
    if trace_dir is not None:
        messages: Counter[str] = Counter()
        for path in trace_dir.glob("*.trace"):
            for line in path.read_text(errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) >= 3:
                    messages[f"{parts[0]} {parts[2].split()[0] if parts[2] else ''}"] += 1
                if len(parts) >= 4 and parts[:1] == ["F"] and parts[2] == "Query":
                    messages[f"F Query {parts[3].strip()}"] += 1
        # Each new connection's startup ends with one ReadyForQuery too: not a payment's.
        per_payment["round_trips"] = round(
            (messages["B ReadyForQuery"] - len(traces)) / payments, 2
        )
        per_payment["connections_opened"] = len(traces)
        per_payment["simple_queries_begin_commit_rollback"] = round(
            messages["F Query"] / payments, 2
        )
        per_payment["extended_protocol_executes"] = round(messages["F Sync"] / payments, 2)
        # What else travels: SQLAlchemy's pre-ping (psycopg: an empty query ";"), and the
        # DEALLOCATE ALL psycopg sends after every ROLLBACK (it drops its prepared
        # statements then), so statements are parsed again (Parse) instead of reused.
        per_payment["pre_ping_empty_queries"] = round(messages['F Query ";"'] / payments, 2)
        per_payment["deallocate_all"] = round(messages['F Query "DEALLOCATE ALL"'] / payments, 2)
        per_payment["statements_parsed_by_server"] = round(messages["F Parse"] / payments, 2)
    if base_url and server_before is not None:
        time.sleep(1.5)  # backends of a closed pool report their counters on exit
        commits, rollbacks = pg_xact_counts(base_url, engine.url.database or "")
        per_payment["server_xact_commit"] = round((commits - server_before[0]) / payments, 2)
        per_payment["server_xact_rollback"] = round((rollbacks - server_before[1]) / payments, 2)
    return {
        "payments_counted": payments,
        "per_payment": per_payment,
        "one_payment_in_order": transcript,
    }


def profile_core(url: str, bills: list[Bill], output: Path) -> dict[str, Any]:
    """cProfile of one worker paying `bills` one after the other (no other worker running)."""
    platform = make_platform(url)
    account = "ACC-PROFILE"
    switch = platform.switch(InMemoryBank({(BANK, account): BALANCE_MINOR}))
    for bill in bills[:5]:
        submit_payment(switch, PORTAL, payment_request(bill, account), wait_s=0)
    measured = bills[5:]

    def run() -> None:
        for bill in measured:
            submit_payment(switch, PORTAL, payment_request(bill, account), wait_s=0)

    profiler = cProfile.Profile()
    start = time.perf_counter()
    cpu_start = time.process_time()
    profiler.runcall(run)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    platform.engine.dispose()
    profiler.dump_stats(output)
    stats = pstats.Stats(str(output))
    entries = stats.stats  # type: ignore[attr-defined]

    def name(key: tuple[str, int, str]) -> str:
        filename, line, function = key
        short = filename
        for marker in ("site-packages/", "src/"):
            if marker in filename:
                short = filename.split(marker, 1)[1]
                break
        return f"{short}:{line}({function})" if line else function

    def top(index: int, count: int) -> list[dict[str, Any]]:
        ranked = sorted(entries.items(), key=lambda item: item[1][index], reverse=True)[:count]
        return [
            {
                "function": name(key),
                "calls": value[1],
                "tottime_ms_per_payment": round(1000 * value[2] / len(measured), 3),
                "cumtime_ms_per_payment": round(1000 * value[3] / len(measured), 3),
            }
            for key, value in ranked
        ]

    def cumulative(pattern: str) -> float:
        return sum(
            value[3] for key, value in entries.items() if re.search(pattern, name(key))
        ) / len(measured)

    waiting = sum(
        value[2]
        for key, value in entries.items()
        if "psycopg/connection.py" in key[0] and key[2] == "wait"
    )

    def fawtara(function: str) -> float:
        return cumulative(rf"^fawtara/[a-z_/]+\.py:\d+\({function}\)$")

    drive = fawtara("drive")
    steps = fawtara("_step_received") + fawtara("_step_debited")
    groups = {
        "submit_payment (all)": fawtara("submit_payment"),
        "_receive: validate, store, reserve bill and ledger (1 write txn)": fawtara("_receive"),
        "_step_received: bank debit + _debited (1 write txn)": fawtara("_step_received"),
        "  of which the in-memory bank's debit": cumulative(r"banks/in_memory\.py:\d+\(debit\)$"),
        "_step_debited: biller post (1 write txn) + _complete (1 write txn)": fawtara(
            "_step_debited"
        ),
        "  of which the biller's post_payment": fawtara("post_payment"),
        "  of which _complete": fawtara("_complete"),
        "  of which sms_payload (re-reads biller, service, bills)": fawtara("sms_payload"),
        "drive's re-reads of the payment between steps (3 read units of work)": drive - steps,
        "wait_for_final (1 more read unit of work)": fawtara("wait_for_final"),
        "across all: pool checkout incl. pre-ping": cumulative(r"pool/base\.py:\d+\(_checkout\)$"),
        "across all: commit": cumulative(r"engine/base\.py:\d+\(_commit_impl\)$"),
        "across all: rollback (ends read-only units of work)": cumulative(
            r"engine/base\.py:\d+\(_rollback_impl\)$"
        ),
        "across all: SQLAlchemy compile / cache key": cumulative(
            r"sql/elements\.py:\d+\(_compile_w_cache\)$"
        ),
    }
    return {
        "payments": len(measured),
        "wall_ms_per_payment_under_profile": round(1000 * wall / len(measured), 2),
        "cpu_ms_per_payment_under_profile": round(1000 * cpu / len(measured), 2),
        "waiting_on_server_ms_per_payment": round(1000 * waiting / len(measured), 2),
        "phases_ms_per_payment": {k: round(1000 * v, 2) for k, v in groups.items()},
        "top_tottime": top(2, 15),
        "top_cumtime": top(3, 25),
        "stats_file": str(output),
    }


# --------------------------------------------------------------------------
# End to end: bank simulator and switch API as subprocesses, HTTP clients


def subprocess_env() -> dict[str, str]:
    paths = [SRC, os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url} exited with {process.returncode}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{url} not healthy after {timeout_s}s:\n" + log.read_text(errors="replace")[-3000:]
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_bank(work: Path, accounts: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = work / "bank.log"
    database = work / "bank-BEMO.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fawtara.simulators.bank",
            "--bank",
            BANK,
            "--port",
            str(port),
            "--database",
            str(database),
            "--host",
            "127.0.0.1",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env=subprocess_env(),
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(f"{base}/healthz", process, log)
    accounts_json: list[dict[str, Any]] = [
        {
            "number": f"ACC-{n:04d}",
            "holder_name": f"مشترك {n}",
            "msisdn": MSISDN,
            "balance_minor": BALANCE_MINOR,
            "state": "active",
        }
        for n in range(accounts)
    ]
    accounts_json += [
        {"number": "ACC-PROBE", "holder_name": "probe", "balance_minor": BALANCE_MINOR},
        {"number": COLLECTION_ACCOUNT, "holder_name": "الشركة السورية للمدفوعات الإلكترونية"},
    ]
    seeded = httpx.post(f"{base}/admin/accounts", timeout=30, json=accounts_json)
    seeded.raise_for_status()
    return process, base


def start_billing(
    work: Path, database_url: str, port: int, switch_url: str, tag: str
) -> tuple[subprocess.Popen[bytes], str, str]:
    """The billing system: `fawtara billing serve` on its own store, the one build_world
    filled (billing_url_of(database_url)), serving the Biller API on `port` to the switch
    that presents BILLER_API_KEY. Its scheduler and SMS sender are off (see method_notes)."""
    log = work / f"billing-{tag}.log"
    env = dict(
        subprocess_env(),
        FAWTARA_BILLING_DATABASE_URL=billing_url_of(database_url),
        # Not the switch's store: the billing service never opens it, and a file nobody
        # migrated would fail loudly if it did.
        FAWTARA_DATABASE_URL=f"sqlite:///{work / f'billing-{tag}-not-the-switch.sqlite'}",
        FAWTARA_BILLER_API_KEY=BILLER_API_KEY,
        FAWTARA_SWITCH_URL=switch_url,  # its switch link (bill files); unused here
        FAWTARA_BILLING_SWITCH_KEYS="",
        FAWTARA_HOST="127.0.0.1",
        FAWTARA_BILLING_PORT=str(port),
    )
    command = [
        str(Path(sys.executable).parent / "fawtara"),
        "billing",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *BILLING_SERVE_OPTIONS,
    ]
    process = subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(f"{base}/healthz", process, log)
    how = (
        f"fawtara billing serve {' '.join(BILLING_SERVE_OPTIONS)} (one uvicorn process, "
        "access log on, to a file)"
    )
    return process, base, how


def start_api(
    work: Path,
    database_url: str,
    bank_url: str,
    workers: int,
    tag: str,
    port: int,
    billing_url: str,
) -> tuple[subprocess.Popen[bytes], str, str]:
    """The switch API: `fawtara serve` (workers=0) or uvicorn with `workers` processes,
    delivering the bench biller's payment notices to the billing service at `billing_url`."""
    log = work / f"api-{tag}.log"
    env = dict(
        subprocess_env(),
        FAWTARA_DATABASE_URL=database_url,
        FAWTARA_BILLING_DATABASE_URL="",  # the switch has no billing store of its own
        FAWTARA_BILLER_LINKS=f"{BILLER}={billing_url}",
        FAWTARA_BILLER_API_KEY=BILLER_API_KEY,
        FAWTARA_BANKS=f"{BANK}={bank_url}",
        FAWTARA_HOST="127.0.0.1",
        FAWTARA_PORT=str(port),
    )
    bin_dir = Path(sys.executable).parent
    if workers == 0:
        command = [str(bin_dir / "fawtara"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        how = "fawtara serve (one uvicorn process, access log on, to a file)"
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--app-dir",
            str(HERE),
            "payments_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        how = (
            f"python -m uvicorn --factory payments_app:app --workers {workers} "
            "--no-access-log (bench/payments_app.py: bootstrap() + create_app)"
        )
    process = subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(f"{base}/healthz", process, log)
    return process, base, how


class RawHttp:
    """One keep-alive HTTP/1.1 connection, written by hand for the load generator.

    httpx.AsyncClient costs about 5 ms of CPU per request on these machines: with
    32 clients it would take a core from the servers it measures. This client
    writes a request and reads a Content-Length (or chunked) answer, nothing else.
    """

    def __init__(self, base: str) -> None:
        parsed = httpx.URL(base)
        self.host, self.port = parsed.host, parsed.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        head = [
            f"{method} {target} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError(f"{self.host}:{self.port} closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                close = "close" in value.lower()
        if chunked:
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            payload = b"".join(parts)
        else:
            payload = await reader.readexactly(length)
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def payment_body(bill: Bill, account: str) -> dict[str, Any]:
    reference, bill_id, amount = bill
    return {
        "payment_id": str(uuid.uuid4()),
        "channel": "portal",
        "biller": BILLER,
        "customer_ref": reference,
        "bill_ids": [bill_id],
        "amount_minor": amount,
        "currency": "SYP",
        "payer": {"bank": BANK, "account": account},
        "msisdn": MSISDN,
    }


async def load(
    send: Any, clients: int, warmup_s: float, window_s: float, watch: CpuWatch | None
) -> dict[str, Any]:
    """`clients` loops calling `send(client_no)` -> ok; figures for the window after warm-up."""
    samples: list[tuple[float, float]] = []  # (started, finished) of answers inside the window
    failures: Counter[str] = Counter()
    answers = 0
    start = time.perf_counter()
    window_start = start + warmup_s
    window_end = window_start + window_s
    cpu: dict[str, Any] = {}

    async def watch_window() -> None:  # CPU of each party over the window only
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        if watch is not None:
            watch.start()
        await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
        if watch is not None:
            cpu.update(watch.stop())

    async def client(number: int) -> None:
        nonlocal answers
        while True:
            began = time.perf_counter()
            if began >= window_end:
                return
            outcome = await send(number)
            done = time.perf_counter()
            answers += 1
            if outcome != "completed":
                failures[outcome] += 1
            if window_start <= began and done <= window_end:
                samples.append((began, done))

    watcher = asyncio.create_task(watch_window())
    cpu_client_start = time.process_time()
    await asyncio.gather(*(client(n) for n in range(clients)))
    await watcher
    # Throughput counts answers that arrived inside the window; latency is over the
    # requests that started and ended inside it.
    latencies = [done - began for began, done in samples]
    if failures:
        raise RuntimeError(f"answers other than completed: {dict(failures)}")
    return {
        "per_s": len(samples) / window_s,
        "answers_in_window": len(samples),
        "answers_total": answers,
        "window_s": window_s,
        "warmup_s": warmup_s,
        "clients": clients,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p90_ms": 1000 * percentile(latencies, 90),
        "p99_ms": 1000 * percentile(latencies, 99),
        "max_ms": 1000 * max(latencies),
        "load_generator_cpu_s": time.process_time() - cpu_client_start,
        "cpu": cpu or None,
    }


def pain001_sender(bank: str) -> Any:
    """`send(account) -> (outcome, seconds)`: one debit straight to the bank simulator."""
    from fawtara.banks.adapters import iso20022
    from fawtara.banks.domain.banking import DebitInstruction

    headers = {"Content-Type": "application/xml"}
    connections: dict[str, RawHttp] = {}

    async def send(account: str) -> tuple[str, float]:
        instruction = DebitInstruction(
            payment_id=str(uuid.uuid4()),
            bank_code=BANK,
            account=account,
            amount_minor=30_000,
            currency="SYP",
            biller_code=BILLER,
            remittance="ELEC bench",
            created_at=datetime.now(UTC),
        )
        body = iso20022.debit_to_pain001(instruction, iso20022.DEFAULT_SWITCH)
        connection = connections.setdefault(account, RawHttp(bank))
        began = time.perf_counter()
        status, reply = await connection.request("POST", "/iso20022/pain.001", body, headers)
        seconds = time.perf_counter() - began
        if status != 200:
            return f"HTTP {status}", seconds
        answer = iso20022.pain002_to_answer(reply, instruction.payment_id)
        return ("completed" if answer.status.value == "accepted" else answer.status.value, seconds)

    async def close() -> None:
        for connection in connections.values():
            await connection.close()

    send.close = close  # type: ignore[attr-defined]
    return send


def e2e_round(
    api: str, bank: str, bills: list[Bill], plan: Plan, watch: CpuWatch
) -> dict[str, Any]:
    pending = iter(bills)
    probe_latencies: list[float] = []
    headers = {"X-Api-Key": f"{PORTAL.code}.{PORTAL_SECRET}", "Content-Type": "application/json"}

    async def main() -> dict[str, Any]:
        connections = [RawHttp(api) for _ in range(plan.e2e_clients)]

        async def send(number: int) -> str:
            bill = next(pending, None)
            if bill is None:
                raise RuntimeError("e2e bills exhausted: raise e2e_bills_per_round")
            body = json.dumps(payment_body(bill, f"ACC-{number:04d}")).encode()
            try:
                status, answer = await connections[number].request(
                    "POST", "/v1/payments?wait=10", body, headers
                )
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                await connections[number].close()
                return f"connection lost: {type(error).__name__}"  # see the API's log
            if status != 200:
                return f"HTTP {status}: {answer[:120]!r}"
            return str(json.loads(answer)["state"])

        probe = pain001_sender(bank)

        async def probing() -> None:
            # The bank's own latency while the switch drives it: one debit every
            # PROBE_INTERVAL_S straight to the simulator, from an account of its own.
            await asyncio.sleep(plan.e2e_warmup_s)
            end = time.perf_counter() + plan.e2e_window_s
            while time.perf_counter() < end:
                outcome, seconds = await probe("ACC-PROBE")
                if outcome != "completed":
                    raise RuntimeError(f"bank probe: {outcome}")
                probe_latencies.append(seconds)
                await asyncio.sleep(PROBE_INTERVAL_S)

        prober = asyncio.create_task(probing())
        try:
            return await load(send, plan.e2e_clients, plan.e2e_warmup_s, plan.e2e_window_s, watch)
        finally:
            await prober
            await probe.close()
            for connection in connections:
                await connection.close()

    result = asyncio.run(main())
    result["bank_probe"] = {
        "debits": len(probe_latencies),
        "p50_ms": 1000 * percentile(probe_latencies, 50),
        "p99_ms": 1000 * percentile(probe_latencies, 99),
        "max_ms": 1000 * max(probe_latencies),
    }
    result["bills_used"] = len(bills) - sum(1 for _ in pending)
    if result["cpu"]:
        result["cpu_ms_per_payment"] = {
            name: round(1000 * used * plan.e2e_window_s / max(1, result["answers_in_window"]), 2)
            for name, used in result["cpu"]["cores_used"].items()
        }
    return result


def bank_alone(bank: str, plan: Plan, watch: CpuWatch) -> dict[str, Any]:
    """The bank simulator by itself: pain.001 debits from the same number of clients."""

    async def main() -> dict[str, Any]:
        debit = pain001_sender(bank)

        async def send(number: int) -> str:
            outcome, _seconds = await debit(f"ACC-{number:04d}")
            return outcome

        try:
            return await load(send, plan.e2e_clients, 1.0, plan.bank_alone_s, watch)
        finally:
            await debit.close()

    return asyncio.run(main())


def refresh_over_biller_api(
    database_url: str, billing_url: str, bills: list[Bill]
) -> dict[str, float]:
    """The e2e round's bills inquired at the billing service over the Biller API (as the
    switch API would on a portal's inquiry), so that their copies at the switch are fresh
    when they are paid; not timed. Last bill first: the first to be paid are the last
    refreshed. Returns bill id -> when its inquiry started (time.monotonic())."""
    settings = Settings(
        database_url,
        "127.0.0.1",
        0,
        biller_links=((BILLER, billing_url),),
        biller_api_key=BILLER_API_KEY,
    )
    platform = Platform(settings, make_engine(database_url), SystemClock())
    switch = platform.switch(InMemoryBank({}))
    started: dict[str, float] = {}
    shares = [bills[n::REFRESH_THREADS] for n in range(REFRESH_THREADS)]
    with ThreadPoolExecutor(REFRESH_THREADS) as threads:
        for stamps in threads.map(lambda share: refresh_copies(switch, share), shares):
            started.update(stamps)
    dispose(platform)
    return started


def e2e(
    engine_name: str,
    database_url: str,
    bills: BillPool,
    plan: Plan,
    work: Path,
    api_workers: int,
    backend_db: str | None,
) -> dict[str, Any]:
    bank_process, bank_url = start_bank(work, plan.e2e_clients)
    api_process = billing_process = None
    api_port, billing_port = free_port(), free_port()
    while billing_port == api_port:
        billing_port = free_port()
    try:
        billing_process, billing_url, billing_how = start_billing(
            work, database_url, billing_port, f"http://127.0.0.1:{api_port}", engine_name
        )
        api_process, api_url, how = start_api(
            work, database_url, bank_url, api_workers, engine_name, api_port, billing_url
        )
        say(
            f"{engine_name} e2e: bank simulator {bank_url}, switch API {api_url} ({how}), "
            f"billing service {billing_url} ({billing_how})"
        )
        groups: dict[str, Any] = {
            "switch_api": lambda procs: tree(api_process.pid, procs),
            "billing_service": lambda procs: tree(billing_process.pid, procs),
            "bank_simulator": lambda procs: tree(bank_process.pid, procs),
            "load_generator": lambda _procs: [os.getpid()],
        }
        if backend_db:
            groups["postgres_backends"] = lambda procs: pg_backends(backend_db, procs)
            billing_db = make_url(billing_url_of(database_url)).database or ""
            groups["postgres_backends_billing"] = lambda procs: pg_backends(billing_db, procs)
        rounds = []
        for number in range(1, plan.e2e_rounds + 1):
            taken = bills.take(plan.e2e_bills_per_round)
            refresh_s = time.perf_counter()
            refreshed_at = refresh_over_biller_api(database_url, billing_url, taken)
            refresh_s = time.perf_counter() - refresh_s
            result = e2e_round(api_url, bank_url, taken, plan, CpuWatch(groups))
            result["copies_refreshed"] = len(taken)
            result["copies_refresh_s"] = refresh_s
            # The oldest copy a payment of the round met, at the end of the round.
            used = taken[: result["bills_used"]]
            result["copy_age_s_at_end"] = oldest_copy_age_s(refreshed_at, used)
            check_fresh(f"{engine_name} e2e round", result["copy_age_s_at_end"])
            rounds.append(result)
            say(
                f"{engine_name} e2e round {number}/{plan.e2e_rounds}: "
                f"{result['per_s']:.1f} payments/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, all {result['answers_total']} answers completed; "
                f"bank probe p50 {result['bank_probe']['p50_ms']:.1f} ms, "
                f"p99 {result['bank_probe']['p99_ms']:.1f} ms; "
                f"cores used {result['cpu']['cores_used']}, "
                f"machine busy {result['cpu']['machine_busy_fraction']:.0%} "
                f"(copies refreshed in {refresh_s:.1f}s before the round)"
            )
        stop(api_process)
        api_process = None
        stop(billing_process)
        billing_process = None
        alone = bank_alone(
            bank_url,
            plan,
            CpuWatch(
                {
                    "bank_simulator": lambda procs: tree(bank_process.pid, procs),
                    "load_generator": lambda _procs: [os.getpid()],
                }
            ),
        )
        say(
            f"{engine_name}: bank simulator alone (pain.001, {plan.e2e_clients} clients): "
            f"{alone['per_s']:.1f} debits/s, p50 {alone['p50_ms']:.1f} ms, "
            f"p99 {alone['p99_ms']:.1f} ms"
        )
    finally:
        if api_process is not None:
            stop(api_process)
        if billing_process is not None:
            stop(billing_process)
        stop(bank_process)
    return {
        "rounds": rounds,
        "bank_alone": alone,
        "api_server": how,
        "billing_service": billing_how,
    }


# --------------------------------------------------------------------------
# Orchestration and results


def machine_notes() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    import psycopg
    import sqlalchemy

    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024**2, 1),
        "python": host.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "httpx": httpx.__version__,
        "loadavg_at_start": list(os.getloadavg()),
    }


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def rounded(value: float) -> float:
    return round(value, 1)


def core_phase(
    engine_name: str,
    url: str,
    pool: BillPool,
    plan: Plan,
    workers: int,
    bills_per_worker: int,
    backend_db: str | None,
    before_round: Any = None,
) -> list[dict[str, Any]]:
    runs = []
    for number in range(1, plan.rounds + 1):
        if before_round is not None:
            before_round(number)
        per_worker = [pool.take(plan.core_warmup + bills_per_worker) for _ in range(workers)]
        say(
            f"{engine_name} core round {number}/{plan.rounds}: {workers} worker process(es), "
            f"{plan.core_window_s:.0f}s window ..."
        )
        load_before = list(os.getloadavg())
        result = core_round(url, per_worker, plan.core_window_s, plan.core_warmup, backend_db)
        result["loadavg_before"] = load_before
        runs.append(result)
        say(
            f"{engine_name} core round {number}/{plan.rounds}: "
            f"{result['payments_per_s']:.1f} payments/s ({result['completed']} in "
            f"{result['window_s']:.0f}s), p50 {result['p50_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, worker CPU "
            f"{result['worker_cpu_ms_per_payment']:.1f} ms/payment, cores used "
            f"{result['cpu']['cores_used']}, machine busy "
            f"{result['cpu']['machine_busy_fraction']:.0%}"
        )
    return runs


def summarise_core(
    engine_name: str,
    runs: list[dict[str, Any]],
    baseline: dict[str, Any],
    costs: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    value = median([r["payments_per_s"] for r in runs])
    b = baseline["value"]
    ratio = value / b if b else None
    entry = {
        "name": "core_payments",
        "engine": engine_name,
        "value": rounded(value),
        "unit": "payments/s",
        "baseline": {"name": baseline["name"], "value": b},
        "ratio": round(ratio, 3) if ratio is not None else None,
        "command": ".venv/bin/python bench/payments.py (make bench)",
        "p50_ms": rounded(median([r["p50_ms"] for r in runs])),
        "p99_ms": rounded(median([r["p99_ms"] for r in runs])),
        "target": ">= 1.0 x B (stretch 1.5 x B)" if engine_name == "postgresql" else None,
        "met": (ratio is not None and ratio >= 1.0) if engine_name == "postgresql" else None,
        "stretch_met": (ratio is not None and ratio >= 1.5)
        if engine_name == "postgresql"
        else None,
        "runs": [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()} for r in runs
        ],
        "medians": {
            "payments_per_s": rounded(value),
            "p50_ms": rounded(median([r["p50_ms"] for r in runs])),
            "p99_ms": rounded(median([r["p99_ms"] for r in runs])),
            "worker_cpu_ms_per_payment": rounded(
                median([r["worker_cpu_ms_per_payment"] for r in runs])
            ),
        },
        "cost_per_payment": costs,
    }
    entry.update(extra)
    return entry


def summarise_e2e(
    engine_name: str, found: dict[str, Any], baseline: dict[str, Any], extra: dict[str, Any]
) -> list[dict[str, Any]]:
    runs = found["rounds"]
    value = median([r["per_s"] for r in runs])
    p50 = median([r["p50_ms"] for r in runs])
    p99 = median([r["p99_ms"] for r in runs])
    b = baseline["value"]
    ratio = value / b if b else None
    pg = engine_name == "postgresql"
    entry = {
        "name": "e2e_payments_http",
        "engine": engine_name,
        "value": rounded(value),
        "unit": "payments/s",
        "baseline": {"name": baseline["name"], "value": b},
        "ratio": round(ratio, 3) if ratio is not None else None,
        "command": ".venv/bin/python bench/payments.py (make bench)",
        "p50_ms": rounded(p50),
        "p99_ms": rounded(p99),
        "target": "p99 <= 100 ms and >= 0.25 x B" if pg else None,
        "met": (p99 <= 100 and ratio is not None and ratio >= 0.25) if pg else None,
        "p99_met": p99 <= 100 if pg else None,
        "ratio_met": (ratio is not None and ratio >= 0.25) if pg else None,
        "api_server": found["api_server"],
        "billing_service": found["billing_service"],
        "runs": [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()} for r in runs
        ],
        "medians": {
            "payments_per_s": rounded(value),
            "p50_ms": rounded(p50),
            "p99_ms": rounded(p99),
        },
    }
    entry.update(extra)
    alone = found["bank_alone"]
    bank_entry = {
        "name": "bank_simulator_alone_pain001",
        "engine": "sqlite (the simulator's own file, synchronous=FULL)",
        "value": rounded(alone["per_s"]),
        "unit": "debits/s",
        "baseline": {"name": baseline["name"], "value": b},
        "ratio": round(alone["per_s"] / b, 3) if b else None,
        "command": ".venv/bin/python bench/payments.py (make bench)",
        "p50_ms": rounded(alone["p50_ms"]),
        "p99_ms": rounded(alone["p99_ms"]),
        "context": f"measured right after the {engine_name} end-to-end rounds, same simulator "
        f"process, {alone['clients']} clients posting pain.001 straight to it: the "
        "ceiling the bank sets on the end-to-end figure",
        "runs": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in alone.items()}],
    }
    return [entry, bank_entry]


def write_markdown(path: Path, results: list[dict[str, Any]], notes: dict[str, Any]) -> None:
    def yes_no(value: Any) -> str:
        return "—" if value is None else ("yes" if value else "**no**")

    lines = [
        "# Payments benchmark",
        "",
        f"Run {notes['date']} on {notes['machine']['cpus']} CPUs ({notes['machine']['cpu_model']}),"
        f" PostgreSQL {notes['postgresql'].get('server_version', '?')}, SQLite "
        f"{notes['machine']['sqlite']}, git {notes['git_commit'] or '?'}; load average at start "
        f"{notes['machine']['loadavg_at_start']}. Whole benchmark: {notes['seconds_total']:.0f}s.",
        "",
        f"Command: `{notes['command']}`",
        "",
        "| metric | engine | value | unit | baseline B | ratio | p50 ms | p99 ms | target | met? |",
        "|---|---|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        b = r.get("baseline") or {}
        lines.append(
            f"| {r['name']} | {r['engine']} | {r['value']:,} | {r['unit']} | "
            f"{b.get('value', '—') if b else '—'} | "
            f"{r['ratio'] if r.get('ratio') is not None else '—'} | "
            f"{r.get('p50_ms', '—')} | {r.get('p99_ms', '—')} | {r.get('target') or '—'} | "
            f"{yes_no(r.get('met'))} |"
        )
    lines += ["", "## Method", ""]
    lines += [f"* {line}" for line in notes["method"]]
    for r in results:
        costs = r.get("cost_per_payment")
        if not costs:
            continue
        lines += [
            "",
            f"## What one payment costs ({r['engine']}, core path)",
            "",
            "| per payment | count |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v} |" for k, v in costs["per_payment"].items()]
        lines += ["", "One payment's statements, in order:", "", "```"]
        lines += costs["one_payment_in_order"]
        lines += ["```"]
    for r in results:
        if r["name"] != "e2e_payments_http":
            continue
        lines += [
            "",
            f"## End to end ({r['engine']}): who used the CPU",
            "",
            f"Switch API: {r['api_server']}. Billing service: {r['billing_service']}.",
            "",
            "| round | payments/s | p50 ms | p99 ms | bank probe p50 / p99 ms | "
            "CPU ms per payment by process group | machine busy |",
            "|---:|---:|---:|---:|---|---|---:|",
        ]
        for number, run in enumerate(r["runs"], start=1):
            probe = run.get("bank_probe", {})
            cpu = ", ".join(f"{k} {v}" for k, v in run.get("cpu_ms_per_payment", {}).items())
            busy = (run.get("cpu") or {}).get("machine_busy_fraction", "")
            lines.append(
                f"| {number} | {run['per_s']} | {run['p50_ms']} | {run['p99_ms']} | "
                f"{probe.get('p50_ms', 0):.1f} / {probe.get('p99_ms', 0):.1f} | {cpu} | "
                f"{busy} |"
            )
    for r in results:
        if r["name"] != "core_payments":
            continue
        lines += [
            "",
            f"## Core path ({r['engine']}): rounds",
            "",
            "| round | payments/s | p50 ms | p99 ms | worker CPU ms/payment | "
            "CPU ms per payment by group | CPU-bound ceiling /s | machine busy | "
            "load avg |",
            "|---:|---:|---:|---:|---:|---|---:|---:|---|",
        ]
        for number, run in enumerate(r["runs"], start=1):
            cpu = ", ".join(f"{k} {v}" for k, v in run.get("cpu_ms_per_payment", {}).items())
            lines.append(
                f"| {number} | {run['payments_per_s']} | {run['p50_ms']} | {run['p99_ms']} | "
                f"{run['worker_cpu_ms_per_payment']} | {cpu} | "
                f"{run['cpu_bound_ceiling_per_s']:.0f} | "
                f"{run['cpu']['machine_busy_fraction']} | "
                f"{', '.join(f'{x:.1f}' for x in run['loadavg_before'])} |"
            )
    for r in results:
        profile = r.get("profile")
        if not profile:
            continue
        lines += [
            "",
            f"## Profile of one core worker ({r['engine']}, cProfile, "
            f"{profile['payments']} payments, nothing else of ours running)",
            "",
            f"Wall {profile['wall_ms_per_payment_under_profile']} ms/payment under the "
            f"profiler, CPU {profile['cpu_ms_per_payment_under_profile']} ms/payment, "
            f"waiting on the server (psycopg `wait`) "
            f"{profile['waiting_on_server_ms_per_payment']} ms/payment.",
            "",
            "| phase (cumulative) | ms/payment |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v} |" for k, v in profile["phases_ms_per_payment"].items()]
        lines += [
            "",
            "| function (by own time) | calls | own ms/payment | cum ms/payment |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| `{e['function']}` | {e['calls']} | {e['tottime_ms_per_payment']} | "
            f"{e['cumtime_ms_per_payment']} |"
            for e in profile["top_tottime"]
        ]
    lines.append("")
    path.write_text("\n".join(lines))


def print_summary(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'metric':<30} {'engine':<12} {'value':>10} {'unit':<11} {'B':>8} {'ratio':>6} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'met?':>5}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        b = (r.get("baseline") or {}).get("value", "")
        met = r.get("met")
        print(
            f"{r['name']:<30} {r['engine'][:12]:<12} {r['value']:>10,} {r['unit']:<11} "
            f"{b!s:>8} {r['ratio'] if r.get('ratio') is not None else '':>6} "
            f"{r.get('p50_ms', ''):>8} {r.get('p99_ms', ''):>8} "
            f"{'' if met is None else ('yes' if met else 'NO'):>5}"
        )
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short windows (development)")
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument(
        "--api-workers",
        type=int,
        default=2,
        help="uvicorn worker processes for the switch API; 0: `fawtara serve`",
    )
    parser.add_argument("--skip", default="", help="comma list of: e2e, profile, counts")
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    base_url = os.environ.get("FAWTARA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    work = Path(tempfile.mkdtemp(prefix="fawtara_bench_pay_"))
    output = args.output or (
        RESULTS / "payments.json" if not args.quick else work / "payments.quick.json"
    )
    started = datetime.now(UTC)
    machine = machine_notes()
    say(
        f"payments benchmark ({'quick' if args.quick else 'full'}): engines {engines}, "
        f"work directory {work}, load average {machine['loadavg_at_start']}"
    )
    results: list[dict[str, Any]] = []
    pg_notes: dict[str, Any] = {}
    baseline: dict[str, Any] = {"name": "pgbench_tpcb_like_tps", "value": None}
    try:
        if "postgresql" in engines:
            url = pg_url(base_url, BENCH_DB)
            services = (
                plan.rounds * plan.core_workers * (plan.core_warmup + plan.core_bills_per_worker)
                + plan.count_payments
                + plan.profile_payments
                + 10
                + plan.e2e_rounds * plan.e2e_bills_per_round
            )
            with phase(
                f"postgresql: database {BENCH_DB}, world of {services:,} services and bills"
            ):
                recreate_database(base_url, BENCH_DB, PROTECTED)
                recreate_database(base_url, BILLING_DB, PROTECTED)
                pool = BillPool(build_world(url, services))
            pg_notes = pg_settings(url)
            with phase("pgbench -i -s 10"):
                pgbench_init(base_url)
            tps_runs: list[dict[str, float]] = []

            def measure_b(number: int) -> None:
                tps_runs.append(pgbench_tpcb_tps(base_url, plan.pgbench_s))
                say(
                    f"pgbench tpcb-like -c 8 -j 2 -T {plan.pgbench_s}, round {number}: "
                    f"{tps_runs[-1]['tps']:,.0f} tps, latency "
                    f"{tps_runs[-1]['latency_avg_ms']:.1f} ms"
                )

            runs = core_phase(
                "postgresql",
                url,
                pool,
                plan,
                plan.core_workers,
                plan.core_bills_per_worker,
                BENCH_DB,
                before_round=measure_b,
            )
            b_value = round(median([r["tps"] for r in tps_runs]))
            baseline = {"name": "pgbench_tpcb_like_tps", "value": b_value}
            results.append(
                {
                    "name": "pgbench_tpcb_like",
                    "engine": "postgresql",
                    "value": b_value,
                    "unit": "tps",
                    "baseline": None,
                    "ratio": None,
                    "command": f"pgbench -c 8 -j 2 -T {plan.pgbench_s} (after pgbench -i -s 10), "
                    "tps without initial connection time",
                    "runs": [{k: round(v, 1) for k, v in r.items()} for r in tps_runs],
                    "medians": {"tps": b_value},
                    "note": f"{len(tps_runs)} full {plan.pgbench_s}s runs, one before each core "
                    "round; B is their median",
                }
            )
            drop_database(base_url, PGBENCH_DB, PROTECTED)
            costs: dict[str, Any] = {}
            if "counts" not in skip:
                with phase("postgresql: statements, transactions and round trips per payment"):
                    trace_dir = work / "libpq-traces"
                    trace_dir.mkdir()
                    costs = count_statements(
                        url, pool.take(plan.count_payments + 5), trace_dir, base_url
                    )
                    shutil.rmtree(trace_dir)
                say(f"postgresql per payment: {costs['per_payment']}")
            extra: dict[str, Any] = {
                "workers": plan.core_workers,
                "method": "multiprocessing (spawn), one engine and "
                "InMemoryBank per process; submit_payment(wait_s=0)",
            }
            if "profile" not in skip:
                with phase("postgresql: cProfile of one core worker"):
                    extra["profile"] = profile_core(
                        url, pool.take(plan.profile_payments + 5), work / "core-postgresql.prof"
                    )
                say(f"profile phases (ms/payment): {extra['profile']['phases_ms_per_payment']}")
            results.append(summarise_core("postgresql", runs, baseline, costs, extra))
            if "e2e" not in skip:
                found = e2e("postgresql", url, pool, plan, work, args.api_workers, BENCH_DB)
                results += summarise_e2e(
                    "postgresql", found, baseline, {"clients": plan.e2e_clients}
                )
            say(f"postgresql: {pool.used:,} bills used")

        if "sqlite" in engines:
            path = work / "switch.sqlite"
            url = f"sqlite:///{path}"
            services = (
                plan.rounds * plan.sqlite_core_workers * (plan.core_warmup + plan.sqlite_core_bills)
                + plan.count_payments
                + 10
                + plan.e2e_rounds * plan.e2e_bills_per_round
            )
            with phase(f"sqlite: {path.name}, world of {services:,} services and bills"):
                pool = BillPool(build_world(url, services))
            runs = core_phase(
                "sqlite", url, pool, plan, plan.sqlite_core_workers, plan.sqlite_core_bills, None
            )
            costs = {}
            if "counts" not in skip:
                with phase("sqlite: statements and transactions per payment"):
                    costs = count_statements(url, pool.take(plan.count_payments + 5), None, None)
                say(f"sqlite per payment: {costs['per_payment']}")
            results.append(
                summarise_core(
                    "sqlite",
                    runs,
                    baseline,
                    costs,
                    {
                        "workers": plan.sqlite_core_workers,
                        "method": "one process (SQLite has a single writer; synchronous=FULL, WAL)",
                    },
                )
            )
            if "e2e" not in skip:
                found = e2e("sqlite", url, pool, plan, work, args.api_workers, None)
                results += summarise_e2e("sqlite", found, baseline, {"clients": plan.e2e_clients})
    finally:
        if "postgresql" in engines and not args.keep_databases:
            drop_database(base_url, PGBENCH_DB, PROTECTED)
            drop_database(base_url, BENCH_DB, PROTECTED)
            drop_database(base_url, BILLING_DB, PROTECTED)

    notes = {
        "date": started.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine,
        "postgresql": pg_notes,
        "seconds_total": time.perf_counter() - T0,
        "command": ".venv/bin/python bench/payments.py" + (" --quick" if args.quick else ""),
        "method": method_notes(plan, args.api_workers),
    }
    for entry in results:
        entry.update(
            {
                "date": notes["date"],
                "git_commit": notes["git_commit"],
                "machine": machine,
                "postgresql_settings": pg_notes,
                "quick": args.quick,
                "seconds_total_benchmark": round(notes["seconds_total"], 1),
            }
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    write_markdown(markdown, results, notes)
    say(f"results written to {output} and {markdown}")
    print_summary(results)
    if not args.quick:
        shutil.rmtree(work, ignore_errors=True)


def method_notes(plan: Plan, api_workers: int) -> list[str]:
    api = (
        "`fawtara serve` (one uvicorn process)"
        if api_workers == 0
        else f"`python -m uvicorn --factory --workers {api_workers} payments_app:app` "
        "(bench/payments_app.py: `bootstrap()` + `create_app`, access log off)"
    )
    return [
        f"B: pgbench tpcb-like, `pgbench -c 8 -j 2 -T {plan.pgbench_s}` after `pgbench -i -s 10` "
        f"in database {PGBENCH_DB}; tps without initial connection time; {plan.rounds} runs, "
        "one right before each core round; B is their median.",
        f"core path: {plan.core_workers} processes (multiprocessing, spawn), each its own "
        "engine and `platform.switch(InMemoryBank(...))`; each calls `submit_payment(switch, "
        "PORTAL, PaymentRequest(...), wait_s=0)` for distinct bills of distinct services, one "
        f"after another. {plan.core_warmup} warm-up payments per worker, then a barrier starts "
        f"a {plan.core_window_s:.0f}s window; value = payments completed inside the window / "
        f"window; {plan.rounds} rounds, median. Latency = one submit_payment call.",
        "SQLite core path: the same in one process (SQLite has a single writer).",
        f"end to end: bank simulator (`python -m fawtara.simulators.bank`, own SQLite file, "
        f"WAL, synchronous=FULL, {plan.e2e_clients} accounts seeded through POST "
        f"/admin/accounts, plus the switch's collection account), the billing system "
        f"(`fawtara billing serve {' '.join(BILLING_SERVE_OPTIONS)}`, one uvicorn process with "
        "its access log, on the billing store the world was built in) and the switch API, "
        f"{api}, on the switch's store, with FAWTARA_BILLER_LINKS {BILLER}=the billing "
        "service and the same FAWTARA_BILLER_API_KEY on both sides (the switch API has no "
        "billing store: FAWTARA_BILLING_DATABASE_URL empty), as subprocesses on 127.0.0.1; "
        "participants registered beforehand with known secrets. A payment answers completed "
        "once the billing service acknowledged its payment notice over HTTP. Before each "
        "round (not timed) the round's bills are inquired at the billing service over the "
        f"Biller API from the benchmark process ({REFRESH_THREADS} threads, the last bill "
        "first), so that the switch's copies are fresh (the oldest copy a payment met younger "
        f"than {COPY_FRESH_S}s by the round's end, checked) and no payment inquires first, as "
        "in the core path. "
        f"{plan.e2e_clients} asyncio clients in the benchmark process, each on its own "
        "keep-alive connection (a minimal HTTP/1.1 client: httpx.AsyncClient cost ~5 ms CPU "
        "per request here, which would take CPU from the servers under test), "
        "POST /v1/payments?wait=10 with X-Api-Key, distinct bills, each client its own bank "
        f"account; {plan.e2e_warmup_s:.0f}s warm-up, then a {plan.e2e_window_s:.0f}s window: "
        "value = answers received inside the window / window; p50/p99 over requests that "
        f"started and ended inside it; {plan.e2e_rounds} rounds, median of each figure. Every "
        "answer (warm-up included) must be HTTP 200 with state completed.",
        f"bank probe: during each end-to-end window one extra pain.001 every "
        f"{PROBE_INTERVAL_S}s straight to the simulator: its own latency under that load.",
        "bank simulator alone: the same clients post pain.001 straight to the simulator "
        f"({plan.bank_alone_s:.0f}s window after 1s warm-up): the most the bank can give the "
        "end-to-end path.",
        "cores_used: CPU seconds per second of window of each group of processes (from "
        "/proc), machine_busy_fraction: all CPUs (/proc/stat). The machine is shared: other "
        "jobs may run at the same time (load average recorded).",
        "cost per payment: counted in one process paying bills one by one after 5 warm-up "
        "payments: SQLAlchemy events (statements by verb, begin/commit/rollback, pool "
        "checkouts; each PostgreSQL checkout pings with pool_pre_ping), a libpq trace of every "
        "connection (round trips = ReadyForQuery messages), and the server's pg_stat_database "
        "xact_commit / xact_rollback. write_transactions = commits after an INSERT, UPDATE or "
        "DELETE (each one is a WAL flush / fsync).",
        "profile: cProfile of one worker alone paying bills one by one (PostgreSQL).",
        "SMS: as before the two stores split, a completed payment queues its confirmation in "
        "the switch's outbox in the completing transaction, and no SMS is sent during the "
        "benchmark: no `fawtara sms-worker`, and the billing service runs with --no-sms (the "
        "biller's own reminders and suspension notices) and --no-scheduler (its bill runs and "
        "reminders are no part of a payment).",
        "CPU groups end to end: switch_api, billing_service, bank_simulator, load_generator, "
        f"and on PostgreSQL the server backends of each store (postgres_backends: {BENCH_DB}, "
        f"postgres_backends_billing: {BILLING_DB}).",
    ]


if __name__ == "__main__":
    main()
