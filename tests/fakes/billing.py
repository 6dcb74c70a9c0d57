"""In-memory fakes of the billing system's ports (billing/use_cases/ports.py).

A FakeBillingStore holds the committed state; each FakeUnitOfWork works on a
copy of it taken on `with uow:` and writes the copy back only on commit, so
leaving the block without a commit (a use case that raised) undoes every
write, as a rolled-back transaction does. The repositories answer as the SQL
ones do (orders, columns, duplicates ignored or refused); the contract tests
in tests/integration/billing/test_fake_contract.py hold them to it.

Faked: billers, tariffs, customers, services, usage, bills, postings, outbox,
presentment, publishing, the lifecycle's `service_states`, the SwitchLink and
the ProvisioningGateway. Not faked (their methods raise NotImplementedError):
bill runs, job runs and the rest of the lifecycle repository.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any, NoReturn, Self

from fawtara.billing.domain.jobs import JobKey, JobRun, JobStatus
from fawtara.billing.domain.lifecycle import BillStanding, ProvisioningOrder
from fawtara.billing.domain.tariffs import Tariff
from fawtara.billing.use_cases import ports
from fawtara.billing.use_cases.ports import (
    OpenSuspension,
    ProvisioningUnreachable,
    ServiceHolder,
    SwitchUnreachable,
)
from fawtara.kernel.billers import Biller, ServiceState
from fawtara.kernel.bills import Bill
from fawtara.kernel.calendar import Cycle
from fawtara.kernel.notices import DownloadedFile, InFlight


class DuplicateKey(Exception):
    """A write the real store refuses with an integrity error (a primary or unique key)."""


def _not_faked(what: str) -> NoReturn:
    raise NotImplementedError(f"{what} has no in-memory fake; test it in tests/integration")


@dataclass
class BillingState:
    """The billing store's rows, keyed as its tables are."""

    billers: dict[str, Biller] = field(default_factory=dict)
    tariffs: list[Tariff] = field(default_factory=list)
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)
    services: dict[int, dict[str, Any]] = field(default_factory=dict)
    usage: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    bills: dict[str, Bill] = field(default_factory=dict)
    bill_lines: dict[str, str] = field(default_factory=dict)
    postings: dict[str, dict[str, Any]] = field(default_factory=dict)
    allocations: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    reversals: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    last_id: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


class FakeBillerRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add(self, biller: Biller, created_at: datetime) -> None:
        if biller.code in self.state.billers:
            raise DuplicateKey(f"billers.code {biller.code}")
        # The SQL registry reads a biller's service kinds back ordered by kind.
        kinds = tuple(sorted(biller.service_kinds, key=lambda kind: kind.value))
        self.state.billers[biller.code] = replace(biller, service_kinds=kinds)

    def get(self, code: str) -> Biller | None:
        return self.state.billers.get(code)

    def list(self) -> list[Biller]:
        return [self.state.billers[code] for code in sorted(self.state.billers)]


class FakeTariffRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add(self, tariff: Tariff, created_at: datetime) -> bool:
        key = _tariff_key(tariff)
        if any(_tariff_key(known) == key for known in self.state.tariffs):
            return False
        self.state.tariffs.append(tariff)
        return True

    def for_biller(self, biller_code: str) -> list[Tariff]:
        found = [known for known in self.state.tariffs if known.biller_code == biller_code]
        return sorted(found, key=lambda known: known.effective_from)


def _tariff_key(tariff: Tariff) -> tuple[str, str, str, date]:
    return (
        tariff.biller_code,
        tariff.service_kind.value,
        tariff.tariff_class,
        tariff.effective_from,
    )


class FakeCustomerRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        ids = []
        for row in rows:
            customer_id = self.state.next_id("customers")
            self.state.customers[customer_id] = {**row, "id": customer_id}
            ids.append(customer_id)
        return ids


class FakeServiceRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        known = {(s["biller_code"], s["reference"]) for s in self.state.services.values()}
        ids = []
        for row in rows:
            if (row["biller_code"], row["reference"]) in known:
                raise DuplicateKey(f"services ({row['biller_code']}, {row['reference']})")
            known.add((row["biller_code"], row["reference"]))
            service_id = self.state.next_id("services")
            self.state.services[service_id] = {**row, "id": service_id}
            ids.append(service_id)
        return ids

    def ids_by_reference(self, biller_code: str, references: Iterable[str]) -> dict[str, int]:
        wanted = set(references)
        return {
            s["reference"]: service_id
            for service_id, s in self.state.services.items()
            if s["biller_code"] == biller_code and s["reference"] in wanted
        }

    def biller_of(self, service_id: int) -> str | None:
        service = self.state.services.get(service_id)
        return None if service is None else str(service["biller_code"])


class FakeUsageRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def existing(self, cycle_id: str, service_ids: Sequence[int]) -> dict[int, int]:
        return {
            service_id: int(self.state.usage[(service_id, cycle_id)]["quantity"])
            for service_id in set(service_ids)
            if (service_id, cycle_id) in self.state.usage
        }

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            key = (row["service_id"], row["cycle_id"])
            if key in self.state.usage:
                raise DuplicateKey(f"usage_records {key}")
            self.state.usage[key] = dict(row)


class FakeBillRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add_many(self, bills: Sequence[tuple[Bill, str]]) -> None:
        for bill, lines in bills:
            if bill.id in self.state.bills:
                raise DuplicateKey(f"bills.id {bill.id}")
            self.state.bills[bill.id] = bill
            self.state.bill_lines[bill.id] = lines

    def get_many(self, bill_ids: Sequence[str], for_update: bool = False) -> list[Bill]:
        return [self.state.bills[i] for i in sorted(set(bill_ids)) if i in self.state.bills]

    def save_status(self, bills: Sequence[Bill]) -> None:
        # As the SQL UPDATE: only the amount paid and the status change.
        for bill in bills:
            stored = self.state.bills.get(bill.id)
            if stored is not None:
                self.state.bills[bill.id] = replace(
                    stored, paid_minor=bill.paid_minor, status=bill.status
                )

    def for_service(self, service_id: int) -> list[Bill]:
        found = [b for b in self.state.bills.values() if b.service_id == service_id]
        return sorted(found, key=lambda b: b.due_on)

    def lines(self, bill_id: str) -> list[dict[str, Any]]:
        stored = self.state.bill_lines.get(bill_id)
        return [] if stored is None else list(json.loads(stored))


class FakePostingRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def get(self, payment_id: str) -> dict[str, Any] | None:
        posting = self.state.postings.get(payment_id)
        if posting is None:
            return None
        reversal = self.state.reversals.get(payment_id)
        return {**posting, "reversed_at": None if reversal is None else reversal["reversed_at"]}

    def add(self, posting: dict[str, Any], allocations: Sequence[tuple[str, int]]) -> None:
        payment_id = posting["payment_id"]
        if payment_id in self.state.postings:
            raise DuplicateKey(f"biller_postings.payment_id {payment_id}")
        self.state.postings[payment_id] = dict(posting)
        self.state.allocations[payment_id] = list(allocations)

    def allocations(self, payment_id: str) -> list[tuple[str, int]]:
        return sorted(self.state.allocations.get(payment_id, []))


class FakeOutboxRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def add(self, topic: str, key: str, payload: dict[str, Any], now: datetime) -> bool:
        if (topic, key) in self.state.outbox:
            return False
        self.state.outbox[(topic, key)] = {
            "id": self.state.next_id("outbox"),
            "topic": topic,
            "key": key,
            "payload": copy.deepcopy(payload),
            "created_at": now,
            "available_at": now,
            "attempts": 0,
            "last_error": None,
            "done_at": None,
        }
        return True

    def pending(self, topic: str, key: str) -> dict[str, Any] | None:
        row = self.state.outbox.get((topic, key))
        return None if row is None else dict(row)


class FakePresentmentRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def service(self, biller_code: str, reference: str) -> dict[str, Any] | None:
        for service_id, s in self.state.services.items():
            if s["biller_code"] == biller_code and s["reference"] == reference:
                return _service_with_holder(service_id, s, self.state.customers[s["customer_id"]])
        return None

    def reverse_posting(self, payment_id: str, reason: str, now: datetime) -> bool:
        if payment_id in self.state.reversals:
            return False
        if payment_id not in self.state.postings:
            raise DuplicateKey(f"biller_posting_reversals: no posting {payment_id}")
        self.state.reversals[payment_id] = {"reason": reason[:200], "reversed_at": now}
        return True


def _service_with_holder(
    service_id: int, service: dict[str, Any], customer: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": service_id,
        "kind": service["kind"],
        "reference": service["reference"],
        "state": service["state"],
        "name_ar": customer["name_ar"],
        "name_en": customer["name_en"],
        "msisdn": customer.get("msisdn"),
        "language": customer["language"],
        "governorate": customer["governorate"],
    }


class FakePublishingRepository:
    def __init__(self, state: BillingState) -> None:
        self.state = state

    def cycle_bills(
        self, biller_code: str, cycle_id: str, after_bill_id: str, limit: int
    ) -> list[dict[str, Any]]:
        found = sorted(
            (
                b
                for b in self.state.bills.values()
                if b.biller_code == biller_code and b.cycle_id == cycle_id and b.id > after_bill_id
            ),
            key=lambda b: b.id,
        )
        page = found[:limit]
        return [self._row(b) for b in page]

    def _row(self, bill: Bill) -> dict[str, Any]:
        service = self.state.services[bill.service_id]
        customer = self.state.customers[service["customer_id"]]
        return {
            "id": bill.id,
            "cycle_id": bill.cycle_id,
            "period_start": bill.period_start,
            "period_end": bill.period_end,
            "issued_on": bill.issued_on,
            "due_on": bill.due_on,
            "amount_minor": bill.amount_minor,
            "paid_minor": bill.paid_minor,
            "currency": bill.currency,
            "status": bill.status.value,
            "reference": service["reference"],
            "name_ar": customer["name_ar"],
            "name_en": customer["name_en"],
            "governorate": customer["governorate"],
            "msisdn": customer.get("msisdn"),
            "language": customer["language"],
        }


class FakeLifecycleRepository:
    """Only what a posting asks of the lifecycle (note_posting); the rest is not faked."""

    def __init__(self, state: BillingState) -> None:
        self.state = state

    def service_states(self, service_ids: Sequence[int]) -> dict[int, ServiceState]:
        return {
            service_id: ServiceState(self.state.services[service_id]["state"])
            for service_id in set(service_ids)
            if service_id in self.state.services
        }

    def overdue_services(
        self, biller_code: str, due_on_or_before: date, after_id: int, limit: int
    ) -> list[int]:
        _not_faked("lifecycle.overdue_services")

    def suspended_services(self, biller_code: str, after_id: int, limit: int) -> list[int]:
        _not_faked("lifecycle.suspended_services")

    def unpaid_standings(self, service_ids: Sequence[int]) -> dict[int, list[BillStanding]]:
        _not_faked("lifecycle.unpaid_standings")

    def standings_of(self, bill_ids: Sequence[str]) -> dict[str, BillStanding]:
        _not_faked("lifecycle.standings_of")

    def bills_due_on(
        self, biller_code: str, due: date, after_bill_id: str, limit: int
    ) -> list[BillStanding]:
        _not_faked("lifecycle.bills_due_on")

    def holders(self, service_ids: Sequence[int]) -> dict[int, ServiceHolder]:
        _not_faked("lifecycle.holders")

    def open_suspensions(self, service_ids: Sequence[int]) -> dict[int, OpenSuspension]:
        _not_faked("lifecycle.open_suspensions")

    def suspend(
        self,
        service_id: int,
        biller_code: str,
        cause: Sequence[tuple[Bill, date]],
        today: date,
        now: datetime,
    ) -> int | None:
        _not_faked("lifecycle.suspend")

    def end_suspension(self, suspension: OpenSuspension, ended_by: str, now: datetime) -> bool:
        _not_faked("lifecycle.end_suspension")

    def add_order(self, order: ProvisioningOrder, now: datetime) -> bool:
        _not_faked("lifecycle.add_order")

    def due_orders(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ProvisioningOrder]:
        _not_faked("lifecycle.due_orders")

    def order_sent(self, order_id: str, now: datetime) -> None:
        _not_faked("lifecycle.order_sent")

    def order_failed(self, order_id: str, error: str, next_attempt_at: datetime) -> None:
        _not_faked("lifecycle.order_failed")

    def claim_outbox(
        self, topic: str, now: datetime, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        _not_faked("lifecycle.claim_outbox")

    def finish_outbox(self, outbox_ids: Sequence[int], now: datetime) -> None:
        _not_faked("lifecycle.finish_outbox")

    def summary(self) -> dict[str, int]:
        _not_faked("lifecycle.summary")


class UnfakedBillRunRepository:
    """Bill runs are tested on a real store (tests/integration/test_billing_flow.py)."""

    def ensure_cycle(self, biller_code: str, cycle: Cycle) -> None:
        _not_faked("bill_runs")

    def start(self, biller_code: str, cycle_id: str, now: datetime) -> None:
        _not_faked("bill_runs")

    def finish(self, biller_code: str, cycle_id: str, now: datetime) -> None:
        _not_faked("bill_runs")

    def count_pending(self, biller_code: str, cycle_id: str) -> int:
        _not_faked("bill_runs")

    def service_classes(self, biller_code: str) -> list[tuple[str, str]]:
        _not_faked("bill_runs")

    def next_batch(
        self, biller_code: str, cycle_id: str, after_id: int, limit: int
    ) -> list[tuple[int, str, str, int | None]]:
        _not_faked("bill_runs")

    def record_batch(
        self, biller_code: str, cycle_id: str, issued: int, without_usage: int
    ) -> None:
        _not_faked("bill_runs")

    def status(self, biller_code: str, cycle_id: str) -> dict[str, Any] | None:
        _not_faked("bill_runs")


class UnfakedJobRunRepository:
    """Job runs are tested on a real store (tests/integration/test_scheduler.py)."""

    def since(self, day: date) -> dict[JobKey, JobRun]:
        _not_faked("jobs")

    def start(self, key: JobKey, now: datetime, runner: str) -> bool:
        _not_faked("jobs")

    def finish(
        self,
        key: JobKey,
        status: JobStatus,
        now: datetime,
        counts: dict[str, int],
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        _not_faked("jobs")

    def interrupt_running(self, now: datetime) -> int:
        _not_faked("jobs")

    def recent(self, limit: int) -> list[JobRun]:
        _not_faked("jobs")


class FakeBillingStore:
    """The committed state of a billing store, shared by the units of work opened on it."""

    def __init__(self) -> None:
        self.committed = BillingState()
        self.commits = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    """One transaction on a FakeBillingStore: a copy of its state, written back on commit."""

    def __init__(self, store: FakeBillingStore) -> None:
        self.store = store
        self.committed = False
        self._bind(copy.deepcopy(store.committed))

    def _bind(self, state: BillingState) -> None:
        self.state = state
        self.billers = FakeBillerRepository(state)
        self.tariffs = FakeTariffRepository(state)
        self.customers = FakeCustomerRepository(state)
        self.services = FakeServiceRepository(state)
        self.usage = FakeUsageRepository(state)
        self.bill_runs = UnfakedBillRunRepository()
        self.bills = FakeBillRepository(state)
        self.postings = FakePostingRepository(state)
        self.outbox = FakeOutboxRepository(state)
        self.presentment = FakePresentmentRepository(state)
        self.lifecycle = FakeLifecycleRepository(state)
        self.jobs = UnfakedJobRunRepository()
        self.publishing = FakePublishingRepository(state)

    def __enter__(self) -> Self:
        self.committed = False
        self._bind(copy.deepcopy(self.store.committed))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.store.committed = copy.deepcopy(self.state)
        self.store.commits += 1
        self.committed = True

    def rollback(self) -> None:
        """Forget what was written since `with` or the last commit."""
        self._bind(copy.deepcopy(self.store.committed))


class FakeSwitchLink:
    """The switch as billing sees it: in-flight answers set by the test, uploads recorded."""

    def __init__(self, answer: InFlight | None = None) -> None:
        self.answer = answer
        self.down = False
        self.uploads: list[tuple[str, str, list[Any]]] = []
        self.questions: list[tuple[str, tuple[str, ...]]] = []
        # Payments files of upload-mode billers: (biller, file), open until acknowledged.
        self.files: list[tuple[str, DownloadedFile]] = []
        self.acknowledged: dict[str, dict[str, str]] = {}  # file id -> receipts

    def upload_bills(self, biller_code: str, file_id: str, rows: Sequence[Any]) -> int:
        if self.down:
            raise SwitchUnreachable("the fake switch is down")
        self.uploads.append((biller_code, file_id, list(rows)))
        return len(rows)

    def in_flight(self, biller_code: str, references: Sequence[str]) -> InFlight:
        self.questions.append((biller_code, tuple(references)))
        if self.down or self.answer is None:
            raise SwitchUnreachable("the fake switch is down")
        return self.answer

    def payment_files(self, biller_code: str, after: str | None) -> list[DownloadedFile]:
        if self.down:
            raise SwitchUnreachable("the fake switch is down")
        open_files = [
            found
            for code, found in self.files
            if code == biller_code and found.file_id not in self.acknowledged
        ]
        ids = [found.file_id for found in open_files]
        return open_files[ids.index(after) + 1 :] if after in ids else open_files

    def acknowledge_payment_file(
        self, biller_code: str, file_id: str, receipts: dict[str, str]
    ) -> None:
        if self.down:
            raise SwitchUnreachable("the fake switch is down")
        assert (biller_code, file_id) in {(c, f.file_id) for c, f in self.files}, file_id
        self.acknowledged.setdefault(file_id, dict(receipts))


class FakeProvisioningGateway:
    """A biller's network: orders carried out once by id, or refused while it is down."""

    def __init__(self) -> None:
        self.down = False
        self.done: dict[str, ProvisioningOrder] = {}
        self.attempts = 0

    def send(self, order: ProvisioningOrder) -> None:
        self.attempts += 1
        if self.down:
            raise ProvisioningUnreachable("the fake network is down")
        self.done.setdefault(order.order_id, order)


def _conforms(
    store: FakeBillingStore, switch: FakeSwitchLink, network: FakeProvisioningGateway
) -> tuple[ports.UnitOfWork, ports.SwitchLink, ports.ProvisioningGateway]:
    """Type-checked only (`mypy tests/fakes`): each fake implements its Protocol."""
    return store.uow(), switch, network
