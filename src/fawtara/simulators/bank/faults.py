"""Faults the simulated bank can be told to show, switched at run time.

    none        answer normally
    delay       decide and book, wait `delay_ms`, then answer
    drop_reply  decide and book, wait `delay_ms`, then answer HTTP 504 with
                an empty body: the bank did the work but the switch never
                gets an answer (with `delay_ms` above the switch's timeout,
                the switch times out first). Only a status inquiry tells.
    reject      refuse a new debit or return with RJCT NARR, booking nothing
                but the refusal. A status inquiry is never "rejected": a
                pacs.002 RJCT would claim the payment failed.
    http_500    answer HTTP 500 before doing anything

A fault applies to the ISO messages listed in `messages` (all three by
default) for `count` requests, or until reset when `count` is None.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field

INSTRUCTION_MESSAGES = frozenset({"pain.001", "pacs.028", "pacs.004"})
delay_ms_max = 120_000


class FaultMode(enum.Enum):
    NONE = "none"
    DELAY = "delay"
    DROP_REPLY = "drop_reply"
    REJECT = "reject"
    HTTP_500 = "http_500"


@dataclass(frozen=True, slots=True)
class Fault:
    mode: FaultMode = FaultMode.NONE
    delay_ms: int = 0
    count: int | None = None  # requests still affected; None: until reset
    messages: frozenset[str] = field(default=INSTRUCTION_MESSAGES)

    def applies_to(self, message: str) -> bool:
        if self.mode is FaultMode.NONE or message not in self.messages:
            return False
        return not (self.mode is FaultMode.REJECT and message == "pacs.028")

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode.value,
            "delay_ms": self.delay_ms,
            "count": self.count,
            "messages": sorted(self.messages),
        }


NO_FAULT = Fault()


class FaultSwitch:
    """The current fault, shared by all request handlers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault = NO_FAULT

    def set(self, fault: Fault) -> Fault:
        assert 0 <= fault.delay_ms <= delay_ms_max
        assert fault.count is None or fault.count > 0
        with self._lock:
            self._fault = fault
        return fault

    def current(self) -> Fault:
        with self._lock:
            return self._fault

    def take(self, message: str) -> Fault:
        """The fault for this request (NO_FAULT if none), counting it down."""
        with self._lock:
            fault = self._fault
            if not fault.applies_to(message):
                return NO_FAULT
            if fault.count is not None:
                left = fault.count - 1
                self._fault = (
                    NO_FAULT
                    if left == 0
                    else Fault(fault.mode, fault.delay_ms, left, fault.messages)
                )
            return fault
