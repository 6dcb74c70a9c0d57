"""The payment a log line is about, carried in a context variable.

While the switch drives a payment (and while an API request names one), every
log line written in that thread carries its id, so a payment's whole path can
be followed by grepping its id (the JSON formatter in ops/adapters/logs.py adds
it to each line).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_payment_id: ContextVar[str | None] = ContextVar("payment_id", default=None)


def current_payment_id() -> str | None:
    return _payment_id.get()


@contextmanager
def payment_context(payment_id: str) -> Iterator[None]:
    """Lines logged inside the block carry `payment_id`."""
    token = _payment_id.set(payment_id)
    try:
        yield
    finally:
        _payment_id.reset(token)
