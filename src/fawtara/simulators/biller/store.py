"""The simulated biller's store, in memory: its customers, their bills and the notices it posted.

A notice is posted once per payment id. The same id with the same body
answers the stored answer again; with another body it is refused
PAYMENT_ID_REUSED. A reversal gives back what the posting took from each
bill and marks the stored answer reversed; a second reversal has nothing
left to undo and answers reversed=false.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fawtara.biller_api import codes
from fawtara.biller_api.schema import (
    BillInquiryAnswer,
    NoticeAnswer,
    PaymentNotice,
    PaymentRule,
    PostedBill,
    ReversalAnswer,
)
from fawtara.simulators.biller.books import Bill, BillerRefusal, Customer


@dataclass(slots=True)
class Posting:
    notice: PaymentNotice
    answer: NoticeAnswer
    splits: list[tuple[Bill, int]] = field(default_factory=list)


class BillerStore:
    """One biller's books; every method takes the lock, so handlers may run in threads."""

    def __init__(self, biller: str, customers: list[Customer], rule: PaymentRule) -> None:
        self.biller = biller
        self.rule = rule
        self._customers = {customer.customer_ref: customer for customer in customers}
        self._postings: dict[str, Posting] = {}
        self._receipt_numbers = itertools.count(1)
        self._lock = threading.Lock()

    def inquiry(self, customer_ref: str) -> BillInquiryAnswer:
        with self._lock:
            customer = self._customer(customer_ref)
            return BillInquiryAnswer(
                biller=self.biller,
                customer_ref=customer.customer_ref,
                customer_name_ar=customer.name_ar,
                customer_name_en=customer.name_en,
                payment_rule=self.rule,
                bills=[bill.as_open_bill() for bill in customer.bills],
                as_of=datetime.now(UTC),
            )

    def post(
        self,
        payment_id: str,
        notice: PaymentNotice,
        *,
        idempotent: bool = True,
        refuse_conflicts: bool = True,
    ) -> NoticeAnswer:
        """Post a notice once; `idempotent` and `refuse_conflicts` off are faults."""
        with self._lock:
            posting = self._postings.get(payment_id)
            if posting is not None:
                if posting.notice != notice and refuse_conflicts:
                    raise BillerRefusal(
                        codes.PAYMENT_ID_REUSED,
                        f"payment {payment_id} was noticed with another body",
                    )
                if idempotent:
                    return posting.answer
                return posting.answer.model_copy(update={"biller_receipt_id": self._receipt()})
            posting = self._new_posting(payment_id, notice)
            self._postings[payment_id] = posting
            return posting.answer

    def status(self, payment_id: str) -> NoticeAnswer:
        with self._lock:
            posting = self._postings.get(payment_id)
            if posting is None:
                raise BillerRefusal(codes.NOTICE_UNKNOWN, f"no notice of payment {payment_id}")
            return posting.answer

    def reverse(self, payment_id: str) -> ReversalAnswer:
        with self._lock:
            posting = self._postings.get(payment_id)
            if posting is None or posting.answer.reversed:
                return ReversalAnswer(payment_id=payment_id, reversed=False)
            for bill, amount_minor in posting.splits:
                bill.paid_minor -= amount_minor
            posting.answer = posting.answer.model_copy(update={"reversed": True})
            return ReversalAnswer(payment_id=payment_id, reversed=True)

    def _new_posting(self, payment_id: str, notice: PaymentNotice) -> Posting:
        customer = self._customer(notice.customer_ref)
        bills = [self._payable_bill(customer, line.bill_id) for line in notice.bills]
        if len({bill.bill_id for bill in bills}) != len(bills):
            raise BillerRefusal(codes.VALIDATION_ERROR, "a bill is listed twice")
        if any(bill.currency != notice.currency for bill in bills):
            raise BillerRefusal(codes.VALIDATION_ERROR, f"the bills are not in {notice.currency}")
        splits, credit_minor = self._split(bills, notice.amount_minor)
        for bill, amount_minor in splits:
            bill.paid_minor += amount_minor
        answer = NoticeAnswer(
            payment_id=payment_id,
            biller_receipt_id=self._receipt(),
            bills=[
                PostedBill(bill_id=bill.bill_id, amount_minor=amount, status=bill.status)
                for bill, amount in splits
            ],
            credit_minor=credit_minor,
            posted_at=datetime.now(UTC),
        )
        return Posting(notice, answer, splits)

    def _split(self, bills: list[Bill], amount_minor: int) -> tuple[list[tuple[Bill, int]], int]:
        """How the amount pays the bills in the notice's order, and the credit left over."""
        outstanding_minor = sum(bill.outstanding_minor for bill in bills)
        rule = self.rule
        allowed = rule.minimum_minor <= amount_minor <= rule.maximum_minor and (
            (rule.kind == "exact" and amount_minor == outstanding_minor)
            or (rule.kind == "partial" and amount_minor <= outstanding_minor)
            or rule.kind == "advance"
        )
        if not allowed:
            raise BillerRefusal(
                codes.AMOUNT_NOT_ALLOWED,
                f"{amount_minor} is not allowed by the {rule.kind} rule "
                f"({outstanding_minor} outstanding)",
            )
        splits: list[tuple[Bill, int]] = []
        left_minor = amount_minor
        for bill in bills:
            share_minor = min(left_minor, bill.outstanding_minor)
            splits.append((bill, share_minor))
            left_minor -= share_minor
        return splits, left_minor

    def _customer(self, customer_ref: str) -> Customer:
        customer = self._customers.get(customer_ref)
        if customer is None:
            raise BillerRefusal(codes.UNKNOWN_SERVICE, f"no customer {customer_ref}")
        return customer

    def _payable_bill(self, customer: Customer, bill_id: str) -> Bill:
        bill = next((bill for bill in customer.bills if bill.bill_id == bill_id), None)
        if bill is None:
            raise BillerRefusal(codes.UNKNOWN_BILL, f"no bill {bill_id} of {customer.customer_ref}")
        if bill.cancelled:
            raise BillerRefusal(codes.BILL_NOT_PAYABLE, f"bill {bill_id} is cancelled")
        if bill.outstanding_minor <= 0:
            raise BillerRefusal(codes.BILL_ALREADY_PAID, f"bill {bill_id} is paid")
        return bill

    def _receipt(self) -> str:
        return f"{self.biller}-R{next(self._receipt_numbers):08d}"
