"""The operations figures: what the console shows, /metrics exports and alerts judge.

One frozen snapshot, read at one instant over one window of recent time
(docs/OPERATIONS.md lists each figure and what it means). Pure data: the
service layer fills it from the database and the probes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class LinkHealth:
    """One link the platform depends on, as a probe found it."""

    name: str  # "database", "smsc", or a bank code
    kind: str  # "database" | "bank" | "smsc"
    up: bool
    detail: str  # why it is down, or "ok"
    latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class BillerLinkFigure:
    """The switch's link to one online biller (biller_links), and its oldest notice
    still waiting for the biller's answer."""

    biller_code: str
    up: bool
    failures: int  # failed calls in a row while down
    since: datetime  # when the link last went up or down
    last_error: str | None
    oldest_waiting_age_s: float | None  # None: no notice waits


@dataclass(frozen=True, slots=True)
class Figures:
    at: datetime
    window_s: int
    # Payments that reached a final state in the window: {(channel, outcome): count}.
    payments_final: dict[tuple[str, str], int]
    latency_p50_s: float | None
    latency_p99_s: float | None
    latency_samples: int
    unknown_now: int
    unknown_oldest_age_s: float | None
    # Failed or returned in the window, by reason code.
    failures_by_reason: dict[str, int]
    outbox_depth_by_topic: dict[str, int]
    sms_queue_depth: int
    # SMS whose final receipt came in the window: {delivered|undeliverable|expired: count}.
    sms_receipts: dict[str, int]
    # The service lifecycle and its scheduled jobs are the billing system's: it
    # shows them on its own side; the switch shows its links to the billers.
    biller_links: tuple[BillerLinkFigure, ...]
    links: tuple[LinkHealth, ...] = field(default=())

    @property
    def payments_per_minute(self) -> dict[tuple[str, str], float]:
        minutes = self.window_s / 60
        return {key: count / minutes for key, count in self.payments_final.items()}

    @property
    def outbox_depth(self) -> int:
        return sum(self.outbox_depth_by_topic.values())

    @property
    def sms_with_final_receipt(self) -> int:
        return sum(self.sms_receipts.values())

    @property
    def sms_delivery_rate(self) -> float | None:
        """Delivered / with a final receipt in the window; None without any."""
        total = self.sms_with_final_receipt
        return None if total == 0 else self.sms_receipts.get("delivered", 0) / total

    @property
    def biller_links_down(self) -> tuple[BillerLinkFigure, ...]:
        return tuple(link for link in self.biller_links if not link.up)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the console and an external alert manager."""
        per_minute = self.payments_per_minute
        return {
            "at": self.at.isoformat(),
            "window_s": self.window_s,
            "payments": [
                {
                    "channel": channel,
                    "outcome": outcome,
                    "count": count,
                    "per_minute": round(per_minute[(channel, outcome)], 3),
                }
                for (channel, outcome), count in sorted(self.payments_final.items())
            ],
            "latency_s": {
                "p50": self.latency_p50_s,
                "p99": self.latency_p99_s,
                "samples": self.latency_samples,
            },
            "unknown": {"count": self.unknown_now, "oldest_age_s": self.unknown_oldest_age_s},
            "failures_by_reason": dict(sorted(self.failures_by_reason.items())),
            "outbox": {"depth": self.outbox_depth, "by_topic": self.outbox_depth_by_topic},
            "sms": {
                "queue_depth": self.sms_queue_depth,
                "receipts": self.sms_receipts,
                "delivery_rate": self.sms_delivery_rate,
            },
            "biller_links": [
                {
                    "biller": link.biller_code,
                    "up": link.up,
                    "failures": link.failures,
                    "since": link.since.isoformat(),
                    "last_error": link.last_error,
                    "oldest_waiting_age_s": link.oldest_waiting_age_s,
                }
                for link in self.biller_links
            ],
            "links": [
                {
                    "name": link.name,
                    "kind": link.kind,
                    "up": link.up,
                    "detail": link.detail,
                    "latency_ms": link.latency_ms,
                }
                for link in self.links
            ],
        }


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of values sorted ascending; None when there are none."""
    assert 0 < fraction <= 1
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]
