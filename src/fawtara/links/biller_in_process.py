"""The biller gateway that calls the billing system's use cases on its own store, in process.

Both systems still have their own stores; only the transport is gone. Used by
tests that drive the switch and billing together; `make run` speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from fawtara.billing.use_cases.bill_documents import bill_document
from fawtara.billing.use_cases.inquiry import inquire
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.billing.use_cases.post_payment import post_payment, reverse_posting
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.kernel.ports import Clock
from fawtara.kernel.presentment import PresentedCustomer
from fawtara.receipts.adapters.pdf import render_bill_pdf
from fawtara.switch.use_cases.ports import BillerUnreachable


class InProcessBillerGateway:
    def __init__(self, billing_uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow_factory = billing_uow_factory
        self.clock = clock
        self.reachable = True  # tests cut the link by setting this False

    def _check(self) -> None:
        if not self.reachable:
            raise BillerUnreachable("the link to the billing system is down")

    def inquire(self, biller_code: str, customer_ref: str) -> PresentedCustomer:
        self._check()
        try:
            return inquire(self.uow_factory(), biller_code, customer_ref, self.clock.now())
        except OperationalError as error:
            raise BillerUnreachable(str(error)) from error

    def post(self, command: PostPayment) -> PostingResult:
        self._check()
        try:
            return post_payment(self.uow_factory(), command, self.clock.now())
        except OperationalError as error:  # the billing system's database is not there
            raise BillerUnreachable(str(error)) from error

    def bill_document(self, biller_code: str, customer_ref: str, bill_id: str) -> bytes:
        self._check()
        try:
            found = bill_document(self.uow_factory(), biller_code, customer_ref, bill_id)
        except OperationalError as error:
            raise BillerUnreachable(str(error)) from error
        return render_bill_pdf(found)

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        self._check()
        try:
            reverse_posting(self.uow_factory(), payment_id, reason, self.clock.now())
        except OperationalError as error:
            raise BillerUnreachable(str(error)) from error
