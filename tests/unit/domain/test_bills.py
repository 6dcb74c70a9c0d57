"""Bills: issuing, paying in parts, and splitting one payment over several bills."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, CalendarKind, PaymentRule, PaymentRuleKind, ServiceKind
from fawtara.kernel.bills import (
    Allocation,
    Bill,
    BillLine,
    BillStatus,
    PaymentPlan,
    bill_id_for,
    issue_bill,
    plan_payment,
)
from fawtara.kernel.calendar import parse_cycle
from fawtara.kernel.errors import (
    AmountNotAllowed,
    BillAlreadyPaid,
    BillNotPayable,
    LimitExceeded,
    ValidationError,
)


def a_biller(
    kind: PaymentRuleKind = PaymentRuleKind.EXACT, code: str = "EDAM", minimum_minor: int = 1
) -> Biller:
    return Biller(
        code=code,
        name_ar="الشركة العامة لكهرباء دمشق",
        name_en="Damascus Electricity",
        service_kinds=(ServiceKind.ELECTRICITY,),
        calendar=CalendarKind.BIMONTHLY,
        payment_rule=PaymentRule(kind, minimum_minor=minimum_minor),
        due_days=30,
    )


def line(amount_minor: int, quantity: int = 1) -> BillLine:
    return BillLine("Block", "الشريحة", quantity, "kWh", "6.00", amount_minor)


# 400 kWh: 300 × 6.00 + 100 × 14.00 = 1,800.00 + 1,400.00 = 3,200.00 SYP
LINES_400_KWH = (line(180_000, 300), line(140_000, 100))


def a_bill(
    bill_id: str,
    amount_minor: int,
    due: date,
    *,
    paid_minor: int = 0,
    status: BillStatus = BillStatus.ISSUED,
    biller_code: str = "EDAM",
) -> Bill:
    return Bill(
        id=bill_id,
        biller_code=biller_code,
        service_id=42,
        cycle_id="2026-B1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        issued_on=date(2026, 3, 1),
        due_on=due,
        amount_minor=amount_minor,
        paid_minor=paid_minor,
        currency="SYP",
        status=status,
    )


# Issuing -----------------------------------------------------------------------------------


def test_issue_bill_totals_the_lines_and_sets_the_due_date() -> None:
    cycle = parse_cycle(CalendarKind.BIMONTHLY, "2026-B1")
    bill = issue_bill(a_biller(), cycle, 42, LINES_400_KWH)
    assert bill == Bill(
        id="EDAM-2026-B1-42",
        biller_code="EDAM",
        service_id=42,
        cycle_id="2026-B1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        issued_on=date(2026, 3, 1),
        due_on=date(2026, 3, 31),  # 2026-03-01 + 30 days
        amount_minor=320_000,
        paid_minor=0,
        currency="SYP",
        status=BillStatus.ISSUED,
    )
    assert bill.outstanding_minor == 320_000


def test_the_bill_of_the_last_cycle_of_the_year_is_due_in_the_next_year() -> None:
    # 2026-B6 is issued 2027-01-01; + 30 days = 2027-01-31.
    cycle = parse_cycle(CalendarKind.BIMONTHLY, "2026-B6")
    bill = issue_bill(a_biller(), cycle, 7, LINES_400_KWH)
    assert (bill.issued_on, bill.due_on) == (date(2027, 1, 1), date(2027, 1, 31))


def test_a_zero_bill_is_issued_already_paid() -> None:
    cycle = parse_cycle(CalendarKind.BIMONTHLY, "2026-B1")
    bill = issue_bill(a_biller(), cycle, 42, [line(0, 5)])
    assert (bill.amount_minor, bill.paid_minor, bill.status) == (0, 0, BillStatus.PAID)
    assert bill.outstanding_minor == 0
    assert issue_bill(a_biller(), cycle, 43, []).status is BillStatus.PAID


def test_a_bill_has_at_most_sixteen_lines() -> None:
    cycle = parse_cycle(CalendarKind.BIMONTHLY, "2026-B1")
    assert issue_bill(a_biller(), cycle, 42, [line(100)] * 16).amount_minor == 1_600
    with pytest.raises(LimitExceeded):
        issue_bill(a_biller(), cycle, 42, [line(100)] * (limits.bill_lines_max + 1))


def test_bill_ids_are_deterministic() -> None:
    assert bill_id_for("STE", "2026-11", 9) == "STE-2026-11-9"


# Paying one bill -----------------------------------------------------------------------------


def test_a_bill_paid_in_two_parts_is_partly_paid_then_paid() -> None:
    bill = a_bill("b1", 320_000, date(2026, 3, 31))
    part = bill.apply_payment(120_000)
    assert (part.paid_minor, part.outstanding_minor, part.status) == (
        120_000,
        200_000,
        BillStatus.PARTIALLY_PAID,
    )
    full = part.apply_payment(200_000)  # 120,000 + 200,000 = 320,000
    assert (full.paid_minor, full.outstanding_minor, full.status) == (320_000, 0, BillStatus.PAID)
    assert bill.status is BillStatus.ISSUED  # bills are immutable values


@pytest.mark.parametrize(
    ("bill", "amount_minor", "error"),
    [
        (
            a_bill("b1", 320_000, date(2026, 3, 31), paid_minor=320_000, status=BillStatus.PAID),
            1,
            BillAlreadyPaid,
        ),
        (
            a_bill("b1", 320_000, date(2026, 3, 31), status=BillStatus.CANCELLED),
            320_000,
            BillNotPayable,
        ),
        (a_bill("b1", 320_000, date(2026, 3, 31)), 0, AmountNotAllowed),
        (a_bill("b1", 320_000, date(2026, 3, 31)), -100, AmountNotAllowed),
        (a_bill("b1", 320_000, date(2026, 3, 31)), 320_001, AmountNotAllowed),
        # partly paid 120,000: at most 200,000 more
        (
            a_bill(
                "b1",
                320_000,
                date(2026, 3, 31),
                paid_minor=120_000,
                status=BillStatus.PARTIALLY_PAID,
            ),
            200_001,
            AmountNotAllowed,
        ),
    ],
    ids=["paid", "cancelled", "zero", "negative", "more-than-owed", "more-than-outstanding"],
)
def test_a_payment_a_bill_cannot_take_is_refused(
    bill: Bill, amount_minor: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        bill.apply_payment(amount_minor)


# Cancelling ---------------------------------------------------------------------------------


def test_an_issued_bill_without_payments_can_be_cancelled() -> None:
    bill = a_bill("b1", 320_000, date(2026, 3, 31))
    cancelled = bill.cancel()
    assert cancelled == replace(bill, status=BillStatus.CANCELLED)
    assert cancelled.cancel() == cancelled  # cancelling again changes nothing


@pytest.mark.parametrize(
    "bill",
    [
        a_bill(
            "b1", 320_000, date(2026, 3, 31), paid_minor=120_000, status=BillStatus.PARTIALLY_PAID
        ),
        a_bill("b1", 320_000, date(2026, 3, 31), paid_minor=320_000, status=BillStatus.PAID),
        a_bill("b1", 0, date(2026, 3, 31), status=BillStatus.PAID),  # a zero bill
    ],
    ids=["partly-paid", "paid", "zero-bill"],
)
def test_a_bill_with_money_on_it_or_paid_cannot_be_cancelled(bill: Bill) -> None:
    with pytest.raises(BillNotPayable):
        bill.cancel()


# Splitting a payment -------------------------------------------------------------------------

# Two bills given newest first: the March bill (3,200.00 SYP) is due before the May one
# (1,814.00 SYP). Together 5,014.00 SYP = 501,400 qirsh.
MARCH = a_bill("EDAM-2026-B1-42", 320_000, date(2026, 3, 31))
MAY = a_bill("EDAM-2026-B2-42", 181_400, date(2026, 5, 31))


def test_exact_rule_pays_each_bill_in_full_oldest_due_first() -> None:
    plan = plan_payment(a_biller(PaymentRuleKind.EXACT), [MAY, MARCH], 501_400)
    assert plan == PaymentPlan(
        (Allocation("EDAM-2026-B1-42", 320_000), Allocation("EDAM-2026-B2-42", 181_400)), 0
    )


@pytest.mark.parametrize("amount_minor", [501_399, 501_401, 320_000])
def test_exact_rule_refuses_anything_but_the_outstanding_total(amount_minor: int) -> None:
    with pytest.raises(AmountNotAllowed):
        plan_payment(a_biller(PaymentRuleKind.EXACT), [MAY, MARCH], amount_minor)


def test_exact_rule_takes_what_is_left_of_a_partly_paid_bill() -> None:
    # 320,000 - 120,000 paid = 200,000 outstanding
    partly = replace(MARCH, paid_minor=120_000, status=BillStatus.PARTIALLY_PAID)
    plan = plan_payment(a_biller(PaymentRuleKind.EXACT), [partly], 200_000)
    assert plan == PaymentPlan((Allocation("EDAM-2026-B1-42", 200_000),), 0)


@pytest.mark.parametrize(
    ("amount_minor", "allocations"),
    [
        # 4,000.00 SYP: March in full, 800.00 SYP of May (400,000 - 320,000 = 80,000)
        (400_000, (Allocation("EDAM-2026-B1-42", 320_000), Allocation("EDAM-2026-B2-42", 80_000))),
        # 1,000.00 SYP: all to the oldest bill
        (100_000, (Allocation("EDAM-2026-B1-42", 100_000),)),
        (320_000, (Allocation("EDAM-2026-B1-42", 320_000),)),
        (501_400, (Allocation("EDAM-2026-B1-42", 320_000), Allocation("EDAM-2026-B2-42", 181_400))),
    ],
)
def test_partial_rule_fills_the_oldest_due_bill_first(
    amount_minor: int, allocations: tuple[Allocation, ...]
) -> None:
    plan = plan_payment(a_biller(PaymentRuleKind.PARTIAL), [MAY, MARCH], amount_minor)
    assert plan == PaymentPlan(allocations, 0)


def test_partial_rule_refuses_more_than_is_outstanding() -> None:
    with pytest.raises(AmountNotAllowed):
        plan_payment(a_biller(PaymentRuleKind.PARTIAL), [MAY, MARCH], 501_401)


def test_advance_rule_keeps_the_surplus_as_a_credit() -> None:
    # 6,000.00 SYP for 5,014.00 SYP due: 600,000 - 501,400 = 98,600 credit
    plan = plan_payment(a_biller(PaymentRuleKind.ADVANCE), [MAY, MARCH], 600_000)
    assert plan == PaymentPlan(
        (Allocation("EDAM-2026-B1-42", 320_000), Allocation("EDAM-2026-B2-42", 181_400)), 98_600
    )


def test_bills_due_the_same_day_are_paid_in_id_order() -> None:
    second = a_bill("EDAM-2026-B1-43", 1_000, date(2026, 3, 31))
    first = a_bill("EDAM-2026-B1-41", 1_000, date(2026, 3, 31))
    plan = plan_payment(a_biller(PaymentRuleKind.PARTIAL), [second, first], 1_500)
    assert plan.allocations == (
        Allocation("EDAM-2026-B1-41", 1_000),
        Allocation("EDAM-2026-B1-43", 500),
    )


def test_the_billers_minimum_applies_to_the_whole_payment() -> None:
    biller = a_biller(PaymentRuleKind.PARTIAL, minimum_minor=50_000)  # 500.00 SYP at least
    with pytest.raises(AmountNotAllowed):
        plan_payment(biller, [MARCH], 49_999)
    assert plan_payment(biller, [MARCH], 50_000).allocations == (
        Allocation("EDAM-2026-B1-42", 50_000),
    )


def many_bills(count: int) -> list[Bill]:
    return [a_bill(f"EDAM-{n}", 100, date(2026, 3, 31)) for n in range(count)]


@pytest.mark.parametrize(
    ("bills", "error"),
    [
        ([], ValidationError),
        (many_bills(limits.bills_per_payment_max + 1), LimitExceeded),
        ([MARCH, MARCH], ValidationError),
        ([MARCH, replace(MAY, paid_minor=181_400, status=BillStatus.PAID)], BillAlreadyPaid),
        ([MARCH, replace(MAY, status=BillStatus.CANCELLED)], BillNotPayable),
        ([MARCH, replace(MAY, biller_code="WDAM")], BillNotPayable),
    ],
    ids=["no-bills", "too-many", "duplicate", "paid", "cancelled", "another-biller"],
)
def test_a_payment_over_bills_it_cannot_pay_is_refused(
    bills: list[Bill], error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        plan_payment(a_biller(PaymentRuleKind.ADVANCE), bills, 600_000)
    assert caught.type is error  # not merely a subclass: LimitExceeded is a ValidationError


def test_a_payment_may_pay_the_most_bills_allowed() -> None:
    # 24 bills of 1.00 SYP: 2,400 qirsh
    plan = plan_payment(a_biller(PaymentRuleKind.EXACT), many_bills(24), 2_400)
    assert len(plan.allocations) == 24
    assert sum(allocation.amount_minor for allocation in plan.allocations) == 2_400
