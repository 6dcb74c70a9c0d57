"""An operator at the console in Debian's Chromium: live figures, then a payment's history.

The app is served by uvicorn over a test network (in-process bank, the SMSC
simulator over SMPP for the confirmation and its delivery receipts); the test
pays while the dashboard is open and watches the numbers change without a
reload, then finds the payment by its receipt number, with the keyboard only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fawtara.wiring import Platform
from tests.browser.conftest import SCREENSHOTS
from tests.console_support import PASSWORD, add_console_staff, console_app, deliver_sms
from tests.integration.test_payment_flow import Network
from tests.smsc_support import Smsc, running_smsc

EVERY_INPUT_LABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select')]
    .every((field) => field.labels && field.labels.length > 0)"""


# Every figure and table the dashboard shows, as text.
SHOWN = """() => [...document.querySelectorAll('[data-figure], tbody[data-rows]')]
    .map((node) => node.innerText)"""


@pytest.fixture(scope="module")
def smsc() -> Iterator[Smsc]:
    with running_smsc(receipt_delay_ms=20) as running:
        yield running


@pytest.mark.parametrize("bare_engine", ["sqlite"], indirect=True)
def test_an_operator_watches_a_payment_arrive_and_reads_its_history(
    platform: Platform, page: Any, serve: Callable[[Any], str], smsc: Smsc
) -> None:
    add_console_staff(platform)
    net = Network(platform)
    base = serve(console_app(net, smsc.smpp_port))

    page.goto(f"{base}/console")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate(EVERY_INPUT_LABELLED)
    page.wait_for_function("document.activeElement?.id === 'username'")  # autofocus
    page.keyboard.type("amal")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console")
    assert page.get_attribute("html", "dir") == "rtl"
    payments = page.locator("tbody[data-rows=payments]")
    assert "completed" not in payments.inner_text()
    rendered = page.evaluate(SHOWN)
    page.wait_for_selector("[data-state=live]")  # the script has written the first poll
    assert page.evaluate(SHOWN) == rendered  # the server and the script format alike
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads

    payment = net.pay(net.request())
    assert payment.receipt_no is not None
    page.wait_for_function(
        "document.querySelector('tbody[data-rows=payments]').innerText.includes('completed')"
    )
    assert page.evaluate("window.loadedOnce") is True
    assert "portal" in payments.inner_text() and "١" in payments.inner_text()
    assert page.locator("[data-figure='latency_s.samples']").inner_text() == "١"
    links = page.locator("section[aria-labelledby=h-biller-links] tbody")
    links.filter(has_text="ELEC").wait_for()  # the notice was answered: the link to ELEC is up
    assert links.locator("tr.alarm").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "console-dashboard.png"), full_page=True)

    deliver_sms(net, smsc, payment.payment_id)
    page.focus("a[href='/console/payments']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console/payments")
    assert page.evaluate(EVERY_INPUT_LABELLED)
    page.focus("#q")
    page.keyboard.type(payment.receipt_no)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console/payments?q={payment.receipt_no}")
    page.focus(f"a[href='/console/payments/{payment.payment_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console/payments/{payment.payment_id}")

    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("#payment-state") == "completed"
    assert page.inner_text("#receipt-no") == payment.receipt_no
    states = page.inner_text("#states")
    assert all(state in states for state in ("received", "debited", "completed"))
    ledger = page.inner_text("#ledger")
    assert "pending" in ledger and "post_pending" in ledger and "bank:BEMO:settlement" in ledger
    assert "pain.001.001.09" in page.inner_text("#bank")
    sms = page.locator("article.sms[data-kind=payment_completed]")
    assert sms.locator(".sms-state").inner_text() == "delivered"
    assert "DELIVRD" in sms.inner_text() and payment.receipt_no in sms.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "console-payment.png"), full_page=True)
