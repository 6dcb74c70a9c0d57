"""The billing system's composition root: its store, its link to the switch, the
lifecycle and its scheduler.

The billing process (`fawtara billing serve`, `fawtara billing ...`) is wired by
`bootstrap_billing`: its own store (FAWTARA_BILLING_DATABASE_URL) and the switch
over HTTP (FAWTARA_SWITCH_URL). Its entry points take any `BillingWiring`, so a
process that hosts both systems (fawtara/wiring.py: the demo, tests) can drive
them too.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Protocol

from sqlalchemy import Engine

from fawtara.billing.adapters.leader import leader_lock
from fawtara.billing.adapters.provisioning.simulator import NetworkSimulator
from fawtara.billing.adapters.switch_link.http import HttpSwitchLink
from fawtara.billing.adapters.uow import BillingUnitOfWork
from fawtara.billing.use_cases.lifecycle import Lifecycle
from fawtara.billing.use_cases.ports import (
    LeaderLock,
    ProvisioningGateway,
    SwitchLink,
    UnitOfWork,
)
from fawtara.billing.use_cases.scheduler import Scheduler
from fawtara.config import Settings
from fawtara.kernel.bill_documents import BillDocument
from fawtara.kernel.clock import SystemClock
from fawtara.kernel.errors import ValidationError
from fawtara.kernel.ports import Clock
from fawtara.receipts.adapters.pdf import render_bill_pdf as _render_bill_pdf
from fawtara.storage.engine import make_engine
from fawtara.storage.schema import BILLING, StoreSchemas

__all__ = [
    "BILLING",
    "BillingPlatform",
    "BillingWiring",
    "NetworkSimulator",
    "bootstrap_billing",
    "lifecycle",
    "render_bill_pdf",
    "scheduler",
    "scheduler_lock",
]


class BillingWiring(Protocol):
    """What the billing system's entry points need of their process's wiring."""

    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def switch_link(self) -> SwitchLink: ...
    def billing_uow(self, readonly: bool = False) -> UnitOfWork: ...
    def billing_uow_factory(self, readonly: bool = False) -> Callable[[], UnitOfWork]: ...
    def billing_store(self) -> Engine: ...
    def store(self, system: str) -> Engine: ...
    def require_current_schema(self, system: str = ...) -> None: ...
    def upgrade_schema(self, system: str = ...) -> tuple[str | None, str | None]: ...
    def schema_revisions(self, system: str = ...) -> tuple[str | None, str]: ...


@dataclass(frozen=True)
class BillingPlatform(StoreSchemas):
    """The billing process: its store, its clock, the switch over HTTP."""

    settings: Settings
    engine: Engine
    clock: Clock

    def billing_uow(self, readonly: bool = False) -> BillingUnitOfWork:
        return BillingUnitOfWork(self.engine, readonly=readonly)

    def billing_uow_factory(self, readonly: bool = False) -> partial[BillingUnitOfWork]:
        return partial(BillingUnitOfWork, self.engine, readonly)

    def billing_store(self) -> Engine:
        return self.engine

    def store(self, system: str = BILLING) -> Engine:
        """The engine of `system`'s store; the billing process has only its own."""
        if system != BILLING:
            raise AssertionError(f"the billing process has no {system} store")
        return self.engine

    def require_current_schema(self, system: str = BILLING) -> None:
        super().require_current_schema(system)

    def upgrade_schema(self, system: str = BILLING) -> tuple[str | None, str | None]:
        return super().upgrade_schema(system)

    def schema_revisions(self, system: str = BILLING) -> tuple[str | None, str]:
        return super().schema_revisions(system)

    @cached_property
    def switch_link(self) -> SwitchLink:
        """The switch's side of the Biller API, over HTTP to FAWTARA_SWITCH_URL."""
        return http_switch_link(self.settings)


def http_switch_link(settings: Settings) -> SwitchLink:
    """The billing system's link to the switch over HTTP (FAWTARA_SWITCH_URL)."""
    if not settings.switch_url:
        raise ValidationError(
            "FAWTARA_SWITCH_URL is empty: the billing system has no link to the switch",
            "لا يوجد رابط إلى المقسم",
        )
    return HttpSwitchLink(
        settings.switch_url, dict(settings.switch_keys), settings.biller_timeout_s
    )


def bootstrap_billing(
    settings: Settings | None = None, clock: Clock | None = None
) -> BillingPlatform:
    """The billing system's process: its store (FAWTARA_BILLING_DATABASE_URL), the system clock."""
    settings = settings or Settings.from_environment()
    if not settings.billing_database_url:
        raise ValidationError(
            "FAWTARA_BILLING_DATABASE_URL is empty: the billing system needs its store",
            "قاعدة بيانات نظام الفوترة غير محددة",
        )
    return BillingPlatform(
        settings, make_engine(settings.billing_database_url), clock or SystemClock()
    )


def render_bill_pdf(document: BillDocument) -> bytes:
    """A bill as the biller prints it (Arabic PDF, WeasyPrint)."""
    return _render_bill_pdf(document)


def lifecycle(
    platform: BillingWiring, provisioning: ProvisioningGateway | None = None
) -> Lifecycle:
    """The lifecycle over this platform; the demo's network is the in-process simulator."""
    return Lifecycle(
        platform.billing_uow_factory(),
        platform.clock,
        provisioning or NetworkSimulator(),
        platform.settings.reminder_days_before,
        platform.switch_link,
    )


def scheduler(
    platform: BillingWiring, provisioning: ProvisioningGateway | None = None
) -> Scheduler:
    return Scheduler(
        lifecycle(platform, provisioning),
        f"{socket.gethostname()}:{os.getpid()}",
        collect_billers=platform.settings.upload_billers,
    )


def scheduler_lock(platform: BillingWiring) -> LeaderLock:
    """The lock the billing system's schedulers contend for, on the billing store."""
    return leader_lock(platform.billing_store())
