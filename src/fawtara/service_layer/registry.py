"""Billers and their tariffs: registering them and reading the registry."""

from __future__ import annotations

from fawtara.domain import limits
from fawtara.domain.accounts import biller_payable
from fawtara.domain.billers import Biller
from fawtara.domain.errors import LimitExceeded
from fawtara.domain.tariffs import Tariff
from fawtara.service_layer.ports import Clock, UnitOfWork


def register_biller(uow: UnitOfWork, biller: Biller, clock: Clock) -> bool:
    """Add a biller and its payable account; False (nothing written) if the code exists."""
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
