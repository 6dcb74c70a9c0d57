"""A journal push stays within the switch's body limit, however long the backlog."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fawtara.kernel import limits
from fawtara.station.rules import entries_that_fit, journal_body

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def payment_entry(n: int) -> dict[str, Any]:
    """A cash payment entry as the station sends it (~415 bytes)."""
    return {
        "entry_id": str(uuid.UUID(int=n)),
        "kind": "payment",
        "at": AT.isoformat(),
        "cashier": "rana",
        "shift_id": str(uuid.UUID(int=10**6 + n)),
        "data": {
            "payment_id": str(uuid.UUID(int=10**7 + n)),
            "biller": "ELEC",
            "customer_ref": "1394753584",
            "bill_ids": [f"ELEC-2026-B5-{n}", f"ELEC-2026-B4-{n}"],
            "amount_due_minor": 154_200,
            "cash_taken_minor": 154_000,
            "msisdn": "+963940638653",
        },
    }


def test_a_full_batch_of_payments_is_cut_to_the_body_limit() -> None:
    entries = [payment_entry(n) for n in range(limits.counter_journal_entries_max)]
    assert len(journal_body(entries, AT)) > limits.request_body_bytes_max  # the bug it fixes
    fit = entries_that_fit(entries, AT)
    assert 0 < fit < len(entries)
    assert len(journal_body(entries[:fit], AT)) <= limits.request_body_bytes_max
    assert len(journal_body(entries[: fit + 1], AT)) > limits.request_body_bytes_max


def test_arabic_text_is_counted_in_bytes_not_characters() -> None:
    void = payment_entry(0) | {"kind": "void", "data": {"payment_id": "p", "reason": "خطأ" * 66}}
    entries = [void] * 200
    fit = entries_that_fit(entries, AT)
    assert len(journal_body(entries[:fit], AT)) <= limits.request_body_bytes_max
    assert len(journal_body(entries[: fit + 1], AT)) > limits.request_body_bytes_max


def test_a_small_backlog_goes_whole_and_one_entry_always_goes() -> None:
    entries = [payment_entry(n) for n in range(3)]
    assert entries_that_fit(entries, AT) == 3
    assert entries_that_fit(entries, AT, budget_bytes=10) == 1
    assert entries_that_fit([], AT) == 0
