"""Who may do what where (counters/domain/staff.py): the whole permission table, lockout,
sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fawtara.counters.domain.staff import (
    Action,
    Role,
    StaffMember,
    allowed,
    check,
    check_session_live,
    session_expires_at,
)
from fawtara.kernel import errors, limits

C, S, A, OP = Role.CASHIER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.OPERATOR
NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)

# (action, roles allowed at their own counter, roles allowed at any counter)
TABLE = [
    (Action.SIGN_IN, {C, S}, set()),
    (Action.OPEN_SHIFT, {C, S}, set()),
    (Action.TAKE_PAYMENT, {C, S}, set()),
    (Action.CLOSE_SHIFT, {C, S}, set()),
    (Action.VOID_PAYMENT, {S}, set()),
    (Action.PAY_REFUND, {C, S}, set()),  # at the counter where the cash is handed over
    (Action.APPROVE_CLOSE, {S}, set()),
    (Action.VIEW_SHIFT, {C, S, A, OP}, {A, OP}),
    (Action.UNLOCK_STAFF, {S, A}, {A}),
    (Action.MANAGE_STAFF, {A}, {A}),
    (Action.MANAGE_COUNTERS, {A}, {A}),
    (Action.VIEW_AUDIT, {S, A, OP}, {A, OP}),
    (Action.VIEW_CONSOLE, {A, OP}, {A, OP}),
]
CASES = [
    (action, role, own, role in (at_own if own else anywhere))
    for action, at_own, anywhere in TABLE
    for role in Role
    for own in (True, False)
]


def test_the_table_covers_every_action() -> None:
    assert {row[0] for row in TABLE} == set(Action)


@pytest.mark.parametrize(
    ("action", "role", "own_counter", "expected"),
    CASES,
    ids=[f"{a.value}-{r.value}-{'own' if o else 'other'}" for a, r, o, _ in CASES],
)
def test_role_action_and_counter_decide_what_is_allowed(
    action: Action, role: Role, own_counter: bool, expected: bool
) -> None:
    assert allowed(role, action, own_counter) is expected
    if expected:
        check(role, action, own_counter)
    else:
        with pytest.raises(errors.NotAllowed) as refused:
            check(role, action, own_counter)
        own_only = not own_counter and allowed(role, action, True)
        assert refused.value.code == ("NOT_YOUR_COUNTER" if own_only else "ROLE_NOT_ALLOWED")


def cashier(username: str = "rana") -> StaffMember:
    return StaffMember(username, "رنا", Role.CASHIER, "DAM01")


def test_the_last_allowed_failure_locks_the_account_for_a_while() -> None:
    member = cashier()
    for _ in range(limits.sign_in_failures_max - 1):
        member = member.after_failure(NOW)
        assert not member.locked_at(NOW)
    member = member.after_failure(NOW)
    assert member.locked_at(NOW)
    with pytest.raises(errors.AccountLocked):
        member.check_not_locked(NOW)
    later = NOW + timedelta(minutes=limits.sign_in_lock_minutes)
    assert not member.locked_at(later) and member.failed_attempts == 0
    assert not member.unlocked().locked_at(NOW)


def test_a_success_clears_the_count_of_failures() -> None:
    assert cashier().after_failure(NOW).after_success().failed_attempts == 0


@pytest.mark.parametrize(
    ("role", "counter"),
    [(Role.CASHIER, None), (Role.SUPERVISOR, None), (Role.OPERATOR, "DAM01")],
)
def test_counter_staff_have_a_counter_and_the_others_none(role: Role, counter: str | None) -> None:
    with pytest.raises(errors.ValidationError):
        StaffMember("someone", "اسم", role, counter)


@pytest.mark.parametrize("username", ["R", "Rana", "1rana", "rana smith", "r" * 33])
def test_usernames_are_short_lowercase_words(username: str) -> None:
    with pytest.raises(errors.ValidationError):
        cashier(username=username)


def test_a_session_ends_after_a_working_day() -> None:
    expires_at = session_expires_at(NOW)
    check_session_live(expires_at, expires_at - timedelta(seconds=1))
    with pytest.raises(errors.SessionExpired):
        check_session_live(expires_at, expires_at)
