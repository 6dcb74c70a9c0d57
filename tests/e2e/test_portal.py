"""The subscriber portal over HTTP: find, choose, consent by one-time code, pay, watch.

A real bank simulator (consent required) and the SMSC simulator run as processes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from fawtara.bootstrap import Platform
from fawtara.entrypoints.api.app import create_app
from tests.portal_support import ACCOUNT, HOLDER_MSISDN, code_sent_to, portal_world, running_bank
from tests.smsc_support import Smsc, fresh, running_smsc

PORTAL_KEY = {"X-Api-Key": "PORTAL.secret"}


@pytest.fixture(scope="module")
def smsc() -> Iterator[Smsc]:
    with running_smsc() as running:
        yield running


@pytest.fixture(scope="module")
def bank_url(smsc: Smsc, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_bank(smsc, tmp_path_factory.mktemp("bank") / "bemo.db") as url:
        yield url


@pytest.fixture
def portal(platform: Platform, bank_url: str, smsc: Smsc) -> tuple[TestClient, str]:
    fresh(smsc)
    wired, meter = portal_world(platform, bank_url)
    return TestClient(create_app(wired), follow_redirects=False), meter


def bill_ids(page: str) -> list[str]:
    return re.findall(r'name="bill_ids" value="([^"]+)"', page)


def test_a_subscriber_pays_two_bills_with_the_code_the_bank_texted(
    portal: tuple[TestClient, str], smsc: Smsc
) -> None:
    client, meter = portal
    bills = client.get("/bills", params={"biller": "ELEC", "ref": meter})
    assert bills.status_code == 200 and "تُعلَّق الخدمة" in bills.text
    chosen = bill_ids(bills.text)
    assert len(chosen) == 2
    form = {"biller": "ELEC", "ref": meter, "bill_ids": chosen}
    payer = client.post("/pay", data=form)
    assert payer.status_code == 200 and 'for="account"' in payer.text
    consent = client.post("/pay/consent", data={**form, "bank": "BEMO", "account": ACCOUNT})
    assert consent.status_code == 200, consent.text
    payment_id = re.findall(r'name="payment_id" value="([^"]+)"', consent.text)[0]
    confirm = {**form, "bank": "BEMO", "account": ACCOUNT, "payment_id": payment_id}

    wrong = client.post("/pay/confirm", data={**confirm, "code": "000000x"})
    assert wrong.status_code == 403 and "لم يوافق المصرف" in wrong.text

    code = code_sent_to(smsc, HOLDER_MSISDN)
    done = client.post("/pay/confirm", data={**confirm, "code": code})
    assert (done.status_code, done.headers["location"]) == (303, f"/payments/{payment_id}")
    progress = client.get(f"/payments/{payment_id}")
    assert 'data-state="completed"' in progress.text
    assert bill_ids(client.get("/bills", params={"biller": "ELEC", "ref": meter}).text) == []


def balance(bank_url: str) -> int:
    return int(httpx.get(f"{bank_url}/admin/accounts/{ACCOUNT}").json()["balance_minor"])


def test_without_a_confirmed_consent_the_bank_refuses_the_debit(
    portal: tuple[TestClient, str], bank_url: str
) -> None:
    client, meter = portal
    fetched = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meter}, headers=PORTAL_KEY
    ).json()["bills"][0]
    before = balance(bank_url)
    answer = client.post(
        "/v1/payments",
        headers=PORTAL_KEY,
        json={
            "payment_id": str(uuid.uuid4()),
            "channel": "portal",
            "biller": "ELEC",
            "customer_ref": meter,
            "bill_ids": [fetched["bill_id"]],
            "amount_minor": fetched["amount_due_minor"],
            "currency": "SYP",
            "payer": {"bank": "BEMO", "account": ACCOUNT},
        },
    ).json()
    assert (answer["state"], answer["reason_code"]) == ("failed", "CONSENT_MISSING")
    assert balance(bank_url) == before


def test_a_code_for_no_asked_consent_is_refused(portal: tuple[TestClient, str]) -> None:
    client, meter = portal
    form = {"biller": "ELEC", "ref": meter}
    chosen = bill_ids(client.get("/bills", params=form).text)[:1]
    page = client.post(
        "/pay/confirm",
        data={
            **form,
            "bill_ids": chosen,
            "bank": "BEMO",
            "account": ACCOUNT,
            "payment_id": str(uuid.uuid4()),
            "code": "123456",
        },
    )
    assert page.status_code == 403 and 'role="alert"' in page.text


@pytest.mark.parametrize(
    ("path", "params", "shown"),
    [
        ("/bills", {"biller": "NOPE", "ref": "1"}, "الجهة"),
        ("/bills", {"biller": "ELEC", "ref": "abc"}, "رقم"),
    ],
)
def test_bad_input_shows_the_named_error_in_arabic(
    portal: tuple[TestClient, str], path: str, params: dict[str, str], shown: str
) -> None:
    client, _meter = portal
    page = client.get(path, params=params)
    assert page.status_code in (404, 422)
    assert 'role="alert"' in page.text and shown in page.text


def test_paying_with_no_bill_chosen_is_refused_and_changes_nothing(
    portal: tuple[TestClient, str],
) -> None:
    client, meter = portal
    page = client.post("/pay", data={"biller": "ELEC", "ref": meter})
    assert page.status_code == 422 and "اختر فاتورة" in page.text
    assert len(bill_ids(page.text)) == 2


def test_an_unknown_account_is_refused_by_the_bank(portal: tuple[TestClient, str]) -> None:
    client, meter = portal
    chosen = bill_ids(client.get("/bills", params={"biller": "ELEC", "ref": meter}).text)
    form = {"biller": "ELEC", "ref": meter, "bill_ids": chosen, "bank": "BEMO"}
    page = client.post("/pay/consent", data={**form, "account": "999"})
    assert page.status_code == 403 and 'role="alert"' in page.text
    assert 'value="999"' in page.text
