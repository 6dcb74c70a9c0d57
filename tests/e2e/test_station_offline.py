"""The counter station with the line to the switch cut and restored (issue 5).

Real parts over real sockets: the switch's HTTP app under uvicorn (on SQLite,
then PostgreSQL), a station on its own SQLite file, a TCP fault proxy between
them. The cashier works through the station's page (HTTP forms), as the
browser does.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from fawtara.adapters.db import tables as t
from fawtara.bootstrap import Platform
from fawtara.bootstrap_receipts import verify_receipt
from fawtara.bootstrap_station import Station
from fawtara.service_layer.ledger import verify_ledger
from tests.fault_proxy import FaultProxy
from tests.station_support import (
    CASHIER,
    CASHIER_PASSWORD,
    COUNTER_KEY,
    SeededBill,
    bank_payment,
    running_station,
    running_switch,
    seed_counter_world,
    served,
    wait_until,
)

SYNC_S_MAX = 30.0


@dataclass
class Line:
    platform: Platform
    switch_url: str
    proxy: FaultProxy
    station: Station
    page: httpx.Client
    bills: list[SeededBill]


@pytest.fixture
def line(database_url: str, tmp_path: Path) -> Iterator[Line]:
    """Switch (SQLite, then PostgreSQL) ← fault proxy ← station ← the cashier's page."""
    keys_dir = tmp_path / "keys"
    bills = seed_counter_world(database_url, keys_dir)
    with (
        running_switch(database_url, keys_dir) as (platform, switch_url),
        FaultProxy(("127.0.0.1", int(switch_url.rsplit(":", 1)[1]))) as proxy,
        running_station(proxy.url, tmp_path / "station.db", keys_dir) as station,
        served(station.app) as station_url,
        httpx.Client(base_url=station_url, timeout=30) as page,
    ):
        yield Line(platform, switch_url, proxy, station, page, bills)


def sign_in_and_open_shift(page: httpx.Client) -> None:
    credentials = {"username": CASHIER, "password": CASHIER_PASSWORD}
    answer = page.post("/signin", data=credentials, follow_redirects=True)
    assert "فتح وردية" in answer.text, answer.text
    answer = page.post("/shift/open", data={"opening_float": "500"}, follow_redirects=True)
    assert "البحث عن فواتير مشترك" in answer.text, answer.text


def pay_at_counter(page: httpx.Client, bill: SeededBill) -> tuple[str, str]:
    """Find the bill, pay it in cash with a round sum; (payment id, receipt page)."""
    found = page.get("/", params={"biller": "ELEC", "ref": bill.meter})
    assert bill.bill_id in found.text
    form = {"biller": "ELEC", "ref": bill.meter, "bill_id": [bill.bill_id]}
    quote = page.post("/quote", data=form)
    assert quote.status_code == 200, quote.text
    cash = str(bill.amount_minor // 100 + 100)  # more than enough, in whole pounds
    receipt = page.post("/pay", data={**form, "cash_received": cash}, follow_redirects=True)
    assert receipt.status_code == 200, receipt.text
    payment_id = str(receipt.url).rsplit("/", 1)[1]
    return payment_id, receipt.text


def counter_payments(platform: Platform) -> dict[str, dict[str, Any]]:
    with platform.engine.connect() as db:
        rows = db.execute(select(t.payments).where(t.payments.c.channel == "counter")).all()
    return {row.payment_id: row._asdict() for row in rows}


def bill_payments_of(platform: Platform, bill_id: str) -> int:
    with platform.engine.connect() as db:
        query = select(func.count()).where(t.bill_payments.c.bill_id == bill_id)
        return int(db.execute(query).scalar_one())


def check_pending_receipt(line: Line, payment_id: str, folder: Path) -> None:
    """The PDF says pending sync, and its QR verifies with the switch's public key alone."""
    pdf = line.page.get(f"/receipts/{payment_id}/pdf")
    assert pdf.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "قيد المزامنة" in text
    (folder / "receipt.pdf").write_bytes(pdf.content)
    verified = verify_receipt(str(folder / "receipt.pdf"), line.platform.settings)
    assert verified.signed_by == "counter DAM01"
    assert verified.receipt.payment_id == payment_id and verified.receipt.is_pending_sync


def cash_taken_at(platform: Platform, payment_id: str) -> datetime:
    with platform.engine.connect() as db:
        query = select(t.counter_payments.c.accepted_at).where(
            t.counter_payments.c.payment_id == payment_id
        )
        return db.execute(query).scalar_one()  # type: ignore[no-any-return]


def test_payments_taken_offline_sync_once_and_a_bill_paid_twice_becomes_a_refund(
    line: Line, tmp_path: Path
) -> None:
    online_bill, offline_bill, twice_paid = line.bills[:3]
    sign_in_and_open_shift(line.page)
    online_id, online_receipt = pay_at_counter(line.page, online_bill)
    assert 'id="pending-sync"' not in online_receipt, "the switch answered within seconds"

    line.proxy.cut()
    offline_id, offline_receipt = pay_at_counter(line.page, offline_bill)
    twice_id, _ = pay_at_counter(line.page, twice_paid)
    assert 'id="pending-sync"' in offline_receipt
    assert line.station.store.pending_count() >= 2
    check_pending_receipt(line, offline_id, tmp_path)
    bank_payment(line.switch_url, twice_paid, "BEMO-STATION-1")  # meanwhile, at the bank

    line.proxy.restore()
    wait_until(lambda: line.station.store.pending_count() == 0, "the sync", SYNC_S_MAX)

    payments = counter_payments(line.platform)
    assert set(payments) == {online_id, offline_id, twice_id}
    assert all(p["state"] == "completed" for p in payments.values()), payments
    assert bill_payments_of(line.platform, twice_paid.bill_id) == 1
    twice = line.station.store.payment(twice_id)
    assert twice is not None and twice.outcome is not None
    assert twice.outcome["refund_minor"] + twice.outcome["credit_minor"] == twice_paid.amount_minor
    listing = line.page.get("/payments").text
    assert "يُعاد للمشترك" in listing or "رصيداً" in listing
    offline = line.station.store.payment(offline_id)
    assert offline is not None and cash_taken_at(line.platform, offline_id) == offline.taken_at
    assert verify_ledger(line.platform.uow(readonly=True)).balanced


def test_sending_the_journal_again_changes_nothing(line: Line) -> None:
    sign_in_and_open_shift(line.page)
    line.proxy.cut()
    pay_at_counter(line.page, line.bills[0])
    line.proxy.restore()
    wait_until(lambda: line.station.store.pending_count() == 0, "the sync", SYNC_S_MAX)
    before = counter_payments(line.platform)

    entries = [entry.wire() for entry in line.station.store.journal_entries()]
    answer = httpx.post(
        f"{line.switch_url}/v1/counter/journal",
        headers={"X-Api-Key": COUNTER_KEY},
        json={"entries": entries, "synced_through": None},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"duplicate"}
    assert counter_payments(line.platform) == before
    assert verify_ledger(line.platform.uow(readonly=True)).balanced
