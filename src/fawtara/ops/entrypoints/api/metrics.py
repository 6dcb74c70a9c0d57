"""The figures as Prometheus metrics, read at scrape time (docs/OPERATIONS.md).

A custom collector: each scrape reads one `Figures` snapshot (bounded
queries, cached probes) and renders it; nothing is kept between scrapes, so
every process serving /metrics tells what the database says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from fawtara.ops.domain.alerts import RULES, evaluate
from fawtara.ops.domain.figures import Figures


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"fawtara_{name}", documentation, value=value)


def _labelled(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"fawtara_{name}", documentation, labels=labels)


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"fawtara_{name}", documentation, value=value)


class FiguresCollector(Collector):
    def __init__(self, read: Callable[[], Figures]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        figures = self.read()
        yield _gauge(
            "figures_window_seconds", "Window the figures look back over", figures.window_s
        )
        yield from payment_metrics(figures)
        yield from queue_metrics(figures)
        yield from biller_link_metrics(figures)
        yield from link_metrics(figures)
        active = {alert.name: alert for alert in evaluate(figures)}
        alerts = _labelled("alert_active", "1 while the alert holds", ["name", "severity"])
        for rule in RULES:
            alerts.add_metric([rule.name, rule.severity.value], float(rule.name in active))
        yield alerts


def payment_metrics(figures: Figures) -> Iterator[Metric]:
    final = _labelled(
        "payments_final_in_window",
        "Payments that reached a final state in the window",
        ["channel", "outcome"],
    )
    rate = _labelled(
        "payments_per_minute",
        "Payments final in the window per minute",
        ["channel", "outcome"],
    )
    per_minute = figures.payments_per_minute
    for (channel, outcome), count in sorted(figures.payments_final.items()):
        final.add_metric([channel, outcome], count)
        rate.add_metric([channel, outcome], per_minute[(channel, outcome)])
    yield final
    yield rate
    latency = _labelled(
        "payment_latency_seconds",
        "Created to final, payments final in the window (nearest rank)",
        ["quantile"],
    )
    for quantile, value in (("0.5", figures.latency_p50_s), ("0.99", figures.latency_p99_s)):
        if value is not None:
            latency.add_metric([quantile], value)
    yield latency
    yield _gauge(
        "payment_latency_samples", "Payments the latency is taken over", figures.latency_samples
    )
    yield _gauge(
        "payments_unknown", "Payments whose bank outcome is unknown now", figures.unknown_now
    )
    yield _gauge(
        "payments_unknown_oldest_age_seconds",
        "Age of the oldest unknown payment (0 when none)",
        figures.unknown_oldest_age_s or 0.0,
    )
    failures = _labelled(
        "payment_failures_in_window", "Payments failed or returned in the window", ["reason"]
    )
    for reason, count in sorted(figures.failures_by_reason.items()):
        failures.add_metric([reason], count)
    yield failures


def queue_metrics(figures: Figures) -> Iterator[Metric]:
    yield _gauge("outbox_depth", "Outbox rows not yet delivered", figures.outbox_depth)
    topics = _labelled("outbox_depth_by_topic", "Outbox rows not yet delivered", ["topic"])
    for topic, count in sorted(figures.outbox_depth_by_topic.items()):
        topics.add_metric([topic], count)
    yield topics
    yield _gauge("sms_queue_depth", "SMS not yet submitted to the SMSC", figures.sms_queue_depth)
    receipts = _labelled(
        "sms_final_receipts_in_window", "SMS whose final receipt came in the window", ["state"]
    )
    for state, count in sorted(figures.sms_receipts.items()):
        receipts.add_metric([state], count)
    yield receipts
    if figures.sms_delivery_rate is not None:
        yield _gauge(
            "sms_delivery_rate",
            "Delivered / with a final receipt, in the window",
            figures.sms_delivery_rate,
        )


def biller_link_metrics(figures: Figures) -> Iterator[Metric]:
    up = _labelled("biller_link_up", "1 while the biller answers the switch", ["biller"])
    failures = _labelled(
        "biller_link_failures", "Failed calls in a row while the link is down", ["biller"]
    )
    waiting = _labelled(
        "biller_oldest_waiting_notice_age_seconds",
        "Age of the oldest payment notice the biller has not answered",
        ["biller"],
    )
    for link in figures.biller_links:
        up.add_metric([link.biller_code], float(link.up))
        failures.add_metric([link.biller_code], float(link.failures))
        if link.oldest_waiting_age_s is not None:
            waiting.add_metric([link.biller_code], link.oldest_waiting_age_s)
    yield up
    yield failures
    yield waiting


def link_metrics(figures: Figures) -> Iterator[Metric]:
    up = _labelled("link_up", "1 when the link answered its probe", ["link", "kind"])
    probe = _labelled("link_probe_seconds", "How long the probe took", ["link", "kind"])
    for link in figures.links:
        up.add_metric([link.name, link.kind], float(link.up))
        if link.latency_ms is not None:
            probe.add_metric([link.name, link.kind], link.latency_ms / 1000)
    yield up
    yield probe
