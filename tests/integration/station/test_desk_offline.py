"""A station that has never reached the switch since its snapshot: the desk works on its own.

Real local store (SQLite file) and a real link to a port where nothing listens,
so every push fails as it does when the line is down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fawtara.counters.adapters.passwords import Argon2PasswordHasher
from fawtara.counters.domain.shifts import ShiftState, expected_minor
from fawtara.kernel import limits
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import (
    AccountLocked,
    BillAlreadyPaid,
    PaymentNotReversible,
    RoleNotAllowed,
    SessionExpired,
    ShiftNotOpen,
    SignInFailed,
    ValidationError,
)
from fawtara.station.counter import CounterDesk
from fawtara.station.link import SwitchLink
from fawtara.station.model import JournalEntry, Kind, LocalVoid
from fawtara.station.store import LocalStore
from fawtara.station.sync import Syncer
from tests.station_support import free_port

HASHER = Argon2PasswordHasher.cheap()
PASSWORDS = {"amal": "amal-password-1", "sami": "sami-password-1"}


def snapshot() -> dict[str, object]:
    roles = {"amal": "cashier", "sami": "supervisor"}
    return {
        "counter": {"code": "DAM01", "name_ar": "مركز هاتف دمشق", "name_en": "Damascus",
                    "governorate": "Damascus"},
        "denominations_minor": [1000, 2500, 5000],
        "as_of": "2026-11-25T08:00:00+00:00",
        "billers": [{"code": "ELEC", "name_ar": "كهرباء دمشق", "name_en": "Damascus Electricity",
                     "payment_rule": "partial"}],
        "cashiers": [
            {"username": name, "name_ar": name, "role": roles[name],
             "password_hash": HASHER.hash(password), "active": True, "locked_until": None}
            for name, password in PASSWORDS.items()
        ],
    }  # fmt: skip


BILLS = [
    {"bill_id": f"ELEC-2026-B5-{n}", "biller": "ELEC", "customer_ref": "1000000008",
     "customer_name_ar": "مشترك", "msisdn": "+963933123456", "period": "2026-B5",
     "amount_due_minor": 59_960 + n, "due_on": "2026-12-01"}
    for n in range(2)
]  # fmt: skip


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def desk(tmp_path: Path, clock: ManualClock) -> Iterator[CounterDesk]:
    store = LocalStore(tmp_path / "station.db")
    with store.write() as writer:
        writer.replace_snapshot(snapshot(), BILLS)
    link = SwitchLink(f"http://127.0.0.1:{free_port()}", "DAM01.secret")  # nobody there
    syncer = Syncer(store, link, clock)
    stop = threading.Event()
    loop = threading.Thread(target=syncer.run, args=(stop,), daemon=True)
    loop.start()
    yield CounterDesk(store, syncer, clock, HASHER.verify)
    stop.set()
    syncer.wake()
    loop.join(timeout=10)
    link.close()


def signed_in(desk: CounterDesk, username: str = "amal") -> object:
    return desk.signed_in(desk.sign_in(username, PASSWORDS[username]))


def test_a_cashier_signs_in_offline_against_the_cached_hash(desk: CounterDesk) -> None:
    member = desk.signed_in(desk.sign_in("AMAL ", "amal-password-1"))
    assert member.username == "amal" and member.counter_code == "DAM01"
    with pytest.raises(SignInFailed):
        desk.sign_in("amal", "wrong-password")
    with pytest.raises(SignInFailed):
        desk.sign_in("nobody", "amal-password-1")


def test_wrong_passwords_lock_the_account_even_offline(desk: CounterDesk) -> None:
    for _ in range(limits.sign_in_failures_max - 1):
        with pytest.raises(SignInFailed):
            desk.sign_in("amal", "wrong-password")
    with pytest.raises(AccountLocked):
        desk.sign_in("amal", "wrong-password")
    with pytest.raises(AccountLocked):
        desk.sign_in("amal", "amal-password-1")  # the right one, too late
    kinds = [entry.kind for entry in desk.store.pending_entries(100)]
    assert kinds == [Kind.SIGN_IN_FAILED] * limits.sign_in_failures_max


def test_a_sign_in_expires(desk: CounterDesk, clock: ManualClock) -> None:
    token = desk.sign_in("amal", "amal-password-1")
    clock.advance(timedelta(hours=limits.staff_session_hours))
    with pytest.raises(SessionExpired):
        desk.signed_in(token)


def test_a_payment_taken_offline_is_journaled_with_its_effect(desk: CounterDesk) -> None:
    member = signed_in(desk)
    with pytest.raises(ShiftNotOpen):
        desk.take_payment(member, desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]]),
                          60_000)  # fmt: skip
    shift = desk.open_shift(member, 50_000)
    quote = desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    assert (quote.amount_due_minor, quote.cash_to_take_minor) == (59_960, 60_000)
    payment_id = desk.take_payment(member, quote, 70_000)

    payment = desk.store.payment(payment_id)
    assert payment is not None and payment.pending_sync and payment.change_minor == 10_000
    assert [b.bill_id for b in desk.store.unpaid_bills("ELEC", "1000000008")] == [
        BILLS[1]["bill_id"]
    ]
    assert desk.store.shift_cash(shift.shift_id).cash_taken_minor == 60_000
    with pytest.raises(BillAlreadyPaid):
        desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    kinds = [entry.kind for entry in desk.store.pending_entries(100)]
    assert kinds == [Kind.SIGN_IN, Kind.SHIFT_OPEN, Kind.PAYMENT]
    assert desk.syncer.status.up is False


def test_a_close_with_a_variance_waits_for_another_supervisor(desk: CounterDesk) -> None:
    member = signed_in(desk)
    desk.open_shift(member, 50_000)
    closed = desk.close_shift(member, 49_000)
    assert closed.state is ShiftState.AWAITING_APPROVAL and closed.variance_minor == -1_000
    with pytest.raises(RoleNotAllowed):
        desk.approve_close(closed.shift_id, "amal", "amal-password-1")
    with pytest.raises(SignInFailed):
        desk.approve_close(closed.shift_id, "sami", "wrong-password")
    approved = desk.approve_close(closed.shift_id, "sami", "sami-password-1")
    assert approved.state is ShiftState.APPROVED and approved.approved_by == "sami"


def test_a_journal_entry_never_outlives_an_effect_that_failed(desk: CounterDesk) -> None:
    entry = JournalEntry("6f1d3c2e-4b1a-4f7e-9a51-0d7a2c9e8b10", Kind.SHIFT_OPEN,
                         datetime(2026, 11, 25, tzinfo=UTC), "amal", None, {})  # fmt: skip
    with pytest.raises(RuntimeError), desk.store.write() as writer:
        writer.append(entry)
        raise RuntimeError("power cut between the entry and its effect")
    assert desk.store.journal_entries() == []


def bill_ids_unpaid(desk: CounterDesk) -> list[str]:
    return [bill.bill_id for bill in desk.store.unpaid_bills("ELEC", "1000000008")]


def void_of(desk: CounterDesk, payment_id: str) -> LocalVoid | None:
    payment = desk.store.payment(payment_id)
    assert payment is not None
    return payment.void


def test_a_supervisor_voids_a_payment_offline_with_its_effect(desk: CounterDesk) -> None:
    member = signed_in(desk)
    shift = desk.open_shift(member, 50_000)
    kept = desk.take_payment(member, desk.quote(member, "ELEC", "1000000008",
                                                [BILLS[1]["bill_id"]]), 60_000)  # fmt: skip
    quote = desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    payment_id = desk.take_payment(member, quote, 70_000)
    assert bill_ids_unpaid(desk) == []

    voided = desk.void_payment(payment_id, " SAMI", "sami-password-1", "  wrong   subscriber ")

    assert voided.void is not None and voided.void.pending_sync
    assert (voided.void.voided_by, voided.void.reason) == ("sami", "wrong subscriber")
    assert bill_ids_unpaid(desk) == [BILLS[0]["bill_id"]]  # unpaid again, here
    cash = desk.store.shift_cash(shift.shift_id)
    assert (cash.payments, cash.voided_minor) == (2, quote.cash_to_take_minor)
    assert expected_minor(50_000, cash) == 50_000 + 60_000  # the kept payment only
    assert void_of(desk, kept) is None
    entries = desk.store.pending_entries(100)
    kinds = [Kind.SIGN_IN, Kind.SHIFT_OPEN, Kind.PAYMENT, Kind.PAYMENT, Kind.VOID]
    assert [entry.kind for entry in entries] == kinds  # the payment goes before its void
    void = entries[-1]
    assert (void.cashier, void.shift_id) == ("sami", shift.shift_id)
    assert void.data == {"payment_id": payment_id, "reason": "wrong subscriber"}

    with pytest.raises(PaymentNotReversible):
        desk.void_payment(payment_id, "sami", "sami-password-1", "again")
    again = desk.take_payment(member, desk.quote(member, "ELEC", "1000000008",
                                                 [BILLS[0]["bill_id"]]), 60_000)  # fmt: skip
    assert again != payment_id and bill_ids_unpaid(desk) == []


def test_only_a_supervisor_voids_and_only_with_a_reason(desk: CounterDesk) -> None:
    member = signed_in(desk)
    desk.open_shift(member, 50_000)
    quote = desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    payment_id = desk.take_payment(member, quote, 60_000)
    with pytest.raises(RoleNotAllowed) as refused:
        desk.void_payment(payment_id, "amal", "amal-password-1", "wrong bill")
    assert "لمشرف الصندوق وحده" in refused.value.message_ar
    with pytest.raises(SignInFailed):
        desk.void_payment(payment_id, "sami", "wrong-password", "wrong bill")
    with pytest.raises(ValidationError):
        desk.void_payment(payment_id, "sami", "sami-password-1", "   ")
    assert Kind.VOID not in [entry.kind for entry in desk.store.journal_entries()]
    assert void_of(desk, payment_id) is None


def test_a_payment_of_a_closed_shift_is_not_voided(desk: CounterDesk) -> None:
    member = signed_in(desk)
    desk.open_shift(member, 50_000)
    quote = desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    payment_id = desk.take_payment(member, quote, 60_000)
    desk.close_shift(member, 110_000)
    with pytest.raises(ShiftNotOpen):
        desk.void_payment(payment_id, "sami", "sami-password-1", "too late")


def test_a_refreshed_snapshot_keeps_the_bills_an_open_shift_may_give_back(
    desk: CounterDesk,
) -> None:
    member = signed_in(desk)
    desk.open_shift(member, 50_000)
    quote = desk.quote(member, "ELEC", "1000000008", [BILLS[0]["bill_id"]])
    payment_id = desk.take_payment(member, quote, 60_000)
    with desk.store.write() as writer:  # the switch has the payment: its bill is gone there
        writer.replace_snapshot(snapshot(), BILLS[1:])
    assert bill_ids_unpaid(desk) == [BILLS[1]["bill_id"]]
    desk.void_payment(payment_id, "sami", "sami-password-1", "wrong bill")
    assert bill_ids_unpaid(desk) == [BILLS[0]["bill_id"], BILLS[1]["bill_id"]]
