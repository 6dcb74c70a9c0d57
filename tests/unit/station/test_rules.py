"""The counter station's own rules: change, typed amounts, sync timing, notices, receipts,
void reasons and the status bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.kernel import limits
from fawtara.kernel.errors import InvalidAmount, ValidationError
from fawtara.receipts.domain.receipts import ReceiptBill, ReceiptStatus
from fawtara.station.model import EntryState, LocalPayment
from fawtara.station.receipt_data import receipt_of
from fawtara.station.rules import (
    change_due,
    link_status,
    parse_cash,
    retry_delay_s,
    surplus_notice,
    synced_through,
    void_reason,
    with_local_failures,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "to_take", "change"), [(350_000, 349_500, 500), (349_500, 349_500, 0)]
)
def test_the_change_is_what_was_handed_over_beyond_the_cash_to_take(
    received: int, to_take: int, change: int
) -> None:
    assert change_due(received, to_take) == change


@pytest.mark.parametrize("received", [349_000, -1, limits.amount_minor_max + 1])
def test_too_little_or_nonsense_cash_is_refused_with_an_arabic_reason(received: int) -> None:
    with pytest.raises(InvalidAmount) as refused:
        change_due(received, 349_500)
    assert refused.value.message_ar


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("3495", 349_500), ("٣٤٩٥", 349_500), ("3,495.50", 349_550), ("١٢٫٥", 1_250), (" 7 ", 700)],
)
def test_cash_is_typed_in_pounds_with_either_digits(typed: str, minor: int) -> None:
    assert parse_cash(typed) == minor


@pytest.mark.parametrize("typed", ["", "abc", "1.005", "1e3"])
def test_a_typed_amount_that_is_not_money_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_cash(typed)


def test_synced_through_is_the_oldest_unsent_entry_or_now() -> None:
    assert synced_through(None, NOW) == NOW
    assert synced_through(NOW - timedelta(hours=5), NOW) == NOW - timedelta(hours=5)
    assert synced_through(NOW + timedelta(seconds=2), NOW) == NOW  # a counter clock ahead


def test_retries_back_off_by_doubling_up_to_the_cap() -> None:
    delays = [retry_delay_s(n) for n in range(0, 12)]
    assert delays[:4] == [0.0, 1.0, 2.0, 4.0]
    assert delays == sorted(delays)
    assert max(delays) == limits.station_sync_backoff_s_max
    assert retry_delay_s(10_000) == limits.station_sync_backoff_s_max


def test_the_later_of_the_switch_lock_and_the_station_lock_holds() -> None:
    member = StaffMember("amal", "أمل", Role.CASHIER, "DAM01", locked_until=NOW)
    later = NOW + timedelta(minutes=15)
    assert with_local_failures(member, 2, later).locked_until == later
    assert with_local_failures(member, 2, None).locked_until == NOW
    assert with_local_failures(member, 3, None).failed_attempts == 3


def test_the_cashier_is_told_of_a_credit_or_a_refund_and_of_nothing_else() -> None:
    assert surplus_notice(None) is None
    assert surplus_notice({"credit_minor": 0, "refund_minor": 0}) is None
    credit = surplus_notice({"credit_minor": 60_000, "refund_minor": 0})
    refund = surplus_notice({"credit_minor": 0, "refund_minor": 60_000})
    assert credit is not None and "رصيداً" in credit and "٦٠٠٫٠٠" in credit
    assert refund is not None and "يُعاد" in refund


def a_payment(state: EntryState, outcome: dict[str, object] | None) -> LocalPayment:
    return LocalPayment(
        "0b6f5f7e-8d7e-4c43-9a0e-3d3f2a1c5b01", "e1", "s1", "amal", "ELEC", "1000000008",
        "مشترك", (ReceiptBill("ELEC-1", "2026-B5", 59_960),), 59_960, 60_000, 70_000, None,
        NOW, state, outcome, None,
    )  # fmt: skip


COUNTER = {"code": "DAM01", "name_ar": "مركز هاتف دمشق"}
BILLER = {"name_ar": "كهرباء دمشق", "name_en": "Damascus Electricity"}


def test_a_receipt_before_the_switch_answers_is_pending_and_numbered_by_the_station() -> None:
    receipt = receipt_of(a_payment(EntryState.PENDING, None), COUNTER, BILLER, "أمل")
    assert receipt.status is ReceiptStatus.PENDING_SYNC
    assert receipt.receipt_no == "DAM01-0B6F5F7E8D"
    assert (receipt.rounding_minor, receipt.cash_taken_minor) == (40, 60_000)
    assert receipt.accepted_at == NOW  # when the cash was taken, not when it synced


def test_a_synced_receipt_carries_the_switch_number_and_its_refund() -> None:
    outcome = {"receipt_no": "261125-ABCDEFGHIJ", "credit_minor": 0, "refund_minor": 59_960}
    receipt = receipt_of(a_payment(EntryState.SENT, outcome), COUNTER, BILLER, "أمل")
    assert receipt.status is ReceiptStatus.FINAL
    assert receipt.receipt_no == "261125-ABCDEFGHIJ" and receipt.refund_minor == 59_960


def test_a_void_reason_is_kept_tidy_and_never_empty_or_too_long() -> None:
    assert void_reason("  wrong \n subscriber ") == "wrong subscriber"
    for bad in ("", "   ", "x" * (limits.description_length_max + 1)):
        with pytest.raises(ValidationError) as refused:
            void_reason(bad)
        assert "سبب الإلغاء" in refused.value.message_ar


@pytest.mark.parametrize(
    ("up", "state", "words"),
    [(True, "up", "متصل"), (False, "down", "منقطع"), (None, "unknown", "جارٍ المحاولة")],
)
def test_the_status_bar_names_the_link_state_in_arabic(
    up: bool | None, state: str, words: str
) -> None:
    status = link_status(up, 3)
    assert (status["up"], status["state"], status["pending"]) == (up, state, 3)
    assert words in status["text"] and status["text"].startswith("الاتصال بالمقسم")
