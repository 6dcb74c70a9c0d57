"""Counters, staff, sign-in, the journal and the audit, on both engines.

DAM01 (Damascus) and ALP01 (Aleppo); rana and huda work at DAM01 (cashier,
supervisor), omar and sami at ALP01. The bills of tests/support.py are in Damascus.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fawtara.counters.bootstrap import counter_desk, password_hasher
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import CONSOLE, Role, StaffMember
from fawtara.counters.use_cases import staff
from fawtara.counters.use_cases.counter_journal import EntryResult, JournalEntry, apply_journal
from fawtara.counters.use_cases.counters import register_counter, snapshot
from fawtara.kernel import errors, limits
from fawtara.storage import tables as t
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.support import publish_bills

HASHER = password_hasher(cheap=True)
PEOPLE = [
    StaffMember("rana", "رنا", Role.CASHIER, "DAM01"),
    StaffMember("huda", "هدى", Role.SUPERVISOR, "DAM01"),
    StaffMember("omar", "عمر", Role.CASHIER, "ALP01"),
    StaffMember("sami", "سامي", Role.SUPERVISOR, "ALP01"),
    StaffMember("ops", "فريق العمليات", Role.OPERATOR, None),
]


class Counters(Network):
    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        publish_bills(platform, "ELEC", "2026-B5")  # the counters' copy
        for code, governorate in (("DAM01", "Damascus"), ("ALP01", "Aleppo")):
            counter = Counter(code, f"مركز {code}", f"Centre {code}", governorate)
            register_counter(platform.uow_factory(), self.clock, counter, staff.SHELL, "s")
        for member in PEOPLE:
            staff.add_staff(
                platform.uow_factory(), HASHER, self.clock, member, "password-1", staff.SHELL
            )
        self.journal = counter_desk(platform, self.switch)

    def entry(self, kind: str, cashier: str = "rana", shift_id: str | None = None, **data: Any):
        return JournalEntry(str(uuid.uuid4()), kind, self.clock.now(), cashier, shift_id, data)

    def cash_entry(self, shift_id: str, cashier: str = "rana") -> JournalEntry:
        """The cashier takes exactly what the first meter's bill owes, in cash."""
        meter, owed = self.meters[0], self.owed()
        return self.entry(
            "payment",
            cashier,
            shift_id,
            payment_id=str(uuid.uuid4()),
            biller="ELEC",
            customer_ref=meter,
            bill_ids=[self.bill[meter]],
            amount_due_minor=owed,
            cash_taken_minor=owed,
            msisdn=None,
        )

    def push(self, *entries: JournalEntry, counter: str = "DAM01") -> list[EntryResult]:
        return apply_journal(self.journal, counter, entries, None)

    def owed(self) -> int:
        with self.platform.uow(readonly=True) as uow:
            [bill] = uow.bills.get_many([self.bill[self.meters[0]]])
        return bill.outstanding_minor

    def count(self, table: Any) -> int:
        with self.platform.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    def audit_actions(self, counter: str | None = "DAM01") -> list[str]:
        rows = staff.audit_trail(self.platform.uow(readonly=True), staff.SHELL, counter, 100)
        return [row.action for row in reversed(rows)]


@pytest.fixture
def net(platform: Platform) -> Counters:
    return Counters(platform)


def sign_in(net: Counters, username: str, password: str = "password-1", place: str = "DAM01"):
    return staff.sign_in(net.platform.uow_factory(), HASHER, net.clock, username, password, place)


# --- Sign-in ------------------------------------------------------------------------


def test_a_cashier_signs_in_at_their_counter_and_the_session_ends_after_a_day(
    net: Counters,
) -> None:
    session = sign_in(net, "rana")
    assert (session.role, session.counter_code, session.place) == (Role.CASHIER, "DAM01", "DAM01")
    found = staff.session_for(net.platform.uow_factory(), net.clock, session.token)
    assert found.username == "rana"
    net.clock.advance(timedelta(hours=limits.staff_session_hours))
    with pytest.raises(errors.SessionExpired):
        staff.session_for(net.platform.uow_factory(), net.clock, session.token)


def test_signing_out_ends_the_session(net: Counters) -> None:
    session = sign_in(net, "rana")
    staff.sign_out(net.platform.uow_factory(), net.clock, session.token)
    with pytest.raises(errors.Unauthenticated):
        staff.session_for(net.platform.uow_factory(), net.clock, session.token)
    assert net.audit_actions()[-2:] == ["sign_in", "sign_out"]


def test_repeated_wrong_passwords_lock_the_account_until_unlocked(net: Counters) -> None:
    for _ in range(limits.sign_in_failures_max - 1):
        with pytest.raises(errors.SignInFailed):
            sign_in(net, "rana", "wrong-password")
    with pytest.raises(errors.AccountLocked):
        sign_in(net, "rana", "wrong-password")
    with pytest.raises(errors.AccountLocked):
        sign_in(net, "rana")  # even the right password, while locked
    huda = staff.Actor("huda", Role.SUPERVISOR, "DAM01")
    staff.unlock(net.platform.uow_factory(), net.clock, "rana", huda)
    assert sign_in(net, "rana").username == "rana"
    actions = net.audit_actions()
    assert actions.count("sign_in_failed") == limits.sign_in_failures_max - 1
    assert actions[-4:] == ["locked", "sign_in_refused", "unlocked", "sign_in"]


def test_a_lock_ends_by_itself(net: Counters) -> None:
    for _ in range(limits.sign_in_failures_max):
        with pytest.raises(errors.Unauthenticated):  # SignInFailed, then AccountLocked
            sign_in(net, "omar", "wrong-password", "ALP01")
    net.clock.advance(timedelta(minutes=limits.sign_in_lock_minutes))
    assert sign_in(net, "omar", place="ALP01").username == "omar"


def test_an_unknown_username_fails_like_a_wrong_password(net: Counters) -> None:
    with pytest.raises(errors.SignInFailed, match="wrong username or password"):
        sign_in(net, "nobody")


class CountingHasher:
    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return HASHER.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return HASHER.verify(password_hash, password)


def test_an_unknown_username_costs_the_same_hash_check_as_a_known_one(net: Counters) -> None:
    hasher = CountingHasher()
    for username in ("rana", "nobody"):  # a wrong password, then a username that does not exist
        with pytest.raises(errors.SignInFailed):
            staff.sign_in(
                net.platform.uow_factory(), hasher, net.clock, username, "wrong-pass", "DAM01"
            )
    assert hasher.verified == 2  # the time taken does not tell which usernames exist


@pytest.mark.parametrize(
    ("username", "place", "code"),
    [("omar", "DAM01", "NOT_YOUR_COUNTER"), ("rana", CONSOLE, "ROLE_NOT_ALLOWED")],
)
def test_staff_sign_in_only_where_they_work(
    net: Counters, username: str, place: str, code: str
) -> None:
    with pytest.raises(errors.NotAllowed) as refused:
        sign_in(net, username, place=place)
    assert refused.value.code == code


def test_an_operator_signs_in_at_the_console(net: Counters) -> None:
    session = sign_in(net, "ops", place=CONSOLE)
    assert (session.role, session.counter_code) == (Role.OPERATOR, None)


# --- The journal --------------------------------------------------------------------


def open_shift(net: Counters, cashier: str = "rana", float_minor: int = 50_000) -> str:
    shift_id = str(uuid.uuid4())
    entry = net.entry("shift_open", cashier, shift_id, opening_float_minor=float_minor)
    [result] = net.push(entry)
    assert result.status == "applied", result.error
    return shift_id


def test_a_re_sent_entry_changes_nothing_and_gets_the_first_answer(net: Counters) -> None:
    shift_id = str(uuid.uuid4())
    entry = net.entry("shift_open", "rana", shift_id, opening_float_minor=50_000)
    first, again = net.push(entry, entry)
    assert (first.status, again.status) == ("applied", "duplicate")
    assert again.shift == first.shift and first.shift is not None
    assert first.shift["state"] == "open"
    assert net.count(t.shifts) == 1
    changed = JournalEntry(
        entry.entry_id, entry.kind, entry.at, "rana", shift_id, {"opening_float_minor": 1}
    )
    [reused] = net.push(changed)
    assert reused.status == "rejected" and reused.error is not None
    assert reused.error["code"] == "JOURNAL_ENTRY_REUSED"


def test_an_entry_of_another_counters_cashier_is_rejected_and_changes_nothing(
    net: Counters,
) -> None:
    entry = net.entry("shift_open", "omar", str(uuid.uuid4()), opening_float_minor=50_000)
    [result] = net.push(entry)  # pushed by DAM01's station
    assert result.status == "rejected" and result.error is not None
    assert result.error["code"] == "NOT_YOUR_COUNTER"
    assert net.count(t.shifts) == 0
    assert net.audit_actions()[-1] == "shift_open_rejected"
    [again] = net.push(entry)
    assert (again.status, again.error) == ("rejected", result.error)


def test_a_cash_payment_entry_pays_once_however_often_it_is_sent(net: Counters) -> None:
    shift_id = open_shift(net)
    payment = net.cash_entry(shift_id)
    first, again = net.push(payment, payment)
    assert first.status == "applied", first.error
    assert again.status == "duplicate" and again.outcome == first.outcome
    assert first.outcome is not None and first.outcome["state"] == "completed"
    assert net.count(t.payments) == 1 and net.owed() == 0
    assert "payment" in net.audit_actions()


def test_a_cashier_pays_only_into_their_own_open_shift(net: Counters) -> None:
    shift_id = open_shift(net, "huda")
    entry = net.entry("payment", "rana", shift_id, payment_id=str(uuid.uuid4()))
    [result] = net.push(entry)
    assert result.error is not None and result.error["code"] == "NOT_YOUR_SHIFT"
    assert net.count(t.payments) == 0


def test_a_close_with_a_variance_waits_for_a_supervisor_of_the_same_counter(
    net: Counters,
) -> None:
    shift_id = open_shift(net, float_minor=50_000)
    [closed] = net.push(net.entry("shift_close", "rana", shift_id, counted_minor=49_000))
    assert closed.shift is not None
    assert closed.shift["state"] == "awaiting_approval"
    assert (closed.shift["expected_minor"], closed.shift["variance_minor"]) == (50_000, -1_000)
    by_cashier, by_other_counter, by_supervisor = net.push(
        net.entry("close_approved", "rana", shift_id, approved_by="rana"),
        net.entry("close_approved", "sami", shift_id, approved_by="sami"),
        net.entry("close_approved", "huda", shift_id, approved_by="huda"),
    )
    assert by_cashier.error is not None and by_cashier.error["code"] == "ROLE_NOT_ALLOWED"
    assert by_other_counter.error is not None
    assert by_other_counter.error["code"] == "NOT_YOUR_COUNTER"
    assert by_supervisor.shift is not None and by_supervisor.shift["state"] == "approved"
    assert by_supervisor.shift["approved_by"] == "huda"


def test_a_supervisor_does_not_approve_their_own_close(net: Counters) -> None:
    shift_id = open_shift(net, "huda", float_minor=0)
    net.push(net.entry("shift_close", "huda", shift_id, counted_minor=500))
    [result] = net.push(net.entry("close_approved", "huda", shift_id, approved_by="huda"))
    assert result.error is not None and result.error["code"] == "SELF_APPROVAL"


def test_a_balanced_close_is_closed_and_every_step_is_audited(net: Counters) -> None:
    shift_id = open_shift(net, float_minor=20_000)
    [closed] = net.push(net.entry("shift_close", "rana", shift_id, counted_minor=20_000))
    assert closed.shift is not None and closed.shift["state"] == "closed"
    with net.platform.engine.connect() as connection:
        row = connection.execute(
            select(t.audit_log).where(t.audit_log.c.action == "shift_close")
        ).one()
    assert (row.actor, row.role, row.counter_code, row.governorate) == (
        "rana",
        "cashier",
        "DAM01",
        "Damascus",
    )


def test_synced_through_marks_every_counter_biller(net: Counters) -> None:
    apply_journal(net.journal, "DAM01", [], net.clock.now())
    with net.platform.engine.connect() as connection:
        marks = connection.execute(select(t.counter_sync_marks.c.biller_code)).scalars().all()
    assert marks == ["ELEC"]  # STE does not take cash at counters


def test_the_snapshot_holds_the_unpaid_bills_of_the_counters_governorate(net: Counters) -> None:
    first = snapshot(net.platform.uow(readonly=True), net.clock, "DAM01", None, 2)
    assert [m.username for m, _ in first.cashiers] == ["huda", "rana"]
    assert [b.code for b in first.billers] == ["ELEC"]
    assert len(first.bills) == 2 and first.next_after == first.bills[-1].bill_id
    rest = snapshot(net.platform.uow(readonly=True), net.clock, "DAM01", first.next_after, 2)
    assert len(rest.bills) == 1 and rest.next_after is None and rest.cashiers == []
    aleppo = snapshot(net.platform.uow(readonly=True), net.clock, "ALP01", None, 10)
    assert aleppo.bills == []
