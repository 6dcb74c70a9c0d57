"""A whole shift at the counter in Chromium, with the keyboard (issue 5).

Sign in, open the shift, find a subscriber's bills, take the cash, save the
receipt as a PDF, close the shift with a variance and have the supervisor
approve it. The switch and the station run for real on SQLite; the page is
driven by typing, Tab and Enter, as a cashier without a mouse would.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from fawtara.domain.sms import format_amount
from tests.browser.conftest import SCREENSHOTS
from tests.station_support import (
    CASHIER,
    CASHIER_PASSWORD,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    SeededBill,
    running_station,
    running_switch,
    seed_counter_world,
)


@pytest.fixture
def counter(
    tmp_path: Path, serve: Callable[[Any], str]
) -> Iterator[tuple[str, SeededBill, Any]]:
    database_url = f"sqlite:///{tmp_path / 'switch.db'}"
    keys_dir = tmp_path / "keys"
    bills = seed_counter_world(database_url, keys_dir, meters=2)
    with (
        running_switch(database_url, keys_dir) as (_platform, switch_url),
        running_station(switch_url, tmp_path / "station.db", keys_dir) as station,
    ):
        yield serve(station.app), bills[0], station


def type_and_enter(page: Any, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_a_cashier_runs_a_shift_with_the_keyboard(
    page: Any, counter: tuple[str, SeededBill, Any], tmp_path: Path
) -> None:
    base, bill, station = counter
    page.goto(f"{base}/")  # not signed in: sent to the sign-in page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.keyboard.type(CASHIER)  # the username field has the focus
    page.keyboard.press("Tab")
    type_and_enter(page, CASHIER_PASSWORD)

    type_and_enter(page, "500")  # the opening float
    type_and_enter(page, bill.meter)  # the service number; the biller is preselected
    assert page.locator("table").get_by_text(bill.bill_id).count() == 0  # ids stay hidden
    assert page.locator("input[name=bill_id]").first.is_checked()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "counter.png"), full_page=True)
    page.keyboard.press("Tab")  # from the bill's checkbox to "continue to payment"
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    cash_to_take = page.locator("#cash-to-take").inner_text()
    type_and_enter(page, str(bill.amount_minor // 100 + 50))  # the cash handed over
    assert page.locator("#receipt-no").inner_text().startswith("R")
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
    figure = format_amount(bill.amount_minor, "SYP", "ar").split(" ")[0]
    assert figure in text

    page.goto(f"{base}/shift/close")
    type_and_enter(page, "1")  # one pound counted: a large shortfall
    assert page.locator("#variance").inner_text().startswith("عجز")
    page.keyboard.type(SUPERVISOR)
    page.keyboard.press("Tab")
    type_and_enter(page, SUPERVISOR_PASSWORD)
    assert "بموافقة المشرف" in page.locator("#shift-state").inner_text()
    assert station.store.pending_count() == 0 or station.syncer.status.up
