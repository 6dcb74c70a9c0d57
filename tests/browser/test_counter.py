"""A whole shift at the counter in Chromium, with the keyboard (issue 5).

Sign in, open the shift, find a subscriber's bills, take the cash, save the
receipt as a PDF, close the shift with a variance and have the supervisor
approve it. The switch and the station run for real on SQLite; the page is
driven by typing, Tab and Enter, as a cashier without a mouse would.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from fawtara.sms.domain.sms import format_amount
from tests.browser.conftest import SCREENSHOTS, CounterPage
from tests.station_support import (
    CASHIER,
    CASHIER_PASSWORD,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    last_shift_at_switch,
)


def focused(page: Any, element_id: str) -> None:
    """Wait until the page has put the focus on the field a cashier types into next."""
    page.wait_for_function(f"document.activeElement?.id === {element_id!r}")


def type_and_enter(page: Any, element_id: str, text: str) -> None:
    """Type into the field that has the focus and submit with Enter; wait for the next page."""
    focused(page, element_id)
    page.keyboard.type(text)
    press_and_follow(page, "Enter")


def press_and_follow(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def tab_back_to(page: Any, href: str, presses_max: int = 30) -> None:
    """Shift+Tab from where the focus is until it is on the link to `href`."""
    for _ in range(presses_max):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            return
    raise AssertionError(f"no link to {href} within {presses_max} presses of Shift+Tab")


def test_a_cashier_runs_a_shift_with_the_keyboard(
    page: Any, counter: CounterPage, tmp_path: Path
) -> None:
    base, bill = counter.base, counter.bill
    page.goto(f"{base}/")  # not signed in: sent to the sign-in page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    focused(page, "username")
    page.keyboard.type(CASHIER)
    page.keyboard.press("Tab")
    type_and_enter(page, "password", CASHIER_PASSWORD)

    type_and_enter(page, "opening_float", "500")
    type_and_enter(page, "ref", bill.meter)  # the service number; the biller is preselected
    assert page.locator("input[name=bill_id]").first.is_checked()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "counter.png"), full_page=True)
    focused(page, "bill-1")
    page.keyboard.press("Tab")  # from the bill's checkbox to "continue to payment"
    press_and_follow(page, "Enter")

    cash_to_take = page.locator("#cash-to-take").inner_text()
    type_and_enter(page, "cash_received", str(bill.amount_minor // 100 + 50))
    receipt_no = page.locator("#receipt-no").inner_text()
    assert receipt_no and not receipt_no.startswith("DAM01-")  # the switch's number: online
    assert page.locator("#pending-sync").count() == 0
    assert page.locator("#cash-taken").inner_text() == cash_to_take

    with page.expect_download() as download:
        page.locator("#save-pdf").focus()
        page.keyboard.press("Enter")
    saved = tmp_path / "receipt.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert receipt_no in text
    assert f"Paid {format_amount(bill.amount_minor, 'SYP', 'en')}" in text  # the amount

    tab_back_to(page, "/shift/close")  # the menu's «إغلاق الوردية», from the receipt
    press_and_follow(page, "Enter")
    type_and_enter(page, "counted", "1")  # one pound counted: a shortfall
    assert page.locator("#variance").inner_text().startswith("عجز")
    focused(page, "supervisor")
    page.keyboard.type(SUPERVISOR)
    page.keyboard.press("Tab")
    type_and_enter(page, "supervisor-password", SUPERVISOR_PASSWORD)
    assert "بموافقة المشرف" in page.locator("#shift-state").inner_text()
    assert page.locator("input[name=shift_id]").count() == 0  # nothing left to approve
    at_switch = last_shift_at_switch(counter.line)
    assert at_switch["state"] == "approved" and at_switch["approved_by"] == SUPERVISOR
    assert at_switch["variance_minor"] == 100 - at_switch["expected_minor"]
