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

from fawtara.receipts.bootstrap import verify_receipt
from fawtara.storage import tables as t
from fawtara.switch.use_cases.ledger import verify_ledger
from fawtara.wiring import Platform
from tests.station_support import (
    CASHIER,
    CASHIER_PASSWORD,
    COUNTER_KEY,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    SeededBill,
    StationLine,
    bank_payment,
    last_shift_at_switch,
    served,
    station_line,
    wait_until,
)

SYNC_S_MAX = 30.0


@dataclass(frozen=True)
class Line(StationLine):
    page: httpx.Client  # the cashier's page, as the browser would fetch it


@pytest.fixture
def line(database_url: str, billing_database_url: str, tmp_path: Path) -> Iterator[Line]:
    """Switch (SQLite, then PostgreSQL) ← fault proxy ← station ← the cashier's page."""
    with (
        station_line(database_url, tmp_path, 4, billing_database_url) as running,
        served(running.station.app) as station_url,
        httpx.Client(base_url=station_url, timeout=30) as page,
    ):
        yield Line(**vars(running), page=page)


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
    """How many payments the biller's own books hold on the bill."""
    with platform.billing_store().connect() as db:
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


def void_at_counter(page: httpx.Client, payment_id: str, who: str, password: str) -> httpx.Response:
    """From the shift's payments list, a supervisor signs a void at the cashier's desk."""
    assert f"/payments/{payment_id}/void" in page.get("/payments").text
    form = {"reason": "wrong subscriber", "supervisor": who, "password": password}
    return page.post(f"/payments/{payment_id}/void", data=form, follow_redirects=True)


def bill_status(platform: Platform, bill_id: str) -> str:
    """The bill's status in the biller's own books."""
    with platform.billing_store().connect() as db:
        return str(db.execute(select(t.bills.c.status).where(t.bills.c.id == bill_id)).scalar_one())


def resend_whole_journal(line: Line) -> list[dict[str, Any]]:
    entries = [entry.wire() for entry in line.station.store.journal_entries()]
    answer = httpx.post(
        f"{line.switch_url}/v1/counter/journal",
        headers={"X-Api-Key": COUNTER_KEY},
        json={"entries": entries, "synced_through": None},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


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

    assert {r["status"] for r in resend_whole_journal(line)} == {"duplicate"}
    assert counter_payments(line.platform) == before
    assert verify_ledger(line.platform.uow(readonly=True)).balanced


def test_a_supervisor_voids_payments_offline_and_the_switch_gives_them_back(line: Line) -> None:
    kept_bill, synced_bill, offline_bill = line.bills[:3]
    sign_in_and_open_shift(line.page)
    kept_id, _ = pay_at_counter(line.page, kept_bill)
    synced_id, _ = pay_at_counter(line.page, synced_bill)
    line.station.syncer.refresh_snapshot()  # the switch's copy lists neither bill now

    line.proxy.cut()
    offline_id, _ = pay_at_counter(line.page, offline_bill)
    for payment_id in (synced_id, offline_id):
        voided = void_at_counter(line.page, payment_id, SUPERVISOR, SUPERVISOR_PASSWORD)
        assert voided.status_code == 200 and 'id="void-pending"' in voided.text, voided.text
    for bill in (synced_bill, offline_bill):  # unpaid again at the counter, still offline
        assert bill.bill_id in line.page.get("/", params={"biller": "ELEC", "ref": bill.meter}).text
    order = [(e.kind.value, e.data.get("payment_id")) for e in line.station.store.journal_entries()]
    assert order.index(("payment", offline_id)) < order.index(("void", offline_id))

    line.proxy.restore()
    wait_until(lambda: line.station.store.pending_count() == 0, "the sync", SYNC_S_MAX)

    def states() -> dict[str, str]:
        return {key: row["state"] for key, row in counter_payments(line.platform).items()}

    wanted = {kept_id: "completed", synced_id: "reversed", offline_id: "reversed"}
    wait_until(lambda: states() == wanted, "the voids at the switch", SYNC_S_MAX)
    assert bill_status(line.platform, kept_bill.bill_id) == "paid"
    assert bill_status(line.platform, synced_bill.bill_id) == "issued"
    assert bill_status(line.platform, offline_bill.bill_id) == "issued"
    assert verify_ledger(line.platform.uow(readonly=True)).balanced
    kept = line.station.store.payment(kept_id)
    assert kept is not None
    shift = last_shift_at_switch(line)
    assert shift["expected_minor"] == shift["opening_float_minor"] + kept.cash_taken_minor
    assert 'id="void-synced"' in line.page.get(f"/receipts/{offline_id}").text

    counted = str(shift["expected_minor"] // 100)  # the drawer as the switch expects it
    line.page.post("/shift/close", data={"counted": counted})
    closed = last_shift_at_switch(line)
    assert (closed["state"], closed["variance_minor"]) == ("closed", 0)  # station agrees

    before = counter_payments(line.platform)
    assert {r["status"] for r in resend_whole_journal(line)} == {"duplicate"}
    assert counter_payments(line.platform) == before
    assert verify_ledger(line.platform.uow(readonly=True)).balanced


def test_a_cashier_alone_cannot_void(line: Line) -> None:
    sign_in_and_open_shift(line.page)
    payment_id, _ = pay_at_counter(line.page, line.bills[0])
    refused = void_at_counter(line.page, payment_id, CASHIER, CASHIER_PASSWORD)
    assert refused.status_code == 403 and "لمشرف الصندوق وحده" in refused.text
    assert "void" not in [e.kind.value for e in line.station.store.journal_entries()]

    payment = line.station.store.payment(payment_id)  # nor by writing the entry herself
    assert payment is not None
    forged = {
        "entry_id": "0b9f6c1e-5d2a-4c3b-8e7f-1a2b3c4d5e6f",
        "kind": "void",
        "at": payment.taken_at.isoformat(),
        "cashier": CASHIER,
        "shift_id": payment.shift_id,
        "data": {"payment_id": payment_id, "reason": "wrong subscriber"},
    }
    answer = httpx.post(
        f"{line.switch_url}/v1/counter/journal",
        headers={"X-Api-Key": COUNTER_KEY},
        json={"entries": [forged], "synced_through": None},
        timeout=30,
    )
    [result] = answer.json()["results"]
    assert (result["status"], result["error"]["code"]) == ("rejected", "ROLE_NOT_ALLOWED")
    assert counter_payments(line.platform)[payment_id]["state"] == "completed"
