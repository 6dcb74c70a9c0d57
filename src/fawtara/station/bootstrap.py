"""Wiring of a counter station: its local store, the link to the switch, the page, the sync."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from fawtara.counters.adapters.passwords import Argon2PasswordHasher
from fawtara.kernel.clock import SystemClock
from fawtara.kernel.ports import Clock
from fawtara.station.counter import CounterDesk
from fawtara.station.link import SwitchLink
from fawtara.station.receipts import ReceiptPrinter
from fawtara.station.store import LocalStore
from fawtara.station.sync import Syncer
from fawtara.station.web import create_station_app


@dataclass
class Station:
    counter_code: str
    store: LocalStore
    syncer: Syncer
    desk: CounterDesk
    app: FastAPI
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start_sync(self) -> None:
        """The background sync: an immediate first push and snapshot, then by itself."""
        self.thread = threading.Thread(
            target=self.syncer.run, args=(self.stop,), name="station-sync", daemon=True
        )
        self.thread.start()

    def stop_sync(self) -> None:
        self.stop.set()
        self.syncer.wake()
        if self.thread is not None:
            self.thread.join(timeout=15)
        self.syncer.link.close()


def bootstrap_station(
    counter_code: str,
    switch_url: str,
    api_key: str,
    db_path: Path,
    keys_dir: Path,
    clock: Clock | None = None,
) -> Station:
    clock = clock or SystemClock()
    store = LocalStore(db_path)
    syncer = Syncer(store, SwitchLink(switch_url, api_key), clock)
    desk = CounterDesk(store, syncer, clock, Argon2PasswordHasher().verify)
    printer = ReceiptPrinter(keys_dir, counter_code, lambda: store.meta("counter") or {})
    app = create_station_app(desk, syncer, printer)
    return Station(counter_code, store, syncer, desk, app)
