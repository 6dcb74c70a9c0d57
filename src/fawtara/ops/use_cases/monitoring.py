"""Reading the operations figures: one read-only transaction, one snapshot.

`figures(uow, now)` is what the console, /metrics and the alerts read. The
counts come from the database through `uow.monitoring` (bounded, indexed
queries: ops/adapters/monitoring_repository.py), the biller links' state from
the switch's own biller_links; link health is measured by the probes outside
and passed in. The service lifecycle and the scheduled jobs are the billing
system's: the switch neither reads nor shows them. docs/OPERATIONS.md says what each means.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from fawtara.kernel import limits
from fawtara.ops.domain.figures import BillerLinkFigure, Figures, LinkHealth, percentile
from fawtara.switch.use_cases.ports import UnitOfWork

FAILED_OUTCOMES = ("failed", "returned")


def figures(
    uow: UnitOfWork,
    now: datetime,
    window_s: int = limits.figures_window_s_default,
    links: Sequence[LinkHealth] = (),
) -> Figures:
    """The figures at `now` over the last `window_s` seconds."""
    assert 0 < window_s <= limits.figures_window_s_max, window_s
    since = now - timedelta(seconds=window_s)
    with uow:
        finals = uow.monitoring.final_payments(since)
        durations = uow.monitoring.final_durations(since, limits.figures_latency_samples_max)
        unknown, oldest = uow.monitoring.unknown_payments()
        outbox = uow.monitoring.outbox_depth()
        sms_queue = uow.monitoring.sms_queue_depth()
        receipts = uow.monitoring.sms_receipts(since, limits.figures_sms_sample_max)
        biller_links = uow.monitoring.biller_links()
    payments: dict[tuple[str, str], int] = {}
    failures: dict[str, int] = {}
    for channel, outcome, reason, count in finals:
        payments[(channel, outcome)] = payments.get((channel, outcome), 0) + count
        if outcome in FAILED_OUTCOMES:
            code = reason or "UNSPECIFIED"
            failures[code] = failures.get(code, 0) + count
    latencies = sorted((final - created).total_seconds() for created, final in durations)
    return Figures(
        at=now,
        window_s=window_s,
        payments_final=payments,
        latency_p50_s=percentile(latencies, 0.50),
        latency_p99_s=percentile(latencies, 0.99),
        latency_samples=len(latencies),
        unknown_now=unknown,
        unknown_oldest_age_s=None if oldest is None else (now - oldest).total_seconds(),
        failures_by_reason=failures,
        outbox_depth_by_topic=outbox,
        sms_queue_depth=sms_queue,
        sms_receipts=receipts,
        biller_links=tuple(_biller_link(row, now) for row in biller_links),
        links=tuple(links),
    )


def _biller_link(row: dict[str, Any], now: datetime) -> BillerLinkFigure:
    oldest = row["oldest_waiting_at"]
    return BillerLinkFigure(
        biller_code=row["biller_code"],
        up=row["state"] == "up",
        failures=int(row["failures"]),
        since=row["since"],
        last_error=row["last_error"],
        oldest_waiting_age_s=None if oldest is None else (now - oldest).total_seconds(),
    )
