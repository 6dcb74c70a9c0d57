"""Probes of the links the platform depends on: the database, each bank, the SMSC.

A bank link is up when GET {bank}/healthz answers 200 within
`limits.probe_timeout_s`; the SMSC when a TCP connection to its SMPP port
opens (no bind: a bind would take one of the operator's sessions); the
database when SELECT 1 answers. Results are kept `limits.probe_cache_s`
seconds, so /metrics and /readyz scraped often do not hammer the links. The
probes run in parallel, so one dead link costs one timeout, not one each.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine, text

from fawtara.kernel import limits
from fawtara.ops.domain.figures import LinkHealth


def _timed(name: str, kind: str, check: Callable[[], str | None]) -> LinkHealth:
    """Run `check` (None when up, else why not) and time it."""
    started = time.monotonic()
    try:
        problem = check()
    except Exception as error:  # a probe reports any failure; it never raises
        problem = f"{type(error).__name__}: {error}"
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return LinkHealth(name, kind, problem is None, problem or "ok", elapsed_ms)


class Probes:
    def __init__(
        self,
        engine: Engine,
        banks: Sequence[tuple[str, str]],
        smsc: tuple[str, int],
        timeout_s: float = limits.probe_timeout_s,
        cache_s: float = limits.probe_cache_s,
    ) -> None:
        self.engine = engine
        self.banks = tuple(banks)
        self.smsc = smsc
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self._lock = threading.Lock()
        self._cached: tuple[float, tuple[LinkHealth, ...]] | None = None

    def links(self) -> tuple[LinkHealth, ...]:
        """Every link's health, measured at most once per `cache_s`."""
        with self._lock:
            if self._cached is not None and time.monotonic() - self._cached[0] < self.cache_s:
                return self._cached[1]
            checks = [
                ("database", "database", self._database),
                *((code, "bank", self._bank(url)) for code, url in self.banks),
                ("smsc", "smsc", self._smsc),
            ]
            with ThreadPoolExecutor(max_workers=len(checks)) as pool:
                found = tuple(pool.map(lambda check: _timed(*check), checks))
            self._cached = (time.monotonic(), found)
            return found

    def _database(self) -> str | None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None

    def _bank(self, url: str) -> Callable[[], str | None]:
        def check() -> str | None:
            answer = httpx.get(f"{url.rstrip('/')}/healthz", timeout=self.timeout_s)
            return None if answer.status_code == 200 else f"HTTP {answer.status_code}"

        return check

    def _smsc(self) -> str | None:
        with socket.create_connection(self.smsc, timeout=self.timeout_s):
            return None
