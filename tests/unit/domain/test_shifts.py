"""A shift's close and approval (counters/domain/shifts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fawtara.counters.domain.shifts import Shift, ShiftCash, ShiftState, expected_minor
from fawtara.kernel import errors

OPENED = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
CLOSED = OPENED + timedelta(hours=8)
CASH = ShiftCash(payments=3, cash_taken_minor=900_000, voided_minor=100_000)


def shift() -> Shift:
    return Shift("s-1", "DAM01", "rana", OPENED, opening_float_minor=50_000)


def test_expected_is_float_plus_taken_minus_voided() -> None:
    assert expected_minor(50_000, CASH) == 850_000


def test_refunds_handed_over_from_the_drawer_are_not_expected_in_it() -> None:
    paid_out = ShiftCash(3, 900_000, 100_000, refunds_paid_minor=320_000)
    assert expected_minor(50_000, paid_out) == 850_000 - 320_000
    closed = shift().close(530_000, paid_out, CLOSED)
    assert (closed.state, closed.variance_minor) == (ShiftState.CLOSED, 0)


def test_a_close_that_counts_what_was_expected_is_closed() -> None:
    closed = shift().close(850_000, CASH, CLOSED)
    assert closed.state is ShiftState.CLOSED
    assert (closed.expected_minor, closed.variance_minor, closed.closed_at) == (850_000, 0, CLOSED)


@pytest.mark.parametrize(("counted", "variance"), [(849_000, -1_000), (852_500, 2_500)])
def test_a_close_with_a_variance_waits_for_approval(counted: int, variance: int) -> None:
    closed = shift().close(counted, CASH, CLOSED)
    assert closed.state is ShiftState.AWAITING_APPROVAL
    assert closed.variance_minor == variance
    approved = closed.approve("huda", CLOSED)
    assert (approved.state, approved.approved_by) == (ShiftState.APPROVED, "huda")


def test_nobody_approves_their_own_shift() -> None:
    closed = shift().close(1, CASH, CLOSED)
    with pytest.raises(errors.SelfApproval):
        closed.approve("rana", CLOSED)


def test_only_a_close_with_a_variance_can_be_approved() -> None:
    with pytest.raises(errors.ShiftNotAwaitingApproval):
        shift().approve("huda", CLOSED)
    with pytest.raises(errors.ShiftNotAwaitingApproval):
        shift().close(850_000, CASH, CLOSED).approve("huda", CLOSED)


def test_a_shift_closes_once() -> None:
    closed = shift().close(850_000, CASH, CLOSED)
    with pytest.raises(errors.ShiftNotOpen):
        closed.close(850_000, CASH, CLOSED)


@pytest.mark.parametrize("amount", [-1, 10**16])
def test_amounts_are_bounded(amount: int) -> None:
    with pytest.raises(errors.InvalidAmount):
        shift().close(amount, CASH, CLOSED)
    with pytest.raises(errors.InvalidAmount):
        Shift("s-2", "DAM01", "rana", OPENED, opening_float_minor=amount)
