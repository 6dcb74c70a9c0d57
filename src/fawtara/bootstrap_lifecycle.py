"""The lifecycle part of the wiring: the network link, the leader lock, the scheduler.

Kept beside bootstrap.py like bootstrap_sms.py (tests/test_architecture.py
treats it as bootstrap: entry points may import it, adapters may not).
"""

from __future__ import annotations

import os
import socket
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from fawtara.adapters.clock import ManualClock
from fawtara.adapters.db import schema
from fawtara.adapters.db.engine import make_engine
from fawtara.adapters.db.leader import leader_lock
from fawtara.adapters.provisioning.simulator import NetworkSimulator
from fawtara.bootstrap import Platform
from fawtara.config import Settings
from fawtara.domain import limits
from fawtara.domain.errors import ValidationError
from fawtara.service_layer.lifecycle import Lifecycle
from fawtara.service_layer.ports import LeaderLock, ProvisioningGateway
from fawtara.service_layer.scheduler import Scheduler

__all__ = [
    "NetworkSimulator",
    "lifecycle",
    "reminder_days_before",
    "scheduler",
    "scheduler_lock",
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
        platform.uow_factory(),
        platform.clock,
        provisioning or NetworkSimulator(),
        reminder_days_before(),
    )


def scheduler(platform: Platform, provisioning: ProvisioningGateway | None = None) -> Scheduler:
    return Scheduler(lifecycle(platform, provisioning), f"{socket.gethostname()}:{os.getpid()}")


def scheduler_lock(platform: Platform) -> LeaderLock:
    return leader_lock(platform.engine)


def simulation_platform(source: Platform, path: Path, start: datetime) -> Platform:
    """A scratch copy of the platform's SQLite database at `path`, on a ManualClock.

    The copy is taken with SQLite's online backup (consistent even while
    `fawtara up` writes), migrated to the code's schema, and written without
    fsync: it is thrown away, so `synchronous=OFF` buys speed at no risk.
    """
    source_path = source.settings.sqlite_path
    assert source_path is not None and source_path.resolve() != path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(source_path) as origin, sqlite3.connect(path) as copy:
        origin.backup(copy)
    return scratch_platform(path, start)


def scratch_platform(path: Path, start: datetime) -> Platform:
    """A platform on a SQLite file at `path` (migrated), on a ManualClock at `start`."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def no_fsync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    schema.upgrade(engine)
    settings = Settings(url, "127.0.0.1", 0)
    return Platform(settings, engine, ManualClock(start))
