"""A small billing world written through the ports only, so it seeds a fake or a real store.

ELEC takes partial payments of at least 1.00 on meters; STE takes the exact
amount on landlines and internet lines. Bills are written as a bill run
would write them (BillRepository.add_many), without pricing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from fawtara.billing.domain.tariffs import Block, Tariff
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.billers import (
    Biller,
    CalendarKind,
    PaymentRule,
    PaymentRuleKind,
    ServiceKind,
)
from fawtara.kernel.bills import Bill, BillStatus, bill_id_for
from fawtara.kernel.money import Rate
from fawtara.kernel.references import luhn_check_digit

NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)

ELEC = Biller(
    code="ELEC",
    name_ar="كهرباء دمشق",
    name_en="Damascus Electricity",
    service_kinds=(ServiceKind.ELECTRICITY,),
    calendar=CalendarKind.BIMONTHLY,
    payment_rule=PaymentRule(PaymentRuleKind.PARTIAL, minimum_minor=100),
    due_days=30,
    grace_days=15,
    channels=("bank", "portal", "counter"),
)
STE = Biller(
    code="STE",
    name_ar="السورية للاتصالات",
    name_en="Syrian Telecom",
    service_kinds=(ServiceKind.LANDLINE, ServiceKind.INTERNET),
    calendar=CalendarKind.MONTHLY,
    payment_rule=PaymentRule(PaymentRuleKind.EXACT),
    due_days=30,
    grace_days=10,
    channels=("bank", "portal"),
)
ELEC_RESIDENTIAL = Tariff(
    biller_code="ELEC",
    service_kind=ServiceKind.ELECTRICITY,
    tariff_class="residential",
    effective_from=date(2025, 11, 1),
    decision="Ministry of Energy Decision 687/2025",
    unit="kWh",
    blocks=(Block(300, Rate.parse("6.00")), Block(None, Rate.parse("14.00"))),
)
LINES = [
    {
        "en": "Energy",
        "ar": "الطاقة",
        "quantity": 400,
        "unit": "kWh",
        "rate": "6.00",
        "amount_minor": 320_000,
    }
]


def meter(number: int) -> str:
    payload = f"{number:09d}"
    return payload + luhn_check_digit(payload)


def add_service(
    uow: UnitOfWork,
    biller_code: str,
    reference: str,
    kind: str = "electricity",
    name: str = "Subscriber",
    state: str = "active",
) -> int:
    """A customer and one service of theirs; the service's id. Call inside `with uow:`."""
    (customer_id,) = uow.customers.add(
        [
            {
                "biller_code": biller_code,
                "name_ar": f"مشترك {name}",
                "name_en": name,
                "msisdn": "+963933123456",
                "governorate": "Damascus",
                "language": "ar",
                "created_at": NOW,
            }
        ]
    )
    (service_id,) = uow.services.add(
        [
            {
                "biller_code": biller_code,
                "customer_id": customer_id,
                "kind": kind,
                "reference": reference,
                "tariff_class": "residential",
                "state": state,
                "created_at": NOW,
            }
        ]
    )
    return service_id


def a_bill(
    biller: Biller,
    service_id: int,
    cycle_id: str,
    amount_minor: int,
    issued_on: date = date(2026, 11, 1),
    due_on: date = date(2026, 12, 1),
) -> Bill:
    return Bill(
        id=bill_id_for(biller.code, cycle_id, service_id),
        biller_code=biller.code,
        service_id=service_id,
        cycle_id=cycle_id,
        period_start=date(2026, 9, 1),
        period_end=date(2026, 10, 31),
        issued_on=issued_on,
        due_on=due_on,
        amount_minor=amount_minor,
        paid_minor=0,
        currency=biller.currency,
        status=BillStatus.ISSUED,
    )


def add_bills(uow: UnitOfWork, *bills: Bill) -> None:
    uow.bills.add_many([(bill, json.dumps(LINES)) for bill in bills])
