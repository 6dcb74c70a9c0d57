"""The two ports every capability shares: the clock, and the progress of long work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


# Called after each unit of long work: (done, total or None when unknown).
Progress = Callable[[int, int | None], None]
