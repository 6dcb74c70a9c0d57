"""The subscriber portal over HTTP: find, choose, consent by one-time code, pay, watch,
download the bills and the receipt as PDF.

A real bank simulator (consent required for debits a third party initiates, as
under `fawtara up`) and the SMSC simulator run as processes.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from fawtara.kernel.errors import LimitExceeded
from fawtara.sms.domain.sms import format_amount
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.portal_support import ACCOUNT, HOLDER_MSISDN, code_sent_to, portal_world, running_bank
from tests.smsc_support import Smsc, fresh, running_smsc

PORTAL_KEY = {"X-Api-Key": "PORTAL.secret"}
BEMO_KEY = {"X-Api-Key": "BEMO.secret"}


@pytest.fixture(scope="module")
def smsc() -> Iterator[Smsc]:
    with running_smsc() as running:
        yield running


@pytest.fixture(scope="module")
def bank_url(smsc: Smsc, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_bank(smsc, tmp_path_factory.mktemp("bank") / "bemo.db") as url:
        yield url


@pytest.fixture
def portal(platform: Platform, bank_url: str, smsc: Smsc, tmp_path: Path) -> tuple[TestClient, str]:
    fresh(smsc)
    wired, meter = portal_world(platform, bank_url, tmp_path / "keys")
    return TestClient(create_app(wired), follow_redirects=False), meter


def bill_ids(page: str) -> list[str]:
    return re.findall(r'name="bill_ids" value="([^"]+)"', page)


def asked_consent(client: TestClient, meter: str, chosen: list[str]) -> dict[str, object]:
    """Choose the bills and the account, have the bank text a code; the confirm form."""
    form = {"biller": "ELEC", "ref": meter, "bill_ids": chosen}
    payer = client.post("/pay", data=form)
    assert payer.status_code == 200 and 'for="account"' in payer.text
    consent = client.post("/pay/consent", data={**form, "bank": "BEMO", "account": ACCOUNT})
    assert consent.status_code == 200, consent.text
    payment_id = re.findall(r'name="payment_id" value="([^"]+)"', consent.text)[0]
    return {**form, "bank": "BEMO", "account": ACCOUNT, "payment_id": payment_id}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def shows_arabic_amount(text: str, amount_minor: int) -> bool:
    """pypdf reads Arabic-Indic figures as right-to-left letters, some of them reversed."""
    figure = format_amount(amount_minor, "SYP", "ar").rpartition(" ")[0]
    return figure in text or figure[::-1] in text


def assert_pdf_download(response: httpx.Response, filename: str) -> str:
    """The response is a PDF the browser saves as `filename`; its text."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF")
    return pdf_text(response.content)


def test_a_subscriber_pays_two_bills_with_the_code_the_bank_texted(
    portal: tuple[TestClient, str], smsc: Smsc
) -> None:
    client, meter = portal
    bills = client.get("/bills", params={"biller": "ELEC", "ref": meter})
    assert bills.status_code == 200 and "تُعلَّق الخدمة" in bills.text
    chosen = bill_ids(bills.text)
    assert len(chosen) == 2
    confirm = asked_consent(client, meter, chosen)
    payment_id = confirm["payment_id"]

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


def fetched_bills(
    client: TestClient, meter: str, key: dict[str, str] = PORTAL_KEY
) -> list[dict[str, Any]]:
    """The meter's bills as /v1/bills/fetch shows them to the caller of `key`."""
    answer = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meter}, headers=key
    )
    bills: list[dict[str, Any]] = answer.json()["bills"]
    return bills


def api_payment(payment_id: str, meter: str, bill: dict[str, Any]) -> dict[str, object]:
    """The body of a portal payment of `bill` (as /v1/bills/fetch shows it) over the API."""
    return {
        "payment_id": payment_id,
        "channel": "portal",
        "biller": "ELEC",
        "customer_ref": meter,
        "bill_ids": [bill["bill_id"]],
        "amount_minor": bill["amount_due_minor"],
        "currency": "SYP",
        "payer": {"bank": "BEMO", "account": ACCOUNT},
    }


def test_without_a_confirmed_consent_the_bank_refuses_the_debit(
    portal: tuple[TestClient, str], bank_url: str
) -> None:
    client, meter = portal
    fetched = fetched_bills(client, meter)[0]
    before = balance(bank_url)
    answer = client.post(
        "/v1/payments", headers=PORTAL_KEY, json=api_payment(str(uuid.uuid4()), meter, fetched)
    ).json()
    assert (answer["state"], answer["reason_code"]) == ("failed", "CONSENT_MISSING")
    assert balance(bank_url) == before


def test_the_banks_own_app_debits_its_account_without_a_code(
    portal: tuple[TestClient, str], bank_url: str
) -> None:
    client, meter = portal
    fetched = fetched_bills(client, meter, BEMO_KEY)[0]
    before = balance(bank_url)
    payment = {**api_payment(str(uuid.uuid4()), meter, fetched), "channel": "bank"}
    answer = client.post("/v1/payments", headers=BEMO_KEY, json=payment).json()
    assert (answer["state"], answer["reason_code"]) == ("completed", None)
    assert balance(bank_url) == before - fetched["amount_due_minor"]


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
        # Ids longer than any id are refused, never cut to another id.
        ("/payments/" + "a" * 37, {}, LimitExceeded.message_ar),
        ("/payments/" + "a" * 37 + "/receipt.pdf", {}, LimitExceeded.message_ar),
        ("/bills/" + "B" * 65 + ".pdf", {"biller": "ELEC", "ref": "1"}, LimitExceeded.message_ar),
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


def test_each_bill_downloads_as_a_pdf_with_its_amount(portal: tuple[TestClient, str]) -> None:
    client, meter = portal
    page = client.get("/bills", params={"biller": "ELEC", "ref": meter}).text
    links = re.findall(r'href="(/bills/[^"]+\.pdf\?[^"]+)"', page)
    assert len(links) == 2
    fetched = fetched_bills(client, meter)
    for bill, link in zip(fetched, links, strict=True):
        text = assert_pdf_download(
            client.get(link.replace("&amp;", "&")), f"bill-{bill['bill_id']}.pdf"
        )
        assert bill["bill_id"] in text and meter in text
        assert shows_arabic_amount(text, bill["amount_due_minor"])


def test_a_bill_of_another_service_is_refused(portal: tuple[TestClient, str]) -> None:
    client, meter = portal
    [bill_id, _] = bill_ids(client.get("/bills", params={"biller": "ELEC", "ref": meter}).text)
    page = client.get(f"/bills/{bill_id}.pdf", params={"biller": "STE", "ref": "0112345678"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in page.text and "الفاتورة غير موجودة" in page.text


def test_the_paid_payment_has_a_signed_receipt_to_download(
    portal: tuple[TestClient, str], smsc: Smsc
) -> None:
    client, meter = portal
    chosen = bill_ids(client.get("/bills", params={"biller": "ELEC", "ref": meter}).text)[:1]
    confirm = asked_consent(client, meter, chosen)
    client.post("/pay/confirm", data={**confirm, "code": code_sent_to(smsc, HOLDER_MSISDN)})
    payment_id = confirm["payment_id"]
    progress = client.get(f"/payments/{payment_id}").text
    link = f"/payments/{payment_id}/receipt.pdf"
    assert f'href="{link}"' in progress
    text = assert_pdf_download(client.get(link), f"receipt-{payment_id}.pdf")
    paid = client.get(f"/v1/payments/{payment_id}", headers=PORTAL_KEY).json()
    assert paid["receipt_no"] in text
    assert format_amount(paid["amount_minor"], "SYP", "en") in text
    # The paid bill now sits among the paid ones, with its PDF still to download.
    bills_page = client.get("/bills", params={"biller": "ELEC", "ref": meter}).text
    assert f"/bills/{chosen[0]}.pdf?" in bills_page


@pytest.mark.parametrize(
    ("payment", "status"),
    [("unknown", 404), ("failed", 409)],
)
def test_no_receipt_for_an_unknown_or_unfinished_payment(
    portal: tuple[TestClient, str], payment: str, status: int
) -> None:
    client, meter = portal
    payment_id = str(uuid.uuid4())
    if payment == "failed":  # no consent: the bank refuses the debit
        body = api_payment(payment_id, meter, fetched_bills(client, meter)[0])
        assert client.post("/v1/payments", headers=PORTAL_KEY, json=body).status_code == 200
    page = client.get(f"/payments/{payment_id}/receipt.pdf")
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in page.text
