"""The API for counter stations (counters/entrypoints/api/counter.py) over HTTP, on both engines."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from fawtara.counters.bootstrap import password_hasher
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases import staff
from fawtara.counters.use_cases.counters import register_counter
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.support import publish_bills

DAM01 = {"X-Api-Key": "DAM01.station-secret"}


@pytest.fixture
def client(platform: Platform) -> TestClient:
    Network(platform)  # ELEC (counter channel) with three bills in Damascus
    publish_bills(platform, "ELEC", "2026-B5")  # the switch's copy, which stations download
    counter = Counter("DAM01", "مركز دمشق", "Damascus centre", "Damascus")
    register_counter(platform.uow_factory(), platform.clock, counter, staff.SHELL, "station-secret")
    staff.add_staff(
        platform.uow_factory(),
        password_hasher(cheap=True),
        platform.clock,
        StaffMember("rana", "رنا", Role.CASHIER, "DAM01"),
        "demo-cashier",
        staff.SHELL,
    )
    return TestClient(create_app(platform))


def test_the_first_snapshot_page_carries_the_counter_its_cashiers_and_billers(
    client: TestClient,
) -> None:
    response = client.get("/v1/counter/snapshot", headers=DAM01, params={"limit": 2})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["counter"]["governorate"] == "Damascus"
    assert [c["username"] for c in page["cashiers"]] == ["rana"]
    assert page["cashiers"][0]["password_hash"].startswith("$argon2id$")
    assert [b["code"] for b in page["billers"]] == ["ELEC"]
    assert page["denominations_minor"] and len(page["bills"]) == 2 and page["next"]
    rest = client.get(
        "/v1/counter/snapshot", headers=DAM01, params={"after": page["next"], "limit": 2}
    ).json()
    assert rest["cashiers"] is None and rest["bills"]


def test_a_journal_entry_is_applied_once_and_its_shift_can_be_read(client: TestClient) -> None:
    shift_id = str(uuid.uuid4())
    entry = {
        "entry_id": str(uuid.uuid4()),
        "kind": "shift_open",
        "at": "2026-11-01T09:00:00+03:00",
        "cashier": "rana",
        "shift_id": shift_id,
        "data": {"opening_float_minor": 50_000},
    }
    body = {"entries": [entry, entry], "synced_through": "2026-11-01T09:00:00+03:00"}
    response = client.post("/v1/counter/journal", headers=DAM01, json=body)
    assert response.status_code == 200, response.text
    first, again = response.json()["results"]
    assert (first["status"], again["status"]) == ("applied", "duplicate")
    view = client.get(f"/v1/counter/shifts/{shift_id}", headers=DAM01).json()
    assert (view["state"], view["opening_float_minor"], view["expected_minor"]) == (
        "open",
        50_000,
        50_000,
    )


def test_only_a_counter_station_may_call_the_counter_api(client: TestClient) -> None:
    missing = client.get("/v1/counter/snapshot")
    assert missing.status_code == 401
    wrong = client.get("/v1/counter/snapshot", headers={"X-Api-Key": "DAM01.guess"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "UNAUTHENTICATED"


def test_a_journal_entry_without_a_time_zone_is_refused(client: TestClient) -> None:
    entry = {
        "entry_id": str(uuid.uuid4()),
        "kind": "sign_in",
        "at": "2026-11-01T09:00:00",
        "cashier": "rana",
    }
    response = client.post("/v1/counter/journal", headers=DAM01, json={"entries": [entry]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
