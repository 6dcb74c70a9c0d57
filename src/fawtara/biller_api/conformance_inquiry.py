"""Conformance cases of the inquiry and of authentication."""

from __future__ import annotations

from fawtara.biller_api import codes, paths
from fawtara.biller_api.conformance_probe import CaseFailed, refusal
from fawtara.biller_api.conformance_session import UNKNOWN_BILLER, Session, new_payment_id


def inquiry_answers_the_customer(session: Session) -> str:
    """A valid BillInquiryAnswer for the test customer, bills newest first."""
    found = session.inquire()
    if found.biller != session.biller or found.customer_ref != session.fixture.customer_ref:
        raise CaseFailed(
            f"answered biller {found.biller} customer {found.customer_ref},"
            f" asked {session.biller} customer {session.fixture.customer_ref}"
        )
    issued = [bill.issued_on for bill in found.bills]
    if issued != sorted(issued, reverse=True):
        raise CaseFailed(f"the bills are not newest first (issued on {issued})")
    overpaid = [bill.bill_id for bill in found.bills if bill.paid_minor > bill.amount_minor]
    if overpaid:
        raise CaseFailed(f"bills {overpaid} show more paid than their amount")
    session.found = found
    return f"{len(found.bills)} bills, payment rule {found.payment_rule.kind}"


def inquiry_of_an_unknown_customer_is_refused(session: Session) -> str:
    path = paths.inquiry(session.biller, session.fixture.unknown_customer_ref)
    refusal(session.probe.call("GET", path), codes.UNKNOWN_SERVICE)
    return ""


def inquiry_of_an_unknown_biller_is_refused(session: Session) -> str:
    path = paths.inquiry(UNKNOWN_BILLER, session.fixture.customer_ref)
    refusal(session.probe.call("GET", path), codes.UNKNOWN_BILLER)
    return ""


def a_missing_key_is_refused(session: Session) -> str:
    path = paths.inquiry(session.biller, session.fixture.customer_ref)
    refusal(session.probe.call("GET", path, auth="none"), codes.UNAUTHENTICATED)
    return ""


def a_wrong_key_is_refused(session: Session) -> str:
    path = paths.inquiry(session.biller, session.fixture.customer_ref)
    refusal(session.probe.call("GET", path, auth="wrong"), codes.UNAUTHENTICATED)
    return ""


def a_notice_with_a_wrong_key_is_refused(session: Session) -> str:
    """A valid notice under a wrong key posts nothing."""
    before = session.bills_now()
    payment_id = new_payment_id()
    session.sent.append(payment_id)  # reversed at the end should the biller post it
    body = session.planned_notice().model_dump(mode="json")
    response = session.probe.call("PUT", session.notice_path(payment_id), body=body, auth="wrong")
    refusal(response, codes.UNAUTHENTICATED)
    session.expect_unchanged(before, "a notice with a wrong key was refused")
    return ""
