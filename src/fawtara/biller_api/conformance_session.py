"""What the conformance cases share while they run: the biller, the test payment, its fate.

The kit pays open bills of the test customer with one notice and reverses it
before it ends; every payment id it ever sent with a valid body is kept in
`sent`, so the last case can reverse whatever may have been posted (a notice
that timed out may still have been posted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fawtara.biller_api import paths
from fawtara.biller_api.conformance_probe import CaseFailed, Probe, answer
from fawtara.biller_api.schema import (
    BillInquiryAnswer,
    NoticeAnswer,
    NoticeBill,
    OpenBill,
    PaymentNotice,
)

PAYMENT_ID_PREFIX = "CONFORMANCE-"
UNKNOWN_CUSTOMER_REF = "CONFORMANCE-NOBODY"
UNKNOWN_BILLER = "ZZCONFORMANCE"
OPEN_STATUSES = ("issued", "partially_paid")

# What "nothing changed" compares: bill id → (paid_minor, status).
Snapshot = dict[str, tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Fixture:
    """The test customer; `bill_ids` empty: pay the oldest open bill the inquiry shows."""

    customer_ref: str
    bill_ids: tuple[str, ...] = ()
    unknown_customer_ref: str = UNKNOWN_CUSTOMER_REF


@dataclass(slots=True)
class Session:
    probe: Probe
    biller: str
    fixture: Fixture
    found: BillInquiryAnswer | None = None  # the first inquiry: how the kit found the bills
    after_notice: Snapshot | None = None
    notice: PaymentNotice | None = None
    answer: NoticeAnswer | None = None
    payment_id: str = field(default_factory=lambda: new_payment_id())
    sent: list[str] = field(default_factory=list)
    reversed: set[str] = field(default_factory=set)

    def inquire(self, customer_ref: str | None = None) -> BillInquiryAnswer:
        ref = customer_ref or self.fixture.customer_ref
        return answer(self.probe.call("GET", paths.inquiry(self.biller, ref)), BillInquiryAnswer)

    def bills_at_start(self) -> Snapshot:
        assert self.found is not None, "the inquiry case runs first"
        return snapshot(self.found)

    def bills_now(self) -> Snapshot:
        return snapshot(self.inquire())

    def expect_unchanged(self, before: Snapshot, after_what: str) -> None:
        changes = differences(before, self.bills_now())
        if changes:
            raise CaseFailed(f"{after_what}, yet the bills changed: {changes}")

    def planned_notice(self) -> PaymentNotice:
        """The notice the kit pays with, built once from the first inquiry."""
        if self.notice is None:
            assert self.found is not None, "the inquiry case runs first"
            self.notice = plan_notice(self.found, self.fixture)
        return self.notice

    def notice_path(self, payment_id: str | None = None) -> str:
        return paths.notice(self.biller, payment_id or self.payment_id)

    def put_notice(self, payment_id: str, notice: PaymentNotice) -> NoticeAnswer:
        """A valid notice that should be posted; remembered so it is reversed at the end."""
        if payment_id not in self.sent:
            self.sent.append(payment_id)
        body = notice.model_dump(mode="json")
        return answer(self.probe.call("PUT", self.notice_path(payment_id), body=body), NoticeAnswer)


def new_payment_id() -> str:
    return PAYMENT_ID_PREFIX + uuid.uuid4().hex


def plan_notice(found: BillInquiryAnswer, fixture: Fixture) -> PaymentNotice:
    bills = choose_bills(found, fixture)
    amount_minor = sum(bill.amount_minor - bill.paid_minor for bill in bills)
    rule = found.payment_rule
    if not rule.minimum_minor <= amount_minor <= rule.maximum_minor:
        raise CaseFailed(
            f"the bills to pay owe {amount_minor}, outside the payment rule's bounds"
            f" {rule.minimum_minor}..{rule.maximum_minor}: name other bills in the fixture"
        )
    accepted_at = datetime.now(UTC).replace(microsecond=0)
    return PaymentNotice(
        biller=found.biller,
        customer_ref=found.customer_ref,
        bills=[NoticeBill(bill_id=bill.bill_id) for bill in bills],
        amount_minor=amount_minor,
        currency=bills[0].currency,
        channel="bank",
        accepted_at=accepted_at,
        settlement_date=accepted_at.date(),
    )


def choose_bills(found: BillInquiryAnswer, fixture: Fixture) -> list[OpenBill]:
    open_bills = [
        bill
        for bill in found.bills
        if bill.status in OPEN_STATUSES and bill.amount_minor > bill.paid_minor
    ]
    if not fixture.bill_ids:
        if not open_bills:
            raise CaseFailed(f"customer {found.customer_ref} has no open bill to pay")
        return [open_bills[-1]]  # newest first: the last is the oldest
    by_id = {bill.bill_id: bill for bill in open_bills}
    missing = [bill_id for bill_id in fixture.bill_ids if bill_id not in by_id]
    if missing:
        raise CaseFailed(f"the fixture's bills {missing} are not open on inquiry")
    return [by_id[bill_id] for bill_id in fixture.bill_ids]


def snapshot(found: BillInquiryAnswer) -> Snapshot:
    return {bill.bill_id: (bill.paid_minor, bill.status) for bill in found.bills}


def differences(before: Snapshot, after: Snapshot) -> str:
    """`B-1 paid 0 → 1000, issued → paid`; empty when nothing changed."""
    changes = []
    for bill_id in sorted(before.keys() | after.keys()):
        was, now = before.get(bill_id), after.get(bill_id)
        if was != now:
            changes.append(f"{bill_id} {describe_bill(was)} → {describe_bill(now)}")
    return "; ".join(changes)


def describe_bill(state: tuple[int, str] | None) -> str:
    return "absent" if state is None else f"paid {state[0]} ({state[1]})"
