"""The billing use cases' unit tier: a fake store seeded with two billers and their bills."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fawtara.kernel.bills import Bill
from tests.fakes.billing import FakeBillingStore
from tests.fakes.billing_world import ELEC, NOW, STE, a_bill, add_bills, add_service, meter

CYCLE = "2026-B5"


@dataclass
class World:
    store: FakeBillingStore
    meters: list[str]
    service_ids: dict[str, int]
    bills: dict[str, Bill]  # by reference: each service's bill of CYCLE
    landline: str = "0112345678"


@pytest.fixture
def world() -> World:
    """ELEC with two meters and STE with a landline, each with one bill of CYCLE."""
    store = FakeBillingStore()
    meters = [meter(100_000_000), meter(100_000_001)]
    with store.uow() as uow:
        for biller in (ELEC, STE):
            uow.billers.add(biller, NOW)
        service_ids = {ref: add_service(uow, "ELEC", ref, name=ref) for ref in meters}
        service_ids["0112345678"] = add_service(uow, "STE", "0112345678", kind="landline")
        bills = {
            ref: a_bill(ELEC, service_id, CYCLE, 320_000)
            if ref in meters
            else a_bill(STE, service_id, "2026-10", 175_500)
            for ref, service_id in service_ids.items()
        }
        add_bills(uow, *bills.values())
        uow.commit()
    return World(store, meters, service_ids, bills)
