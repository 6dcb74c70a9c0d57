"""One process with both systems, each on its own store: the demo (`fawtara up`, the
seed, `fawtara simulate`), the root `fawtara` command and the tests.

The switch's Platform (switch/bootstrap.py) with the billing system's store
beside it. The links between the two are HTTP where their addresses are set
(FAWTARA_BILLER_LINKS, FAWTARA_SWITCH_URL) and called in process otherwise
(fawtara/links/). It satisfies billing's `BillingWiring`, so billing's entry
points run on it too. Besides fawtara/links/, the only module that imports
both systems.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, partial

from sqlalchemy import Engine

from fawtara.billing.adapters.uow import BillingUnitOfWork
from fawtara.billing.bootstrap import http_switch_link
from fawtara.billing.use_cases.ports import SwitchLink
from fawtara.config import Settings
from fawtara.kernel.clock import SystemClock
from fawtara.kernel.ports import Clock
from fawtara.links.biller_in_process import InProcessBillerGateway
from fawtara.links.switch_in_process import InProcessSwitchLink
from fawtara.storage.engine import make_engine
from fawtara.storage.schema import BILLING, SWITCH
from fawtara.switch.bootstrap import Platform as SwitchPlatform
from fawtara.switch.use_cases.ports import BillerGateway

__all__ = ["BILLING", "SWITCH", "Platform", "bootstrap", "in_one_process"]


@dataclass(frozen=True)
class Platform(SwitchPlatform):
    """The switch's store and, where this process hosts it, the billing system's.

    `uow()` opens the switch's store, `billing_uow()` the billing system's.
    """

    billing_engine: Engine | None = None

    def billing_uow(self, readonly: bool = False) -> BillingUnitOfWork:
        return BillingUnitOfWork(self.billing_store(), readonly=readonly)

    def billing_uow_factory(self, readonly: bool = False) -> partial[BillingUnitOfWork]:
        return partial(BillingUnitOfWork, self.billing_store(), readonly)

    def billing_store(self) -> Engine:
        """The billing system's engine (tests read its tables directly)."""
        assert self.billing_engine is not None, "this process has no billing store"
        return self.billing_engine

    def store(self, system: str = SWITCH) -> Engine:
        return self.billing_store() if system == BILLING else self.engine

    @cached_property
    def biller(self) -> BillerGateway:
        """The Biller API: over HTTP to FAWTARA_BILLER_LINKS, else in process."""
        if self.settings.biller_links:
            return super().biller
        return InProcessBillerGateway(self.billing_uow_factory(), self.clock)

    @cached_property
    def switch_link(self) -> SwitchLink:
        """The billing system's link to the switch: HTTP to FAWTARA_SWITCH_URL, else in process."""
        if self.settings.switch_url:
            return http_switch_link(self.settings)
        # The payments files complete payments: the switch itself, which calls no bank there.
        return InProcessSwitchLink(
            self.uow_factory(), self.clock, lambda: self.switch(self.bank_gateway())
        )


def in_one_process(platform: Platform) -> Platform:
    """Both systems of `platform` driven from this process, each on its own store, the
    Biller API and the switch link called in process: for the demo's seed and its
    simulated quarter, which write to both before any service runs."""
    settings = replace(platform.settings, biller_links=(), upload_billers=(), switch_url=None)
    return Platform(settings, platform.engine, platform.clock, platform.billing_engine)


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    """Both stores of the settings (the billing one when it is configured)."""
    settings = settings or Settings.from_environment()
    billing = settings.billing_database_url
    return Platform(
        settings,
        make_engine(settings.database_url),
        clock or SystemClock(),
        make_engine(billing) if billing else None,
    )
