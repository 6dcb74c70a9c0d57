"""A bill as printed, read from the billing system's store.

The bill is the biller's document: the switch gets it over the Biller API
(BillerGateway.bill_document), the billing system renders it as a PDF.
"""

from __future__ import annotations

from typing import Any

from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.bill_documents import BillDocument
from fawtara.kernel.bills import BillLine
from fawtara.kernel.errors import UnknownBill, UnknownBiller


def bill_document(
    uow: UnitOfWork, biller_code: str, customer_ref: str, bill_id: str
) -> BillDocument:
    """A bill of the subscriber `customer_ref` at `biller_code`, as printed; UnknownBill else.

    The reference must be the bill's own service's (normalised as fetch_bills
    returns it), so knowing a bill id alone shows nobody's bill.
    """
    with uow:
        biller = uow.billers.get(biller_code)
        service = uow.presentment.service(biller_code, customer_ref)
        found = uow.bills.get_many([bill_id])
        lines = uow.bills.lines(bill_id) if found else []
    if biller is None:
        raise UnknownBiller(f"unknown biller {biller_code!r}")
    if not found or service is None or found[0].service_id != service["id"]:
        raise UnknownBill(f"no bill {bill_id} for {customer_ref} at {biller_code}")
    bill = found[0]
    return BillDocument(
        bill_id=bill.id,
        biller_code=biller.code,
        biller_name_ar=biller.name_ar,
        biller_name_en=biller.name_en,
        customer_ref=customer_ref,
        customer_name_ar=str(service["name_ar"]),
        period=bill.cycle_id,
        period_start=bill.period_start,
        period_end=bill.period_end,
        issued_on=bill.issued_on,
        due_on=bill.due_on,
        grace_days=biller.grace_days,
        amount_minor=bill.amount_minor,
        paid_minor=bill.paid_minor,
        currency=bill.currency,
        status=bill.status,
        lines=tuple(_bill_line(line) for line in lines),
    )


def _bill_line(stored: dict[str, Any]) -> BillLine:
    return BillLine(
        description_en=str(stored["en"]),
        description_ar=str(stored["ar"]),
        quantity=int(stored["quantity"]),
        unit=str(stored["unit"]),
        rate=str(stored["rate"]),
        amount_minor=int(stored["amount_minor"]),
    )
