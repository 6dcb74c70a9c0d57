"""Conformance cases of payment notices and their status."""

from __future__ import annotations

from typing import Any

from fawtara.biller_api import codes
from fawtara.biller_api.conformance_probe import CaseFailed, answer, refusal
from fawtara.biller_api.conformance_session import Session, new_payment_id
from fawtara.biller_api.schema import BILLS_PER_NOTICE_MAX, NoticeAnswer, PaymentNotice

MALFORMED_BODY = b'{"biller": "'


def notice_is_accepted(session: Session) -> str:
    """A valid NoticeAnswer whose bills are the notice's, and the inquiry shows them paid."""
    notice = session.planned_notice()
    before = session.bills_at_start()
    posted = session.put_notice(session.payment_id, notice)
    expect_matching(notice, posted, session.payment_id)
    after = session.bills_now()
    for bill in posted.bills:
        paid_before = before[bill.bill_id][0]
        if after.get(bill.bill_id) != (paid_before + bill.amount_minor, bill.status):
            raise CaseFailed(
                f"the answer posted {bill.amount_minor} to {bill.bill_id} ({bill.status}),"
                f" the inquiry shows {after.get(bill.bill_id)} (paid before {paid_before})"
            )
    session.answer, session.after_notice = posted, after
    return f"receipt {posted.biller_receipt_id}"


def expect_matching(notice: PaymentNotice, posted: NoticeAnswer, payment_id: str) -> None:
    if posted.payment_id != payment_id:
        raise CaseFailed(f"the answer is for payment {posted.payment_id}, not {payment_id}")
    noticed = sorted(bill.bill_id for bill in notice.bills)
    if sorted(bill.bill_id for bill in posted.bills) != noticed:
        raise CaseFailed(
            f"the answer posts bills {[b.bill_id for b in posted.bills]}, not {noticed}"
        )
    split_minor = sum(bill.amount_minor for bill in posted.bills) + posted.credit_minor
    if split_minor != notice.amount_minor:
        raise CaseFailed(
            f"the bills and credit add up to {split_minor}, the notice paid {notice.amount_minor}"
        )
    if posted.reversed:
        raise CaseFailed("a new posting answers reversed=true")


def a_duplicate_notice_replays_the_answer(session: Session) -> str:
    first = session.answer
    assert first is not None and session.after_notice is not None
    again = session.put_notice(session.payment_id, session.planned_notice())
    if again.biller_receipt_id != first.biller_receipt_id:
        raise CaseFailed(
            f"the same notice again answered receipt {again.biller_receipt_id},"
            f" the first answer was {first.biller_receipt_id}"
        )
    if again != first:
        raise CaseFailed(f"the same notice again answered {again}, the first answer was {first}")
    session.expect_unchanged(session.after_notice, "the same notice was sent again")
    return ""


def a_conflicting_notice_is_refused(session: Session) -> str:
    """The same payment id with another body: 409 PAYMENT_ID_REUSED, the posting untouched."""
    assert session.after_notice is not None
    notice = session.planned_notice()
    other = notice.model_copy(
        update={"channel": "portal" if notice.channel != "portal" else "bank"}
    )
    path = session.notice_path()
    refusal(
        session.probe.call("PUT", path, body=other.model_dump(mode="json")), codes.PAYMENT_ID_REUSED
    )
    if answer(session.probe.call("GET", path), NoticeAnswer) != session.answer:
        raise CaseFailed("after the refused conflict the notice status is not the first answer")
    session.expect_unchanged(session.after_notice, "the conflicting notice was refused")
    return ""


def the_status_of_a_notice_is_its_answer(session: Session) -> str:
    status = answer(session.probe.call("GET", session.notice_path()), NoticeAnswer)
    if status != session.answer:
        raise CaseFailed(f"the status answered {status}, the notice answered {session.answer}")
    return ""


def the_status_of_an_unknown_notice_is_refused(session: Session) -> str:
    refusal(session.probe.call("GET", session.notice_path(new_payment_id())), codes.NOTICE_UNKNOWN)
    return ""


def a_notice_of_a_paid_bill_is_refused(session: Session) -> str:
    """Another payment id for the bills just paid: 409 BILL_ALREADY_PAID, nothing posted."""
    assert session.answer is not None and session.after_notice is not None
    if any(bill.status != "paid" for bill in session.answer.bills):
        return "not applicable: the test payment left a bill open"
    payment_id = new_payment_id()
    session.sent.append(payment_id)
    body = session.planned_notice().model_dump(mode="json")
    refusal(
        session.probe.call("PUT", session.notice_path(payment_id), body=body),
        codes.BILL_ALREADY_PAID,
    )
    session.expect_unchanged(session.after_notice, "a notice of a paid bill was refused")
    return ""


def a_malformed_body_is_refused(session: Session) -> str:
    return _bad_input_is_refused(session, raw=MALFORMED_BODY)


def a_negative_amount_is_refused(session: Session) -> str:
    return _bad_input_is_refused(session, body=_planned_body(session, amount_minor=-1))


def too_many_bills_are_refused(session: Session) -> str:
    bill = session.planned_notice().bills[0].model_dump()
    return _bad_input_is_refused(
        session, body=_planned_body(session, bills=[bill] * (BILLS_PER_NOTICE_MAX + 1))
    )


def _planned_body(session: Session, **changes: Any) -> dict[str, Any]:
    return session.planned_notice().model_dump(mode="json") | changes


def _bad_input_is_refused(
    session: Session, body: dict[str, Any] | None = None, raw: bytes | None = None
) -> str:
    """422 with an ErrorAnswer; the payment id stays unknown and the bills unchanged."""
    payment_id = new_payment_id()
    session.sent.append(payment_id)  # reversed at the end should the biller post it
    path = session.notice_path(payment_id)
    error = refusal(session.probe.call("PUT", path, body=body, raw=raw), 422)
    refusal(session.probe.call("GET", path), codes.NOTICE_UNKNOWN)
    session.expect_unchanged(session.bills_at_start(), "the bad notice was refused")
    return error.code
