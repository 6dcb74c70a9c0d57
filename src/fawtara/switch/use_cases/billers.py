"""The billers known to the switch: each a participant of the network, with its
payable account in the ledger. (The billing system keeps its own registry of
the biller's whole configuration: billing/use_cases/registry.py.)"""

from __future__ import annotations

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import LimitExceeded
from fawtara.kernel.ports import Clock
from fawtara.switch.domain.accounts import biller_payable
from fawtara.switch.use_cases.ports import UnitOfWork


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


def list_billers(uow: UnitOfWork) -> list[Biller]:
    """The billers of the switch's registry."""
    with uow:
        return uow.billers.list()
