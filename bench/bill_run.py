"""`make bench`: the bill run on 1,000,000 services, on SQLite and PostgreSQL.

What is measured (each several times; medians are reported):

* bill run: `run_bill_run` for one cycle of 1,000,000 active services that
  all have usage, in a child process of its own (so its peak RSS is the bill
  run's and not the generator's); the figure is bills issued / seconds spent
  inside `run_bill_run` (setup, schema and data generation are not timed).
* C, the baseline: a plain PostgreSQL COPY of 1,000,000 rows shaped like
  `bills` rows (same column types and values) into a table with a primary key
  and nothing else, through psycopg 3 `cursor.copy` + `write_row` from tuples
  built before the clock starts; beside it, the same rows as one pre-encoded
  text buffer, and the same rows into `bills` itself (its keys, checks and
  foreign key), 5,000 rows a transaction: the bill run's writes alone.
* pgbench select-only tps, as a second reading of how busy the machine is.
* checks, not timed: the bills written (count, money, an md5 over every
  column), a rerun that must issue nothing, a run killed with SIGKILL half-way
  whose rerun must end with the same bills, the same bills on both engines.

Usage:
    .venv/bin/python bench/bill_run.py                    # the full run (make bench)
    .venv/bin/python bench/bill_run.py --services 100000  # quick, for development
    .venv/bin/python bench/bill_run.py --help             # the other options
Results go to bench/results/bill_run.json (runs with another --services:
bench/work/bill_run.quick.json). Method and figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pgdb import drop_database, pg_connect, pg_url, pgbench_args, pgbench_env, recreate_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
# FAWTARA_BENCH_SRC: another copy of src/ to measure (comparing two versions of the bill run).
sys.path.insert(0, os.environ.get("FAWTARA_BENCH_SRC", str(ROOT / "src")))

BILLER = "ELEC"
CYCLE = "2026-B1"  # January-February 2026, issued 1 March 2026
TARIFF_CLASS = "residential"
QUANTITY_MAX = 1_200  # kWh per service per cycle, uniform 0..1200
SEED = 20260301
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "fawtara_bench"
PGBENCH_DB = "fawtara_bench_pgbench"
RESULT_MARK = "RESULT "
PROGRESS_MARK = "PROGRESS "

T0 = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - T0:8.1f}s] {message}", flush=True)


class phase:  # a context manager that times and reports one step
    def __init__(self, title: str) -> None:
        self.title = title
        self.seconds = 0.0

    def __enter__(self) -> phase:
        say(f"{self.title} ...")
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start
        if exc[0] is None:
            say(f"{self.title}: done in {self.seconds:.1f}s")


# --------------------------------------------------------------------------
# The data set: biller, tariff, customers, services, usage


def the_biller() -> Any:
    from fawtara.kernel.billers import (
        Biller,
        CalendarKind,
        PaymentRule,
        PaymentRuleKind,
        ServiceKind,
    )

    return Biller(
        code=BILLER, name_ar="المؤسسة العامة لتوزيع الكهرباء",
        name_en="Public Establishment for Electricity Distribution",
        service_kinds=(ServiceKind.ELECTRICITY,), calendar=CalendarKind.BIMONTHLY,
        payment_rule=PaymentRule(PaymentRuleKind.PARTIAL), due_days=30, grace_days=15,
    )


def the_tariff() -> Any:
    from fawtara.billing.domain.tariffs import Block, Tariff
    from fawtara.kernel.billers import ServiceKind
    from fawtara.kernel.money import Rate

    return Tariff(
        biller_code=BILLER, service_kind=ServiceKind.ELECTRICITY, tariff_class=TARIFF_CLASS,
        effective_from=date(2026, 1, 1), decision="benchmark: residential, incremental blocks",
        unit="kWh",
        blocks=(Block(300, Rate.parse("6.00")), Block(None, Rate.parse("14.00"))),
    )


def quantities(services: int) -> Iterator[int]:
    rng = random.Random(SEED)
    for _ in range(services):
        yield rng.randint(0, QUANTITY_MAX)


def expected_amount_minor(quantity: int) -> int:
    """The tariff above, by hand: 6.00 per kWh up to 300, 14.00 beyond."""
    return min(quantity, 300) * 600 + max(quantity - 300, 0) * 1_400


GOVERNORATES = ("Damascus", "Rural Damascus", "Aleppo", "Homs", "Hama", "Latakia", "Tartus")


def customer_rows(services: int, created: str) -> Iterator[tuple[Any, ...]]:
    for i in range(1, services + 1):
        yield (i, BILLER, f"مشترك {i}", f"Subscriber {i}", f"+9639{i % 100_000_000:08d}",
               GOVERNORATES[i % len(GOVERNORATES)], "ar", created)


def service_rows(services: int, created: str) -> Iterator[tuple[Any, ...]]:
    from fawtara.kernel.references import luhn_check_digit

    for i in range(1, services + 1):
        meter = f"{100_000_000 + i:09d}"  # an electricity meter: 9 digits and a Luhn digit
        yield (i, BILLER, i, "electricity", meter + luhn_check_digit(meter), TARIFF_CLASS,
               "active", created)


def usage_rows(services: int, imported: str) -> Iterator[tuple[Any, ...]]:
    for i, quantity in enumerate(quantities(services), start=1):
        yield (i, CYCLE, BILLER, quantity, "bench/usage-2026-B1.csv", imported)


CUSTOMER_COLUMNS = "id, biller_code, name_ar, name_en, msisdn, governorate, language, created_at"
SERVICE_COLUMNS = "id, biller_code, customer_id, kind, reference, tariff_class, state, created_at"
USAGE_COLUMNS = "service_id, cycle_id, biller_code, quantity, source, imported_at"


def register(engine: Any) -> None:
    """The biller and its tariff in the billing system's registry (the bill run's store)."""
    from fawtara.billing.adapters.uow import BillingUnitOfWork
    from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller
    from fawtara.kernel.clock import SystemClock

    clock = SystemClock()
    uow: Any = BillingUnitOfWork(engine)
    register_billing_biller(uow, the_biller(), clock)
    uow = BillingUnitOfWork(engine)
    add_tariff(uow, the_tariff(), clock)


# --------------------------------------------------------------------------
# PostgreSQL: databases, bulk load, the COPY baseline, pgbench


# pg_url, pg_connect, recreate_database, drop_database: bench/pgdb.py


def pg_copy(conn: Any, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def pg_setup(url: str, services: int) -> None:
    from fawtara.storage.engine import make_engine
    from fawtara.storage.schema import BILLING, upgrade

    engine = make_engine(url)
    with phase("postgresql: billing store schema (alembic upgrade head), biller and tariff"):
        upgrade(engine, system=BILLING)
        register(engine)
    engine.dispose()
    created = "2026-01-01 00:00:00+00"
    with phase(f"postgresql: COPY {services:,} customers, services, usage rows"), \
            pg_connect(url) as conn:
        pg_copy(conn, "customers", CUSTOMER_COLUMNS, customer_rows(services, created))
        pg_copy(conn, "services", SERVICE_COLUMNS, service_rows(services, created))
        pg_copy(conn, "usage_records", USAGE_COLUMNS,
                usage_rows(services, "2026-03-01 06:00:00+00"))
        for table in ("customers", "services"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {services})")
        conn.commit()
    with phase("postgresql: VACUUM ANALYZE"), pg_connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def pg_reset_bills(url: str) -> None:
    """Back to 'no bill run yet' for the cycle, then a checkpoint for a quiet start."""
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE bills CASCADE")  # and the tables that refer to bills
        conn.execute("DELETE FROM bill_runs")
        conn.execute("CHECKPOINT")


def bill_like_rows(services: int) -> list[tuple[Any, ...]]:
    """The rows a bill run writes for this data set, as the baseline COPY's input."""
    tariff = the_tariff()
    issued, period_start, period_end = date(2026, 3, 1), date(2026, 1, 1), date(2026, 2, 28)
    due = issued + timedelta(days=30)
    lines: dict[int, str] = {}
    rows = []
    for i, quantity in enumerate(quantities(services), start=1):
        text = lines.get(quantity)
        if text is None:
            text = json.dumps([line.to_dict() for line in tariff.price(quantity)],
                              ensure_ascii=False)
            lines[quantity] = text
        amount = expected_amount_minor(quantity)
        rows.append((f"{BILLER}-{CYCLE}-{i}", BILLER, i, CYCLE, period_start, period_end, issued,
                     due, amount, 0, "SYP", "issued" if amount else "paid", text))
    return rows


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    def field(value: Any) -> str:
        text = value.isoformat() if isinstance(value, date) else str(value)
        return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))

    return "".join("\t".join(map(field, row)) + "\n" for row in rows).encode()


BILL_LIKE_COLUMNS = ("id, biller_code, service_id, cycle_id, period_start, period_end, issued_on, "
                     "due_on, amount_minor, paid_minor, currency, status, lines")


def pg_copy_baseline(url: str, rows: list[tuple[Any, ...]], text: bytes | None) -> float:
    """Seconds for one COPY of `rows` (write_row) or of `text` (one buffer), commit included."""
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        # Same column types as bills (LIKE copies types and NOT NULL only), plus a primary key:
        # no unique (service_id, cycle_id), no foreign key, no checks.
        conn.execute("CREATE TABLE copy_baseline (LIKE bills, PRIMARY KEY (id))")
        conn.execute("CHECKPOINT")
    with pg_connect(url) as conn:
        start = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(
            f"COPY copy_baseline ({BILL_LIKE_COLUMNS}) FROM STDIN"
        ) as copy:
            if text is None:
                for row in rows:
                    copy.write_row(row)
            else:
                view = memoryview(text)
                for offset in range(0, len(view), 1 << 20):
                    copy.write(view[offset : offset + (1 << 20)])
        conn.commit()
        seconds = time.perf_counter() - start
        count = conn.execute("SELECT count(*) FROM copy_baseline").fetchone()[0]
        assert count == len(rows), (count, len(rows))
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE copy_baseline")
    return seconds


def pg_copy_into_bills(url: str, rows: list[tuple[Any, ...]], batch_rows: int) -> float:
    """Seconds to COPY the same rows into `bills` itself, one transaction per batch.

    The bill run's writes without its reads and pricing: what the table's
    unique key, checks and foreign key to services cost on top of C.
    """
    pg_reset_bills(url)
    with pg_connect(url) as conn:
        start = time.perf_counter()
        for first in range(0, len(rows), batch_rows):
            with conn.cursor() as cursor, cursor.copy(
                f"COPY bills ({BILL_LIKE_COLUMNS}) FROM STDIN"
            ) as copy:
                for row in rows[first : first + batch_rows]:
                    copy.write_row(row)
            conn.commit()
        seconds = time.perf_counter() - start
    pg_reset_bills(url)
    return seconds


def pgbench_available() -> bool:
    return shutil.which("pgbench") is not None


def pgbench_init(base_url: str) -> None:
    recreate_database(base_url, PGBENCH_DB)
    subprocess.run(["pgbench", "-i", "-s", "10", "-q", *pgbench_args(base_url), PGBENCH_DB],
                   check=True, capture_output=True, env=pgbench_env(base_url))


def pgbench_select_tps(base_url: str, seconds: int) -> float:
    done = subprocess.run(
        ["pgbench", "-S", "-T", str(seconds), "-c", "2", "-j", "2", "-n",
         *pgbench_args(base_url), PGBENCH_DB],
        check=True, capture_output=True, text=True, env=pgbench_env(base_url),
    )
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    assert found is not None, done.stdout
    return float(found.group(1))


# --------------------------------------------------------------------------
# SQLite: bulk load into a pristine file, copied before each run


def sqlite_setup(path: Path, services: int) -> None:
    from fawtara.storage.engine import make_engine
    from fawtara.storage.schema import BILLING, upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    with phase("sqlite: billing store schema (alembic upgrade head), biller and tariff"):
        upgrade(engine, system=BILLING)
        register(engine)
    engine.dispose()
    created = "2026-01-01 00:00:00.000000"  # SQLAlchemy's storage format for DateTime
    with phase(f"sqlite: executemany {services:,} customers, services, usage rows"):
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous=OFF")  # the loader only; the bill run uses FULL
        conn.execute("PRAGMA foreign_keys=ON")
        for table, columns, rows in (
            ("customers", CUSTOMER_COLUMNS, customer_rows(services, created)),
            ("services", SERVICE_COLUMNS, service_rows(services, created)),
            ("usage_records", USAGE_COLUMNS, usage_rows(services, "2026-03-01 06:00:00.000000")),
        ):
            marks = ", ".join("?" * len(columns.split(",")))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()


def sqlite_fresh_copy(pristine: Path, run: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, run)


# --------------------------------------------------------------------------
# One bill run, in a child process


def vm_hwm_kb() -> int:
    """This process's peak resident set (VmHWM), in kB.

    Not getrusage(): on Linux a child's ru_maxrss starts from the high-water
    mark of the address space it was forked from (the generator's), while
    VmHWM belongs to the address space the bill run's interpreter was exec'd into.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (here: a PostgreSQL backend on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_main(url: str, batch_rows: int | None, profile: str | None) -> None:
    """Runs in the child: one bill run, then one JSON line with its figures."""
    from fawtara.billing.adapters.uow import BillingUnitOfWork
    from fawtara.billing.use_cases.bill_run import run_bill_run
    from fawtara.kernel.clock import SystemClock
    from fawtara.storage.engine import make_engine

    engine = make_engine(url)
    backends: list[int] = []
    if engine.dialect.name == "postgresql":
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def remember_backend(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.append(cursor.fetchone()[0])
            dbapi_connection.commit()

    rss_before_kb = vm_hwm_kb()
    last = [time.perf_counter()]

    def progress(done: int, total: int | None) -> None:
        print(f"{PROGRESS_MARK}{done} {total}", flush=True)
        now = time.perf_counter()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            print(f"    ... {done:,} / {total:,} services", flush=True)

    options: dict[str, Any] = {} if batch_rows is None else {"batch_rows": batch_rows}

    uow_factory: Any = partial(BillingUnitOfWork, engine)

    def run() -> Any:
        return run_bill_run(uow_factory, BILLER, CYCLE, SystemClock(), progress, **options)

    cpu_start = time.process_time()
    start = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        report = profiler.runcall(run)
        seconds = time.perf_counter() - start
        profiler.dump_stats(profile)
    else:
        report = run()
        seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    server_cpu_seconds = sum(process_cpu_seconds(pid) for pid in backends) if backends else None
    engine.dispose()
    print(RESULT_MARK + json.dumps({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "server_cpu_seconds": server_cpu_seconds,
        "bills_issued": report.bills_issued,
        "services_pending": report.services_pending,
        "services_without_usage": report.services_without_usage,
        "batches": report.batches,
        "peak_rss_kb": vm_hwm_kb(),
        "rss_before_run_kb": rss_before_kb,
    }), flush=True)


def default_batch_rows() -> int:
    from fawtara.kernel import limits

    return limits.bill_run_batch_rows


def run_child(url: str, batch_rows: int | None, profile: str | None = None,
              kill_at: float | None = None) -> dict[str, Any]:
    """One bill run in its own process, which reports its own peak RSS.

    With `kill_at` (a fraction), the process is killed with SIGKILL as soon as
    it reports that much of the run done: the next batch is then in flight.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--child", url]
    if batch_rows is not None:
        command += ["--batch-rows", str(batch_rows)]
    if profile:
        command += ["--profile", profile]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    result: dict[str, Any] = {}
    killed = False
    for line in proc.stdout:
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        elif line.startswith(PROGRESS_MARK):
            done, total = (int(x) for x in line[len(PROGRESS_MARK):].split())
            if kill_at is not None and not killed and done >= kill_at * total:
                proc.send_signal(signal.SIGKILL)
                killed = True
        else:
            print(line, end="", flush=True)
    returncode = proc.wait()
    if killed and returncode == -signal.SIGKILL:
        return {"killed": True}
    if returncode != 0 or not result:
        raise RuntimeError(f"bill run child failed with exit status {returncode}")
    return result


# --------------------------------------------------------------------------
# Checks on what a run wrote: counts, money, and a digest to compare engines and versions

BILLS_IN_ORDER = (
    "SELECT id, biller_code, service_id, cycle_id, period_start, period_end, issued_on, due_on, "
    "amount_minor, paid_minor, currency, status, {lines} FROM bills ORDER BY service_id"
)


def summarise(rows: Any, run: Any) -> dict[str, Any]:
    """Counts, totals and an md5 over every bill's columns (dates as ISO text, lines as text)."""
    import hashlib

    digest = hashlib.md5()
    count = amount = paid = 0
    for row in rows:
        count += 1
        amount += row[8]
        paid += row[9]
        digest.update(("|".join(str(v) for v in row) + "\n").encode())
    return {"bills": count, "amount_minor": amount, "paid_minor": paid,
            "digest": digest.hexdigest(), "bill_run": list(run) if run else None}


def bills_summary_pg(url: str) -> dict[str, Any]:
    with pg_connect(url) as conn:
        run = conn.execute("SELECT status, bills_issued, attempts FROM bill_runs").fetchone()
        with conn.cursor(name="bills_digest") as cursor:
            cursor.itersize = 20_000
            cursor.execute(BILLS_IN_ORDER.format(lines="lines::text"))
            return summarise(cursor, run)


def bills_summary_sqlite(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        run = conn.execute("SELECT status, bills_issued, attempts FROM bill_runs").fetchone()
        return summarise(conn.execute(BILLS_IN_ORDER.format(lines="lines")), run)
    finally:
        conn.close()


def expected_summary(services: int) -> dict[str, int]:
    amounts = [expected_amount_minor(q) for q in quantities(services)]
    return {"bills": services, "amount_minor": sum(amounts), "paid_minor": 0}


def check_summary(found: dict[str, Any], expected: dict[str, int]) -> None:
    for key, value in expected.items():
        if found[key] != value:
            raise AssertionError(f"bills {key}: expected {value}, found {found[key]}")


# --------------------------------------------------------------------------
# Orchestration


def median(values: list[float]) -> float:
    return statistics.median(values)


def mb(kb: int) -> float:
    return round(kb / 1024, 1)


def run_rounds(
    engine_name: str, repeats: int, reset: Callable[[], None], url: str,
    batch_rows: int | None, before_round: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    runs = []
    for round_no in range(1, repeats + 1):
        if before_round is not None:
            before_round(round_no)
        reset()
        say(f"{engine_name}: bill run {round_no}/{repeats} (child process) ...")
        result = run_child(url, batch_rows)
        result["bills_per_s"] = result["bills_issued"] / result["seconds"]
        say(f"{engine_name}: bill run {round_no}/{repeats}: {result['bills_issued']:,} bills "
            f"in {result['seconds']:.1f}s = {result['bills_per_s']:,.0f} bills/s, "
            f"peak RSS {mb(result['peak_rss_kb'])} MB")
        runs.append(result)
    return runs


def idempotency_check(engine_name: str, url: str, batch_rows: int | None,
                      summary: Callable[[], dict[str, Any]], expected: dict[str, int],
                      before: dict[str, Any]) -> dict[str, Any]:
    say(f"{engine_name}: rerun of the same cycle (must issue nothing) ...")
    rerun = run_child(url, batch_rows)
    after = summary()
    if rerun["bills_issued"] != 0 or after["digest"] != before["digest"]:
        raise AssertionError(f"{engine_name}: the rerun changed bills: {rerun}, {after}")
    check_summary(after, expected)
    say(f"{engine_name}: rerun issued 0 bills in {rerun['seconds']:.1f}s; bills unchanged")
    return {"rerun_bills_issued": 0, "rerun_seconds": round(rerun["seconds"], 2),
            "bill_run_row": after["bill_run"]}


def resume_check(engine_name: str, url: str, batch_rows: int | None, reset: Callable[[], None],
                 summary: Callable[[], dict[str, Any]], expected: dict[str, int],
                 digest: str) -> dict[str, Any]:
    reset()
    say(f"{engine_name}: bill run killed (SIGKILL) once half the services are done ...")
    killed = run_child(url, batch_rows, kill_at=0.5).get("killed", False)
    partial_summary = summary()
    say(f"{engine_name}: {partial_summary['bills']:,} bills survived the kill; rerunning ...")
    rerun = run_child(url, batch_rows)
    after = summary()
    check_summary(after, expected)
    if after["digest"] != digest:
        raise AssertionError(f"{engine_name}: resumed run wrote different bills")
    if partial_summary["bills"] + rerun["bills_issued"] != expected["bills"]:
        raise AssertionError(f"{engine_name}: bills before the kill and after do not add up")
    if after["bill_run"] != ["completed", expected["bills"], 2]:
        raise AssertionError(f"{engine_name}: bill_runs row after the rerun: {after['bill_run']}")
    say(f"{engine_name}: rerun issued the other {rerun['bills_issued']:,}; same bills as a "
        "clean run")
    return {"killed_mid_run": killed, "bills_before_kill": partial_summary["bills"],
            "bills_issued_by_rerun": rerun["bills_issued"],
            "bills_after_rerun": after["bills"], "same_digest_as_clean_run": True,
            "bill_run_row": after["bill_run"]}


def machine_notes() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    import psycopg
    import sqlalchemy

    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "psycopg": psycopg.__version__,
            "loadavg_at_start": list(os.getloadavg())}


def git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--batch-rows", type=int, default=None,
                        help="override run_bill_run's batch size (default: its own)")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--no-resume-check", action="store_true",
                        help="skip killing a run half-way and checking that a rerun completes it")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the generated databases (for --reuse-data)")
    parser.add_argument("--profile", metavar="FILE",
                        help="only profile one PostgreSQL bill run (cProfile) into FILE")
    parser.add_argument("--once", action="store_true",
                        help="one bill run per engine, checked, no baselines (development)")
    parser.add_argument("--reuse-data", action="store_true",
                        help="skip generating data when a previous run left it (development)")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.batch_rows, args.profile)
        return

    full = args.services == 1_000_000
    output = args.output or (RESULTS / "bill_run.json" if full else WORK / "bill_run.quick.json")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    base_url = os.environ.get("FAWTARA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    url = pg_url(base_url, BENCH_DB)
    WORK.mkdir(exist_ok=True)
    services = args.services
    expected = expected_summary(services)
    say(f"bill run benchmark: {services:,} services, {args.repeats} repeats, engines {engines}")

    if args.profile:
        if not args.reuse_data:
            recreate_database(base_url, BENCH_DB)
            pg_setup(url, services)
        pg_reset_bills(url)
        result = run_child(url, args.batch_rows, profile=args.profile)
        say(f"profiled run: {result['bills_issued']:,} bills in {result['seconds']:.1f}s "
            f"(under cProfile); stats in {args.profile}")
        return

    if args.once:
        once(args, base_url, url, services, expected, engines)
        return

    started = datetime.now(UTC)
    machine = machine_notes()
    results: list[dict[str, Any]] = []
    baseline: dict[str, Any] = {}
    pgbench: dict[str, Any] = {"available": pgbench_available()}

    if "postgresql" in engines:
        if not (args.reuse_data and database_has_services(url, services)):
            with phase(f"postgresql: fresh database {BENCH_DB}"):
                recreate_database(base_url, BENCH_DB)
            pg_setup(url, services)
        with pg_connect(url) as conn:
            machine["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            for setting in ("shared_buffers", "synchronous_commit", "wal_level", "max_wal_size"):
                machine[f"pg_{setting}"] = conn.execute(f"SHOW {setting}").fetchone()[0]
        if pgbench["available"]:
            with phase("pgbench -i -s 10"):
                pgbench_init(base_url)
        with phase("baseline rows (the bills of this data set, as tuples and as COPY text)"):
            rows = bill_like_rows(services)
            text = copy_text(rows)
        copy_rows_s: list[float] = []
        copy_text_s: list[float] = []
        copy_bills_s: list[float] = []
        tps: list[float] = []
        batch = args.batch_rows or default_batch_rows()

        def measure_baselines(round_no: int) -> None:
            if pgbench["available"]:
                tps.append(pgbench_select_tps(base_url, args.pgbench_seconds))
                say(f"pgbench -S -T {args.pgbench_seconds} -c 2, round {round_no}: "
                    f"{tps[-1]:,.0f} tps")
            steps: list[tuple[str, list[float], Callable[[], float]]] = [
                ("C: COPY write_row into a plain table", copy_rows_s,
                 partial(pg_copy_baseline, url, rows, None)),
                ("COPY text buffer into a plain table", copy_text_s,
                 partial(pg_copy_baseline, url, rows, text)),
                (f"COPY write_row into bills, {batch:,} rows a transaction", copy_bills_s,
                 partial(pg_copy_into_bills, url, rows, batch)),
            ]
            for label, seconds, measure in steps:
                seconds.append(measure())
                say(f"{label}, round {round_no}: {services:,} rows in {seconds[-1]:.1f}s = "
                    f"{services / seconds[-1]:,.0f} rows/s")

        pg_runs = run_rounds("postgresql", args.repeats, lambda: pg_reset_bills(url), url,
                             args.batch_rows, before_round=measure_baselines)
        del rows, text
        pg_summary = bills_summary_pg(url)
        check_summary(pg_summary, expected)
        checks = idempotency_check("postgresql", url, args.batch_rows,
                                   lambda: bills_summary_pg(url), expected, pg_summary)
        if not args.no_resume_check:
            checks["resume"] = resume_check(
                "postgresql", url, args.batch_rows, lambda: pg_reset_bills(url),
                lambda: bills_summary_pg(url), expected, pg_summary["digest"])
        baseline = {
            "name": "pg_copy_rows_per_s", "value": round(services / median(copy_rows_s)),
            "method": f"psycopg 3 cursor.copy + write_row of {services:,} tuples built before "
                      "the clock starts (the same values a bill run writes), into a table "
                      "LIKE bills with a primary key and no other index, constraint or "
                      "foreign key; one COPY, one transaction, commit included",
            "runs_rows_per_s": [round(services / s) for s in copy_rows_s],
            "text_buffer": {
                "name": "pg_copy_text_buffer_rows_per_s",
                "value": round(services / median(copy_text_s)),
                "method": "the same rows as one pre-encoded COPY text buffer, written 1 MiB "
                          "at a time",
                "runs_rows_per_s": [round(services / s) for s in copy_text_s],
            },
            "into_bills": {
                "name": "pg_copy_into_bills_rows_per_s",
                "value": round(services / median(copy_bills_s)),
                "method": f"the same rows, write_row, into the bills table itself (primary key, "
                          f"unique (service_id, cycle_id), checks, foreign key to services), "
                          f"{batch:,} rows per transaction: the bill run's writes alone",
                "runs_rows_per_s": [round(services / s) for s in copy_bills_s],
            },
        }
        if tps:
            pgbench.update({"command": f"pgbench -S -T {args.pgbench_seconds} -c 2 -j 2 "
                                       "(after pgbench -i -s 10)",
                            "tps_runs": [round(x) for x in tps], "tps_median": round(median(tps))})
            drop_database(base_url, PGBENCH_DB)
        results.append(engine_result("postgresql", pg_runs, baseline, pg_summary, checks,
                                     pgbench))
        if not args.keep_data:
            drop_database(base_url, BENCH_DB)

    if "sqlite" in engines:
        pristine = WORK / "bill_run.pristine.sqlite"
        run_file = WORK / "bill_run.sqlite"
        if not (args.reuse_data and sqlite_has_services(pristine, services)):
            sqlite_setup(pristine, services)
        sqlite_url = f"sqlite:///{run_file}"
        sqlite_runs = run_rounds("sqlite", args.repeats,
                                 lambda: sqlite_fresh_copy(pristine, run_file), sqlite_url,
                                 args.batch_rows)
        summary = bills_summary_sqlite(run_file)
        check_summary(summary, expected)
        checks = idempotency_check("sqlite", sqlite_url, args.batch_rows,
                                   lambda: bills_summary_sqlite(run_file), expected, summary)
        if not args.no_resume_check:
            checks["resume"] = resume_check(
                "sqlite", sqlite_url, args.batch_rows,
                lambda: sqlite_fresh_copy(pristine, run_file),
                lambda: bills_summary_sqlite(run_file), expected, summary["digest"])
        if "postgresql" in engines:
            if summary["digest"] != pg_summary["digest"]:
                raise AssertionError("SQLite and PostgreSQL bill runs wrote different bills")
            checks["same_bills_as_postgresql"] = True
            say("sqlite: the same bills, column for column, as on PostgreSQL")
        results.append(engine_result("sqlite", sqlite_runs, baseline, summary, checks, pgbench))
        if not args.keep_data:
            for path in (pristine, run_file):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

    for entry in results:
        machine["loadavg_at_end"] = list(os.getloadavg())
        entry.update({"services": services, "date": started.isoformat(timespec="seconds"),
                      "git_commit": git_commit(), "machine": machine,
                      "seconds_total_benchmark": round(time.perf_counter() - T0, 1)})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"results written to {output}")
    for entry in results:
        ratio = "" if entry["ratio"] is None else f", ratio to C {entry['ratio']:.2f}"
        say(f"{entry['engine']}: median {entry['value']:,} bills/s{ratio}, "
            f"peak RSS {entry['peak_rss_mb']} MB")


def once(args: argparse.Namespace, base_url: str, url: str, services: int,
         expected: dict[str, int], engines: list[str]) -> None:
    for engine_name in engines:
        if engine_name == "postgresql":
            if not (args.reuse_data and database_has_services(url, services)):
                recreate_database(base_url, BENCH_DB)
                pg_setup(url, services)
            pg_reset_bills(url)
            run_url = url
            summary: Callable[[], dict[str, Any]] = partial(bills_summary_pg, url)
        else:
            pristine, run_file = WORK / "bill_run.pristine.sqlite", WORK / "bill_run.sqlite"
            if not (args.reuse_data and sqlite_has_services(pristine, services)):
                sqlite_setup(pristine, services)
            sqlite_fresh_copy(pristine, run_file)
            run_url = f"sqlite:///{run_file}"
            summary = partial(bills_summary_sqlite, run_file)
        result = run_child(run_url, args.batch_rows)
        found = summary()
        check_summary(found, expected)
        say(f"{engine_name}: {result['bills_issued']:,} bills in {result['seconds']:.2f}s = "
            f"{result['bills_issued'] / result['seconds']:,.0f} bills/s, bill run process CPU "
            f"{result['cpu_seconds']:.1f}s, server CPU {result['server_cpu_seconds']}s, peak RSS "
            f"{mb(result['peak_rss_kb'])} MB, {result['batches']} batches, "
            f"digest {found['digest']}")


def database_has_services(url: str, services: int) -> bool:
    try:
        with pg_connect(url) as conn:
            found = conn.execute("SELECT count(*) FROM usage_records").fetchone()[0]
    except Exception:
        return False
    return int(found) == services


def sqlite_has_services(path: Path, services: int) -> bool:
    if not path.exists():
        return False
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT count(*) FROM usage_records").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return int(found) == services


def engine_result(engine: str, runs: list[dict[str, Any]], baseline: dict[str, Any],
                  summary: dict[str, Any], checks: dict[str, Any],
                  pgbench: dict[str, Any]) -> dict[str, Any]:
    value = round(median([r["bills_per_s"] for r in runs]))
    c = baseline.get("value")
    return {
        "name": "bill_run",
        "engine": engine,
        "value": value,
        "unit": "bills/s",
        "baseline": baseline or None,
        "ratio": round(value / c, 3) if c else None,
        "ratio_to_text_buffer_copy": (round(value / baseline["text_buffer"]["value"], 3)
                                      if baseline else None),
        "peak_rss_mb": mb(max(r["peak_rss_kb"] for r in runs)),
        "peak_rss_mb_median": mb(int(median([r["peak_rss_kb"] for r in runs]))),
        "command": "make bench",
        "seconds_median": round(median([r["seconds"] for r in runs]), 2),
        "runs": [{"seconds": round(r["seconds"], 2), "bills_per_s": round(r["bills_per_s"]),
                  "process_cpu_seconds": round(r["cpu_seconds"], 2),
                  "server_backend_cpu_seconds": (None if r["server_cpu_seconds"] is None
                                                 else round(r["server_cpu_seconds"], 2)),
                  "bills_issued": r["bills_issued"], "batches": r["batches"],
                  "peak_rss_mb": mb(r["peak_rss_kb"]),
                  "rss_before_run_mb": mb(r["rss_before_run_kb"])} for r in runs],
        "bills": {"count": summary["bills"], "amount_minor": summary["amount_minor"],
                  "digest_md5": summary["digest"]},
        "checks": checks,
        "pgbench": pgbench,
    }


if __name__ == "__main__":
    main()
