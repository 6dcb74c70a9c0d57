"""Conformance cases of reversals, and the last case: the biller's data left as found."""

from __future__ import annotations

from fawtara.biller_api import paths
from fawtara.biller_api.conformance_probe import CaseFailed, answer
from fawtara.biller_api.conformance_session import Session, differences, new_payment_id
from fawtara.biller_api.schema import NoticeAnswer, ReversalAnswer, ReversalNotice

REVERSAL = ReversalNotice(reason="conformance check: undo the test payment")
# Undoing what the kit paid matters more than speed: cleanup waits longer.
CLEANUP_TIMEOUT_FACTOR = 5
CLEANUP_TIMEOUT_S_MIN = 10.0


def reverse(session: Session, payment_id: str, timeout_s: float | None = None) -> ReversalAnswer:
    path = paths.reversal(session.biller, payment_id)
    body = REVERSAL.model_dump(mode="json")
    reversal = answer(
        session.probe.call("PUT", path, body=body, timeout_s=timeout_s), ReversalAnswer
    )
    if reversal.payment_id != payment_id:
        raise CaseFailed(f"the reversal answers payment {reversal.payment_id}, not {payment_id}")
    return reversal


def a_reversal_reopens_the_bills(session: Session) -> str:
    reversal = reverse(session, session.payment_id)
    if not reversal.reversed:
        raise CaseFailed("the reversal of a posted notice answered reversed=false")
    session.reversed.add(session.payment_id)
    changes = differences(session.bills_at_start(), session.bills_now())
    if changes:
        raise CaseFailed(f"after the reversal the bills are not as before the notice: {changes}")
    return ""


def a_second_reversal_is_not_an_error(session: Session) -> str:
    """Answered 200, reversed=false (nothing left to undo) or the same answer; undone once."""
    reversal = reverse(session, session.payment_id)
    changes = differences(session.bills_at_start(), session.bills_now())
    if changes:
        raise CaseFailed(f"the second reversal changed the bills again: {changes}")
    return f"reversed={str(reversal.reversed).lower()}"


def the_status_shows_the_reversal(session: Session) -> str:
    assert session.answer is not None
    status = answer(session.probe.call("GET", session.notice_path()), NoticeAnswer)
    if not status.reversed:
        raise CaseFailed("the status of a reversed notice answers reversed=false")
    if status.biller_receipt_id != session.answer.biller_receipt_id:
        raise CaseFailed(
            f"the status answers receipt {status.biller_receipt_id},"
            f" the notice answered {session.answer.biller_receipt_id}"
        )
    return ""


def a_reversal_of_an_unknown_notice_is_not_an_error(session: Session) -> str:
    """Nothing was posted under this id (a notice lost on the way): 200, reversed=false."""
    if reverse(session, new_payment_id()).reversed:
        raise CaseFailed("the reversal of a notice never sent answered reversed=true")
    return ""


def the_data_is_left_as_found(session: Session) -> str:
    """Reverse every notice the kit sent that is not reversed yet; the bills are as at start."""
    timeout_s = max(session.probe.timeout_s * CLEANUP_TIMEOUT_FACTOR, CLEANUP_TIMEOUT_S_MIN)
    undone, troubles = 0, []
    for payment_id in session.sent:
        if payment_id in session.reversed:
            continue
        try:
            undone += reverse(session, payment_id, timeout_s).reversed
        except CaseFailed as failure:
            troubles.append(f"reversing {payment_id}: {failure}")
    changes = differences(session.bills_at_start(), session.bills_now())
    if changes:
        troubles.append(f"the bills are not as found: {changes}")
    if troubles:
        raise CaseFailed("; ".join(troubles))
    return f"{undone} more reversed" if undone else ""
