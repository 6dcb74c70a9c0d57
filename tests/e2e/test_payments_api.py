"""The switch's HTTP API, in process, with a stateful bank, on both engines."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform
from tests.support import build_world, usage_rows

PORTAL = {"X-Api-Key": "PORTAL.portal-secret"}
BEMO = {"X-Api-Key": "BEMO.bemo-secret"}
OPS = {"X-Api-Key": "OPS.ops-secret"}


@pytest.fixture
def api(platform: Platform) -> tuple[TestClient, InMemoryBank, list[str]]:
    world = build_world(platform, electricity_services=2)
    for participant, secret in (
        (Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",)), "bemo-secret"),
        (
            Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",)),
            "portal-secret",
        ),
        (
            Participant("OPS", ParticipantKind.OPERATOR, "العمليات", "Ops", ("portal",), True),
            "ops-secret",
        ),
    ):
        register_participant(platform.uow(), participant, platform.clock, secret=secret)
    rows = [("ELEC", "2026-B5", m, "400") for m in world.meters]
    import_usage(platform.billing_uow_factory(), usage_rows(rows), "u.csv", platform.clock)
    run_bill_run(platform.billing_uow_factory(), "ELEC", "2026-B5", platform.clock)
    bank = InMemoryBank({("BEMO", "0100200300"): 1_000_000})
    return TestClient(create_app(platform, bank)), bank, world.meters


def body(meter: str, bill_id: str, **changes: Any) -> dict[str, Any]:
    payload = {
        "payment_id": str(uuid.uuid4()),
        "channel": "portal",
        "biller": "ELEC",
        "customer_ref": meter,
        "bill_ids": [bill_id],
        "amount_minor": 320_000,
        "currency": "SYP",
        "payer": {"bank": "BEMO", "account": "0100200300"},
        "msisdn": "+963933123456",
    }
    payload.update(changes)
    return payload


def fetch_first_bill(client: TestClient, meter: str) -> str:
    response = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meter}, headers=PORTAL
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["customer_name"] == "مشترك 0" or found["customer_name"].startswith("مشترك")
    bill = found["bills"][0]
    assert (bill["amount_minor"], bill["amount_due_minor"], bill["status"]) == (
        320_000,
        320_000,
        "issued",
    )
    assert (bill["period"], bill["due_on"]) == ("2026-B5", "2026-12-01")
    return str(bill["bill_id"])


def test_fetch_then_pay_then_inquire(api: tuple[TestClient, InMemoryBank, list[str]]) -> None:
    client, bank, meters = api
    bill_id = fetch_first_bill(client, meters[0])
    payload = body(meters[0], bill_id)
    paid = client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    assert paid.status_code == 200, paid.text
    answer = paid.json()
    assert answer["state"] == "completed" and answer["receipt_no"]
    assert answer["bills"] == [{"bill_id": bill_id, "amount_minor": 320_000, "status": "paid"}]
    assert bank.balance("BEMO", "0100200300") == 680_000
    again = client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    assert again.json()["receipt_no"] == answer["receipt_no"]
    assert bank.balance("BEMO", "0100200300") == 680_000
    status = client.get(f"/v1/payments/{payload['payment_id']}", headers=PORTAL)
    assert status.json()["state"] == "completed"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "UNAUTHENTICATED"),
        ({"X-Api-Key": "PORTAL.wrong"}, 401, "UNAUTHENTICATED"),
        ({"X-Api-Key": "nobody.x"}, 401, "UNAUTHENTICATED"),
    ],
)
def test_calls_without_a_valid_key_are_refused(
    api: tuple[TestClient, InMemoryBank, list[str]],
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    client, _bank, meters = api
    response = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meters[0]}, headers=headers
    )
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_another_participants_payment_is_not_found(
    api: tuple[TestClient, InMemoryBank, list[str]],
) -> None:
    client, _bank, meters = api
    payload = body(meters[0], fetch_first_bill(client, meters[0]))
    client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    hidden = client.get(f"/v1/payments/{payload['payment_id']}", headers=BEMO)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "PAYMENT_NOT_FOUND"
    seen = client.get(f"/v1/payments/{payload['payment_id']}", headers=OPS)
    assert seen.status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount_minor": 0}, 422, "VALIDATION_ERROR"),
        ({"amount_minor": 320_001}, 409, "AMOUNT_NOT_ALLOWED"),
        ({"payment_id": "1234"}, 422, "VALIDATION_ERROR"),
        ({"currency": "USD"}, 422, "CURRENCY_MISMATCH"),
        ({"bill_ids": ["ELEC-2026-B5-999"]}, 404, "UNKNOWN_BILL"),
        ({"customer_ref": "1234567890"}, 404, "UNKNOWN_SERVICE"),
        ({"biller": "NOPE"}, 404, "UNKNOWN_BILLER"),
        ({"unexpected": 1}, 422, "VALIDATION_ERROR"),
        ({"payer": {"bank": "ZZZ", "account": "1"}}, 422, "UNKNOWN_BANK"),
    ],
)
def test_bad_payments_get_their_named_error_and_change_nothing(
    api: tuple[TestClient, InMemoryBank, list[str]],
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    client, bank, meters = api
    payload = body(meters[0], fetch_first_bill(client, meters[0]), **change)
    response = client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "message_ar"}
    assert bank.balance("BEMO", "0100200300") == 1_000_000


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("GET", "/v1/payments/{too_long}", None),
        ("POST", "/v1/payments/{too_long}/reversal", {"reason": "paid twice"}),
        ("GET", "/v1/payments/{too_long}/receipt.pdf", None),
    ],
)
def test_a_payment_id_longer_than_a_uuid_is_refused_not_cut(
    api: tuple[TestClient, InMemoryBank, list[str]],
    method: str,
    path: str,
    json: dict[str, str] | None,
) -> None:
    """Cut to 36 characters, the id would name another payment (the first 36 of it)."""
    client, _bank, meters = api
    payload = body(meters[0], fetch_first_bill(client, meters[0]))
    assert client.post("/v1/payments?wait=0", json=payload, headers=PORTAL).status_code == 200
    too_long = payload["payment_id"] + "0"
    url = path.format(too_long=too_long)
    response = client.request(method, url, json=json, headers=OPS)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"


def test_a_paid_bill_and_a_reused_id_are_conflicts(
    api: tuple[TestClient, InMemoryBank, list[str]],
) -> None:
    client, _bank, meters = api
    bill_id = fetch_first_bill(client, meters[0])
    payload = body(meters[0], bill_id)
    client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    paid = client.post("/v1/payments?wait=0", json=body(meters[0], bill_id), headers=PORTAL)
    assert (paid.status_code, paid.json()["error"]["code"]) == (409, "BILL_ALREADY_PAID")
    reused = client.post("/v1/payments?wait=0", json={**payload, "amount_minor": 1}, headers=PORTAL)
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "PAYMENT_ID_REUSED")


def test_an_oversized_body_is_refused_before_parsing(
    api: tuple[TestClient, InMemoryBank, list[str]],
) -> None:
    client, _bank, _meters = api
    response = client.post(
        "/v1/payments",
        content=b"{" + b" " * 70_000 + b"}",
        headers={**PORTAL, "content-type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_reversal_needs_the_right_and_returns_the_money(
    api: tuple[TestClient, InMemoryBank, list[str]],
) -> None:
    client, bank, meters = api
    payload = body(meters[0], fetch_first_bill(client, meters[0]))
    client.post("/v1/payments?wait=0", json=payload, headers=PORTAL)
    refused = client.post(
        f"/v1/payments/{payload['payment_id']}/reversal", json={"reason": "mistake"}, headers=PORTAL
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "REVERSAL_NOT_ALLOWED")
    done = client.post(
        f"/v1/payments/{payload['payment_id']}/reversal", json={"reason": "mistake"}, headers=OPS
    )
    assert done.status_code == 200 and done.json()["state"] == "reversed"
    assert done.json()["bills"][0]["status"] == "issued"
    assert bank.balance("BEMO", "0100200300") == 1_000_000
