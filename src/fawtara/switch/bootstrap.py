"""The switch's composition root: the one place where its concrete adapters are chosen.

The switch process (`fawtara serve`, `fawtara worker`, `fawtara sms-worker`)
has its own store and reaches each biller over the Biller API
(FAWTARA_BILLER_LINKS). A process that also hosts the billing system (the
demo, tests) is wired by fawtara/wiring.py, which extends this Platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial

from sqlalchemy import Engine

from fawtara.config import Settings
from fawtara.kernel.clock import SystemClock
from fawtara.kernel.errors import ValidationError
from fawtara.kernel.ports import Clock
from fawtara.storage.engine import make_engine
from fawtara.storage.schema import BILLING, SWITCH, StoreSchemas
from fawtara.switch.adapters.uow import SwitchUnitOfWork
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import BankConsent, BankGateway, BillerGateway

__all__ = ["BILLING", "SWITCH", "Platform", "bootstrap"]


@dataclass(frozen=True)
class Platform(StoreSchemas):
    """The switch's store, its clock and its links to the banks and the billers."""

    settings: Settings
    engine: Engine
    clock: Clock

    def uow(self, readonly: bool = False) -> SwitchUnitOfWork:
        return SwitchUnitOfWork(self.engine, readonly=readonly)

    def uow_factory(self, readonly: bool = False) -> partial[SwitchUnitOfWork]:
        return partial(SwitchUnitOfWork, self.engine, readonly)

    def store(self, system: str = SWITCH) -> Engine:
        """The engine of `system`'s store; the switch's process has only its own."""
        if system != SWITCH:
            raise AssertionError(f"the switch's process has no {system} store")
        return self.engine

    @cached_property
    def biller(self) -> BillerGateway:
        """The Biller API over HTTP to each online biller of FAWTARA_BILLER_LINKS (an
        upload-mode biller is never called)."""
        if not self.settings.biller_links and not self.settings.upload_billers:
            raise ValidationError(
                "FAWTARA_BILLER_LINKS is empty: the switch has no link to any biller",
                "لا يوجد رابط إلى أي جهة مفوترة",
            )
        from fawtara.switch.adapters.billers.http_gateway import HttpBillerGateway

        return HttpBillerGateway(
            dict(self.settings.biller_links),
            self.settings.biller_api_key,
            self.settings.biller_timeout_s,
        )

    def switch(self, bank: BankGateway) -> Switch:
        """The payment switch over this platform's storage and the given bank link."""
        return Switch(
            self.uow_factory(),
            bank,
            self.biller,
            self.clock,
            read_uow_factory=self.uow_factory(readonly=True),
            cash_denominations_minor=self.settings.cash_denominations_minor,
            upload_billers=frozenset(self.settings.upload_billers),
        )

    def bank_gateway(self) -> BankGateway:
        """ISO 20022 over HTTP to the banks named in FAWTARA_BANKS."""
        from fawtara.banks.adapters.http_gateway import HttpBankGateway

        return HttpBankGateway(dict(self.settings.banks), timeout_s=self.settings.bank_timeout_s)

    def bank_consent(self) -> BankConsent:
        """The banks' consent API (one-time codes by SMS), at the FAWTARA_BANKS addresses."""
        from fawtara.banks.adapters.consent_http import HttpBankConsent

        return HttpBankConsent(dict(self.settings.banks), timeout_s=self.settings.bank_timeout_s)


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    """The switch's process: its store (FAWTARA_DATABASE_URL), the system clock."""
    settings = settings or Settings.from_environment()
    return Platform(settings, make_engine(settings.database_url), clock or SystemClock())
