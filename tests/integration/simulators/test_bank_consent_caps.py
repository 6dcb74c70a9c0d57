"""The bank simulator's guards on one-time codes: the tries spent on a payment survive
a re-issued code, and per account and hour the bank sends at most 5 codes and takes
at most 10 wrong ones, after which the account's consents are locked for the hour.

The consent functions run on a real BankStore (SQLite) with a clock the test moves;
the codes are caught on their way to the SMSC (the SMS leg has its own tests in
tests/e2e/test_portal_consent_caps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fawtara.kernel.clock import ManualClock
from fawtara.simulators.bank import consent
from fawtara.simulators.bank.consent import (
    LOCKED,
    TOO_MANY_CODES,
    CodeSender,
    ConsentError,
    confirm_consent,
    request_consent,
)
from fawtara.simulators.bank.store import AccountUpdate, BankStore
from fawtara.sms.adapters.config import SmppConfig

ACCOUNT, AMOUNT = "0101-223344-01", 275_000


class CaughtCodes(CodeSender):
    """The codes the bank would text, kept instead of sent."""

    def __init__(self) -> None:
        super().__init__(SmppConfig.from_environment())
        self.codes: list[str] = []

    def send(self, msisdn: str, text: str) -> None:
        self.codes.append(text.rsplit(" ", 1)[-1])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> BankStore:
    bank = BankStore(tmp_path / "bemo.db", "BEMO", clock=clock.now)
    bank.upsert_accounts(
        [AccountUpdate(ACCOUNT, "مشترك", "+963944000001", 1_000_000, None, "active")]
    )
    return bank


@pytest.fixture
def sms() -> CaughtCodes:
    return CaughtCodes()


def ask(store: BankStore, sms: CaughtCodes, payment_id: str) -> str:
    """A code for the payment; the code texted."""
    request_consent(store, sms, payment_id, ACCOUNT, AMOUNT)
    return sms.codes[-1]


def wrong(store: BankStore, payment_id: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ConsentError) as refused:
            confirm_consent(store, payment_id, "not-the-code")
        assert refused.value.status == 403


def refusal(call: Callable[[], object]) -> ConsentError:
    with pytest.raises(ConsentError) as refused:
        call()
    return refused.value


def test_a_reissued_code_keeps_the_tries_spent_on_the_payment(
    store: BankStore, sms: CaughtCodes
) -> None:
    ask(store, sms, "p1")
    wrong(store, "p1", consent.code_attempts_max - 1)
    code = ask(store, sms, "p1")  # a new code, not new tries
    wrong(store, "p1", 1)
    error = refusal(lambda: confirm_consent(store, "p1", code))
    assert error.status == 429 and "too many wrong codes" in error.reason


def test_eleven_wrong_codes_across_reissued_codes_lock_the_account_for_the_hour(
    store: BankStore, sms: CaughtCodes, clock: ManualClock
) -> None:
    last = ask(store, sms, "p3")
    for payment_id in ("p1", "p2"):
        ask(store, sms, payment_id)
        wrong(store, payment_id, consent.code_attempts_max - 1)
        ask(store, sms, payment_id)
        wrong(store, payment_id, 1)
    assert consent.wrong_codes_per_account_hour_max == 10
    # The 11th try is refused even with the right code, and no new code is sent.
    locked = refusal(lambda: confirm_consent(store, "p3", last))
    assert (locked.status, locked.refusal) == (429, LOCKED)
    assert refusal(lambda: ask(store, sms, "p4")).refusal == LOCKED
    assert len(sms.codes) == 5

    clock.advance(timedelta(hours=1, seconds=1))
    confirm_consent(store, "p4", ask(store, sms, "p4"))  # the hour has passed


def test_the_sixth_code_in_an_hour_is_refused_and_not_sent(
    store: BankStore, sms: CaughtCodes, clock: ManualClock
) -> None:
    for number in range(consent.codes_per_account_hour_max):
        ask(store, sms, f"p{number}")
        clock.advance(timedelta(minutes=10))
    error = refusal(lambda: ask(store, sms, "p6"))
    assert (error.status, error.refusal) == (429, TOO_MANY_CODES)
    assert len(sms.codes) == consent.codes_per_account_hour_max

    clock.advance(timedelta(minutes=10, seconds=1))  # the first code is an hour old
    confirm_consent(store, "p6", ask(store, sms, "p6"))


def test_a_code_expires_after_ten_minutes(
    store: BankStore, sms: CaughtCodes, clock: ManualClock
) -> None:
    code = ask(store, sms, "p1")
    clock.advance(timedelta(seconds=consent.code_ttl_s + 1))
    assert refusal(lambda: confirm_consent(store, "p1", code)).status == 410
    confirm_consent(store, "p1", ask(store, sms, "p1"))  # a new code, valid again
