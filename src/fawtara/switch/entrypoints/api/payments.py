"""The switch's HTTP API: bill presentment, payments, status inquiry, reversal.

Every call carries the participant's key in `X-Api-Key` (`CODE.SECRET`).
Routes parse, call one use case, and render; the rules live below them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from fawtara.kernel import limits
from fawtara.kernel.log_context import payment_context
from fawtara.switch.bootstrap import Platform
from fawtara.switch.domain.participants import Participant
from fawtara.switch.domain.payments import Payment, PaymentRequest
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.participants import authenticate
from fawtara.switch.use_cases.payment_steps import Switch

router = APIRouter(tags=["payments"])

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Code = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$")]
BillId = Annotated[str, Field(min_length=1, max_length=64)]


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def switch_of(request: Request) -> Switch:
    switch: Switch = request.app.state.switch
    return switch


def participant(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="CODE.SECRET of the participant")] = None,
) -> Participant:
    return authenticate(platform_of(request).uow(readonly=True), x_api_key)


Caller = Annotated[Participant, Depends(participant)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FetchIn(Strict):
    biller: Code = Field(examples=["ELEC"])
    customer_ref: str = Field(min_length=1, max_length=32, examples=["1000000008"])


class BillOut(BaseModel):
    bill_id: str
    period: str
    issued_on: str
    due_on: str
    amount_minor: int
    amount_due_minor: int
    currency: str
    status: str


class FetchOut(BaseModel):
    biller: str
    customer_ref: str
    customer_name: str
    customer_name_en: str
    bills: list[BillOut]


@router.post("/v1/bills/fetch", response_model=FetchOut, summary="A subscriber's bills")
def fetch(body: FetchIn, request: Request, _caller: Caller) -> FetchOut:
    found = use_cases.fetch_bills(request.app.state.switch, body.biller.upper(), body.customer_ref)
    return FetchOut(
        biller=found.biller_code,
        customer_ref=found.customer_ref,
        customer_name=found.customer_name_ar,
        customer_name_en=found.customer_name_en,
        bills=[
            BillOut(
                bill_id=b.id,
                period=b.cycle_id,
                issued_on=b.issued_on.isoformat(),
                due_on=b.due_on.isoformat(),
                amount_minor=b.amount_minor,
                amount_due_minor=b.outstanding_minor,
                currency=b.currency,
                status=b.status.value,
            )
            for b in found.bills
        ],
    )


class PayerIn(Strict):
    bank: Code = Field(examples=["BEMO"])
    account: str = Field(min_length=1, max_length=34, examples=["0100200300"])


class PaymentIn(Strict):
    payment_id: str = Field(
        pattern=UUID_PATTERN,
        description="a UUID made by the caller",
        examples=["6f1d3c2e-4b1a-4f7e-9a51-0d7a2c9e8b10"],
    )
    channel: str = Field(min_length=2, max_length=16, examples=["portal"])
    biller: Code = Field(examples=["ELEC"])
    customer_ref: str = Field(min_length=1, max_length=32, examples=["1000000008"])
    bill_ids: list[BillId] = Field(min_length=1, max_length=limits.bills_per_payment_max)
    amount_minor: int = Field(ge=1, le=limits.amount_minor_max, examples=[320000])
    currency: str = Field(min_length=3, max_length=3, examples=["SYP"])
    payer: PayerIn
    msisdn: str | None = Field(default=None, max_length=20, examples=["+963933123456"])
    bank_reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=35,
        description="only when the bank already debited the account (push)",
    )


class PaymentBillOut(BaseModel):
    bill_id: str
    amount_minor: int | None
    status: str


class SmsOut(BaseModel):
    kind: str = Field(examples=["payment_completed"])
    state: str = Field(
        description="queued | submitting | submitted | delivered | "
        "undeliverable | expired | unknown | failed",
        examples=["delivered"],
    )
    msisdn: str | None
    parts: int
    smsc_message_ids: list[str]
    failure_reason: str | None
    submitted_at: datetime | None
    delivered_at: datetime | None


class PaymentOut(BaseModel):
    payment_id: str
    state: str = Field(examples=["completed"])
    reason_code: str | None
    biller: str
    customer_ref: str
    amount_minor: int
    currency: str
    bills: list[PaymentBillOut]
    receipt_no: str | None
    bank_reference: str | None
    created_at: datetime
    completed_at: datetime | None
    sms: list[SmsOut] = Field(description="the confirmations sent for this payment")


def payment_out(platform: Platform, payment: Payment) -> PaymentOut:
    lines = use_cases.payment_bills(platform.uow(readonly=True), payment)
    return PaymentOut(
        payment_id=payment.payment_id,
        state=payment.state.value,
        reason_code=payment.reason_code,
        biller=payment.biller_code,
        customer_ref=payment.customer_ref,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        bills=[
            PaymentBillOut(bill_id=line.bill_id, amount_minor=line.amount_minor, status=line.status)
            for line in lines
        ],
        receipt_no=payment.receipt_no,
        bank_reference=payment.bank_reference,
        created_at=payment.created_at,
        completed_at=payment.completed_at,
        sms=[
            SmsOut(
                kind=str(m["kind"]),
                state=str(m["state"]),
                msisdn=m["msisdn"],
                parts=int(m["parts"]),
                smsc_message_ids=[str(i) for i in m["smsc_message_ids"]],
                failure_reason=m["failure_reason"],
                submitted_at=m["submitted_at"],
                delivered_at=m["delivered_at"],
            )
            for m in use_cases.payment_messages(platform.uow(readonly=True), payment)
        ],
    )


@router.post("/v1/payments", response_model=PaymentOut, summary="Pay chosen bills")
def pay(
    body: PaymentIn,
    request: Request,
    caller: Caller,
    wait: Annotated[
        float,
        Query(ge=0, le=limits.payment_wait_s_max, description="seconds to wait for a final state"),
    ] = float(limits.payment_wait_s_default),
) -> PaymentOut:
    payment_request = PaymentRequest(
        payment_id=body.payment_id.lower(),
        channel=body.channel,
        biller_code=body.biller.upper(),
        customer_ref=body.customer_ref,
        bill_ids=tuple(body.bill_ids),
        amount_minor=body.amount_minor,
        currency=body.currency,
        payer_bank=body.payer.bank.upper(),
        payer_account=body.payer.account,
        msisdn=body.msisdn,
        bank_reference=body.bank_reference,
    )
    with payment_context(payment_request.payment_id):
        payment = use_cases.submit_payment(switch_of(request), caller, payment_request, wait)
        return payment_out(platform_of(request), payment)


@router.get("/v1/payments/{payment_id}", response_model=PaymentOut, summary="Status inquiry")
def status(payment_id: str, request: Request, caller: Caller) -> PaymentOut:
    platform = platform_of(request)
    limits.check_length(payment_id, limits.payment_id_length_max, "payment_id")
    with payment_context(payment_id):
        return payment_out(
            platform, use_cases.get_payment(platform.uow(readonly=True), caller, payment_id)
        )


class ReversalIn(Strict):
    reason: str = Field(min_length=1, max_length=200, examples=["paid twice by mistake"])


@router.post(
    "/v1/payments/{payment_id}/reversal",
    response_model=PaymentOut,
    summary="Return the money and reopen the bills",
)
def reverse(payment_id: str, body: ReversalIn, request: Request, caller: Caller) -> PaymentOut:
    limits.check_length(payment_id, limits.payment_id_length_max, "payment_id")
    with payment_context(payment_id):
        payment = use_cases.reverse_payment(switch_of(request), caller, payment_id, body.reason)
        return payment_out(platform_of(request), payment)
