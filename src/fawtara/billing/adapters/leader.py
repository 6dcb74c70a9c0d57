"""One active scheduler: a PostgreSQL advisory lock, or a file lock beside a SQLite file.

PostgreSQL: `pg_try_advisory_lock` on a connection kept open for as long as
the scheduler leads. The lock is the session's: if the process dies or its
connection drops, the server releases it and another scheduler takes over.
`holds()` checks the connection each round, so a leader that lost it stops.

SQLite has one writer machine: an exclusive `flock` on `<database>.scheduler.lock`
keeps a second scheduler process (say `fawtara billing scheduler` beside `fawtara billing serve`)
from running jobs at the same time. The kernel releases it when the process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("fawtara.scheduler")

# "fawtara" and 0x01 as a signed 64-bit key: the lock of the biller scheduler.
ADVISORY_LOCK_KEY = int.from_bytes(b"fawtara\x01", "big")


class PostgresAdvisoryLock:
    def __init__(self, engine: Engine, key: int = ADVISORY_LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
            query = text("SELECT pg_try_advisory_lock(:key)")
            acquired = bool(self._connection.execute(query, {"key": self.key}).scalar())
            self._connection.commit()
        except DBAPIError as error:
            log.warning("leader lock: %s", error)
            self._drop()
            return False
        if not acquired:
            self._drop()
        return acquired

    def holds(self) -> bool:
        if self._connection is None:
            return False
        try:
            query = text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND classid::bigint = (:key >> 32) "
                "AND objid::bigint = (:key & 4294967295)"
            )
            held = bool(self._connection.execute(query, {"key": self.key}).scalar())
            self._connection.commit()
        except DBAPIError:
            self._drop()
            return False
        return held

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._connection.commit()
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._handle = handle
        return True

    def holds(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def leader_lock(engine: Engine) -> PostgresAdvisoryLock | FileLock:
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine)
    database = engine.url.database
    if not database or database == ":memory:":
        return FileLock(Path(tempfile.gettempdir()) / f"fawtara-{os.getpid()}.lock")
    return FileLock(Path(f"{database}.scheduler.lock"))
