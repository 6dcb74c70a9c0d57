"""In-memory fakes of the switch's links out (switch/use_cases/ports.py).

FakeBillerGateway is a biller's billing system as the switch sees it over
the Biller API: customers presented with their bills, notices posted
idempotently by payment id, reversals, bill documents, and a link that can be
cut. tests/integration/billing/test_fake_biller_contract.py runs it beside
the real billing system (links/biller_in_process.py over SQLite).
For BankGateway the switch's tests use banks/adapters/in_memory.py's
InMemoryBank, a bank with accounts and balances; `_conforms` checks it too.
"""

from __future__ import annotations

from dataclasses import replace

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import (
    AmountNotAllowed,
    BillAlreadyPaid,
    BillNotPayable,
    PaymentIdReused,
    UnknownBill,
    UnknownService,
)
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.kernel.presentment import PresentedBill, PresentedCustomer
from fawtara.kernel.references import compact_reference
from fawtara.switch.use_cases import ports
from fawtara.switch.use_cases.ports import BillerUnreachable


class FakeBillerGateway:
    """A biller that presents what the test gave it and posts each payment id once."""

    def __init__(self) -> None:
        self.reachable = True
        self.customers: dict[tuple[str, str], PresentedCustomer] = {}
        self.postings: dict[str, tuple[str, PostingResult]] = {}  # by payment id: (hash, result)
        self.reversed: dict[str, str] = {}  # payment id → reason
        self.notices: list[PostPayment] = []  # every notice that reached the biller

    def present(self, customer: PresentedCustomer) -> None:
        self.customers[(customer.biller_code, customer.reference)] = customer

    def _check(self) -> None:
        if not self.reachable:
            raise BillerUnreachable("the fake biller is unreachable")

    def _customer(self, biller_code: str, customer_ref: str) -> PresentedCustomer:
        found = self.customers.get((biller_code, compact_reference(customer_ref)))
        if found is None:
            raise UnknownService(f"no service {customer_ref!r} at {biller_code}")
        return found

    def inquire(self, biller_code: str, customer_ref: str) -> PresentedCustomer:
        self._check()
        return self._customer(biller_code, customer_ref)

    def post(self, command: PostPayment) -> PostingResult:
        self._check()
        self.notices.append(command)
        stored = self.postings.get(command.payment_id)
        if stored is not None:
            if stored[0] != command.request_hash():
                raise PaymentIdReused(f"payment id {command.payment_id} was used for another")
            return replace(stored[1], replayed=True)
        customer = self._customer(command.biller_code, command.customer_ref)
        bills = {bill.id: bill for bill in customer.bills}
        if any(bill_id not in bills for bill_id in command.bill_ids):
            raise UnknownBill(f"no such bills for {command.customer_ref}")
        chosen = sorted((bills[i] for i in set(command.bill_ids)), key=lambda b: (b.due_on, b.id))
        for bill in chosen:
            if bill.status is BillStatus.PAID:
                raise BillAlreadyPaid(f"bill {bill.id} is already paid")
            if bill.status is BillStatus.CANCELLED:
                raise BillNotPayable(f"bill {bill.id} is cancelled")
        outstanding = sum(bill.amount_minor - bill.paid_minor for bill in chosen)
        if not 0 < command.amount_minor <= outstanding:
            raise AmountNotAllowed(f"{command.amount_minor} for {outstanding} due")
        remaining, taken = command.amount_minor, []
        for bill in chosen:
            share = min(remaining, bill.amount_minor - bill.paid_minor)
            if share > 0:
                bills[bill.id] = _paid(bill, bill.paid_minor + share)
                taken.append((bill.id, share, bills[bill.id].status.value))
                remaining -= share
        result = PostingResult(command.payment_id, tuple(taken), 0, replayed=False)
        self.postings[command.payment_id] = (command.request_hash(), result)
        self.present(replace(customer, bills=tuple(bills[bill.id] for bill in customer.bills)))
        return result

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        self._check()
        stored = self.postings.get(payment_id)
        if stored is None or payment_id in self.reversed:
            return
        self.reversed[payment_id] = reason
        for key, customer in self.customers.items():
            amounts = {bill_id: amount for bill_id, amount, _ in stored[1].bills}
            bills = tuple(
                _paid(bill, bill.paid_minor - amounts[bill.id]) if bill.id in amounts else bill
                for bill in customer.bills
            )
            self.customers[key] = replace(customer, bills=bills)

    def bill_document(self, biller_code: str, customer_ref: str, bill_id: str) -> bytes:
        self._check()
        try:
            customer = self._customer(biller_code, customer_ref)
        except UnknownService:
            customer = None
        if customer is None or bill_id not in {bill.id for bill in customer.bills}:
            raise UnknownBill(f"no bill {bill_id} for {customer_ref} at {biller_code}")
        return b"%PDF-1.7 fake bill " + bill_id.encode()


def _paid(bill: PresentedBill, paid_minor: int) -> PresentedBill:
    if paid_minor == 0:
        status = BillStatus.ISSUED
    elif paid_minor == bill.amount_minor:
        status = BillStatus.PAID
    else:
        status = BillStatus.PARTIALLY_PAID
    return replace(bill, paid_minor=paid_minor, status=status)


def _conforms(
    biller: FakeBillerGateway, bank: InMemoryBank
) -> tuple[ports.BillerGateway, ports.BankGateway]:
    """Type-checked only (`mypy tests/fakes`): each fake implements its Protocol."""
    return biller, bank
