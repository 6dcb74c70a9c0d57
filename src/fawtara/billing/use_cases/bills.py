"""Reading and cancelling bills."""

from __future__ import annotations

from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.bills import Bill
from fawtara.kernel.errors import UnknownBill


def cancel_bill(uow: UnitOfWork, bill_id: str) -> Bill:
    """Cancel an unpaid bill (issued in error); cancelling twice changes nothing."""
    with uow:
        found = uow.bills.get_many([bill_id], for_update=True)
        if not found:
            raise UnknownBill(f"no bill {bill_id!r}")
        cancelled = found[0].cancel()
        uow.bills.save_status([cancelled])
        uow.commit()
        return cancelled
