"""The counter page's status bar and a supervisor's void, in Chromium (issue 5).

The switch and the station run for real on SQLite, a fault proxy between them.
One tab stays open on the desk while the line is cut, a payment is taken in
another tab and the line comes back: the bar says so by itself, and the page
is never reloaded. A void is signed by the supervisor at the cashier's desk
with the keyboard alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_counter import focused, press_and_follow, type_and_enter
from tests.fault_proxy import FaultProxy
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

RESYNC_MS_MAX = 30_000  # the station retries with backoff (1 s, 2 s, 4 s, ...)


@dataclass
class Line:
    base: str  # the station's page
    bill: SeededBill
    proxy: FaultProxy


@pytest.fixture
def line(tmp_path: Path, serve: Callable[[Any], str]) -> Iterator[Line]:
    database_url = f"sqlite:///{tmp_path / 'switch.db'}"
    keys_dir = tmp_path / "keys"
    bills = seed_counter_world(database_url, keys_dir, meters=1)
    with (
        running_switch(database_url, keys_dir) as (_platform, switch_url),
        FaultProxy(("127.0.0.1", int(switch_url.rsplit(":", 1)[1]))) as proxy,
        running_station(proxy.url, tmp_path / "station.db", keys_dir) as station,
    ):
        yield Line(serve(station.app), bills[0], proxy)


def bar_shows(page: Any, state: str, pending: int, timeout_ms: float = 15_000) -> None:
    page.wait_for_function(
        "([state, pending]) => document.getElementById('status').classList.contains(state)"
        " && document.getElementById('pending-count').textContent.trim() === pending",
        arg=[state, str(pending)],
        timeout=timeout_ms,
    )


def sign_in_and_open_shift(page: Any, base: str) -> None:
    page.goto(f"{base}/signin")
    focused(page, "username")
    page.keyboard.type(CASHIER)
    page.keyboard.press("Tab")
    type_and_enter(page, "password", CASHIER_PASSWORD)
    type_and_enter(page, "opening_float", "500")


def pay(page: Any, line: Line) -> None:
    """Find the subscriber's bill, continue to payment, hand over the cash: the receipt."""
    page.goto(f"{line.base}/?biller=ELEC&ref={line.bill.meter}")
    focused(page, "bill-1")
    page.keyboard.press("Tab")
    press_and_follow(page, "Enter")
    type_and_enter(page, "cash_received", str(line.bill.amount_minor // 100 + 50))


def test_the_status_bar_follows_the_link_without_a_reload(page: Any, line: Line) -> None:
    sign_in_and_open_shift(page, line.base)
    bar_shows(page, "up", 0)
    page.evaluate("window.neverReloaded = true")

    line.proxy.cut()
    till = page.context.new_page()  # the cashier takes a payment in another tab
    pay(till, line)
    assert till.locator("#pending-sync").count() == 1

    bar_shows(page, "down", 1)
    assert "منقطع" in page.locator("#link-text").inner_text()

    line.proxy.restore()
    bar_shows(page, "up", 0, RESYNC_MS_MAX)
    assert "متصل" in page.locator("#link-text").inner_text()
    assert page.evaluate("window.neverReloaded") is True


def test_a_supervisor_voids_a_payment_at_the_keyboard(page: Any, line: Line) -> None:
    sign_in_and_open_shift(page, line.base)
    pay(page, line)
    page.goto(f"{line.base}/payments")
    page.locator("#payments a[href$='/void']").focus()  # «إلغاء» on the payment's row
    press_and_follow(page, "Enter")
    assert page.locator("label[for=reason]").inner_text() == "سبب الإلغاء"
    focused(page, "reason")
    page.keyboard.type("مشترك خاطئ")
    page.keyboard.press("Tab")
    page.keyboard.type(SUPERVISOR)
    page.keyboard.press("Tab")
    type_and_enter(page, "supervisor-password", SUPERVISOR_PASSWORD)

    assert "أُلغيت الدفعة" in page.locator("#voided").inner_text()
    assert page.locator("#void-synced").count() == 1  # the switch answered within seconds
    page.goto(f"{line.base}/?biller=ELEC&ref={line.bill.meter}")
    assert page.locator("input[name=bill_id]").count() == 1  # the bill is unpaid again
