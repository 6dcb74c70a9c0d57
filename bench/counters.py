"""Counters and console (issues 5 and 7): offline backlog sync, receipt PDFs, console figures.

Each figure stands beside a baseline measured in the same run (the machine is
shared and noisy: read the ratios and medians). No targets are set by the
issues; this records where things stand. On SQLite and PostgreSQL
(FAWTARA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres;
a database of our own is created and dropped, `test` is never touched).

1. Offline backlog sync. A switch served for real (uvicorn in a thread, seeded
   by tests/station_support.py: ELEC bills, counter DAM01, cashier amal), a
   fault proxy, and a counter station behind it with its sync thread. The
   cashier signs in and opens a shift online; the line is cut; N cash payments
   are taken through the station's desk (`CounterDesk.quote` / `take_payment`,
   the calls the page makes), one bill each; the line is restored and the
   sync woken. Figure: N / (seconds from the restore until the station has no
   pending entry). Baseline, same switch database, same run: N other bills
   paid by `take_cash_payment` in process (no HTTP, no journal). Ratio =
   station sync / direct. Checked: every station payment is at the switch
   once, completed, its bill paid once, every entry sent; the ledger balances.
   3 rounds on one station (fresh bills each), medians. If the switch refuses
   a push (HTTP 4xx: the station would retry it forever) the backlog is
   recorded as stalled, the same is measured with `--fitting-backlog`
   payments on a fresh switch and station, and the run exits non-zero at the end.
2. Receipt PDFs. Median of `render_receipt_pdf(receipt, signer.sign(receipt))`
   with a counter's signer (as the station prints), after a warm-up, beside
   WeasyPrint rendering a one-line Arabic page (the library's floor),
   interleaved. Checked: the PDF's QR text verifies with the switch's key.
3. Console figures. `fawtara db upgrade` and `fawtara demo seed` into a fresh
   database, a burst of push payments (so the 5-minute window holds data),
   then `fawtara serve` as a process; medians of `/metrics` and
   `GET /v1/ops/figures` (operator key OPS) beside `/healthz` (the HTTP floor),
   interleaved over one keep-alive connection. Checked: the figures count the
   burst's payments; /metrics names them.

Usage:
    .venv/bin/python bench/counters.py              # the full run (make bench), ~1-2 minutes
    .venv/bin/python bench/counters.py --quick      # small N, results to bench/work/
    .venv/bin/python bench/counters.py --engines sqlite --parts sync
Writes bench/results/counters.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform as host
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pgdb import drop_database, pg_url, recreate_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.receipt_support import sample_receipt  # noqa: E402
from tests.station_support import (  # noqa: E402
    BILLER,
    CASHIER,
    CASHIER_PASSWORD,
    COUNTER,
    free_port,
    station_line,
    wait_until,
)

from fawtara.banks.adapters.in_memory import InMemoryBank  # noqa: E402
from fawtara.config import DEFAULT_BILLER_LINKS, Settings, parse_banks  # noqa: E402
from fawtara.counters.domain.cash import round_cash  # noqa: E402
from fawtara.counters.use_cases.cash_payments import CashPayment, take_cash_payment  # noqa: E402
from fawtara.demo.participants import demo_key  # noqa: E402
from fawtara.demo.payments import NoPullBank  # noqa: E402
from fawtara.receipts.bootstrap import (  # noqa: E402
    counter_signer,
    init_switch_keys,
    issue_counter_credentials,
    render_receipt_pdf,
    verify_receipt,
)
from fawtara.station.model import EntryState  # noqa: E402
from fawtara.station.rules import journal_body  # noqa: E402
from fawtara.storage import tables as t  # noqa: E402
from fawtara.switch.domain.participants import Participant, ParticipantKind  # noqa: E402
from fawtara.switch.domain.payments import PaymentRequest  # noqa: E402
from fawtara.switch.use_cases.ledger import verify_ledger  # noqa: E402
from fawtara.switch.use_cases.payments import submit_payment  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "fawtara_bench_counters"
FAWTARA = str(ROOT / ".venv" / "bin" / "fawtara")
# The backlog must be synced within this, or the run fails.
SYNC_S_MAX = float(os.environ.get("BENCH_SYNC_S_MAX", "240"))
FLOOR_HTML = '<html lang="ar" dir="rtl"><body><p>إيصال دفع فاتورة الكهرباء</p></body></html>'
FLOOR_CSS = 'body { font-family: "Noto Naskh Arabic", sans-serif; font-size: 10pt; }'


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def summary(samples_s: list[float]) -> dict[str, Any]:
    ordered = sorted(samples_s)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
        "samples": len(ordered),
    }


@contextmanager
def database(engine: str, folder: Path, name: str) -> Iterator[tuple[str, str]]:
    """Fresh, empty database URLs of the engine: the switch's store and the billing
    system's beside it (NAME_billing); dropped afterwards on PostgreSQL."""
    billing = f"{name}_billing"
    if engine == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}", f"sqlite:///{folder / f'{billing}.db'}"
        return
    base = os.environ.get("FAWTARA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    recreate_database(base, name)
    recreate_database(base, billing)
    try:
        yield pg_url(base, name), pg_url(base, billing)
    finally:
        drop_database(base, name)
        drop_database(base, billing)


# -- 1. offline backlog sync -------------------------------------------------------------


class TimedPushes:
    """Wraps the station's link: how long each journal push took, and which failed."""

    def __init__(self, push: Callable[..., Any]) -> None:
        self.push = push
        self.calls: list[dict[str, Any]] = []

    def __call__(self, entries: list[Any], through: datetime) -> Any:
        body = len(journal_body([entry.wire() for entry in entries], through))  # as sent
        started = time.perf_counter()
        try:
            results = self.push(entries, through)
        except Exception as error:
            elapsed = time.perf_counter() - started
            self.calls.append(
                {"entries": len(entries), "body_bytes": body, "s": elapsed, "error": str(error)}
            )
            raise
        self.calls.append(
            {"entries": len(entries), "body_bytes": body, "s": time.perf_counter() - started}
        )
        return results

    def refused(self) -> str | None:
        """The switch's refusal of a push (an HTTP 4xx): the sync cannot get past it."""
        return next((c["error"] for c in self.calls if "answered 4" in c.get("error", "")), None)


def direct_payments(line: Any, bills: list[Any]) -> float:
    """The baseline: `take_cash_payment` in process, one bill each; payments/s."""
    switch = line.platform.switch(InMemoryBank())
    denominations = switch.cash_denominations_minor
    started = time.perf_counter()
    for bill in bills:
        payment = CashPayment(
            str(uuid.uuid4()), COUNTER, None, CASHIER, BILLER, bill.meter, (bill.bill_id,),
            bill.amount_minor, round_cash(bill.amount_minor, denominations),
            datetime.now(UTC), None,
        )  # fmt: skip
        outcome = take_cash_payment(switch, payment)
        assert outcome.state == "completed", outcome
    return len(bills) / (time.perf_counter() - started)


def offline_sync(engine: str, folder: Path, payments: int, rounds: int) -> dict[str, Any]:
    logging.getLogger("fawtara.station.sync").setLevel(logging.ERROR)  # one "link down" a payment
    work = folder / f"sync-{engine}-{payments}"
    runs: list[dict[str, Any]] = []
    with (
        database(engine, folder, f"{BENCH_DB}_sync_{payments}") as (url, billing_url),
        station_line(url, work, 2 * payments * rounds, billing_url) as line,
    ):
        desk = line.station.desk
        member = desk.signed_in(desk.sign_in(CASHIER, CASHIER_PASSWORD))
        desk.open_shift(member, 50_000)
        wait_until(lambda: line.station.store.pending_count() == 0, "the shift's sync")
        pushes = TimedPushes(line.station.syncer.link.push)
        line.station.syncer.link.push = pushes  # type: ignore[method-assign]
        for round_no in range(rounds):
            bills = line.bills[2 * payments * round_no : 2 * payments * (round_no + 1)]
            station_bills, direct_bills = bills[:payments], bills[payments:]
            assert len(direct_bills) == payments, "one bill per meter expected"
            direct_rate = direct_payments(line, direct_bills)

            line.proxy.cut()
            pushes.calls.clear()
            started = time.perf_counter()
            ids = []
            for bill in station_bills:
                quote = desk.quote(member, BILLER, bill.meter, [bill.bill_id])
                ids.append(desk.take_payment(member, quote, quote.cash_to_take_minor))
            offline_rate = payments / (time.perf_counter() - started)
            assert line.station.store.pending_count() == payments, "taken offline, all pending"
            failed_offline = sum("error" in call for call in pushes.calls)
            pushes.calls.clear()

            line.proxy.restore()
            started = time.perf_counter()
            line.station.syncer.wake()
            wait_until(lambda: synced_or_refused(line, pushes), "the sync", SYNC_S_MAX)
            sync_s = time.perf_counter() - started
            if refusal := pushes.refused():
                return {
                    "engine": engine,
                    "payments": payments,
                    "stalled": refusal,
                    "still_pending": line.station.store.pending_count(),
                    "after_s": round(sync_s, 2),
                    "pushes": pushes.calls,
                }
            check_synced(line, ids, station_bills, 2 * payments * (round_no + 1))
            runs.append({
                "sync_payments_per_s": round(payments / sync_s, 1),
                "sync_s": round(sync_s, 2),
                "direct_payments_per_s": round(direct_rate, 1),
                "offline_taking_payments_per_s": round(offline_rate, 1),
                "pushes_failed_while_offline": failed_offline,
                "pushes": [
                    {**call, "s": round(call["s"], 2)} for call in pushes.calls if call["entries"]
                ],
            })  # fmt: skip
            print(f"  {engine} round {round_no + 1}: {runs[-1]}", flush=True)
    sync_rate = statistics.median(run["sync_payments_per_s"] for run in runs)
    direct_rate = statistics.median(run["direct_payments_per_s"] for run in runs)
    return {
        "engine": engine,
        "payments": payments,
        "station_sync_payments_per_s": sync_rate,
        "baseline_direct_payments_per_s": direct_rate,
        "ratio": round(sync_rate / direct_rate, 3),
        "runs": runs,
    }


def synced_or_refused(line: Any, pushes: TimedPushes) -> bool:
    return line.station.store.pending_count() == 0 or pushes.refused() is not None


def check_synced(line: Any, ids: list[str], bills: list[Any], counter_total: int) -> None:
    store = line.station.store
    for payment_id in ids:
        local = store.payment(payment_id)
        assert local is not None and local.entry_state is EntryState.SENT, local
    with line.platform.engine.connect() as db:
        p = t.payments.c
        rows = db.execute(select(p.payment_id, p.state).where(p.payment_id.in_(ids))).all()
        assert sorted(r.payment_id for r in rows) == sorted(ids), "each payment once"
        assert {r.state for r in rows} == {"completed"}, {r.state for r in rows}
        cash_rows = db.execute(select(func.count()).select_from(t.counter_payments)).scalar_one()
        assert cash_rows == counter_total, (cash_rows, counter_total)
    with line.platform.billing_store().connect() as db:  # the biller's books
        bp = t.bill_payments.c
        per_bill = db.execute(
            select(bp.bill_id, func.count())
            .where(bp.bill_id.in_([b.bill_id for b in bills]))
            .group_by(bp.bill_id)
        ).all()
        assert len(per_bill) == len(bills) and {n for _, n in per_bill} == {1}, "bills once"
    assert verify_ledger(line.platform.uow(readonly=True)).balanced


# -- 2. receipt PDFs ---------------------------------------------------------------------


def receipts(folder: Path, renders: int, warmup: int = 3) -> dict[str, Any]:
    from weasyprint import CSS, HTML

    settings = Settings("sqlite://", "127.0.0.1", 8000, keys_dir=folder / "receipt-keys")
    init_switch_keys(settings)
    signer = counter_signer(*issue_counter_credentials(settings, COUNTER))
    receipt = sample_receipt()
    floor_css = CSS(string=FLOOR_CSS)

    def ours() -> bytes:
        return render_receipt_pdf(receipt, signer.sign(receipt))

    def floor() -> bytes:
        return bytes(HTML(string=FLOOR_HTML).write_pdf(stylesheets=[floor_css]))

    ours_s: list[float] = []
    floor_s: list[float] = []
    for round_no in range(warmup + renders):
        for render, samples in ((ours, ours_s), (floor, floor_s)):
            started = time.perf_counter()
            pdf = render()
            elapsed = time.perf_counter() - started
            if round_no >= warmup:
                samples.append(elapsed)
    assert pdf.startswith(b"%PDF")
    sample = folder / "receipt.pdf"
    sample.write_bytes(ours())
    verified = verify_receipt(str(sample), settings)
    assert verified.receipt.payment_id == receipt.payment_id
    assert verified.signed_by == f"counter {COUNTER}"
    mine, base = summary(ours_s), summary(floor_s)
    return {
        "receipt": mine,
        "baseline_weasyprint_one_line": base,
        "ratio": round(mine["median_ms"] / base["median_ms"], 2),
        "receipt_pdf_bytes": sample.stat().st_size,
    }


# -- 3. console figures ------------------------------------------------------------------


def fawtara(env: dict[str, str], *args: str) -> None:
    subprocess.run([FAWTARA, *args], env=env, check=True, capture_output=True, timeout=300)


def push_burst(url: str, billing_url: str, keys_dir: Path, payments: int) -> int:
    """Push payments of demo banks for unpaid bills, through the switch's use case (the
    billing system called in process, on its own store)."""
    from fawtara.demo import data
    from fawtara.wiring import bootstrap

    settings = Settings(url, "127.0.0.1", 8000, keys_dir=keys_dir, billing_database_url=billing_url)
    platform = bootstrap(settings)
    try:
        b, s = t.presented_bills.c, t.presented_services.c  # the switch's copy of the bills
        query = (
            select(b.id, b.biller_code, s.reference, b.amount_minor)
            .join_from(t.presented_bills, t.presented_services, s.id == b.service_id)
            .where(b.status == "issued", b.amount_minor > 0, b.paid_minor == 0)
            .order_by(b.id)
            .limit(payments)
        )
        with platform.engine.connect() as db:
            bills = db.execute(query).all()
        assert len(bills) == payments, f"only {len(bills)} unpaid demo bills"
        switch = platform.switch(NoPullBank())
        for index, bill in enumerate(bills):
            bank = data.DEMO_BANKS[index % len(data.DEMO_BANKS)]
            request = PaymentRequest(
                str(uuid.uuid4()), "bank", bill.biller_code, bill.reference, (bill.id,),
                bill.amount_minor, "SYP", bank.code, f"BENCH-{index:04d}", None,
                f"{bank.code}-BENCH-{index:05d}",
            )  # fmt: skip
            bank_ = Participant(bank.code, ParticipantKind.BANK, bank.name_ar, bank.name_en,
                                ("bank",))  # fmt: skip
            submit_payment(switch, bank_, request, wait_s=0)
        return len(bills)
    finally:
        platform.engine.dispose()
        platform.billing_store().dispose()


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [FAWTARA, "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base), "fawtara serve", 30)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def console(engine: str, folder: Path, burst: int, requests: int) -> dict[str, Any]:
    with database(engine, folder, f"{BENCH_DB}_console") as (url, billing_url):
        keys_dir = folder / f"console-keys-{engine}"
        closed = free_port()  # nothing listens there: the bank and biller links and SMSC show down
        billers = parse_banks(DEFAULT_BILLER_LINKS, "FAWTARA_BILLER_LINKS")
        env = {
            **os.environ,
            "FAWTARA_DATABASE_URL": url,
            "FAWTARA_BILLING_DATABASE_URL": billing_url,
            "FAWTARA_KEYS_DIR": str(keys_dir),
            "FAWTARA_BANKS": f"BEMO=http://127.0.0.1:{closed}",
            "FAWTARA_BILLER_LINKS": ",".join(
                f"{code}=http://127.0.0.1:{closed}" for code in billers
            ),
            "FAWTARA_SMSC_PORT": str(closed),
            "FAWTARA_LOG_FORMAT": "json",
        }
        fawtara(env, "db", "upgrade")
        fawtara(env, "billing", "db", "upgrade")
        fawtara(env, "demo", "seed")
        started = time.perf_counter()
        pushed = push_burst(url, billing_url, keys_dir, burst)
        burst_rate = pushed / (time.perf_counter() - started)
        paths = {
            "healthz": "/healthz",
            "metrics": "/metrics",
            "ops_figures": "/v1/ops/figures",
        }
        samples: dict[str, list[float]] = {name: [] for name in paths}
        with (
            serving(env) as base,
            httpx.Client(
                base_url=base, headers={"X-Api-Key": demo_key("OPS")}, timeout=30
            ) as client,
        ):
            answers: dict[str, httpx.Response] = {}
            for round_no in range(5 + requests):
                for name, path in paths.items():
                    begun = time.perf_counter()
                    answers[name] = client.get(path)
                    elapsed = time.perf_counter() - begun
                    assert answers[name].status_code == 200, answers[name].text[:300]
                    if round_no >= 5:
                        samples[name].append(elapsed)
        figures = answers["ops_figures"].json()
        completed = sum(
            row["count"] for row in figures["payments"]
            if row["channel"] == "bank" and row["outcome"] == "completed"
        )  # fmt: skip
        assert completed >= pushed, f"figures count {completed} bank payments, burst {pushed}"
        assert "fawtara_payments" in answers["metrics"].text
    floor = summary(samples["healthz"])
    result: dict[str, Any] = {
        "engine": engine,
        "burst_payments": pushed,
        "burst_payments_per_s": round(burst_rate, 1),
        "bank_payments_completed_in_window": completed,
        "baseline_healthz": floor,
    }
    for name in ("metrics", "ops_figures"):
        found = summary(samples[name])
        result[name] = {**found, "ratio": round(found["median_ms"] / floor["median_ms"], 1)}
    return result


# -- the run -----------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = [
        "| figure | engine | value | baseline (same run) | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for sync in results.get("offline_sync", []):
        if "stalled" in sync:
            lines.append(
                f"| offline backlog sync, {sync['payments']} cash payments | {sync['engine']} "
                f"| **never syncs**: {sync['stalled']} | — | — |"
            )
            continue
        lines.append(
            f"| offline backlog sync, {sync['payments']} cash payments | {sync['engine']} "
            f"| {sync['station_sync_payments_per_s']} payments/s "
            f"| take_cash_payment in process: {sync['baseline_direct_payments_per_s']} payments/s "
            f"| {sync['ratio']} |"
        )
    if "receipts" in results:
        pdf = results["receipts"]
        lines.append(
            f"| receipt PDF, render + sign, median | — | {pdf['receipt']['median_ms']} ms "
            f"| WeasyPrint one-line Arabic page: {pdf['baseline_weasyprint_one_line']['median_ms']}"
            f" ms | {pdf['ratio']} |"
        )
    for shown in results.get("console", []):
        floor = shown["baseline_healthz"]["median_ms"]
        for name, label in (("metrics", "/metrics"), ("ops_figures", "GET /v1/ops/figures")):
            lines.append(
                f"| {label}, median | {shown['engine']} | {shown[name]['median_ms']} ms "
                f"| /healthz: {floor} ms | {shown[name]['ratio']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=300, help="offline cash payments")
    parser.add_argument("--rounds", type=int, default=3, help="offline sync rounds")
    parser.add_argument(
        "--fitting-backlog",
        type=int,
        default=100,
        help="offline payments measured instead when the switch refuses the full backlog",
    )
    parser.add_argument("--renders", type=int, default=30, help="receipt PDFs timed")
    parser.add_argument("--burst", type=int, default=300, help="payments before the console")
    parser.add_argument("--requests", type=int, default=60, help="requests per console path")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--parts", default="sync,receipts,console")
    parser.add_argument("--quick", action="store_true", help="small sizes, bench/work/ output")
    options = parser.parse_args()
    if options.quick:
        options.payments, options.rounds, options.renders = 20, 2, 5
        options.burst, options.requests = 30, 10
    engines = options.engines.split(",")
    parts = options.parts.split(",")
    results: dict[str, Any] = {
        "command": "python bench/counters.py " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_at_start": load(),
        "machine": {"cpus": os.cpu_count(), "python": host.python_version()},
    }
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        if "sync" in parts:
            results["offline_sync"] = []
            for engine in engines:
                for payments in (options.payments, options.fitting_backlog):
                    found = offline_sync(engine, folder, payments, options.rounds)
                    results["offline_sync"].append(found)
                    print(json.dumps(found), flush=True)
                    if "stalled" not in found:
                        break
        if "receipts" in parts:
            results["receipts"] = receipts(folder, options.renders)
            print(json.dumps(results["receipts"]), flush=True)
        if "console" in parts:
            results["console"] = []
            for engine in engines:
                results["console"].append(console(engine, folder, options.burst, options.requests))
                print(json.dumps(results["console"][-1]), flush=True)
    results["load_at_end"] = load()
    results["wall_s"] = round(time.perf_counter() - wall, 1)
    print(table(results))
    print(f"wall time {results['wall_s']} s; {results['load_at_end']}")
    full = not options.quick and set(parts) == {"sync", "receipts", "console"} and len(engines) == 2
    out = HERE / ("results" if full else "work")
    out.mkdir(exist_ok=True)
    (out / "counters.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"written {out / 'counters.json'}")
    stalls = [sync for sync in results.get("offline_sync", []) if "stalled" in sync]
    if stalls:
        sys.exit(f"FAILED: a backlog of {stalls[0]['payments']} offline payments never syncs")


if __name__ == "__main__":
    main()
