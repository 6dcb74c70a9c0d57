"""Exponential backoff: the one formula every retry in the system waits by.

    backoff_s(attempt, first_s, max_s) = min(first_s · 2^(attempt - 1), max_s)

`attempt` counts from 1: the first retry waits `first_s`, the next twice that,
and so on up to `max_s`. The bounds of each retry live in `limits` (payment
steps, SMS, provisioning orders, jobs, the station's sync, SMPP rebinds).
There is no jitter: each retried thing (a payment, a message, an order) has
its own schedule from its own failure time, so retries do not fall in step.
"""

from __future__ import annotations

# 2^62 is far past any cap: beyond it the doubling would only overflow a float.
_EXPONENT_MAX = 62


def backoff_s(attempt: int, first_s: float, max_s: float) -> float:
    """The wait before retry number `attempt` (1, 2, 3 …): doubling from first_s, capped."""
    assert 0 < first_s <= max_s, f"backoff needs 0 < first ≤ max, got {first_s}, {max_s}"
    exponent = min(max(attempt - 1, 0), _EXPONENT_MAX)
    return float(min(first_s * 2**exponent, max_s))
