"""A token bucket per client address, in process: the portal's brake on the steps
that make a bank text a code or check one (portal.py, /pay/consent and /pay/confirm).

Each address holds up to `per_minute` tokens, refilled at `per_minute` a minute;
a step takes one or is refused TOO_MANY_REQUESTS. Behind a reverse proxy every
client has the proxy's address, so the limit is then shared: the bank's own caps
per account (docs/BANKS.md, "Consent") stay the guard that matters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fawtara.kernel.errors import TooManyRequests

SECONDS_A_MINUTE = 60.0


class Throttle:
    def __init__(
        self,
        per_minute: int,
        clients_max: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / SECONDS_A_MINUTE
        self.clients_max = clients_max
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """One token of `client`'s bucket, or TooManyRequests."""
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.refill_per_s)
            if tokens < 1:
                raise TooManyRequests(
                    f"too many payment steps from {client}; wait a minute and try again"
                )
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > self.clients_max:
                self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: they hold nothing a fresh one would not."""
        refill_s = self.capacity / self.refill_per_s
        self._buckets = {
            client: (tokens, when)
            for client, (tokens, when) in self._buckets.items()
            if now - when < refill_s
        }
