"""Billers and their tariffs: registering them and reading the registry.

Each system keeps its own registry: the billing system the biller's whole
configuration (calendar, due days, grace, tariffs); the switch the biller as
a participant of the network, with its payable account in the ledger. A
biller is registered on both (`register_biller` on the switch's store,
`register_billing_biller` on the billing system's).
"""

from __future__ import annotations

from fawtara.billing.domain.tariffs import Tariff
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import LimitExceeded
from fawtara.switch.domain.accounts import biller_payable
from fawtara.switch.use_cases.ports import Clock, UnitOfWork


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


def register_biller(uow: UnitOfWork, biller: Biller, clock: Clock) -> bool:
    """Add a biller to the switch and open its payable account; False if the code exists."""
    with uow:
        if uow.billers.get(biller.code) is not None:
            return False
        if len(uow.billers.list()) >= limits.billers_max:
            raise LimitExceeded(f"the registry holds at most {limits.billers_max} billers")
        uow.billers.add(biller, clock.now())
        payable = biller_payable(biller.code, biller.name_ar)
        if uow.ledger.account_by_code(payable.code) is None:
            uow.ledger.add_account(
                payable.code,
                payable.name_en,
                payable.name_ar,
                payable.type.value,
                biller.currency,
                clock.now(),
            )
        uow.commit()
        return True


def add_tariff(uow: UnitOfWork, tariff: Tariff, clock: Clock) -> bool:
    """Record a tariff decision; False when the same decision is there already."""
    with uow:
        added = uow.tariffs.add(tariff, clock.now())
        uow.commit()
        return added


def list_billers(uow: UnitOfWork) -> list[Biller]:
    with uow:
        return uow.billers.list()
