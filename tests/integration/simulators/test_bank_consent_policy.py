"""The bank simulator's consent policies, third-party above all: open banking's rule
that a debit a third party initiates needs the holder's consent at the bank, while
the bank's own app authenticated the holder itself.

Driven through the real simulator process and `HttpBankGateway` (the initiator
crosses the wire in the pain.001); the policy is set through the admin API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest

from fawtara.banks.adapters.http_gateway import HttpBankGateway
from fawtara.banks.domain.banking import BankStatus
from fawtara.simulators.bank.consent import POLICIES, ConsentPolicy
from tests.integration.simulators.test_bank_simulator import (
    BANK,
    balance,
    bank_url,
    debit,
    gateway,
    open_account,
)

__all__ = ["bank_url", "gateway"]  # the module's simulator and gateway fixtures

PORTAL_INITIATED = {"initiator": "PORTAL"}


@pytest.fixture
def third_party_policy(bank_url: str) -> Iterator[None]:
    policy = {"every_account": False, "third_party": True}
    assert httpx.post(f"{bank_url}/admin/consent-policy", json=policy).json() == {
        **policy,
        "accounts": [],
    }
    yield
    off = {"every_account": False, "third_party": False}
    httpx.post(f"{bank_url}/admin/consent-policy", json=off).raise_for_status()


@pytest.mark.usefixtures("third_party_policy")
@pytest.mark.parametrize("initiator", ["PORTAL", None])
def test_a_third_party_debit_without_consent_is_refused_md01(
    bank_url: str, gateway: HttpBankGateway, initiator: str | None
) -> None:
    account = open_account(bank_url, 1_000_000)
    answer = gateway.debit(dataclasses.replace(debit(account, 250_000), initiator=initiator))
    assert (answer.status, answer.reason_code) == (BankStatus.REJECTED, "MD01")
    assert answer.error_code == "CONSENT_MISSING"
    assert balance(bank_url, account) == 1_000_000


@pytest.mark.usefixtures("third_party_policy")
def test_the_banks_own_debit_needs_no_consent(bank_url: str, gateway: HttpBankGateway) -> None:
    account = open_account(bank_url, 1_000_000)
    answer = gateway.debit(dataclasses.replace(debit(account, 250_000), initiator=BANK))
    assert answer.status is BankStatus.ACCEPTED
    assert balance(bank_url, account) == 750_000


def test_with_the_policy_off_a_third_party_debit_goes_through(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 1_000_000)
    answer = gateway.debit(dataclasses.replace(debit(account, 250_000), **PORTAL_INITIATED))
    assert answer.status is BankStatus.ACCEPTED


@pytest.mark.parametrize(
    ("policy", "initiator", "listed", "required"),
    [
        ("off", "PORTAL", False, False),
        ("off", "PORTAL", True, True),
        ("all", BANK, False, True),
        ("all", "PORTAL", False, True),
        ("third-party", "PORTAL", False, True),
        ("third-party", None, False, True),
        ("third-party", "OTHERBANK", False, True),
        ("third-party", BANK, False, False),
        ("third-party", BANK, True, True),
    ],
)
def test_which_debits_each_policy_wants_a_consent_for(
    policy: str, initiator: str | None, listed: bool, required: bool
) -> None:
    instruction = dataclasses.replace(debit("A1", 100), initiator=initiator)
    chosen = ConsentPolicy.named(policy)
    chosen.accounts = {"A1"} if listed else set()
    assert chosen.requires(instruction) is required


def test_an_unknown_policy_name_is_refused() -> None:
    assert POLICIES == ("off", "all", "third-party")
    with pytest.raises(ValueError, match="third-party"):
        ConsentPolicy.named("some")
