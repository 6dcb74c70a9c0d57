"""Helpers of the chaos tests: real processes, a seeded world, and the books checked after.

The chaos tests (tests/e2e/test_chaos_*.py) run the switch as an operator
does: `fawtara bank-sim`, `fawtara serve` and `fawtara worker` as separate
processes on one database (a fresh PostgreSQL database, or a SQLite file),
all on 127.0.0.1. They hurt them (lost and late bank replies, kill -9) and
then check DESIGN.md rules 3, 5 and 8 from the outside: what the clients were
told, what the bank booked, what the switch's database holds, and what
`fawtara ledger verify` says.

Nothing here kills a process it did not start: every process is kept as a
`Service` and signalled by its own pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from fawtara.banks.adapters.iso20022 import DEFAULT_SWITCH
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.config import Settings
from fawtara.kernel.clock import ManualClock
from fawtara.storage import schema
from fawtara.storage import tables as t
from fawtara.storage.engine import make_engine, normalise_url
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import bootstrap
from tests.support import build_world, usage_rows

FAWTARA = str(Path(sys.executable).parent / "fawtara")
LOOPBACK = "127.0.0.1"
STARTUP_S_MAX = 30.0
FINAL_STATES = frozenset({"completed", "failed", "returned", "reversed"})

BANK_CODE = "BEMO"
COLLECTION = DEFAULT_SWITCH.collection_account  # the switch's account at the bank
BILLER = "ELEC"
CYCLE = "2026-B5"
CHANNEL = "portal"
PORTAL_KEY = "PORTAL.portal-chaos-secret"
OPS_KEY = "OPS.ops-chaos-secret"
MSISDN = "+963933123456"
ACCOUNT_BALANCE_MINOR = 100_000_000  # 1,000,000.00 SYP: no payment is refused for funds


def seed_of(name: str, default: int) -> int:
    """The run's random seed: FAWTARA_CHAOS_SEED if set, else a fixed default (printed)."""
    value = int(os.environ.get("FAWTARA_CHAOS_SEED", str(default)))
    print(f"{name}: seed {value} (rerun with FAWTARA_CHAOS_SEED={value})", flush=True)
    return value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


# --- Databases ----------------------------------------------------------------


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`; dropped (forcibly) afterwards."""
    name = f"chaos_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(server_url)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Processes ----------------------------------------------------------------


@dataclass
class Service:
    """One child process, restartable, logging to its own file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, f"{self.name} runs"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {self.starts} of {self.name} ===\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # signals to the test runner do not reach it
            )

    def wait_healthy(self, timeout_s: float = STARTUP_S_MAX) -> None:
        assert self.health_url is not None and self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(self.health_url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.name} not healthy in {timeout_s} s:\n{self.log_tail()}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL this process (by its own pid) and reap it."""
        assert self.process is not None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.kills += 1
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # uvicorn and the worker stop on Ctrl-C
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text_ = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text_.splitlines()[-lines:])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


class Stack:
    """The bank simulator, the biller's billing service, the switch's API and its payment
    worker, as processes.

    `database_url` is the switch's database and `billing_database_url` the billing
    system's (both seeded by `seed_world` before `start_switch`; SQLite beside the
    switch's by default); the bank keeps its books in its own SQLite file. The switch
    reaches the biller only over the Biller API, on the billing service's port.
    """

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        bank_timeout_s: float = 2.0,
        billing_database_url: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.billing_database_url = billing_database_url or f"sqlite:///{workdir / 'billing.db'}"
        self.bank_port, self.api_port, self.billing_port = free_port(), free_port(), free_port()
        self.bank_url = f"http://{LOOPBACK}:{self.bank_port}"
        self.api_url = f"http://{LOOPBACK}:{self.api_port}"
        self.billing_url = f"http://{LOOPBACK}:{self.billing_port}"
        self.bank_db = workdir / f"bank-{BANK_CODE}.db"
        base_env = {
            **os.environ,
            "FAWTARA_DATABASE_URL": database_url,
            "FAWTARA_BILLING_DATABASE_URL": self.billing_database_url,
            "FAWTARA_BILLER_LINKS": f"{BILLER}={self.billing_url}",
            "FAWTARA_SWITCH_URL": self.api_url,
            "FAWTARA_BANKS": f"{BANK_CODE}={self.bank_url}",
            "FAWTARA_BANK_TIMEOUT_S": str(bank_timeout_s),
            "FAWTARA_HOST": LOOPBACK,
            "PYTHONUNBUFFERED": "1",
        }
        self.env = base_env
        self.bank = Service(
            "bank-sim",
            [
                FAWTARA,
                "bank-sim",
                "--bank",
                BANK_CODE,
                "--port",
                str(self.bank_port),
                "--database",
                str(self.bank_db),
            ],
            base_env,
            workdir / "bank-sim.log",
            f"{self.bank_url}/healthz",
        )
        self.api = Service(
            "api",
            [FAWTARA, "serve", "--host", LOOPBACK, "--port", str(self.api_port)],
            base_env,
            workdir / "api.log",
            f"{self.api_url}/healthz",
        )
        self.worker = Service("worker", [FAWTARA, "worker"], base_env, workdir / "worker.log")
        self.billing = Service(
            "billing",
            [FAWTARA, "billing", "serve", "--host", LOOPBACK, "--port", str(self.billing_port)],
            base_env,
            workdir / "billing.log",
            f"{self.billing_url}/healthz",
        )
        self.bank_admin = BankAdmin(
            self.bank_url,
            lambda: f"bank-sim running: {self.bank.running}\n{self.bank.log_tail(30)}",
        )

    def start_bank(self) -> None:
        self.bank.start()
        self.bank.wait_healthy()

    def start_switch(self) -> None:
        """The biller's billing service, then the switch's API and worker."""
        if not self.billing.running:
            self.billing.start()
            self.billing.wait_healthy()
        self.api.start()
        self.worker.start()
        self.api.wait_healthy()

    def start_with(self, world: World) -> None:
        """The bank with the world's accounts at their opening balance, then the switch."""
        self.start_bank()
        self.bank_admin.open_accounts(world.accounts, ACCOUNT_BALANCE_MINOR)
        self.start_switch()

    def restart(self, service: Service) -> None:
        service.start()
        if service.health_url is not None:
            service.wait_healthy()

    def close(self) -> None:
        for service in (self.api, self.worker, self.billing, self.bank):
            with contextlib.suppress(Exception):
                service.stop()
        self.bank_admin.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- {s.name} (last lines) ---\n{s.log_tail(40)}"
            for s in (self.api, self.worker, self.billing, self.bank)
        )


@contextlib.contextmanager
def bank_core_stalled(stack: Stack) -> Iterator[None]:
    """Hold the bank's write lock: its core books nothing until the block ends.

    The simulator writes with BEGIN IMMEDIATE and waits up to 30 s for the
    lock, so instructions that arrive meanwhile are booked late, when the
    block ends; reads (status inquiries) go on answering from what is booked,
    as a bank's front end answering from its core's last state.
    """
    connection = sqlite3.connect(stack.bank_db, timeout=10.0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("COMMIT")
    finally:
        connection.close()


def ledger_verify(database_url: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`fawtara ledger verify` run as an operator would, against `database_url`."""
    return subprocess.run(
        [FAWTARA, "ledger", "verify"],
        env={**env, "FAWTARA_DATABASE_URL": database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- The bank, through its admin API --------------------------------------------


class BankAdmin:
    def __init__(self, url: str, describe: Callable[[], str] = lambda: "") -> None:
        self.http = httpx.Client(base_url=url, timeout=10.0)
        self.describe = describe  # what to say about the bank when it does not answer
        self.lock = threading.Lock()
        self.fault_log: list[tuple[float, dict[str, Any]]] = []

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise AssertionError(
                f"bank admin {method} {path}: {type(error).__name__}: {error}\n{self.describe()}"
            ) from error
        return response

    def open_accounts(self, numbers: list[str], balance_minor: int) -> None:
        accounts = [
            {
                "number": number,
                "holder_name": f"مشترك {n}",
                "msisdn": MSISDN,
                "balance_minor": balance_minor,
                "state": "active",
            }
            for n, number in enumerate(numbers)
        ]
        accounts.append({"number": COLLECTION, "holder_name": "الشركة السورية للمدفوعات"})
        self._request("POST", "/admin/accounts", json=accounts)

    def balance(self, number: str) -> int:
        response = self._request("GET", f"/admin/accounts/{number}")
        return int(response.json()["balance_minor"])

    def transactions(self, account: str) -> list[dict[str, Any]]:
        response = self._request("GET", "/admin/transactions", params={"account": account})
        rows: list[dict[str, Any]] = response.json()
        assert len(rows) < 1_000, "the listing is capped at 1000 rows: use fewer payments"
        return rows

    def set_fault(
        self,
        mode: str,
        delay_ms: int = 0,
        count: int | None = None,
        messages: list[str] | None = None,
    ) -> None:
        body: dict[str, Any] = {"mode": mode, "delay_ms": delay_ms, "count": count}
        if messages:
            body["messages"] = messages
        with self.lock:
            self._request("POST", "/admin/faults", json=body)
            self.fault_log.append((time.monotonic(), body))

    def close(self) -> None:
        self.http.close()


# --- The world ----------------------------------------------------------------------


@dataclass(frozen=True)
class SeededBill:
    bill_id: str
    meter: str
    amount_minor: int


@dataclass(frozen=True)
class World:
    bills: list[SeededBill]
    accounts: list[str]


def seed_world(stack: Stack, bills: int, rng: Random) -> World:
    """Migrate both stores of `stack`; ELEC (partial payments allowed) with `bills` bills in
    billing; participants PORTAL (channel), BEMO (the payers' bank), OPS (operator) with
    known keys at the switch."""
    clock = ManualClock(datetime(2026, 11, 1, 7, 0, tzinfo=UTC))
    settings = Settings(
        stack.database_url, LOOPBACK, 8000, billing_database_url=stack.billing_database_url
    )
    platform = bootstrap(settings, clock)
    try:
        platform.upgrade_schema()
        platform.upgrade_schema(schema.BILLING)
        world = build_world(platform, electricity_services=bills)
        rows = [(BILLER, CYCLE, m, str(rng.randint(40, 900))) for m in world.meters]
        import_usage(platform.billing_uow_factory(), usage_rows(rows), "chaos.csv", clock)
        run_bill_run(platform.billing_uow_factory(), BILLER, CYCLE, clock)
        for participant, key in (
            (
                Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", (CHANNEL,)),
                PORTAL_KEY,
            ),
            (Participant(BANK_CODE, ParticipantKind.BANK, "بيمو", "Bemo", ("bank",)), None),
            (
                Participant("OPS", ParticipantKind.OPERATOR, "العمليات", "Ops", (CHANNEL,), True),
                OPS_KEY,
            ),
        ):
            secret = key.split(".", 1)[1] if key else None
            register_participant(platform.uow(), participant, clock, secret=secret)
        seeded: list[SeededBill] = []
        with platform.billing_uow(readonly=True) as uow:
            for meter in world.meters:
                (bill,) = uow.bills.for_service(world.service_ids[meter])
                seeded.append(SeededBill(bill.id, meter, bill.amount_minor))
    finally:
        platform.engine.dispose()
        platform.billing_store().dispose()
    return World(seeded, [f"CHAOS-{n:02d}" for n in range(8)])


def payment_body(bill: SeededBill, amount_minor: int, account: str) -> dict[str, Any]:
    return {
        "payment_id": str(uuid.uuid4()),
        "channel": CHANNEL,
        "biller": BILLER,
        "customer_ref": bill.meter,
        "bill_ids": [bill.bill_id],
        "amount_minor": amount_minor,
        "currency": "SYP",
        "payer": {"bank": BANK_CODE, "account": account},
        "msisdn": MSISDN,
    }


def plan_payments(world: World, rng: Random) -> list[dict[str, Any]]:
    """About two payments a bill: alone, split in parts, or competing for the same bill."""
    bodies: list[dict[str, Any]] = []
    for bill in world.bills:
        amount = bill.amount_minor
        first, second = rng.sample(world.accounts, 2)
        scenario = rng.choices(["single", "split", "compete", "part_and_whole"], [2, 3, 3, 2])[0]
        if scenario == "single":
            bodies.append(payment_body(bill, amount, first))
        elif scenario == "split":
            half = amount // 2
            bodies += [payment_body(bill, half, first), payment_body(bill, amount - half, second)]
        elif scenario == "compete":
            bodies += [payment_body(bill, amount, first), payment_body(bill, amount, second)]
        else:
            third = max(amount // 3, 100)
            bodies += [payment_body(bill, third, first), payment_body(bill, amount, second)]
    return bodies


# --- The switch, as its clients see it ---------------------------------------------------


@dataclass(frozen=True)
class Answer:
    at: float
    status: int | None  # None: no answer (refused, reset, timed out)
    body: dict[str, Any] | None
    error: str | None = None

    @property
    def state(self) -> str | None:
        return None if self.status != 200 or self.body is None else self.body.get("state")

    @property
    def code(self) -> str | None:
        if self.body is None or "error" not in self.body:
            return None
        return str(self.body["error"].get("code"))


class SwitchClient:
    """One channel's HTTP client to the switch (thread-safe: httpx.Client is)."""

    def __init__(self, api_url: str, api_key: str = PORTAL_KEY, timeout_s: float = 10.0) -> None:
        self.http = httpx.Client(
            base_url=api_url,
            headers={"X-Api-Key": api_key},
            timeout=timeout_s,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def pay(self, body: dict[str, Any], wait_s: float) -> Answer:
        return self._call("POST", "/v1/payments", params={"wait": wait_s}, json=body)

    def get(self, payment_id: str) -> Answer:
        return self._call("GET", f"/v1/payments/{payment_id}")

    def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            return Answer(time.monotonic(), None, None, f"{type(error).__name__}: {error}")
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text[:200]}
        return Answer(time.monotonic(), response.status_code, body)

    def close(self) -> None:
        self.http.close()


@dataclass
class Journal:
    """Everything the clients sent and were told, per payment id (thread-safe)."""

    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[str, list[Answer]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, body: dict[str, Any]) -> None:
        with self.lock:
            self.bodies[body["payment_id"]] = body

    def record(self, payment_id: str, answer: Answer) -> None:
        with self.lock:
            self.answers[payment_id].append(answer)

    def acknowledged(self) -> set[str]:
        with self.lock:
            return {
                p for p, answers in self.answers.items() if any(a.status == 200 for a in answers)
            }

    def settled(self, payment_id: str) -> bool:
        """Answered: acknowledged (200) or refused for good (4xx)."""
        with self.lock:
            return any(
                a.status is not None and a.status < 500 for a in self.answers.get(payment_id, [])
            )

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        with self.lock:
            for answers in self.answers.values():
                for a in answers:
                    key = str(a.status) if a.code is None else f"{a.status} {a.code}"
                    if a.status == 200:
                        key = f"200 {a.state}"
                    counts[key if a.status is not None else "no answer"] += 1
        return dict(sorted(counts.items()))


def wait_until_final(
    client: SwitchClient, journal: Journal, payment_ids: set[str], timeout_s: float
) -> dict[str, str]:
    """Poll GET /v1/payments/{id} until every id is final; their states, or AssertionError."""
    deadline = time.monotonic() + timeout_s
    pending = set(payment_ids)
    states: dict[str, str] = {}
    while pending:
        for payment_id in sorted(pending):
            answer = client.get(payment_id)
            journal.record(payment_id, answer)
            if answer.state in FINAL_STATES:
                states[payment_id] = str(answer.state)
                pending.discard(payment_id)
        if not pending:
            break
        if time.monotonic() > deadline:
            last = {p: journal.answers[p][-1] for p in sorted(pending)[:10]}
            raise AssertionError(
                f"{len(pending)} acknowledged payment(s) not final after {timeout_s} s "
                f"(rule 5): {[(p, a.status, a.state, a.code) for p, a in last.items()]}"
            )
        time.sleep(0.5)
    return states


# --- The books, checked from the outside -----------------------------------------------------


@dataclass
class Books:
    """What the switch's database holds at the end."""

    payments: dict[str, dict[str, Any]]
    bills: dict[str, dict[str, Any]]
    allocations: dict[str, list[tuple[str, int]]]  # payment id -> (bill id, amount) posted
    reservations: list[dict[str, Any]]
    ledger: dict[str, tuple[int, int, int, int]]  # account code -> posted dr, cr, pending dr, cr


def read_books(database_url: str, billing_database_url: str) -> Books:
    """The switch's payments and reservations, and the biller's own books (its bills and
    what it recorded as paid), each read from its own store."""
    engine, billing = make_engine(database_url), make_engine(billing_database_url)
    try:
        with engine.connect() as connection:
            payments = {
                row["payment_id"]: dict(row)
                for row in connection.execute(select(t.payments)).mappings()
            }
            reservations = [
                dict(row) for row in connection.execute(select(t.bill_reservations)).mappings()
            ]
            assert connection.execute(select(func.count()).select_from(t.payments)).scalar() == len(
                payments
            )
        with billing.connect() as connection:
            bills = {row["id"]: dict(row) for row in connection.execute(select(t.bills)).mappings()}
            allocations: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for row in connection.execute(select(t.bill_payments)).mappings():
                allocations[row["payment_id"]].append((row["bill_id"], int(row["amount_minor"])))
    finally:
        engine.dispose()
        billing.dispose()
    platform = bootstrap(Settings(database_url, LOOPBACK, 8000))
    ledger: dict[str, tuple[int, int, int, int]] = {}
    try:
        with platform.uow(readonly=True) as uow:
            for account in uow.ledger.accounts():
                b = uow.ledger.balance(account.id)
                ledger[account.code] = (
                    b.debits_posted_minor,
                    b.credits_posted_minor,
                    b.debits_pending_minor,
                    b.credits_pending_minor,
                )
    finally:
        platform.engine.dispose()
    return Books(payments, bills, dict(allocations), reservations, ledger)


def orphans(database_url: str, after_s: float = 10.0) -> int:
    """Payments whose first step after `received` came `after_s` or more later: left
    mid-way by a killed process and finished by the worker once its lease ran out."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            e = t.payment_events.c
            rows = connection.execute(
                select(e.payment_id, e.from_state, e.to_state, e.at).order_by(e.id)
            ).all()
    finally:
        engine.dispose()
    received: dict[str, datetime] = {}
    late: set[str] = set()
    for payment_id, from_state, to_state, at in rows:
        if from_state is None and to_state == "received":
            received[payment_id] = at
        elif (
            from_state == "received"
            and payment_id in received
            and (at - received[payment_id]).total_seconds() >= after_s
        ):
            late.add(payment_id)
    return len(late)


def check_invariants(
    stack: Stack,
    world: World,
    journal: Journal,
    start_balances: dict[str, int],
) -> list[str]:
    """Rules 3, 5 and 8 against the switch's database, the bank's books and the clients'
    journal. Returns the violations found (empty when all hold)."""
    books = read_books(stack.database_url, stack.billing_database_url)
    admin = stack.bank_admin
    return [
        *_payments_match_the_journal(books, journal),
        *_bank_keeps_what_the_payments_say(books, world, admin),
        *_money_is_conserved(books, world, admin, start_balances),
        *_bills_are_paid_by_the_completed_payments(books, world),
        *_ledger_matches_the_payments(stack, books),
    ]


def _payments_match_the_journal(books: Books, journal: Journal) -> list[str]:
    problems: list[str] = []
    # Every payment the switch holds is one the clients sent, with their body, and final.
    for payment_id, row in books.payments.items():
        body = journal.bodies.get(payment_id)
        if body is None:
            problems.append(f"payment {payment_id} in the switch was never sent by a client")
            continue
        if (row["amount_minor"], row["payer_account"], list(row["bill_ids"])) != (
            body["amount_minor"],
            body["payer"]["account"],
            body["bill_ids"],
        ):
            problems.append(f"payment {payment_id} stored with another body: {row}")
        if row["state"] not in FINAL_STATES:
            problems.append(f"payment {payment_id} still {row['state']} at the end (rule 5)")

    # Rule 8: nothing acknowledged is lost; rule 5: a final answer never changes.
    for payment_id in journal.acknowledged():
        if payment_id not in books.payments:
            problems.append(f"acknowledged payment {payment_id} is not in the switch (rule 8)")
    for payment_id, answers in journal.answers.items():
        finals = [a for a in answers if a.state in FINAL_STATES]
        seen = {(a.state, (a.body or {}).get("receipt_no")) for a in finals}
        if len(seen) > 1:
            problems.append(f"payment {payment_id} was told different final answers: {seen}")
        stored = books.payments.get(payment_id)
        if finals and stored is not None and stored["state"] != finals[0].state:
            problems.append(
                f"payment {payment_id} was told {finals[0].state}, the switch holds "
                f"{stored['state']}"
            )
    return problems


def _bank_keeps_what_the_payments_say(books: Books, world: World, admin: BankAdmin) -> list[str]:
    problems: list[str] = []
    # The bank: one debit per payment at most; what it kept matches the payment's state.
    net_by_payment: dict[str, int] = defaultdict(int)
    debits_by_payment: dict[str, int] = defaultdict(int)
    for account in world.accounts:
        for row in admin.transactions(account):
            if row["account"] != account or row["status"] != "accepted":
                continue
            if row["kind"] == "debit":
                debits_by_payment[row["payment_id"]] += 1
                net_by_payment[row["payment_id"]] += row["amount_minor"]
            elif row["kind"] == "return":
                net_by_payment[row["payment_id"]] -= row["amount_minor"]
    for payment_id, debits in debits_by_payment.items():
        if debits > 1:
            problems.append(f"payment {payment_id} debited {debits} times (rule 3)")
    for payment_id in set(net_by_payment) | set(books.payments):
        held = books.payments.get(payment_id)
        kept = net_by_payment.get(payment_id, 0)
        expected = held["amount_minor"] if held is not None and held["state"] == "completed" else 0
        if kept != expected:
            state = None if held is None else held["state"]
            problems.append(
                f"bank keeps {kept} for payment {payment_id} in state {state}, expected {expected}"
            )
    return problems


def _money_is_conserved(
    books: Books, world: World, admin: BankAdmin, start_balances: dict[str, int]
) -> list[str]:
    problems: list[str] = []
    # Money conserved, account by account, and in the switch's collection account.
    completed = {p: r for p, r in books.payments.items() if r["state"] == "completed"}
    completed_total = sum(r["amount_minor"] for r in completed.values())
    for account in world.accounts:
        paid = sum(r["amount_minor"] for r in completed.values() if r["payer_account"] == account)
        delta = start_balances[account] - admin.balance(account)
        if delta != paid:
            problems.append(
                f"account {account}: balance fell by {delta}, completed payments from it "
                f"total {paid}"
            )
    collected = admin.balance(COLLECTION) - start_balances[COLLECTION]
    if collected != completed_total:
        problems.append(f"collection account took {collected}, completed total {completed_total}")
    return problems


def _bills_are_paid_by_the_completed_payments(books: Books, world: World) -> list[str]:
    problems: list[str] = []
    # Bills: paid exactly by the completed payments, never beyond their amount (rule 4).
    on_bill: dict[str, int] = defaultdict(int)
    for payment_id, row in books.payments.items():
        allocations = books.allocations.get(payment_id, [])
        if (row["state"] == "completed") != bool(allocations):
            problems.append(
                f"payment {payment_id} in state {row['state']} has postings {allocations}"
            )
        if row["state"] == "completed":
            for bill_id, amount in allocations:
                on_bill[bill_id] += amount
            if sum(a for _b, a in allocations) != row["amount_minor"]:
                problems.append(f"payment {payment_id} posted {allocations}, not its amount")
    for bill in world.bills:
        stored = books.bills[bill.bill_id]
        if stored["paid_minor"] != on_bill[bill.bill_id]:
            problems.append(
                f"bill {bill.bill_id}: paid_minor {stored['paid_minor']}, completed payments "
                f"on it {on_bill[bill.bill_id]}"
            )
        if on_bill[bill.bill_id] > stored["amount_minor"]:
            problems.append(f"bill {bill.bill_id} paid {on_bill[bill.bill_id]} > its amount")
        expected_status = (
            "issued"
            if stored["paid_minor"] == 0
            else "paid"
            if stored["paid_minor"] == stored["amount_minor"]
            else "partially_paid"
        )
        if stored["status"] != expected_status:
            problems.append(
                f"bill {bill.bill_id}: status {stored['status']}, {stored['paid_minor']} paid"
            )

    # No bill held by a payment that ended.
    for reservation in books.reservations:
        problems.append(f"bill reservation left behind: {reservation}")
    return problems


def _ledger_matches_the_payments(stack: Stack, books: Books) -> list[str]:
    problems: list[str] = []
    # The ledger: every completed payment posted once, nothing left pending.
    completed_total = sum(
        r["amount_minor"] for r in books.payments.values() if r["state"] == "completed"
    )
    settlement = books.ledger.get(f"bank:{BANK_CODE}:settlement", (0, 0, 0, 0))
    payable = books.ledger.get(f"biller:{BILLER}:payable", (0, 0, 0, 0))
    if settlement != (completed_total, 0, 0, 0) or payable != (0, completed_total, 0, 0):
        problems.append(
            f"ledger: settlement {settlement}, payable {payable}; completed total "
            f"{completed_total} (posted dr, cr, pending dr, cr)"
        )
    verified = ledger_verify(stack.database_url, stack.env)
    if verified.returncode != 0 or "ledger balanced" not in verified.stdout:
        problems.append(
            f"fawtara ledger verify exited {verified.returncode}: "
            f"{verified.stdout[-500:]} {verified.stderr[-500:]}"
        )
    return problems


def start_balances(world: World) -> dict[str, int]:
    return {**{a: ACCOUNT_BALANCE_MINOR for a in world.accounts}, COLLECTION: 0}


def replay_stored(
    client: SwitchClient, journal: Journal, stored: dict[str, dict[str, Any]]
) -> list[str]:
    """Send every stored payment again, same id and body: the same final answer, nothing moves.
    Then one of them with another amount: PAYMENT_ID_REUSED (rule 3)."""
    problems: list[str] = []
    for payment_id, row in sorted(stored.items()):
        answer = client.pay(journal.bodies[payment_id], wait_s=0)
        journal.record(payment_id, answer)
        if answer.status != 200 or answer.state != row["state"]:
            problems.append(
                f"retry of {payment_id} after the end: {answer.status} {answer.state} "
                f"{answer.code}, stored {row['state']}"
            )
        elif (answer.body or {}).get("receipt_no") != row["receipt_no"]:
            problems.append(f"retry of {payment_id} got another receipt")
    if stored:
        payment_id = sorted(stored)[0]
        changed = {**journal.bodies[payment_id]}
        changed["amount_minor"] = changed["amount_minor"] + 1
        answer = client.pay(changed, wait_s=0)
        if (answer.status, answer.code) != (409, "PAYMENT_ID_REUSED"):
            problems.append(f"same id, another body: {answer.status} {answer.code}")
    return problems


def summary(books_states: dict[str, dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in books_states.values():
        counts[row["state"]] += 1
    return dict(sorted(counts.items()))
