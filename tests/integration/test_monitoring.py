"""The operations figures match what the database says, on both engines.

A scripted burst (tests/monitoring_support.py) makes payments of every
outcome with the in-process bank's faults, SMS with receipts and a biller
link down (the lifecycle and its jobs are billing's, not the switch's figures);
the figures must equal the same things counted with plain SQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from fawtara.ops.domain.alerts import evaluate
from fawtara.ops.domain.figures import LinkHealth
from fawtara.ops.use_cases.monitoring import figures
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.monitoring_support import WINDOW_S, counted_in_sql, run_burst


@pytest.fixture
def net(platform: Platform) -> Network:
    return Network(platform)


def test_the_figures_after_a_burst_match_the_database(net: Network) -> None:
    run_burst(net)
    truth = counted_in_sql(net)
    found = figures(net.platform.uow(readonly=True), net.clock.now(), WINDOW_S)

    assert (
        found.payments_final
        == truth["payments"]
        == {
            ("portal", "completed"): 3,
            ("bank", "completed"): 2,
            ("portal", "failed"): 2,
            ("portal", "returned"): 1,
        }
    )
    assert found.payments_per_minute[("portal", "completed")] == 3 / 5
    assert found.failures_by_reason == truth["failures"]
    assert found.failures_by_reason == {"INSUFFICIENT_FUNDS": 2, "BANK_TIMEOUT": 1}
    assert (found.latency_p50_s, found.latency_p99_s) == (truth["p50"], truth["p99"])
    assert found.latency_samples == truth["samples"] == 8
    assert found.latency_p99_s is not None and found.latency_p99_s > 60  # the returned one
    assert (found.unknown_now, found.unknown_oldest_age_s) == (1, truth["unknown_age_s"])
    assert found.unknown_oldest_age_s == 130
    assert found.outbox_depth == truth["outbox"] == 6  # one SMS per completed payment
    assert found.sms_receipts == truth["receipts"] == {"delivered": 3, "undeliverable": 1}
    assert found.sms_delivery_rate == 0.75
    assert found.sms_queue_depth == truth["sms_queue"] == 2
    (elec,) = found.biller_links
    assert (elec.biller_code, elec.up, elec.failures) == ("ELEC", False, 2)
    assert elec.since == net.clock.now() - timedelta(seconds=60)
    assert elec.oldest_waiting_age_s == truth["waiting_age_s"]


def test_the_burst_raises_the_alerts_it_should(net: Network) -> None:
    run_burst(net)
    links = (LinkHealth("BEMO", "bank", False, "connection refused"),)
    found = figures(net.platform.uow(readonly=True), net.clock.now(), WINDOW_S, links)
    assert [alert.name for alert in evaluate(found)] == [
        "unknown_payment_too_old",
        "bank_link_down",
        "biller_link_down",
    ]


def test_the_figures_of_an_empty_platform_are_zero(platform: Platform) -> None:
    found = figures(platform.uow(readonly=True), platform.clock.now())
    assert found.payments_final == {} and found.latency_p50_s is None
    assert (found.unknown_now, found.unknown_oldest_age_s, found.outbox_depth) == (0, None, 0)
    assert found.sms_delivery_rate is None and evaluate(found) == []
