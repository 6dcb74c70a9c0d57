"""A subscriber pays two bills in Chromium with the keyboard alone.

The switch serves the portal; a real bank simulator (consent required) texts
the one-time code through the SMSC simulator, whose HTTP view the test reads
like the subscriber reads their phone; the SMS worker sends the confirmation;
the subscriber then saves the signed receipt PDF. An operator, in a browser of
their own, then signs in to the console and finds that payment's history by
its receipt number.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from fawtara.receipts.bootstrap import verify_receipt
from fawtara.sms.entrypoints.sms_worker import run_sms_worker
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.browser.conftest import SCREENSHOTS
from tests.console_support import PASSWORD, add_console_staff
from tests.portal_support import ACCOUNT, HOLDER_MSISDN, code_sent_to, portal_world, running_bank
from tests.smsc_support import Smsc, running_smsc

SUBSCRIBER_MSISDN = "+963933123456"
TABS_MAX = 40


@pytest.fixture
def world(platform: Platform, tmp_path: Path) -> Iterator[tuple[Platform, str, Smsc]]:
    with running_smsc() as smsc, running_bank(smsc, tmp_path / "bemo.db") as bank_url:
        wired, meter = portal_world(platform, bank_url, tmp_path / "keys")
        stop = threading.Event()
        worker = threading.Thread(
            target=run_sms_worker, args=(wired, smsc.config(), stop), daemon=True
        )
        worker.start()
        yield wired, meter, smsc
        stop.set()
        worker.join(10)


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until `selector` has the focus (the keyboard path a person takes)."""
    for _ in range(TABS_MAX):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def assert_every_field_labelled(page: Any) -> None:
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
              .map(e => e.name)"""
    )
    assert unlabelled == []


def shot(page: Any, name: str) -> None:
    assert_every_field_labelled(page)
    assert page.get_attribute("html", "dir") == "rtl"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def test_a_subscriber_pays_two_bills_and_an_operator_finds_the_payment_with_the_keyboard(
    chromium: Any,
    page: Any,
    serve: Callable[[Any], str],
    world: tuple[Platform, str, Smsc],
    tmp_path: Path,
) -> None:
    platform, meter, smsc = world
    base = serve(create_app(platform))
    page.set_viewport_size({"width": 414, "height": 860})  # a phone
    page.goto(f"{base}/")
    shot(page, "landing")

    tab_to(page, "#biller")
    for _ in range(5):
        if page.evaluate("document.activeElement.value") == "ELEC":
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "#ref")
    page.keyboard.type(meter)
    page.keyboard.press("Enter")
    page.wait_for_url("**/bills?*")
    shot(page, "bills")

    for checkbox in ("#bill-1", "#bill-2"):
        tab_to(page, checkbox)
        page.keyboard.press("Space")
    tab_to(page, "form[action='/pay'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#account")
    shot(page, "payer")

    tab_to(page, "#account")
    page.keyboard.type(ACCOUNT)
    tab_to(page, "#msisdn")
    page.keyboard.type(SUBSCRIBER_MSISDN)
    page.keyboard.press("Enter")
    page.wait_for_selector("#code")
    shot(page, "consent")

    tab_to(page, "#code")
    page.keyboard.type(code_sent_to(smsc, HOLDER_MSISDN))
    page.keyboard.press("Enter")
    page.wait_for_selector("#state[data-state='completed']", timeout=30_000)
    page.wait_for_selector(".sms", timeout=30_000)
    assert "تم تسديد" in page.inner_text(".sms")
    receipt_no = page.inner_text("#receipt").strip()
    assert receipt_no
    shot(page, "paid")
    download_the_receipt(page, platform, receipt_no, tmp_path)
    an_operator_finds_the_payment(chromium, base, platform, page.url.rsplit("/", 1)[-1], receipt_no)


def download_the_receipt(page: Any, platform: Platform, receipt_no: str, tmp_path: Path) -> None:
    """Save the receipt PDF with the keyboard; it names the payment and its QR verifies."""
    page.wait_for_function("() => !document.querySelector('meta[http-equiv=refresh]')")
    with page.expect_download() as downloading:
        tab_to(page, "#receipt-pdf")
        page.keyboard.press("Enter")
    download = downloading.value
    payment_id = page.url.rsplit("/", 1)[-1]
    assert download.suggested_filename == f"receipt-{payment_id}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert receipt_no in "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    verified = verify_receipt(str(saved), platform.settings)
    assert (verified.signed_by, verified.receipt.receipt_no) == ("switch", receipt_no)


def an_operator_finds_the_payment(
    chromium: Any, base: str, platform: Platform, payment_id: str, receipt_no: str
) -> None:
    """In a browser context of their own, an operator signs in to the console, searches
    the receipt number and reads the payment's states, ledger transfers and SMS."""
    add_console_staff(platform)
    context = chromium.new_context(locale="ar-SY", timezone_id="Asia/Damascus")
    try:
        console = context.new_page()
        console.goto(f"{base}/console/sign-in")
        console.wait_for_function("document.activeElement?.id === 'username'")  # autofocus
        console.keyboard.type("amal")
        tab_to(console, "#password")
        console.keyboard.type(PASSWORD)
        console.keyboard.press("Enter")
        console.wait_for_url(f"{base}/console")
        tab_to(console, "a[href='/console/payments']")
        console.keyboard.press("Enter")
        console.wait_for_url(f"{base}/console/payments")
        tab_to(console, "#q")
        console.keyboard.type(receipt_no)
        console.keyboard.press("Enter")
        console.wait_for_url(f"{base}/console/payments?q={receipt_no}")
        tab_to(console, f"a[href='/console/payments/{payment_id}']")
        console.keyboard.press("Enter")
        console.wait_for_url(f"{base}/console/payments/{payment_id}")

        assert console.get_attribute("html", "dir") == "rtl"
        assert console.inner_text("#payment-state") == "completed"
        assert console.inner_text("#receipt-no") == receipt_no
        states = console.inner_text("#states")
        assert all(state in states for state in ("received", "debited", "completed"))
        ledger = console.inner_text("#ledger")
        assert "post_pending" in ledger and "bank:BEMO:settlement" in ledger
        sms = console.locator("article.sms[data-kind=payment_completed]")
        assert receipt_no in sms.inner_text() and SUBSCRIBER_MSISDN[1:] in sms.inner_text()
    finally:
        context.close()


def test_the_english_switch_turns_the_page_left_to_right(
    page: Any, serve: Callable[[Any], str], platform: Platform
) -> None:
    base = serve(create_app(platform))
    page.goto(f"{base}/")
    tab_to(page, f"a[href='{base}/?lang=en']")
    page.keyboard.press("Enter")
    page.wait_for_selector("html[dir='ltr']")
    assert page.get_attribute("html", "lang") == "en"
    assert_every_field_labelled(page)
