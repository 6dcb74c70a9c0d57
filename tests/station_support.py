"""A switch with a counter (DAM01, its cashier and supervisor), served for real, and a station.

Shared by the counter station's end-to-end and browser tests: the switch runs
as its HTTP app under uvicorn (on a SQLite file, or PostgreSQL), the station
as its own app on its own SQLite file, talking to the switch over real
sockets through a `FaultProxy` a test may cut (`station_line`). The biller's
billing system has its own store beside the switch's; the switch calls it in
process, and its bill runs are published to the switch's copy, which the
station's snapshot is made of.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.config import Settings
from fawtara.counters.bootstrap import issue_counter_keys, password_hasher, save_counter_keys
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases.counters import register_counter
from fawtara.counters.use_cases.staff import SHELL, add_staff
from fawtara.kernel.clock import ManualClock
from fawtara.receipts.bootstrap import init_switch_keys
from fawtara.station.bootstrap import Station, bootstrap_station
from fawtara.storage import schema
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform, bootstrap
from tests.fault_proxy import FaultProxy
from tests.support import build_world, publish_bills, usage_rows

COUNTER = "DAM01"
COUNTER_KEY = "DAM01.station-test-secret"
BANK_KEY = "BEMO.bemo-station-test-secret"
CASHIER, CASHIER_PASSWORD = "amal", "amal-password-1"
SUPERVISOR, SUPERVISOR_PASSWORD = "sami", "sami-password-1"
BILLER, CYCLE = "ELEC", "2026-B5"
STARTUP_S_MAX = 20.0


@dataclass(frozen=True)
class SeededBill:
    bill_id: str
    meter: str
    amount_minor: int


def settings_for(database_url: str, keys_dir: Path, billing_database_url: str) -> Settings:
    """The switch's settings; the biller's billing store is beside it, called in process."""
    return Settings(
        database_url,
        "127.0.0.1",
        8000,
        keys_dir=keys_dir,
        billing_database_url=billing_database_url,
    )


def seed_counter_world(
    database_url: str, keys_dir: Path, billing_database_url: str, meters: int = 4
) -> list[SeededBill]:
    """ELEC bills in Damascus (published to the switch, as after every bill run), counter
    DAM01 with a cashier and a supervisor, bank BEMO."""
    clock = ManualClock(datetime(2026, 11, 1, 7, 0, tzinfo=UTC))
    platform = bootstrap(settings_for(database_url, keys_dir, billing_database_url), clock)
    try:
        platform.upgrade_schema()
        platform.upgrade_schema(schema.BILLING)
        world = build_world(platform, electricity_services=meters)
        rows = [(BILLER, CYCLE, m, str(100 + 37 * n)) for n, m in enumerate(world.meters)]
        import_usage(platform.billing_uow_factory(), usage_rows(rows), "station.csv", clock)
        run_bill_run(platform.billing_uow_factory(), BILLER, CYCLE, clock)
        publish_bills(platform, BILLER, CYCLE)
        init_switch_keys(platform.settings)
        keys = issue_counter_keys(platform, COUNTER)
        assert keys is not None
        save_counter_keys(platform, COUNTER, keys)
        counter = Counter(
            COUNTER,
            "مركز هاتف دمشق",
            "Damascus centre",
            "Damascus",
            keys.public_key_pem,
            keys.certificate,
        )
        secret = COUNTER_KEY.split(".", 1)[1]
        register_counter(platform.uow_factory(), clock, counter, SHELL, secret=secret)
        hasher = password_hasher(cheap=True)
        for username, name, role, password in (
            (CASHIER, "أمل", Role.CASHIER, CASHIER_PASSWORD),
            (SUPERVISOR, "سامي", Role.SUPERVISOR, SUPERVISOR_PASSWORD),
        ):
            member = StaffMember(username, name, role, COUNTER)
            add_staff(platform.uow_factory(), hasher, clock, member, password, SHELL)
        bank = Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",))
        register_participant(platform.uow(), bank, clock, secret=BANK_KEY.split(".", 1)[1])
        with platform.billing_uow(readonly=True) as uow:
            return [
                SeededBill(bill.id, meter, bill.amount_minor)
                for meter in world.meters
                for bill in uow.bills.for_service(world.service_ids[meter])
            ]
    finally:
        platform.engine.dispose()
        platform.billing_store().dispose()


def switch_platform(database_url: str, keys_dir: Path, billing_database_url: str) -> Platform:
    return bootstrap(settings_for(database_url, keys_dir, billing_database_url))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The ASGI app under uvicorn on a free port, in a thread; its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: _healthy(base), "server start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: Any, what: str, timeout_s: float = STARTUP_S_MAX) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def running_switch(
    database_url: str, keys_dir: Path, billing_database_url: str
) -> Iterator[tuple[Platform, str]]:
    platform = switch_platform(database_url, keys_dir, billing_database_url)
    try:
        with served(create_app(platform, InMemoryBank())) as base:
            yield platform, base
    finally:
        platform.engine.dispose()
        platform.billing_store().dispose()


@contextmanager
def running_station(switch_url: str, db_path: Path, keys_dir: Path) -> Iterator[Station]:
    """A station whose sync runs; returned once it holds its first snapshot."""
    station = bootstrap_station(COUNTER, switch_url, COUNTER_KEY, db_path, keys_dir)
    station.start_sync()
    try:
        wait_until(station.store.has_snapshot, "the station's first snapshot")
        yield station
    finally:
        station.stop_sync()


@dataclass(frozen=True)
class StationLine:
    """A seeded switch served for real, the line to it, and the station behind that line."""

    platform: Platform
    switch_url: str
    proxy: FaultProxy
    station: Station
    bills: list[SeededBill]


@contextmanager
def station_line(
    database_url: str, folder: Path, meters: int = 4, billing_database_url: str | None = None
) -> Iterator[StationLine]:
    """Switch on `database_url` ← fault proxy ← station (files in `folder`), with its first
    snapshot; the switch is seeded first (`seed_counter_world`). The biller's billing store
    is `billing_database_url` (a SQLite file in `folder` by default)."""
    keys_dir = folder / "keys"
    billing_url = billing_database_url or f"sqlite:///{folder / 'billing.db'}"
    bills = seed_counter_world(database_url, keys_dir, billing_url, meters)
    with (
        running_switch(database_url, keys_dir, billing_url) as (platform, switch_url),
        FaultProxy(("127.0.0.1", int(switch_url.rsplit(":", 1)[1]))) as proxy,
        running_station(proxy.url, folder / "station.db", keys_dir) as station,
    ):
        yield StationLine(platform, switch_url, proxy, station, bills)


def last_shift_at_switch(line: StationLine) -> dict[str, Any]:
    """SHIFT_VIEW, from the switch, of the cashier's last shift at the station."""
    shift = line.station.store.last_shift_of(CASHIER)
    assert shift is not None
    answer = httpx.get(
        f"{line.switch_url}/v1/counter/shifts/{shift.shift_id}",
        headers={"X-Api-Key": COUNTER_KEY},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def bank_payment(switch_url: str, bill: SeededBill, reference: str) -> dict[str, Any]:
    """The subscriber pays the bill through their bank (push: the bank debited already)."""
    response = httpx.post(
        f"{switch_url}/v1/payments",
        headers={"X-Api-Key": BANK_KEY},
        json={
            "payment_id": str(uuid.uuid4()),
            "channel": "bank",
            "biller": BILLER,
            "customer_ref": bill.meter,
            "bill_ids": [bill.bill_id],
            "amount_minor": bill.amount_minor,
            "currency": "SYP",
            "payer": {"bank": "BEMO", "account": "1100000371"},
            "bank_reference": reference,
        },
        timeout=30,
    )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())
