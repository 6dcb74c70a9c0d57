"""Alerts fire on the right side of each threshold, and stay quiet without a sample."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from fawtara.ops.domain.alerts import evaluate
from fawtara.ops.domain.figures import BillerLinkFigure, Figures, LinkHealth, percentile

NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
UP = (
    LinkHealth("database", "database", True, "ok"),
    LinkHealth("BEMO", "bank", True, "ok"),
    LinkHealth("smsc", "smsc", True, "ok"),
)
QUIET = Figures(
    at=NOW,
    window_s=300,
    payments_final={("portal", "completed"): 30},
    latency_p50_s=0.2,
    latency_p99_s=1.5,
    latency_samples=30,
    unknown_now=0,
    unknown_oldest_age_s=None,
    failures_by_reason={},
    outbox_depth_by_topic={"sms.payment_completed": 3},
    sms_queue_depth=2,
    sms_receipts={"delivered": 95, "undeliverable": 5},
    biller_links=(BillerLinkFigure("ELEC", True, 0, NOW, None, None),),
    links=UP,
)


def biller_down() -> tuple[BillerLinkFigure, ...]:
    return (
        BillerLinkFigure("ELEC", True, 0, NOW, None, None),
        BillerLinkFigure("STE", False, 2, NOW, "connection refused", 90.0),
    )


def links_with(down: str) -> tuple[LinkHealth, ...]:
    return tuple(
        replace(link, up=False, detail="refused") if link.name == down else link for link in UP
    )


CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("all quiet", {}, []),
    ("unknown for exactly 120 s is not yet late", {"unknown_oldest_age_s": 120.0}, []),
    (
        "unknown for 121 s",
        {"unknown_now": 1, "unknown_oldest_age_s": 121.0},
        ["unknown_payment_too_old"],
    ),
    ("delivery at 90 % is enough", {"sms_receipts": {"delivered": 90, "expired": 10}}, []),
    (
        "delivery at 89 %",
        {"sms_receipts": {"delivered": 89, "undeliverable": 11}},
        ["sms_delivery_rate_low"],
    ),
    ("a bad rate over too few receipts says nothing", {"sms_receipts": {"undeliverable": 19}}, []),
    (
        "a bad rate over 20 receipts",
        {"sms_receipts": {"undeliverable": 20}},
        ["sms_delivery_rate_low"],
    ),
    ("a bank link down", {"links": links_with("BEMO")}, ["bank_link_down"]),
    ("the SMSC down", {"links": links_with("smsc")}, ["smsc_down"]),
    ("the database down", {"links": links_with("database")}, ["database_down"]),
    ("outbox at 1000 is fine", {"outbox_depth_by_topic": {"sms.x": 1000}}, []),
    ("outbox at 1001", {"outbox_depth_by_topic": {"sms.x": 600, "y": 401}}, ["outbox_backlog"]),
    ("a biller link down", {"biller_links": biller_down()}, ["biller_link_down"]),
    (
        "several at once, in rule order",
        {"biller_links": biller_down(), "unknown_oldest_age_s": 500.0},
        ["unknown_payment_too_old", "biller_link_down"],
    ),
]


@pytest.mark.parametrize(("case", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_alerts_fire_past_their_thresholds(
    case: str, changes: dict[str, Any], expected: list[str]
) -> None:
    alerts = evaluate(replace(QUIET, **changes))
    assert [alert.name for alert in alerts] == expected, case


def test_an_alert_carries_its_value_threshold_and_both_languages() -> None:
    (alert,) = evaluate(replace(QUIET, links=links_with("BEMO")))
    assert (alert.severity.value, alert.value, alert.threshold) == ("critical", 1.0, 0)
    assert alert.message_en.endswith(": BEMO") and "المصارف" in alert.message_ar
    (late,) = evaluate(replace(QUIET, unknown_oldest_age_s=150.0))
    assert late.message_en == "a payment has been unknown for 150 s (more than 120 s)"


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([3.0], 0.99, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
        ([*range(1, 101)], 0.99, 99),
    ],
)
def test_percentile_is_the_nearest_rank(
    values: list[float], fraction: float, expected: float | None
) -> None:
    assert percentile(values, fraction) == expected


def test_figures_derive_rates_and_render_as_json_ready_data() -> None:
    assert QUIET.payments_per_minute == {("portal", "completed"): 6.0}
    assert (
        QUIET.sms_delivery_rate == 0.95
        and replace(QUIET, sms_receipts={}).sms_delivery_rate is None
    )
    rendered = QUIET.as_dict()
    assert rendered["payments"] == [
        {"channel": "portal", "outcome": "completed", "count": 30, "per_minute": 6.0}
    ]
    assert rendered["outbox"] == {"depth": 3, "by_topic": {"sms.payment_completed": 3}}
