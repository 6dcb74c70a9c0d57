"""GET /v1/billers: the public registry of billers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from fawtara.kernel.billers import Biller
from fawtara.kernel.references import FORMATS
from fawtara.switch.bootstrap import Platform
from fawtara.switch.use_cases.billers import list_billers

router = APIRouter(tags=["billers"])


class ReferenceFormatOut(BaseModel):
    kind: str = Field(examples=["landline"])
    description_en: str
    description_ar: str
    example: str = Field(examples=["0112345678"])


class PaymentRuleOut(BaseModel):
    kind: str = Field(description="exact | partial | advance", examples=["exact"])
    minimum_minor: int = Field(ge=1)
    maximum_minor: int = Field(ge=1)


class BillerOut(BaseModel):
    code: str = Field(max_length=16, examples=["STE"])
    name_ar: str = Field(examples=["الشركة السورية للاتصالات"])
    name_en: str = Field(examples=["Syrian Telecom"])
    service_kinds: list[str]
    customer_reference_formats: list[ReferenceFormatOut]
    payment_rule: PaymentRuleOut
    billing_calendar: str = Field(examples=["monthly"])
    due_days: int = Field(examples=[30])
    grace_days: int
    currency: str = Field(examples=["SYP"])
    currency_exponent: int = Field(examples=[2])
    channels: list[str]


class BillersOut(BaseModel):
    billers: list[BillerOut]


def biller_out(biller: Biller) -> BillerOut:
    rule = biller.payment_rule
    return BillerOut(
        code=biller.code,
        name_ar=biller.name_ar,
        name_en=biller.name_en,
        service_kinds=[kind.value for kind in biller.service_kinds],
        customer_reference_formats=[
            ReferenceFormatOut(
                kind=kind.value,
                description_en=FORMATS[kind].description_en,
                description_ar=FORMATS[kind].description_ar,
                example=FORMATS[kind].example,
            )
            for kind in biller.service_kinds
        ],
        payment_rule=PaymentRuleOut(
            kind=rule.kind.value, minimum_minor=rule.minimum_minor, maximum_minor=rule.maximum_minor
        ),
        billing_calendar=biller.calendar.value,
        due_days=biller.due_days,
        grace_days=biller.grace_days,
        currency=biller.currency,
        currency_exponent=2,
        channels=list(biller.channels),
    )


@router.get("/v1/billers", response_model=BillersOut, summary="The public registry of billers")
def get_billers(request: Request) -> BillersOut:
    platform: Platform = request.app.state.platform
    return BillersOut(billers=[biller_out(b) for b in list_billers(platform.uow(readonly=True))])
