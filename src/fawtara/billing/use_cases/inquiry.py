"""The billing system's answer to a bill inquiry (the Biller API's first operation)."""

from __future__ import annotations

from datetime import datetime

from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.errors import FawtaraError, UnknownBiller, UnknownService
from fawtara.kernel.presentment import PresentedBill, PresentedCustomer
from fawtara.kernel.references import normalise_reference

BILLS_PRESENTED_MAX = 12


def inquire(
    uow: UnitOfWork, biller_code: str, customer_ref: str, now: datetime
) -> PresentedCustomer:
    """A customer's recent bills at this biller, newest first, as the switch is told them."""
    with uow:
        biller = uow.billers.get(biller_code)
        if biller is None:
            raise UnknownBiller(f"unknown biller {biller_code!r}")
        errors: list[FawtaraError] = []
        for kind in biller.service_kinds:
            try:
                reference = normalise_reference(kind, customer_ref)
            except FawtaraError as error:
                errors.append(error)
                continue
            service = uow.presentment.service(biller.code, reference)
            if service is None:
                continue
            bills = sorted(
                uow.bills.for_service(service["id"]), key=lambda b: b.due_on, reverse=True
            )[:BILLS_PRESENTED_MAX]
            return PresentedCustomer(
                biller_code=biller.code,
                reference=reference,
                name_ar=service["name_ar"],
                name_en=service["name_en"],
                bills=tuple(
                    PresentedBill(
                        b.id,
                        b.cycle_id,
                        b.period_start,
                        b.period_end,
                        b.issued_on,
                        b.due_on,
                        b.amount_minor,
                        b.paid_minor,
                        b.currency,
                        b.status,
                    )
                    for b in bills
                ),
                as_of=now,
                msisdn=service["msisdn"],
                governorate=service["governorate"],
                language=service["language"],
            )
        if errors and len(errors) == len(biller.service_kinds):
            raise errors[-1]
        raise UnknownService(
            f"no service {customer_ref!r} at {biller.code}",
            f"لا توجد خدمة بالرقم {customer_ref} لدى {biller.name_ar}",
        )
