"""The one place where concrete adapters are chosen and wired."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine

from fawtara.adapters.billers.in_process import InProcessBillerGateway
from fawtara.adapters.clock import SystemClock
from fawtara.adapters.db import schema
from fawtara.adapters.db.engine import make_engine
from fawtara.adapters.db.uow import SqlUnitOfWork
from fawtara.config import Settings
from fawtara.service_layer.payment_steps import Switch
from fawtara.service_layer.ports import BankConsent, BankGateway, Clock


@dataclass(frozen=True)
class Platform:
    settings: Settings
    engine: Engine
    clock: Clock

    def uow(self, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, readonly=readonly)

    def uow_factory(self, readonly: bool = False) -> partial[SqlUnitOfWork]:
        return partial(SqlUnitOfWork, self.engine, readonly)

    def switch(self, bank: BankGateway) -> Switch:
        """The payment switch over this platform's storage and the given bank link."""
        biller = InProcessBillerGateway(self.uow_factory(), self.clock)
        return Switch(
            self.uow_factory(),
            bank,
            biller,
            self.clock,
            read_uow_factory=self.uow_factory(readonly=True),
            cash_denominations_minor=self.settings.cash_denominations_minor,
        )

    def bank_gateway(self) -> BankGateway:
        """ISO 20022 over HTTP to the banks named in FAWTARA_BANKS."""
        from fawtara.adapters.banks.http_gateway import HttpBankGateway

        return HttpBankGateway(dict(self.settings.banks), timeout_s=self.settings.bank_timeout_s)

    def bank_consent(self) -> BankConsent:
        """The banks' consent API (one-time codes by SMS), at the FAWTARA_BANKS addresses."""
        from fawtara.adapters.banks.consent_http import HttpBankConsent

        return HttpBankConsent(dict(self.settings.banks), timeout_s=self.settings.bank_timeout_s)

    def require_current_schema(self) -> None:
        """Raise SchemaBehind unless the database is at the newest migration."""
        schema.require_current(self.engine)

    def upgrade_schema(self) -> tuple[str | None, str | None]:
        """Apply the migrations; returns the revision before and after."""
        before = schema.current_revision(self.engine)
        schema.upgrade(self.engine)
        return before, schema.current_revision(self.engine)

    def schema_revisions(self) -> tuple[str | None, str]:
        """(the database's revision, the newest revision this code knows)."""
        return schema.current_revision(self.engine), schema.head_revision()


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    settings = settings or Settings.from_environment()
    return Platform(settings, make_engine(settings.database_url), clock or SystemClock())
