"""The one place where concrete adapters are chosen and wired."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, partial

from sqlalchemy import Engine

from fawtara.config import Settings
from fawtara.kernel.clock import SystemClock
from fawtara.storage import schema
from fawtara.storage.engine import make_engine
from fawtara.storage.schema import SWITCH
from fawtara.storage.uow import BILLING, SqlUnitOfWork
from fawtara.switch.adapters.billers.in_process import InProcessBillerGateway
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import (
    BankConsent,
    BankGateway,
    BillerGateway,
    Clock,
    SwitchLink,
)

__all__ = ["BILLING", "SWITCH", "Platform", "bootstrap", "in_one_process"]


@dataclass(frozen=True)
class Platform:
    """The switch's store and, where this process hosts it, the billing system's.

    The two are separate databases with their own migrations; `uow()` opens
    the switch's, `billing_uow()` the billing system's.
    """

    settings: Settings
    engine: Engine
    clock: Clock
    billing_engine: Engine | None = None

    def uow(self, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, readonly=readonly)

    def uow_factory(self, readonly: bool = False) -> partial[SqlUnitOfWork]:
        return partial(SqlUnitOfWork, self.engine, readonly)

    def billing_uow(self, readonly: bool = False) -> SqlUnitOfWork:
        assert self.billing_engine is not None, "this process has no billing store"
        return SqlUnitOfWork(self.billing_engine, readonly=readonly, store=BILLING)

    def billing_uow_factory(self, readonly: bool = False) -> partial[SqlUnitOfWork]:
        assert self.billing_engine is not None, "this process has no billing store"
        return partial(SqlUnitOfWork, self.billing_engine, readonly, BILLING)

    @cached_property
    def biller(self) -> BillerGateway:
        """The Biller API: over HTTP to FAWTARA_BILLER_LINKS, else in process."""
        if self.settings.biller_links:
            from fawtara.switch.adapters.billers.http_gateway import HttpBillerGateway

            return HttpBillerGateway(
                dict(self.settings.biller_links),
                self.settings.biller_api_key,
                self.settings.biller_timeout_s,
            )
        return InProcessBillerGateway(self.billing_uow_factory(), self.clock)

    @cached_property
    def switch_link(self) -> SwitchLink:
        """The billing system's link to the switch: HTTP to FAWTARA_SWITCH_URL, else in process."""
        if self.settings.switch_url:
            from fawtara.billing.adapters.switch_link.http import HttpSwitchLink

            return HttpSwitchLink(
                self.settings.switch_url,
                dict(self.settings.switch_keys),
                self.settings.biller_timeout_s,
            )
        from fawtara.billing.adapters.switch_link.in_process import InProcessSwitchLink

        # The payments files complete payments: the switch itself, which calls no bank there.
        return InProcessSwitchLink(
            self.uow_factory(), self.clock, lambda: self.switch(self.bank_gateway())
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

    def billing_store(self) -> Engine:
        """The billing system's engine (tests read its tables directly)."""
        return self._store(schema.BILLING)

    def _store(self, system: str) -> Engine:
        if system == schema.BILLING:
            assert self.billing_engine is not None, "this process has no billing store"
            return self.billing_engine
        return self.engine

    def require_current_schema(self, system: str = schema.SWITCH) -> None:
        """Raise SchemaBehind unless the store is at the newest migration."""
        schema.require_current(self._store(system), system)

    def upgrade_schema(self, system: str = schema.SWITCH) -> tuple[str | None, str | None]:
        """Apply the store's migrations; returns the revision before and after."""
        engine = self._store(system)
        before = schema.current_revision(engine)
        schema.upgrade(engine, system=system)
        return before, schema.current_revision(engine)

    def schema_revisions(self, system: str = schema.SWITCH) -> tuple[str | None, str]:
        """(the store's revision, the newest revision this code knows)."""
        return schema.current_revision(self._store(system)), schema.head_revision(system)


def in_one_process(platform: Platform) -> Platform:
    """Both systems of `platform` driven from this process, each on its own store, the
    Biller API and the switch link called in process: for the demo's seed and its
    simulated quarter, which write to both before any service runs."""
    settings = replace(platform.settings, biller_links=(), upload_billers=(), switch_url=None)
    return Platform(settings, platform.engine, platform.clock, platform.billing_engine)


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    settings = settings or Settings.from_environment()
    billing = settings.billing_database_url
    return Platform(
        settings,
        make_engine(settings.database_url),
        clock or SystemClock(),
        make_engine(billing) if billing else None,
    )
