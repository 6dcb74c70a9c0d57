"""Cash rounding, the denominations setting, the surplus split and its SMS sentence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from fawtara.counters.domain.cash import (
    DEFAULT_DENOMINATIONS,
    check_cash_taken,
    parse_denominations,
    round_cash,
    split_cash,
)
from fawtara.kernel import errors
from fawtara.kernel.billers import PaymentRule, PaymentRuleKind
from fawtara.kernel.bills import Bill, BillStatus
from fawtara.sms.domain.sms import PaymentNotice, SmsKind, render
from tests.support import ELEC

SYP = parse_denominations(DEFAULT_DENOMINATIONS)


def test_the_default_denominations_are_the_new_pound_notes_in_minor_units() -> None:
    assert SYP == (1_000, 2_500, 5_000, 10_000, 20_000, 50_000)
    assert parse_denominations(" 500, 10 ,25") == (1_000, 2_500, 50_000)
    assert parse_denominations("0.5,1") == (50, 100)


@pytest.mark.parametrize(
    ("amount_due", "cash"),
    [
        (0, 0),
        (1, 0),  # below half a note: nothing to take
        (499, 0),
        (500, 1_000),  # a tie rounds up (Rounding.HALF_UP)
        (1_000, 1_000),
        (1_499, 1_000),
        (1_500, 2_000),
        (349_400, 349_000),
        (349_500, 350_000),
        (349_501, 350_000),
        (10**15 - 1, 10**15),
    ],
)
def test_cash_rounds_to_the_nearest_multiple_of_the_smallest_note(
    amount_due: int, cash: int
) -> None:
    assert round_cash(amount_due, SYP) == cash
    assert round_cash(amount_due, list(reversed(SYP))) == cash  # order does not matter


@pytest.mark.parametrize(
    "text", ["", " , ", "ten", "10,10", "0", "-5", "10,0.001", ",".join(["1"] * 21)]
)
def test_a_malformed_denominations_setting_is_a_named_error(text: str) -> None:
    with pytest.raises(errors.InvalidDenominations) as caught:
        parse_denominations(text)
    assert caught.value.code == "INVALID_DENOMINATIONS" and caught.value.message_ar


def test_rounding_refuses_a_negative_amount_and_empty_denominations() -> None:
    with pytest.raises(errors.AmountNotAllowed):
        round_cash(-1, SYP)
    with pytest.raises(errors.InvalidDenominations):
        round_cash(100, [])


def test_cash_taken_may_differ_from_the_amount_due_by_less_than_one_note() -> None:
    assert check_cash_taken(349_400, 349_000, 1_000) == -400
    assert check_cash_taken(349_500, 350_000, 1_000) == 500
    for cash in (348_400, 350_400, -1):
        with pytest.raises(errors.CashRoundingMismatch):
            check_cash_taken(349_400, cash, 1_000)


def bill(bill_id: str, amount: int, paid: int = 0, status: BillStatus = BillStatus.ISSUED) -> Bill:
    return Bill(
        bill_id, "ELEC", 1, "2026-B5", date(2026, 9, 1), date(2026, 10, 31),
        date(2026, 11, 1), date(2026, 12, 1), amount, paid, "SYP", status,
    )  # fmt: skip


PARTIAL = ELEC  # tests.support: partial payments, at least 100
ADVANCE = replace(ELEC, payment_rule=PaymentRule(PaymentRuleKind.ADVANCE))
EXACT = replace(ELEC, payment_rule=PaymentRule(PaymentRuleKind.EXACT))


def test_open_bills_take_what_they_owe_and_nothing_is_surplus() -> None:
    split = split_cash(EXACT, [bill("A", 1_000), bill("B", 2_000)], 3_000)
    assert (split.bill_ids, split.posted_minor, split.surplus_minor) == (("A", "B"), 3_000, 0)


@pytest.mark.parametrize(
    ("biller", "credit", "refund"), [(ADVANCE, 2_000, 0), (PARTIAL, 0, 2_000), (EXACT, 0, 2_000)]
)
def test_a_bill_paid_meanwhile_makes_a_credit_or_a_refund_by_the_billers_rule(
    biller: object, credit: int, refund: int
) -> None:
    paid = bill("B", 2_000, 2_000, BillStatus.PAID)
    split = split_cash(biller, [bill("A", 1_000), paid], 3_000)  # type: ignore[arg-type]
    assert (split.bill_ids, split.posted_minor) == (("A",), 1_000)
    assert (split.credit_minor, split.refund_minor) == (credit, refund)


def test_every_bill_paid_posts_nothing_and_a_part_paid_bill_takes_its_rest() -> None:
    split = split_cash(PARTIAL, [bill("A", 1_000, 1_000, BillStatus.PAID)], 1_000)
    assert (split.bill_ids, split.posted_minor, split.refund_minor) == ((), 0, 1_000)
    split = split_cash(PARTIAL, [bill("A", 1_000, 400, BillStatus.PARTIALLY_PAID)], 1_000)
    assert (split.posted_minor, split.refund_minor) == (600, 400)


def test_an_amount_the_rule_refuses_for_the_open_bills_is_all_surplus() -> None:
    # The exact biller takes 1,000 for bill A only in full; 900 posts nothing.
    split = split_cash(EXACT, [bill("A", 1_000)], 900)
    assert (split.posted_minor, split.refund_minor) == (0, 900)
    # Below the partial biller's minimum of 100.
    split = split_cash(PARTIAL, [bill("A", 1_000, 950, BillStatus.PARTIALLY_PAID)], 1_000)
    assert (split.posted_minor, split.refund_minor) == (0, 1_000)


def notice(language: str, credit: int = 0, refund: int = 0) -> PaymentNotice:
    return PaymentNotice(
        SmsKind.PAYMENT_COMPLETED, "p", "+963933123456", language, "كهرباء دمشق",
        "Damascus Electricity", ("2026-B5",), 349_400, "SYP", "261126-ABCDEFGHIJ",
        datetime(2026, 11, 26, 9, 30, tzinfo=UTC), credit, refund,
    )  # fmt: skip


def test_the_sms_says_when_a_surplus_became_a_credit_or_a_refund() -> None:
    assert "credit" not in render(notice("en")) and "refund" not in render(notice("en"))
    assert "1,000.00 SYP kept as a credit there" in render(
        notice("en", credit=100_000)
    )
    assert "1,000.00 SYP refunded in cash" in render(notice("en", refund=100_000))
    arabic = render(notice("ar", refund=100_000))
    assert "يُعاد إليك ١٬٠٠٠٫٠٠ ل.س. نقداً" in arabic
    assert "فسُجّل ١٬٠٠٠٫٠٠ ل.س. رصيداً لك" in render(notice("ar", credit=100_000))
