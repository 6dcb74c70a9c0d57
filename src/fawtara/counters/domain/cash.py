"""Cash at a counter: rounding to the notes and coins in circulation, and the surplus rule.

The denominations are configuration (`FAWTARA_CASH_DENOMINATIONS`, new SYP,
default "10,25,50,100,200,500": ../shared/reference/syria.md §7, which says
the set is uncertain). A cashier cannot hand out less than the smallest of
them, so the cash taken is the amount due rounded to the nearest multiple of
the smallest, a tie rounding up (`Rounding.HALF_UP`). The difference, either
sign, is booked to its own ledger account (switch:cash_rounding).

Cash taken offline may meet bills paid meanwhile through another channel.
The cash is in the drawer, so the payment still completes: `split_cash`
posts what the chosen bills still owe (within the biller's rule) and the rest
is a surplus, a credit on the subscriber's account when the biller takes
advance payments, otherwise a refund owed to the subscriber.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, PaymentRuleKind
from fawtara.kernel.bills import Bill, BillStatus, plan_payment
from fawtara.kernel.errors import (
    AmountNotAllowed,
    CashRoundingMismatch,
    FawtaraError,
    InvalidDenominations,
)
from fawtara.kernel.money import Money, Rounding, divide_rounded

DEFAULT_DENOMINATIONS = "10,25,50,100,200,500"  # new SYP
CASH_ROUNDING = Rounding.HALF_UP  # a tie goes to the next note: the subscriber pays it


def parse_denominations(text: str, currency: str = "SYP") -> tuple[int, ...]:
    """'10,25,50' (major units) into minor units, ascending; InvalidDenominations if bad."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise InvalidDenominations("no cash denominations given", "لم تُحدَّد فئات النقد")
    try:
        minors = [Money.parse(part, currency).amount_minor for part in parts]
    except FawtaraError as error:
        raise InvalidDenominations(
            f"cash denominations must be amounts like 10,25,50: {error.message}",
            "فئات النقد يجب أن تكون مبالغ مثل 10,25,50",
        ) from error
    return check_denominations(minors)


def check_denominations(denominations_minor: Sequence[int]) -> tuple[int, ...]:
    """Positive, distinct, bounded; returned ascending."""
    if not denominations_minor:
        raise InvalidDenominations("no cash denominations given", "لم تُحدَّد فئات النقد")
    if len(denominations_minor) > limits.cash_denominations_max:
        raise InvalidDenominations(f"at most {limits.cash_denominations_max} denominations")
    for value in denominations_minor:
        if type(value) is not int or not 0 < value <= limits.amount_minor_max:
            raise InvalidDenominations(
                f"a denomination must be a positive amount, got {value!r}",
                "فئة النقد يجب أن تكون مبلغاً موجباً",
            )
    if len(set(denominations_minor)) != len(denominations_minor):
        raise InvalidDenominations("a denomination is listed twice", "فئة نقد مكررة")
    return tuple(sorted(denominations_minor))


def round_cash(amount_due_minor: int, denominations_minor: Sequence[int]) -> int:
    """The cash to take for `amount_due_minor`: the nearest multiple of the smallest note."""
    if type(amount_due_minor) is not int or amount_due_minor < 0:
        raise AmountNotAllowed(f"an amount due must be a non-negative integer: {amount_due_minor}")
    unit = check_denominations(denominations_minor)[0]
    return divide_rounded(amount_due_minor, unit, CASH_ROUNDING) * unit


def check_cash_taken(amount_due_minor: int, cash_taken_minor: int, smallest_minor: int) -> int:
    """The rounding (cash taken − amount due); refused when it exceeds one smallest note.

    Not recomputed exactly: cash taken offline was rounded with the
    denominations the counter had then, which a later setting may change.
    """
    rounding = cash_taken_minor - amount_due_minor
    if cash_taken_minor < 0 or abs(rounding) >= smallest_minor:
        raise CashRoundingMismatch(
            f"cash taken {cash_taken_minor} does not round {amount_due_minor} "
            f"to a note of {smallest_minor}",
            "المبلغ النقدي المقبوض لا يطابق تقريب المبلغ المستحق",
        )
    return rounding


@dataclass(frozen=True, slots=True)
class CashSplit:
    """Where the amount due of a cash payment goes."""

    bill_ids: tuple[str, ...]  # the chosen bills still open: the posting pays these
    posted_minor: int  # to the bills, at the biller
    credit_minor: int  # on the subscriber's account at the biller (advance rule)
    refund_minor: int  # owed back to the subscriber

    @property
    def surplus_minor(self) -> int:
        return self.credit_minor + self.refund_minor


def split_cash(biller: Biller, bills: Sequence[Bill], amount_due_minor: int) -> CashSplit:
    """Post what the chosen bills still owe, as the biller's rule allows; the rest is surplus.

    A bill paid or cancelled meanwhile takes nothing; an amount the rule
    refuses for the bills still open (below its minimum, not the exact
    amount) posts nothing: the whole of it is surplus. Never paid twice.
    """
    open_bills = [b for b in bills if b.status in (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID)]
    posted = min(amount_due_minor, sum(b.outstanding_minor for b in open_bills))
    if posted > 0:
        try:
            plan_payment(biller, open_bills, posted)
        except AmountNotAllowed:
            posted = 0
    surplus = amount_due_minor - posted
    advance = biller.payment_rule.kind is PaymentRuleKind.ADVANCE
    return CashSplit(
        bill_ids=tuple(b.id for b in open_bills) if posted else (),
        posted_minor=posted,
        credit_minor=surplus if advance else 0,
        refund_minor=0 if advance else surplus,
    )
