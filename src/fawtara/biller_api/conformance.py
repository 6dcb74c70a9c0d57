"""The conformance kit: does a biller's online API keep the Biller API v1 contract?

`run_conformance` runs named cases, in order, against a biller over an
`httpx.Client` and returns one `CaseResult` each. It pays open bills of a test
customer (the fixture, or the oldest open bill an inquiry shows) and reverses
that payment before it ends, so it leaves the biller's data as it found it
(the last case checks so). A case whose prerequisite failed is not run and is
reported failed, naming the prerequisite. Every call must answer within
`timeout_s` (a timeout fails the case it is in), and every answer is
validated with the schema models. `fawtara biller-check` prints the results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from fawtara.biller_api import conformance_inquiry as inquiry
from fawtara.biller_api import conformance_notices as notices
from fawtara.biller_api import conformance_reversals as reversals
from fawtara.biller_api.conformance_probe import CaseFailed, Probe
from fawtara.biller_api.conformance_session import Fixture, Session

__all__ = [
    "CASES",
    "TIMEOUT_S_DEFAULT",
    "TIMEOUT_S_MAX",
    "CaseResult",
    "Fixture",
    "run_conformance",
]

TIMEOUT_S_DEFAULT = 2.0
TIMEOUT_S_MAX = 60.0  # a switch waiting longer than this for a biller is not online


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    check: Callable[[Session], str]  # the detail of a pass; raises CaseFailed
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    passed: bool
    detail: str
    duration_ms: int


INQUIRY = "inquiry"
NOTICE = "notice-accepted"
REVERSAL = "reversal-reopens-bills"

CASES: tuple[Case, ...] = (
    Case(INQUIRY, inquiry.inquiry_answers_the_customer),
    Case("inquiry-unknown-customer", inquiry.inquiry_of_an_unknown_customer_is_refused),
    Case("inquiry-unknown-biller", inquiry.inquiry_of_an_unknown_biller_is_refused),
    Case("auth-missing-key", inquiry.a_missing_key_is_refused),
    Case("auth-wrong-key", inquiry.a_wrong_key_is_refused),
    Case("status-unknown-notice", notices.the_status_of_an_unknown_notice_is_refused),
    Case("bad-input-malformed-body", notices.a_malformed_body_is_refused, (INQUIRY,)),
    Case("bad-input-negative-amount", notices.a_negative_amount_is_refused, (INQUIRY,)),
    Case("bad-input-too-many-bills", notices.too_many_bills_are_refused, (INQUIRY,)),
    Case(NOTICE, notices.notice_is_accepted, (INQUIRY,)),
    Case("notice-duplicate-replayed", notices.a_duplicate_notice_replays_the_answer, (NOTICE,)),
    Case("notice-conflict-refused", notices.a_conflicting_notice_is_refused, (NOTICE,)),
    Case("status-known-notice", notices.the_status_of_a_notice_is_its_answer, (NOTICE,)),
    Case("notice-paid-bill-refused", notices.a_notice_of_a_paid_bill_is_refused, (NOTICE,)),
    Case(REVERSAL, reversals.a_reversal_reopens_the_bills, (NOTICE,)),
    Case("reversal-repeated", reversals.a_second_reversal_is_not_an_error, (REVERSAL,)),
    Case("status-after-reversal", reversals.the_status_shows_the_reversal, (REVERSAL,)),
    Case("reversal-unknown-notice", reversals.a_reversal_of_an_unknown_notice_is_not_an_error),
    Case("auth-wrong-key-notice", inquiry.a_notice_with_a_wrong_key_is_refused, (INQUIRY,)),
    Case("data-left-as-found", reversals.the_data_is_left_as_found, (INQUIRY,)),
)


def run_conformance(
    client: httpx.Client,
    biller: str,
    api_key: str,
    fixture: Fixture,
    timeout_s: float = TIMEOUT_S_DEFAULT,
) -> list[CaseResult]:
    """Every case, in order, against the biller that `client` reaches (its base_url)."""
    assert 0 < timeout_s <= TIMEOUT_S_MAX, f"timeout_s {timeout_s} out of (0, {TIMEOUT_S_MAX}]"
    session = Session(Probe(client, api_key, timeout_s), biller, fixture)
    results: list[CaseResult] = []
    for case in CASES:
        results.append(run_case(case, session, {r.name for r in results if r.passed}))
    return results


def run_case(case: Case, session: Session, passed: set[str]) -> CaseResult:
    missing = [name for name in case.needs if name not in passed]
    if missing:
        return CaseResult(case.name, False, f"not run: needs {', '.join(missing)}", 0)
    started = time.perf_counter()
    try:
        detail, ok = case.check(session), True
    except CaseFailed as failure:
        detail, ok = str(failure), False
    duration_ms = round((time.perf_counter() - started) * 1000)
    return CaseResult(case.name, ok, detail, duration_ms)
