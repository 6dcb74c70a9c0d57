"""The billing fakes against the real thing: the same checks on the fake store and on SQL.

Each test runs on tests/fakes/billing.py's FakeUnitOfWork and on the
BillingUnitOfWork over a migrated store (SQLite; PostgreSQL when
FAWTARA_TEST_DATABASE_URL is set), so the fakes the unit tier relies on
cannot drift from the repositories they stand in for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from fawtara.billing.adapters.uow import BillingUnitOfWork
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.billers import ServiceKind, ServiceState
from fawtara.kernel.bills import Bill, BillStatus
from fawtara.storage import schema
from fawtara.storage.engine import make_engine
from tests.conftest import postgres_schema_engine
from tests.fakes.billing import FakeBillingStore
from tests.fakes.billing_world import (
    ELEC,
    ELEC_RESIDENTIAL,
    LINES,
    NOW,
    STE,
    a_bill,
    add_bills,
    add_service,
    meter,
)

Store = Callable[[], UnitOfWork]
METERS = [meter(200_000_000 + n) for n in range(3)]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A factory of units of work on an empty billing store: the fake, or a migrated SQL one."""
    if request.param == "fake":
        yield FakeBillingStore().uow
    elif request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'billing.db'}")
        schema.upgrade(engine, system=schema.BILLING)
        yield _factory(engine)
        engine.dispose()
    else:
        for server_engine in postgres_schema_engine(request.getfixturevalue("postgres_server")):
            schema.upgrade(server_engine, system=schema.BILLING)
            yield _factory(server_engine)


@pytest.fixture
def seeded(store: Store) -> dict[str, int]:
    """ELEC and STE, three meters and a landline; the services' ids by reference."""
    with store() as uow:
        uow.billers.add(STE, NOW)
        uow.billers.add(ELEC, NOW)
        ids = {ref: add_service(uow, "ELEC", ref, name=ref) for ref in METERS}
        ids["0112345678"] = add_service(uow, "STE", "0112345678", kind="landline")
        uow.commit()
    return ids


def bill(service_id: int, cycle_id: str = "2026-B5", amount_minor: int = 320_000) -> Bill:
    return a_bill(ELEC, service_id, cycle_id, amount_minor)


def _factory(engine: Engine) -> Store:
    return lambda: BillingUnitOfWork(engine)


# --- the unit of work ---


def test_what_is_not_committed_is_not_kept(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        add_service(uow, "ELEC", meter(300_000_000))
    with pytest.raises(RuntimeError), store() as uow:
        add_bills(uow, bill(seeded[METERS[0]]))
        raise RuntimeError("a use case fails after writing")
    with store() as uow:
        assert uow.services.ids_by_reference("ELEC", [meter(300_000_000)]) == {}
        assert uow.bills.for_service(seeded[METERS[0]]) == []


def test_rollback_undoes_the_writes_since_the_unit_began(
    store: Store, seeded: dict[str, int]
) -> None:
    with store() as uow:
        add_bills(uow, bill(seeded[METERS[0]]))
        uow.rollback()
    with store() as uow:
        assert uow.bills.get_many([bill(seeded[METERS[0]]).id]) == []


def test_what_is_committed_is_seen_by_the_next_unit(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        add_bills(uow, bill(seeded[METERS[0]]))
        uow.commit()
    with store() as uow:
        assert uow.bills.get_many([bill(seeded[METERS[0]]).id]) == [bill(seeded[METERS[0]])]


# --- billers and tariffs ---


def test_billers_come_back_as_registered_with_their_kinds_in_order(
    store: Store, seeded: dict[str, int]
) -> None:
    with store() as uow:
        assert uow.billers.get("ELEC") == ELEC
        ste = uow.billers.get("STE")
        assert ste is not None and ste.service_kinds == (ServiceKind.INTERNET, ServiceKind.LANDLINE)
        assert ste == replace(STE, service_kinds=ste.service_kinds)
        assert [b.code for b in uow.billers.list()] == ["ELEC", "STE"]
        assert uow.billers.get("WATER") is None


def test_a_tariff_decision_is_kept_once_and_read_in_date_order(
    store: Store, seeded: dict[str, int]
) -> None:
    later = replace(ELEC_RESIDENTIAL, effective_from=date(2026, 6, 1), decision="later")
    with store() as uow:
        assert uow.tariffs.add(later, NOW)
        assert uow.tariffs.add(ELEC_RESIDENTIAL, NOW)
        assert not uow.tariffs.add(replace(ELEC_RESIDENTIAL, decision="again"), NOW)
        assert uow.tariffs.for_biller("ELEC") == [ELEC_RESIDENTIAL, later]
        assert uow.tariffs.for_biller("STE") == []


# --- customers, services, presentment ---


def test_services_are_found_by_biller_and_reference(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        found = uow.services.ids_by_reference("ELEC", [METERS[1], METERS[0], "0112345678", "x"])
        assert found == {METERS[0]: seeded[METERS[0]], METERS[1]: seeded[METERS[1]]}
        assert uow.services.biller_of(seeded["0112345678"]) == "STE"
        assert uow.services.biller_of(999_999) is None
        assert len(set(seeded.values())) == len(seeded)


def test_a_service_is_presented_with_its_holder(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        assert uow.presentment.service("ELEC", METERS[0]) == {
            "id": seeded[METERS[0]],
            "kind": "electricity",
            "reference": METERS[0],
            "state": "active",
            "name_ar": f"مشترك {METERS[0]}",
            "name_en": METERS[0],
            "msisdn": "+963933123456",
            "language": "ar",
            "governorate": "Damascus",
        }
        assert uow.presentment.service("STE", METERS[0]) is None


def test_service_states_are_read_for_known_services(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        suspended = add_service(uow, "ELEC", meter(300_000_001), state="suspended")
        states = uow.lifecycle.service_states([seeded[METERS[0]], suspended, 999_999])
        assert states == {seeded[METERS[0]]: ServiceState.ACTIVE, suspended: ServiceState.SUSPENDED}


# --- usage ---


def test_usage_is_read_back_per_cycle(store: Store, seeded: dict[str, int]) -> None:
    first, second = seeded[METERS[0]], seeded[METERS[1]]
    row = {"cycle_id": "2026-B5", "biller_code": "ELEC", "source": "t.csv", "imported_at": NOW}
    with store() as uow:
        uow.usage.add([{**row, "service_id": first, "quantity": 400}])
        uow.usage.add([])
        assert uow.usage.existing("2026-B5", [first, second, first]) == {first: 400}
        assert uow.usage.existing("2026-B4", [first]) == {}


# --- bills ---


def test_bills_are_read_by_id_in_id_order_and_unknown_ids_are_left_out(
    store: Store, seeded: dict[str, int]
) -> None:
    bills = [bill(seeded[ref]) for ref in reversed(METERS)]
    with store() as uow:
        add_bills(uow, *bills)
        wanted = [bills[0].id, "ELEC-nothing", bills[2].id, bills[0].id]
        assert uow.bills.get_many(wanted, for_update=True) == sorted(
            [bills[0], bills[2]], key=lambda b: b.id
        )
        assert uow.bills.get_many([]) == []


def test_saving_a_status_writes_only_what_was_paid_and_the_status(
    store: Store, seeded: dict[str, int]
) -> None:
    issued = bill(seeded[METERS[0]])
    with store() as uow:
        add_bills(uow, issued)
        paid = replace(issued.apply_payment(1_000), amount_minor=1, cycle_id="elsewhere")
        uow.bills.save_status([paid])
        (stored,) = uow.bills.get_many([issued.id])
        assert stored == replace(issued, paid_minor=1_000, status=BillStatus.PARTIALLY_PAID)


def test_a_services_bills_come_in_due_date_order_with_their_lines(
    store: Store, seeded: dict[str, int]
) -> None:
    service_id = seeded[METERS[0]]
    # The older bill's id sorts after the newer's, so id order is not due-date order.
    newer, older = bill(service_id), bill(service_id, "2026-B6", 5_000)
    older = replace(older, due_on=newer.due_on - timedelta(days=60))
    with store() as uow:
        add_bills(uow, newer, older, bill(seeded[METERS[1]]))
        assert uow.bills.for_service(service_id) == [older, newer]
        assert uow.bills.for_service(999_999) == []
        assert uow.bills.lines(newer.id) == json.loads(json.dumps(LINES))
        assert uow.bills.lines("ELEC-nothing") == []


# --- postings and reversals ---


def posting(service_id: int, payment_id: str = "pay-1") -> dict[str, object]:
    return {
        "payment_id": payment_id,
        "biller_code": "ELEC",
        "service_id": service_id,
        "request_hash": "a" * 64,
        "amount_minor": 330_000,
        "credit_minor": 0,
        "currency": "SYP",
        "channel": "bank",
        "paid_at": NOW,
        "posted_at": NOW + timedelta(seconds=2),
    }


def test_a_posting_is_read_back_with_its_allocations_in_bill_order(
    store: Store, seeded: dict[str, int]
) -> None:
    service_id = seeded[METERS[0]]
    newer, older = bill(service_id), bill(service_id, "2026-B4", 10_000)
    with store() as uow:
        add_bills(uow, newer, older)
        assert uow.postings.get("pay-1") is None
        uow.postings.add(posting(service_id), [(newer.id, 320_000), (older.id, 10_000)])
        assert uow.postings.get("pay-1") == {**posting(service_id), "reversed_at": None}
        assert uow.postings.allocations("pay-1") == [(older.id, 10_000), (newer.id, 320_000)]
        assert uow.postings.allocations("pay-2") == []


def test_a_posting_is_reversed_once(store: Store, seeded: dict[str, int]) -> None:
    service_id = seeded[METERS[0]]
    with store() as uow:
        add_bills(uow, bill(service_id))
        uow.postings.add(posting(service_id), [(bill(service_id).id, 320_000)])
        later = NOW + timedelta(hours=1)
        assert uow.presentment.reverse_posting("pay-1", "returned", later)
        assert not uow.presentment.reverse_posting("pay-1", "again", later + timedelta(hours=1))
        stored = uow.postings.get("pay-1")
        assert stored is not None and stored["reversed_at"] == later


# --- the outbox ---


def test_the_outbox_queues_a_topic_and_key_once(store: Store, seeded: dict[str, int]) -> None:
    with store() as uow:
        assert uow.outbox.add("lifecycle.reconnect", "pay-1", {"service_id": 1}, NOW)
        later = NOW + timedelta(minutes=1)
        assert not uow.outbox.add("lifecycle.reconnect", "pay-1", {"service_id": 2}, later)
        assert uow.outbox.add("sms.reminder", "pay-1", {"service_id": 3}, later)
        row = uow.outbox.pending("lifecycle.reconnect", "pay-1")
        assert row is not None
        assert {key: row[key] for key in ("topic", "key", "payload", "attempts", "done_at")} == {
            "topic": "lifecycle.reconnect",
            "key": "pay-1",
            "payload": {"service_id": 1},
            "attempts": 0,
            "done_at": None,
        }
        assert row["created_at"] == row["available_at"] == NOW
        assert uow.outbox.pending("lifecycle.reconnect", "pay-2") is None
        assert set(row) >= {"id", "last_error"}


# --- publishing ---


def test_a_cycles_bills_are_read_a_page_at_a_time_in_id_order(
    store: Store, seeded: dict[str, int]
) -> None:
    bills = sorted((bill(seeded[ref]) for ref in METERS), key=lambda b: b.id)
    with store() as uow:
        add_bills(uow, *bills, bill(seeded[METERS[0]], "2026-B4"))
        first = uow.publishing.cycle_bills("ELEC", "2026-B5", "", 2)
        rest = uow.publishing.cycle_bills("ELEC", "2026-B5", first[-1]["id"], 2)
        assert [row["id"] for row in first + rest] == [b.id for b in bills]
        assert uow.publishing.cycle_bills("STE", "2026-B5", "", 10) == []
    row = first[0]
    assert row == {
        "id": bills[0].id,
        "cycle_id": "2026-B5",
        "period_start": bills[0].period_start,
        "period_end": bills[0].period_end,
        "issued_on": bills[0].issued_on,
        "due_on": bills[0].due_on,
        "amount_minor": 320_000,
        "paid_minor": 0,
        "currency": "SYP",
        "status": "issued",
        "reference": next(ref for ref in METERS if seeded[ref] == bills[0].service_id),
        "name_ar": row["name_ar"],
        "name_en": next(ref for ref in METERS if seeded[ref] == bills[0].service_id),
        "governorate": "Damascus",
        "msisdn": "+963933123456",
        "language": "ar",
    }
