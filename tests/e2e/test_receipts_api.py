"""`GET /v1/payments/{id}/receipt.pdf`: a switch-signed PDF for a completed payment only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.config import Settings
from fawtara.kernel.clock import ManualClock
from fawtara.receipts.bootstrap import init_switch_keys, verify_receipt
from fawtara.wiring import Platform
from tests.e2e.test_payments_api import BEMO, OPS, PORTAL, api, body, fetch_first_bill

__all__ = ["api"]  # the fixture, over this module's platform (with signing keys)

Api = tuple[TestClient, InMemoryBank, list[str]]


@pytest.fixture
def platform(
    engine: Engine, billing_engine: Engine, clock: ManualClock, tmp_path: Path
) -> Platform:
    url = engine.url.render_as_string(hide_password=False)
    billing_url = billing_engine.url.render_as_string(hide_password=False)
    settings = Settings(
        url, "127.0.0.1", 8000, keys_dir=tmp_path / "keys", billing_database_url=billing_url
    )
    init_switch_keys(settings)
    return Platform(settings, engine, clock, billing_engine)


def pay(client: TestClient, meter: str, **changes: object) -> str:
    payload = body(meter, fetch_first_bill(client, meter), **changes)
    assert client.post("/v1/payments", json=payload, headers=PORTAL).status_code == 200
    return str(payload["payment_id"])


def test_a_completed_payment_has_a_signed_pdf_receipt(
    api: Api, platform: Platform, tmp_path: Path
) -> None:
    client, _bank, meters = api
    payment_id = pay(client, meters[0])
    response = client.get(f"/v1/payments/{payment_id}/receipt.pdf", headers=PORTAL)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    verified = verify_receipt(str(path), platform.settings)
    receipt = verified.receipt
    assert verified.signed_by == "switch"
    assert (receipt.payment_id, receipt.amount_minor, receipt.channel) == (
        payment_id,
        320_000,
        "portal",
    )
    assert [(b.period, b.amount_minor) for b in receipt.bills] == [("2026-B5", 320_000)]
    assert receipt.payer_account_masked == "******0300"
    assert client.get(f"/v1/payments/{payment_id}/receipt.pdf", headers=OPS).status_code == 200


@pytest.mark.parametrize(
    ("who", "payment", "status", "code"),
    [
        (BEMO, "paid", 404, "PAYMENT_NOT_FOUND"),  # another participant's payment
        (PORTAL, "unknown", 404, "PAYMENT_NOT_FOUND"),
        (PORTAL, "failed", 409, "RECEIPT_NOT_AVAILABLE"),
        ({}, "paid", 401, "UNAUTHENTICATED"),
    ],
)
def test_no_receipt_for_others_unknown_or_unfinished_payments(
    api: Api, who: dict[str, str], payment: str, status: int, code: str
) -> None:
    client, _bank, meters = api
    payment_id = {
        "paid": lambda: pay(client, meters[0]),
        "failed": lambda: pay(client, meters[1], payer={"bank": "BEMO", "account": "0999999999"}),
        "unknown": lambda: "6f1d3c2e-4b1a-4f7e-9a51-0d7a2c9e8b10",
    }[payment]()
    response = client.get(f"/v1/payments/{payment_id}/receipt.pdf", headers=who)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
