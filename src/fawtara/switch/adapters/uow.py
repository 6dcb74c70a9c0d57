"""The switch's unit of work: its store's repositories, nothing of billing's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine

from fawtara.counters.adapters.cash_repository import SqlCashRepository
from fawtara.counters.adapters.counter_repositories import (
    SqlAuditRepository,
    SqlCounterJournalRepository,
    SqlCounterRepository,
    SqlShiftRepository,
    SqlStaffRepository,
)
from fawtara.ops.adapters.monitoring_repository import SqlMonitoringRepository
from fawtara.storage.billers import SqlBillerRepository
from fawtara.storage.outbox import SqlOutboxRepository
from fawtara.storage.schema import SWITCH
from fawtara.storage.uow import SqlUnitOfWork
from fawtara.switch.adapters.biller_link_repository import SqlBillerLinkRepository
from fawtara.switch.adapters.history_repository import SqlPaymentHistoryRepository
from fawtara.switch.adapters.ledger_repository import SqlLedgerRepository
from fawtara.switch.adapters.payment_file_repository import SqlPaymentFileRepository
from fawtara.switch.adapters.presented_repository import (
    SqlPresentedBillRepository,
    SqlPresentedRepository,
)
from fawtara.switch.adapters.switch_repositories import (
    SqlParticipantRepository,
    SqlPaymentRepository,
)
from fawtara.switch.use_cases.ports import UnitOfWork


class SwitchUnitOfWork(SqlUnitOfWork):
    STORE = SWITCH
    REPOSITORIES: ClassVar[Mapping[str, Callable[[Connection], Any]]] = {
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
    }

    billers: Any
    bills: Any
    presentment: Any
    ledger: Any
    participants: Any
    payments: Any
    outbox: Any
    cash: Any
    counters: Any
    staff: Any
    shifts: Any
    counter_journal: Any
    audit: Any
    monitoring: Any
    history: Any
    biller_links: Any
    payment_files: Any


def _conforms(engine: Engine) -> UnitOfWork:
    """Type-checked only: SwitchUnitOfWork implements the switch's UnitOfWork port."""
    return SwitchUnitOfWork(engine)
