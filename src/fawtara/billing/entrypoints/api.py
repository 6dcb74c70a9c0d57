"""The billing system's Biller API server (`fawtara billing serve`): what the switch calls.

Served over the billing system's own store; the switch is known by the key it
presents (FAWTARA_BILLER_API_KEY). docs/BILLER-API.md describes each operation.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Response

from fawtara import __version__
from fawtara.biller_api import paths, schema
from fawtara.billing.bootstrap import BILLING, BillingWiring, render_bill_pdf
from fawtara.billing.use_cases.bill_documents import bill_document
from fawtara.billing.use_cases.inquiry import inquire
from fawtara.billing.use_cases.post_payment import (
    NoticeStatus,
    notice_status,
    post_payment,
    reverse_posting,
)
from fawtara.kernel.errors import NoticeUnknown, Unauthenticated, UnknownBill
from fawtara.kernel.notices import PostPayment
from fawtara.kernel.presentment import PresentedCustomer
from fawtara.web.errors import install_error_handling

BillerCode = Annotated[str, Path(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]{1,15}$")]
PaymentId = Annotated[str, Path(min_length=1, max_length=64)]
CustomerRef = Annotated[str, Path(min_length=1, max_length=32)]
BillId = Annotated[str, Path(min_length=1, max_length=64)]
OwnerRef = Annotated[str, Query(min_length=1, max_length=32)]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


def create_billing_app(platform: BillingWiring) -> FastAPI:
    """The Biller API over the billing system's store; refuses a store whose schema is behind."""
    platform.require_current_schema(BILLING)
    app = FastAPI(
        title="Fawtara billing — Biller API",
        version=f"{schema.API_VERSION} ({__version__})",
        description="What an online biller serves to the switch (docs/BILLER-API.md).",
    )
    app.state.platform = platform
    install_error_handling(app)

    def the_switch(x_api_key: Annotated[str | None, Header()] = None) -> None:
        expected = platform.settings.biller_api_key
        if not x_api_key or not hmac.compare_digest(x_api_key.encode(), expected.encode()):
            raise Unauthenticated("send the switch's key in the X-Api-Key header")

    caller = [Depends(the_switch)]

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(paths.INQUIRY, dependencies=caller, response_model=schema.BillInquiryAnswer)
    def inquiry(biller: BillerCode, customer_ref: CustomerRef) -> schema.BillInquiryAnswer:
        now = platform.clock.now()
        found = inquire(platform.billing_uow(readonly=True), biller, customer_ref, now)
        return _inquiry_answer(platform, found)

    @app.put(paths.NOTICE, dependencies=caller, response_model=schema.NoticeAnswer)
    def notice(
        biller: BillerCode, payment_id: PaymentId, body: schema.PaymentNotice
    ) -> schema.NoticeAnswer:
        if body.biller != biller:
            raise UnknownBill(f"the notice names biller {body.biller}, the path {biller}")
        command = PostPayment(
            payment_id=payment_id,
            biller_code=biller,
            customer_ref=body.customer_ref,
            bill_ids=tuple(bill.bill_id for bill in body.bills),
            amount_minor=body.amount_minor,
            currency=body.currency,
            channel=body.channel,
            paid_at=body.accepted_at,
        )
        post_payment(platform.billing_uow(), command, platform.clock.now())
        return _notice_answer(_status(platform, payment_id))

    @app.get(paths.NOTICE, dependencies=caller, response_model=schema.NoticeAnswer)
    def status(biller: BillerCode, payment_id: PaymentId) -> schema.NoticeAnswer:
        return _notice_answer(_status(platform, payment_id))

    @app.put(paths.REVERSAL, dependencies=caller, response_model=schema.ReversalAnswer)
    def reversal(
        biller: BillerCode, payment_id: PaymentId, body: schema.ReversalNotice
    ) -> schema.ReversalAnswer:
        done = reverse_posting(
            platform.billing_uow(), payment_id, body.reason, platform.clock.now()
        )
        return schema.ReversalAnswer(payment_id=payment_id, reversed=done)

    @app.get(paths.BILL_DOCUMENT, dependencies=caller, response_class=Response, responses=PDF)
    def bill_document_pdf(biller: BillerCode, bill_id: BillId, customer_ref: OwnerRef) -> Response:
        found = bill_document(platform.billing_uow(readonly=True), biller, customer_ref, bill_id)
        return Response(render_bill_pdf(found), media_type="application/pdf")

    return app


def _status(platform: BillingWiring, payment_id: str) -> NoticeStatus:
    found = notice_status(platform.billing_uow(readonly=True), payment_id)
    if found is None:
        raise NoticeUnknown(f"no payment notice {payment_id} was posted here")
    return found


def _notice_answer(found: NoticeStatus) -> schema.NoticeAnswer:
    result = found.result
    return schema.NoticeAnswer(
        payment_id=result.payment_id,
        biller_receipt_id=result.receipt_id,
        bills=[
            schema.PostedBill(bill_id=bill_id, amount_minor=amount, status=status)  # type: ignore[arg-type]
            for bill_id, amount, status in result.bills
        ],
        credit_minor=result.credit_minor,
        posted_at=found.posted_at,
        reversed=found.reversed,
    )


def _inquiry_answer(platform: BillingWiring, found: PresentedCustomer) -> schema.BillInquiryAnswer:
    with platform.billing_uow(readonly=True) as uow:
        biller = uow.billers.get(found.biller_code)
    assert biller is not None, "inquire found the biller"
    rule = biller.payment_rule
    return schema.BillInquiryAnswer(
        biller=found.biller_code,
        customer_ref=found.reference,
        customer_name_ar=found.name_ar,
        customer_name_en=found.name_en,
        payment_rule=schema.PaymentRule(
            kind=rule.kind.value,
            minimum_minor=rule.minimum_minor,
            maximum_minor=rule.maximum_minor,
        ),
        bills=[
            schema.OpenBill(
                bill_id=bill.id,
                cycle=bill.cycle_id,
                period_start=bill.period_start,
                period_end=bill.period_end,
                issued_on=bill.issued_on,
                due_on=bill.due_on,
                amount_minor=bill.amount_minor,
                paid_minor=bill.paid_minor,
                currency=bill.currency,
                status=bill.status.value,
            )
            for bill in found.bills
        ],
        as_of=found.as_of,
    )


__all__ = ["create_billing_app"]
