"""Billers and their tariffs: registering them and reading the registry.

Each system keeps its own registry: the billing system the biller's whole
configuration (calendar, due days, grace, tariffs), here; the switch the
biller as a participant of the network (switch/use_cases/billers.py). A biller
is registered on both.
"""

from __future__ import annotations

from fawtara.billing.domain.tariffs import Tariff
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import LimitExceeded
from fawtara.kernel.ports import Clock


def register_billing_biller(uow: UnitOfWork, biller: Biller, clock: Clock) -> bool:
    """Add a biller to the billing system's registry; False if the code exists."""
    with uow:
        if uow.billers.get(biller.code) is not None:
            return False
        if len(uow.billers.list()) >= limits.billers_max:
            raise LimitExceeded(f"the registry holds at most {limits.billers_max} billers")
        uow.billers.add(biller, clock.now())
        uow.commit()
        return True


def add_tariff(uow: UnitOfWork, tariff: Tariff, clock: Clock) -> bool:
    """Record a tariff decision; False when the same decision is there already."""
    with uow:
        added = uow.tariffs.add(tariff, clock.now())
        uow.commit()
        return added
