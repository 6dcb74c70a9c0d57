"""The billing system's unit of work: its store's repositories, nothing of the switch's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine

from fawtara.billing.adapters.billing_repositories import (
    SqlBillRepository,
    SqlBillRunRepository,
    SqlCustomerRepository,
    SqlPostingRepository,
    SqlPublishingRepository,
    SqlServiceRepository,
    SqlTariffRepository,
    SqlUsageRepository,
)
from fawtara.billing.adapters.job_runs_repository import SqlJobRunRepository
from fawtara.billing.adapters.lifecycle_repository import SqlLifecycleRepository
from fawtara.billing.adapters.presentment_repository import SqlPresentmentRepository
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.storage.billers import SqlBillerRepository
from fawtara.storage.outbox import SqlOutboxRepository
from fawtara.storage.schema import BILLING
from fawtara.storage.uow import SqlUnitOfWork


class BillingUnitOfWork(SqlUnitOfWork):
    STORE = BILLING
    REPOSITORIES: ClassVar[Mapping[str, Callable[[Connection], Any]]] = {
        "billers": SqlBillerRepository,
        "tariffs": SqlTariffRepository,
        "customers": SqlCustomerRepository,
        "services": SqlServiceRepository,
        "usage": SqlUsageRepository,
        "bill_runs": SqlBillRunRepository,
        "bills": SqlBillRepository,
        "postings": SqlPostingRepository,
        "outbox": SqlOutboxRepository,
        "presentment": SqlPresentmentRepository,
        "lifecycle": SqlLifecycleRepository,
        "jobs": SqlJobRunRepository,
        "publishing": SqlPublishingRepository,
    }

    billers: Any
    tariffs: Any
    customers: Any
    services: Any
    usage: Any
    bill_runs: Any
    bills: Any
    postings: Any
    outbox: Any
    presentment: Any
    lifecycle: Any
    jobs: Any
    publishing: Any


def _conforms(engine: Engine) -> UnitOfWork:
    """Type-checked only: BillingUnitOfWork implements the billing system's UnitOfWork port."""
    return BillingUnitOfWork(engine)
