"""How far each cash counter has synced: the switch's mark, which billers are told of.

A counter says: everything I accepted up to `synced_through` is at the switch
(and so reaches the biller in order). The billing system reads the slowest
counter's mark in the switch's in-flight answer before it suspends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fawtara.kernel.errors import UnknownBiller
from fawtara.kernel.ports import Clock
from fawtara.switch.use_cases.ports import UnitOfWork


def record_counter_sync(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    counter_code: str,
    biller_code: str,
    synced_through: datetime,
) -> None:
    assert synced_through.tzinfo is not None
    with uow_factory() as uow:
        if uow.billers.get(biller_code) is None:
            raise UnknownBiller(f"unknown biller {biller_code!r}")
        uow.biller_links.record_counter_sync(counter_code, biller_code, synced_through, clock.now())
        uow.commit()
