"""The conformance kit over a real socket against the simulated biller, right and wrong.

A correct biller passes every case; each fault of the simulator fails exactly
the cases that catch it, and the kit leaves the biller's bills as it found
them whatever the fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from fawtara.biller_api.conformance import CASES, CaseResult, Fixture, run_conformance
from fawtara.simulators.biller.faults import Fault
from fawtara.simulators.biller.seed import API_KEY_DEFAULT, BILLER_DEFAULT
from fawtara.simulators.biller.server import build_biller_app
from fawtara.simulators.biller.store import BillerStore
from tests.biller_sim_support import serving

TIMEOUT_S = 0.5
SLOW_S = 1.0  # past the bound, short enough for a test
CUSTOMER = "100001"
NOTICE_DEPENDENTS = {
    "notice-duplicate-replayed",
    "notice-conflict-refused",
    "status-known-notice",
    "notice-paid-bill-refused",
    "reversal-reopens-bills",
    "reversal-repeated",
    "status-after-reversal",
}

EXPECTED_FAILURES = {
    Fault.DUPLICATE_NOT_IDEMPOTENT: {"notice-duplicate-replayed"},
    Fault.ACCEPTS_CONFLICT: {"notice-conflict-refused"},
    Fault.NO_AUTH: {"auth-missing-key", "auth-wrong-key", "auth-wrong-key-notice"},
    Fault.SLOW: {"notice-accepted", *NOTICE_DEPENDENTS},
}


@contextmanager
def simulated_biller(fault: Fault = Fault.NONE) -> Iterator[Biller]:
    app, store = build_biller_app(fault, slow_s=SLOW_S)
    with serving(app) as url:
        yield Biller(store, url)


@dataclass(frozen=True)
class Biller:
    store: BillerStore
    url: str

    def bills_of(self, customer_ref: str) -> list[tuple[str, int, str]]:
        found = self.store.inquiry(customer_ref)
        return [(bill.bill_id, bill.paid_minor, bill.status) for bill in found.bills]


def check(biller: Biller, fixture: Fixture | None = None) -> list[CaseResult]:
    with httpx.Client(base_url=biller.url) as client:
        return run_conformance(
            client, BILLER_DEFAULT, API_KEY_DEFAULT, fixture or Fixture(CUSTOMER), TIMEOUT_S
        )


def failed(results: list[CaseResult]) -> dict[str, str]:
    return {result.name: result.detail for result in results if not result.passed}


@pytest.fixture
def biller() -> Iterator[Biller]:
    with simulated_biller() as correct:
        yield correct


def test_a_correct_biller_passes_every_case_and_keeps_its_bills(biller: Biller) -> None:
    before = biller.bills_of(CUSTOMER)
    results = check(biller)
    assert [result.name for result in results] == [case.name for case in CASES]
    assert failed(results) == {}
    assert biller.bills_of(CUSTOMER) == before


@pytest.mark.parametrize("fault", list(EXPECTED_FAILURES), ids=lambda fault: fault.value)
def test_each_fault_fails_the_cases_that_catch_it_and_the_bills_are_kept(fault: Fault) -> None:
    with simulated_biller(fault) as wrong:
        before = wrong.bills_of(CUSTOMER)
        results = check(wrong)
        assert set(failed(results)) == EXPECTED_FAILURES[fault]
        assert wrong.bills_of(CUSTOMER) == before  # the kit reversed what it paid


@pytest.mark.parametrize(
    ("fault", "case", "words"),
    [
        (Fault.DUPLICATE_NOT_IDEMPOTENT, "notice-duplicate-replayed", "the first answer was"),
        (Fault.ACCEPTS_CONFLICT, "notice-conflict-refused", "expected 409 PAYMENT_ID_REUSED"),
        (Fault.NO_AUTH, "auth-wrong-key", "answered HTTP 200, expected 401 UNAUTHENTICATED"),
        (Fault.SLOW, "notice-accepted", f"no answer within {TIMEOUT_S * 1000:.0f} ms"),
    ],
    ids=["duplicate", "conflict", "no-auth", "slow"],
)
def test_a_failure_says_what_was_wrong(fault: Fault, case: str, words: str) -> None:
    with simulated_biller(fault) as wrong:
        assert words in failed(check(wrong))[case]


def test_a_case_whose_prerequisite_failed_is_reported_not_run() -> None:
    with simulated_biller(Fault.SLOW) as slow:
        failures = failed(check(slow))
    assert failures["reversal-repeated"] == "not run: needs reversal-reopens-bills"
    assert failures["notice-duplicate-replayed"] == "not run: needs notice-accepted"


def test_a_fixture_may_name_the_bills_to_pay(biller: Biller) -> None:
    newest = biller.store.inquiry(CUSTOMER).bills[0].bill_id
    assert failed(check(biller, Fixture(CUSTOMER, (newest,)))) == {}


def test_a_fixture_bill_that_is_not_open_fails_the_notice_case(
    biller: Biller,
) -> None:
    failures = failed(check(biller, Fixture("100002", ("100002-2026-B1",))))
    assert "not open on inquiry" in failures["notice-accepted"]
    assert set(failures) == {
        "notice-accepted",
        "bad-input-negative-amount",
        "bad-input-too-many-bills",
        "auth-wrong-key-notice",
        *NOTICE_DEPENDENTS,
    }


def test_a_customer_with_nothing_open_cannot_be_the_test_customer(
    biller: Biller,
) -> None:
    failures = failed(check(biller, Fixture("100003")))
    assert failures["notice-accepted"] == "customer 100003 has no open bill to pay"
