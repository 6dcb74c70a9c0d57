"""Clocks: the system clock, and a settable one for tests and simulations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: months of billing in seconds."""

    def __init__(self, start: datetime) -> None:
        assert start.tzinfo is not None, "clocks hand out aware instants"
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        assert delta >= timedelta(0), "time does not run backwards"
        self._now += delta

    def set(self, instant: datetime) -> None:
        assert instant.tzinfo is not None
        self._now = instant
