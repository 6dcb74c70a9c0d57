"""The station's guards: a double submit takes a bill (or opens a shift) once, passwords
typed at the desk lock like a sign-in, the file holds no session token, and figures
leave out what the switch refused.

The offline desk of test_desk_offline.py (conftest.py): a real SQLite file, a link to nowhere.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fawtara.counters.domain.shifts import Shift
from fawtara.counters.domain.staff import Action, StaffMember
from fawtara.kernel import limits
from fawtara.kernel.errors import AccountLocked, BillAlreadyPaid, ShiftAlreadyOpen, SignInFailed
from fawtara.sms.domain.sms import format_amount
from fawtara.station.counter import UNKNOWN_USER_HASH, CounterDesk
from fawtara.station.model import EntryResult, Kind
from fawtara.station.receipts import ReceiptPrinter
from fawtara.station.web import SESSION_COOKIE, create_station_app
from tests.integration.station.test_desk_offline import BILLS, HASHER, PASSWORDS

REF = "1000000008"


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each one's result or the error it raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = calls[n]()
        except Exception as error:  # the test looks at it
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def cashier_with_shift(desk: CounterDesk) -> tuple[StaffMember, Shift]:
    member = desk.signed_in(desk.sign_in("amal", PASSWORDS["amal"]))
    return member, desk.open_shift(member, 50_000)


def payment_entries(desk: CounterDesk) -> list[str]:
    return [e.data["payment_id"] for e in desk.store.journal_entries() if e.kind is Kind.PAYMENT]


def test_two_payments_of_one_bill_at_once_take_it_once(desk: CounterDesk) -> None:
    member, shift = cashier_with_shift(desk)
    bill = [BILLS[0]["bill_id"]]
    first, second = (desk.quote(member, "ELEC", REF, bill) for _ in range(2))  # both quoted
    results = at_once(
        lambda: desk.take_payment(member, first, 60_000),
        lambda: desk.take_payment(member, second, 60_000),
    )
    taken = [r for r in results if isinstance(r, str)]
    assert len(taken) == 1 and sum(isinstance(r, BillAlreadyPaid) for r in results) == 1
    assert payment_entries(desk) == taken
    assert desk.store.shift_cash(shift.shift_id).cash_taken_minor == 60_000


def test_one_quote_submitted_twice_at_once_is_one_payment(desk: CounterDesk) -> None:
    member, _shift = cashier_with_shift(desk)
    quote = desk.quote(member, "ELEC", REF, [BILLS[0]["bill_id"]])
    results = at_once(*[lambda: desk.take_payment(member, quote, 60_000)] * 2)
    assert results == [quote.payment_id, quote.payment_id]
    assert payment_entries(desk) == [quote.payment_id]


def test_a_shift_opened_twice_at_once_is_one_shift(desk: CounterDesk) -> None:
    member = desk.signed_in(desk.sign_in("amal", PASSWORDS["amal"]))
    results = at_once(*[lambda: desk.open_shift(member, 50_000)] * 2)
    assert sum(isinstance(r, Shift) for r in results) == 1
    assert sum(isinstance(r, ShiftAlreadyOpen) for r in results) == 1
    kinds = [entry.kind for entry in desk.store.journal_entries()]
    assert kinds.count(Kind.SHIFT_OPEN) == 1


def test_the_file_itself_refuses_a_second_live_payment_of_a_bill_or_a_second_shift(
    desk: CounterDesk,
) -> None:
    member, shift = cashier_with_shift(desk)
    payment_id = desk.take_payment(member, desk.quote(member, "ELEC", REF, [BILLS[0]["bill_id"]]),
                                   60_000)  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError), desk.store.write() as writer:
        writer.db.execute(
            "INSERT INTO payment_bills VALUES (?, ?)", (BILLS[0]["bill_id"], payment_id)
        )
    with pytest.raises(sqlite3.IntegrityError), desk.store.write() as writer:
        writer.open_shift(Shift("another", "DAM01", member.username, shift.opened_at, 0))


def test_the_quote_page_carries_the_payment_id_and_a_second_post_gets_the_same_receipt(
    desk: CounterDesk, tmp_path: Path
) -> None:
    app = create_station_app(desk, desk.syncer, ReceiptPrinter(tmp_path, "DAM01", dict))
    with TestClient(app) as page:
        signed = page.post("/signin", data={"username": "amal", "password": PASSWORDS["amal"]})
        assert signed.status_code == 200 and page.cookies.get(SESSION_COOKIE)
        page.post("/shift/open", data={"opening_float": "500"})
        page.post("/shift/open", data={"opening_float": "500"})  # the double click
        assert len([e for e in desk.store.journal_entries() if e.kind is Kind.SHIFT_OPEN]) == 1
        form = {"biller": "ELEC", "ref": REF, "bill_id": [BILLS[0]["bill_id"]]}
        quote = page.post("/quote", data=form)
        found = re.search(r'name="payment_id" value="([0-9a-f-]{36})"', quote.text)
        assert found is not None, quote.text
        sent = {**form, "payment_id": found[1], "cash_received": "600"}
        first = page.post("/pay", data=sent, follow_redirects=False)
        again = page.post("/pay", data=sent, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] == f"/receipts/{found[1]}"
    assert payment_entries(desk) == [found[1]]


def test_a_supervisor_password_typed_at_the_desk_locks_and_is_journalled(
    desk: CounterDesk,
) -> None:
    member, _shift = cashier_with_shift(desk)
    payment_id = desk.take_payment(member, desk.quote(member, "ELEC", REF, [BILLS[0]["bill_id"]]),
                                   60_000)  # fmt: skip
    for _ in range(limits.sign_in_failures_max - 1):
        with pytest.raises(SignInFailed):
            desk.void_payment(payment_id, "sami", "guess", "wrong bill")
    with pytest.raises(AccountLocked):
        desk.void_payment(payment_id, "sami", "guess", "wrong bill")
    with pytest.raises(AccountLocked):
        desk.void_payment(payment_id, "sami", PASSWORDS["sami"], "wrong bill")  # too late
    with pytest.raises(AccountLocked):
        desk.sign_in("sami", PASSWORDS["sami"])  # the same lock as a sign-in
    failed = [e for e in desk.store.journal_entries() if e.kind is Kind.SIGN_IN_FAILED]
    assert len(failed) == limits.sign_in_failures_max
    assert {(e.cashier, e.data["action"]) for e in failed} == {("sami", "void_payment")}


def test_an_unknown_name_costs_a_password_check_as_a_known_one(desk: CounterDesk) -> None:
    checked: list[str] = []

    def matches(stored: str, typed: str) -> bool:
        checked.append(stored)
        return HASHER.verify(stored, typed)

    watched = CounterDesk(desk.store, desk.syncer, desk.clock, matches)
    for name in ("nobody", "amal"):
        with pytest.raises(SignInFailed):
            watched.sign_in(name, "a-guess")
    assert len(checked) == 2 and checked[0] == UNKNOWN_USER_HASH
    with pytest.raises(SignInFailed):
        watched.supervisor_at_desk("nobody", "a-guess", Action.APPROVE_CLOSE)
    assert checked[2] == UNKNOWN_USER_HASH


def test_the_station_keeps_only_a_hash_of_each_session_token(desk: CounterDesk) -> None:
    token = desk.sign_in("amal", PASSWORDS["amal"])
    assert token.encode() not in Path(desk.store.path).read_bytes()
    db = sqlite3.connect(desk.store.path)
    try:
        stored = [row[0] for row in db.execute("SELECT token_sha256 FROM session_hashes")]
    finally:
        db.close()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert desk.signed_in(token).username == "amal"


def test_the_expected_cash_leaves_out_a_payment_the_switch_refused(desk: CounterDesk) -> None:
    member, shift = cashier_with_shift(desk)
    quote = desk.quote(member, "ELEC", REF, [BILLS[0]["bill_id"]])
    payment = desk.store.payment(desk.take_payment(member, quote, 60_000))
    assert payment is not None
    error = {"code": "CHANNEL_NOT_ACCEPTED"}
    refused = EntryResult(payment.entry_id, "rejected", error, None, None)
    with desk.store.write() as writer:
        writer.record_result(refused, desk.clock.now())
    cash = desk.store.shift_cash(shift.shift_id)
    assert (cash.payments, cash.cash_taken_minor) == (0, 0)


def test_the_close_page_says_when_the_switch_counts_otherwise(
    desk: CounterDesk, tmp_path: Path
) -> None:
    member, shift = cashier_with_shift(desk)
    opened = next(e for e in desk.store.journal_entries() if e.kind is Kind.SHIFT_OPEN)
    view = {"shift_id": shift.shift_id, "state": "open", "expected_minor": 110_000}
    with desk.store.write() as writer:  # the switch counts a payment this station never took
        answer = EntryResult(opened.entry_id, "applied", None, None, view)
        writer.record_result(answer, shift.opened_at)
    app = create_station_app(desk, desk.syncer, ReceiptPrinter(tmp_path, "DAM01", dict))
    with TestClient(app) as page:
        page.post("/signin", data={"username": "amal", "password": PASSWORDS["amal"]})
        close = page.get("/shift/close").text
    assert 'id="figures-differ"' in close
    assert all(format_amount(n, "SYP", "ar") in close for n in (110_000, 50_000))
    assert desk.close_shift(member, 50_000).expected_minor == 50_000
