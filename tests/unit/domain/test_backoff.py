"""The one backoff formula, and the retries that wait by it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fawtara.billing.domain.jobs import job_retry_delay_s
from fawtara.billing.domain.lifecycle import provisioning_retry_delay_s
from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.sms.use_cases.notifications import WorkerPolicy, backoff
from fawtara.station import rules
from fawtara.switch.domain.payments import retry_delay_s


@pytest.mark.parametrize(
    ("attempt", "expected_s"),
    [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (5, 60.0), (6, 60.0), (10_000, 60.0)],
)
def test_the_wait_doubles_from_the_first_and_stops_at_the_cap(
    attempt: int, expected_s: float
) -> None:
    assert backoff_s(attempt, 5, 60) == expected_s


@pytest.mark.parametrize("attempt", [0, -1])
def test_an_attempt_before_the_first_waits_the_first_delay(attempt: int) -> None:
    assert backoff_s(attempt, 0.2, 30.0) == 0.2


def test_fractions_of_a_second_double_too() -> None:
    assert [backoff_s(n, 0.05, 0.5) for n in range(1, 6)] == [0.05, 0.1, 0.2, 0.4, 0.5]


@pytest.mark.parametrize(("first_s", "max_s"), [(0, 10), (-1, 10), (20, 10)])
def test_bounds_out_of_order_are_a_programming_error(first_s: float, max_s: float) -> None:
    with pytest.raises(AssertionError):
        backoff_s(1, first_s, max_s)


def test_a_payment_step_counts_its_tries_from_zero() -> None:
    """A payment's `attempts` counts the tries already made: after the first, 1 s."""
    assert [retry_delay_s(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert retry_delay_s(10_000) == limits.retry_backoff_s_max


def test_jobs_provisioning_and_sms_count_the_failed_attempt_from_one() -> None:
    assert [job_retry_delay_s(n) for n in (1, 2, 3)] == [60, 120, 240]
    assert [provisioning_retry_delay_s(n) for n in (1, 2, 3, 10_000)] == [5, 10, 20, 600]
    policy = WorkerPolicy()
    assert [backoff(n, policy) for n in (1, 2, 10_000)] == [
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(minutes=5),
    ]


def test_the_station_waits_nothing_before_its_first_failure() -> None:
    assert rules.retry_delay_s(0) == 0.0
    assert [rules.retry_delay_s(n) for n in (1, 2, 7, 100)] == [1.0, 2.0, 60.0, 60.0]
