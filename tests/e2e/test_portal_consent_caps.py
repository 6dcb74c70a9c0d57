"""The one-time code cannot be guessed or flooded through the portal: the bank caps the
codes it texts to an account (5 an hour) and the wrong codes it takes (10 an hour, then
the account's consents are locked), the portal names each refusal in Arabic, and the
portal throttles the bank steps of one client address.

The bank simulator and the SMSC simulator run as processes (tests/e2e/test_portal.py's
fixtures); each test opens its own account, as the bank's caps are per account.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from fawtara.kernel import limits
from fawtara.kernel.errors import (
    ConsentCodesExhausted,
    ConsentLocked,
    ConsentRefused,
    TooManyRequests,
)
from fawtara.simulators.bank import consent
from tests.e2e.test_portal import bank_url, bill_ids, portal, smsc
from tests.portal_support import code_sent_to
from tests.smsc_support import Smsc

__all__ = ["bank_url", "portal", "smsc"]  # test_portal's simulators and portal fixtures


def own_account(bank_url: str) -> tuple[str, str]:
    """A new account at the bank with a phone of its own: (number, msisdn)."""
    digits = f"{uuid.uuid4().int % 10**7:07d}"
    number, msisdn = f"77{digits}", f"+96393{digits}"
    row = {"number": number, "holder_name": "مشترك", "msisdn": msisdn, "balance_minor": 10**7}
    httpx.post(f"{bank_url}/admin/accounts", json=[row]).raise_for_status()
    return number, msisdn


def payer_form(client: TestClient, meter: str, account: str) -> dict[str, object]:
    chosen = bill_ids(client.get("/bills", params={"biller": "ELEC", "ref": meter}).text)
    return {"biller": "ELEC", "ref": meter, "bill_ids": chosen, "bank": "BEMO", "account": account}


def texts_to(smsc: Smsc, msisdn: str) -> int:
    return sum(m["to"].lstrip("+") == msisdn.lstrip("+") for m in smsc.messages())


def test_the_sixth_code_in_an_hour_is_refused_and_the_portal_says_so(
    portal: tuple[TestClient, str], bank_url: str, smsc: Smsc
) -> None:
    client, meter = portal
    account, msisdn = own_account(bank_url)
    form = payer_form(client, meter, account)
    for _ in range(consent.codes_per_account_hour_max):
        assert client.post("/pay/consent", data=form).status_code == 200
    code_sent_to(smsc, msisdn)  # the texts have left
    page = client.post("/pay/consent", data=form)
    assert page.status_code == 429 and 'role="alert"' in page.text
    assert ConsentCodesExhausted.message_ar in page.text
    assert texts_to(smsc, msisdn) == consent.codes_per_account_hour_max  # no sixth SMS


def test_eleven_wrong_codes_across_reissued_codes_lock_the_account(
    portal: tuple[TestClient, str], bank_url: str, smsc: Smsc
) -> None:
    client, meter = portal
    account, msisdn = own_account(bank_url)
    bank = client.app.state.platform.bank_consent()  # type: ignore[attr-defined]
    amount = 10_000
    last = str(uuid.uuid4())
    bank.request("BEMO", last, account, amount)
    code = code_sent_to(smsc, msisdn)
    for _ in range(2):  # two payments, each asked twice: the tries add up, 10 in all
        payment_id = str(uuid.uuid4())
        for tries in (consent.code_attempts_max - 1, 1):
            bank.request("BEMO", payment_id, account, amount)
            for _ in range(tries):
                with pytest.raises(ConsentRefused, match="wrong code"):
                    bank.confirm("BEMO", payment_id, "000000")

    with pytest.raises(ConsentLocked):  # the 11th try, though with the right code
        bank.confirm("BEMO", last, code)
    form = {**payer_form(client, meter, account), "payment_id": last, "code": code}
    page = client.post("/pay/confirm", data=form)
    assert page.status_code == 429 and ConsentLocked.message_ar in page.text
    page = client.post("/pay/consent", data=payer_form(client, meter, account))
    assert page.status_code == 429 and ConsentLocked.message_ar in page.text


def test_the_portal_throttles_the_bank_steps_of_one_address(
    portal: tuple[TestClient, str],
) -> None:
    client, meter = portal
    form = {**payer_form(client, meter, "1"), "payment_id": str(uuid.uuid4()), "code": "1"}
    for _ in range(limits.portal_bank_steps_per_minute):
        assert client.post("/pay/confirm", data=form).status_code == 403  # no such consent
    page = client.post("/pay/confirm", data=form)
    assert page.status_code == 429 and 'role="alert"' in page.text
    assert TooManyRequests.message_ar in page.text
