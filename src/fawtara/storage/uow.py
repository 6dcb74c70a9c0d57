"""The unit of work: one transaction, with the repositories of one store bound to it.

Two systems, two stores: the switch's (payments, ledger, counters, SMS, the
copy of what billers presented) and the billing system's (customers, bills,
postings, the service lifecycle). A unit of work is opened on one of them and
offers only that store's repositories; reaching for the other system's is a
programming error that fails at once, naming the store.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine

from fawtara.billing.adapters.billing_repositories import (
    SqlBillerRepository,
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
from fawtara.counters.adapters.cash_repository import SqlCashRepository
from fawtara.counters.adapters.counter_repositories import (
    SqlAuditRepository,
    SqlCounterJournalRepository,
    SqlCounterRepository,
    SqlShiftRepository,
    SqlStaffRepository,
)
from fawtara.ops.adapters.monitoring_repository import SqlMonitoringRepository
from fawtara.switch.adapters.biller_link_repository import SqlBillerLinkRepository
from fawtara.switch.adapters.history_repository import SqlPaymentHistoryRepository
from fawtara.switch.adapters.ledger_repository import SqlLedgerRepository
from fawtara.switch.adapters.payment_file_repository import SqlPaymentFileRepository
from fawtara.switch.adapters.presented_repository import (
    SqlPresentedBillRepository,
    SqlPresentedRepository,
)
from fawtara.switch.adapters.switch_repositories import (
    SqlOutboxRepository,
    SqlParticipantRepository,
    SqlPaymentRepository,
    SqlPresentmentRepository,
)
from fawtara.switch.use_cases.ports import UnitOfWork

SWITCH = "switch"
BILLING = "billing"


class _Absent:
    """A repository of the other system's store: any use is a programming error."""

    def __init__(self, name: str, store: str) -> None:
        self._what = f"the {store} store has no {name!r} repository (it is the other system's)"

    def __getattr__(self, attribute: str) -> Any:
        raise AssertionError(self._what)


# Which repositories each store offers (the rest are _Absent).
_REPOSITORIES: dict[str, dict[str, Callable[[Connection], Any]]] = {
    SWITCH: {
        "billers": SqlBillerRepository,
        "bills": SqlPresentedBillRepository,
        "presentment": SqlPresentedRepository,
        "ledger": SqlLedgerRepository,
        "participants": SqlParticipantRepository,
        "payments": SqlPaymentRepository,
        "outbox": SqlOutboxRepository,
        "cash": SqlCashRepository,
        "counters": SqlCounterRepository,
        "staff": SqlStaffRepository,
        "shifts": SqlShiftRepository,
        "counter_journal": SqlCounterJournalRepository,
        "audit": SqlAuditRepository,
        "monitoring": SqlMonitoringRepository,
        "history": SqlPaymentHistoryRepository,
        "biller_links": SqlBillerLinkRepository,
        "payment_files": SqlPaymentFileRepository,
    },
    BILLING: {
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
        "monitoring": SqlMonitoringRepository,
        "publishing": SqlPublishingRepository,
    },
}
_ALL = sorted({name for names in _REPOSITORIES.values() for name in names})


class SqlUnitOfWork:
    """Opens a transaction on enter; rolls back on exit unless committed."""

    billers: Any
    tariffs: Any
    customers: Any
    services: Any
    usage: Any
    bill_runs: Any
    bills: Any
    postings: Any
    ledger: Any
    participants: Any
    payments: Any
    outbox: Any
    presentment: Any
    lifecycle: Any
    jobs: Any
    cash: Any
    counters: Any
    staff: Any
    shifts: Any
    counter_journal: Any
    audit: Any
    monitoring: Any
    history: Any
    biller_links: Any
    publishing: Any
    payment_files: Any

    def __init__(self, engine: Engine, readonly: bool = False, store: str = SWITCH) -> None:
        assert store in _REPOSITORIES, store
        self.engine = engine
        self.readonly = readonly
        self.store = store
        self.connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self.engine.connect().execution_options(readonly=self.readonly)
        self.connection = connection
        self._transaction = connection.begin()
        offered = _REPOSITORIES[self.store]
        for name in _ALL:
            make = offered.get(name)
            setattr(self, name, make(connection) if make else _Absent(name, self.store))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.connection is not None
        try:
            if self._transaction.is_active and self.readonly and exc_type is None:
                # A read-only unit ends with COMMIT: psycopg drops its prepared
                # statements on every ROLLBACK, so rolling back reads would make
                # the server parse every statement afresh (measured: 40 parses
                # per payment against 3.5).
                self._transaction.commit()
            elif self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
            self.connection = None

    def commit(self) -> None:
        self._transaction.commit()

    def rollback(self) -> None:
        self._transaction.rollback()


def _conforms(engine: Engine) -> UnitOfWork:
    """Type-checked only: SqlUnitOfWork implements the UnitOfWork port."""
    return SqlUnitOfWork(engine)
