"""The lifecycle part of the wiring: the network link, the leader lock, the scheduler.

Kept beside bootstrap.py like sms/bootstrap.py (tests/test_architecture.py
treats it as bootstrap: entry points may import it, adapters may not).
"""

from __future__ import annotations

import os
import socket
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from fawtara.billing.adapters.leader import leader_lock
from fawtara.billing.adapters.provisioning.simulator import NetworkSimulator
from fawtara.billing.use_cases.lifecycle import Lifecycle
from fawtara.billing.use_cases.scheduler import Scheduler
from fawtara.config import Settings
from fawtara.kernel import limits
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import ValidationError
from fawtara.storage import schema
from fawtara.storage.engine import make_engine
from fawtara.switch.bootstrap import Platform
from fawtara.switch.use_cases.ports import LeaderLock, ProvisioningGateway

__all__ = [
    "NetworkSimulator",
    "lifecycle",
    "refuse_configured_scratch",
    "reminder_days_before",
    "scheduler",
    "scheduler_lock",
    "scratch_paths",
    "scratch_platform",
    "simulation_platform",
]


def reminder_days_before() -> int:
    """FAWTARA_REMINDER_DAYS_BEFORE (default 3): days before the due date of the reminder."""
    text = os.environ.get("FAWTARA_REMINDER_DAYS_BEFORE", str(limits.reminder_days_before_default))
    if not text.isdigit() or not 0 < int(text) <= limits.reminder_days_before_max:
        raise ValidationError(
            f"FAWTARA_REMINDER_DAYS_BEFORE must be 1..{limits.reminder_days_before_max}: {text!r}"
        )
    return int(text)


def lifecycle(platform: Platform, provisioning: ProvisioningGateway | None = None) -> Lifecycle:
    """The lifecycle over this platform; the demo's network is the in-process simulator."""
    return Lifecycle(
        platform.billing_uow_factory(),
        platform.clock,
        provisioning or NetworkSimulator(),
        reminder_days_before(),
        platform.switch_link,
    )


def scheduler(platform: Platform, provisioning: ProvisioningGateway | None = None) -> Scheduler:
    return Scheduler(
        lifecycle(platform, provisioning),
        f"{socket.gethostname()}:{os.getpid()}",
        collect_billers=platform.settings.upload_billers,
    )


def scheduler_lock(platform: Platform) -> LeaderLock:
    """The lock the billing system's schedulers contend for, on the billing store."""
    return leader_lock(platform.billing_store())


def simulation_platform(source: Platform, path: Path, start: datetime) -> Platform:
    """Scratch copies of the platform's two SQLite stores, on a ManualClock.

    The switch's store is copied to `path`, the billing system's beside it
    (`scratch_paths`). Each copy is taken with SQLite's online backup
    (consistent even while `fawtara up` writes), migrated to the code's schema,
    and written without fsync: it is thrown away, so `synchronous=OFF` buys
    speed at no risk. The two copies are taken one after the other, not
    atomically: a payment posted in between is in one and not the other, which
    a demo's simulated quarter can live with.
    """
    origins = (source.settings.sqlite_path, source.settings.billing_sqlite_path)
    assert None not in origins, "only SQLite stores are copied"
    refuse_configured_scratch(source.settings, path)
    for origin, copy in zip(origins, scratch_paths(path), strict=True):
        assert origin is not None
        _backup(origin, copy)
    return scratch_platform(path, start)


def refuse_configured_scratch(settings: Settings, path: Path) -> None:
    """A scratch file is overwritten: never one of the configured stores."""
    configured = {p.resolve() for p in (settings.sqlite_path, settings.billing_sqlite_path) if p}
    clash = [copy for copy in scratch_paths(path) if copy.resolve() in configured]
    if clash:
        raise ValidationError(
            f"the simulation's scratch file {clash[0]} is a configured store: "
            "choose another --database (or --in-place to run on the stores themselves)",
            "ملف المحاكاة هو قاعدة بيانات مهيأة: اختر مسارًا آخر",
        )


def scratch_paths(path: Path) -> tuple[Path, Path]:
    """The switch's scratch file at `path` and the billing system's beside it."""
    return path, path.with_name(f"{path.stem}-billing{path.suffix or '.db'}")


def _backup(origin: Path, copy: Path) -> None:
    copy.parent.mkdir(parents=True, exist_ok=True)
    for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        stale.unlink(missing_ok=True)
    # closing(): a sqlite3 connection's own `with` ends a transaction, it does not close.
    with closing(sqlite3.connect(origin)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)


def scratch_platform(path: Path, start: datetime) -> Platform:
    """Both systems on scratch SQLite files (`scratch_paths`, migrated), on a ManualClock
    at `start`, the Biller API and the switch link called in process."""
    switch_path, billing_path = scratch_paths(path)
    switch_engine = _scratch_engine(switch_path)
    billing_engine = _scratch_engine(billing_path)
    schema.upgrade(switch_engine)
    schema.upgrade(billing_engine, system=schema.BILLING)
    settings = Settings(
        f"sqlite:///{switch_path}",
        "127.0.0.1",
        0,
        billing_database_url=f"sqlite:///{billing_path}",
        biller_links=(),
        switch_url=None,
    )
    return Platform(settings, switch_engine, ManualClock(start), billing_engine)


def _scratch_engine(path: Path) -> Engine:
    """An engine on a thrown-away SQLite file: no fsync (it is lost in a crash, by design)."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def no_fsync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    return engine
