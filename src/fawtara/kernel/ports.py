"""The ports every capability shares: the clock, the progress of long work, and the
transaction a unit of work is (each system's unit of work adds its repositories)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


# Called after each unit of long work: (done, total or None when unknown).
Progress = Callable[[int, int | None], None]


class Transaction(Protocol):
    """`with uow:` opens one transaction; it rolls back on exit unless committed."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
