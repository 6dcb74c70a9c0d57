"""The counter page's status bar and a supervisor's void, in Chromium (issue 5).

The switch and the station run for real on SQLite, a fault proxy between them.
One tab stays open on the desk while the line is cut, a payment is taken in
another tab and the line comes back: the bar says so by itself, and the page
is never reloaded. A void is signed by the supervisor at the cashier's desk
with the keyboard alone.
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import CounterPage
from tests.browser.test_counter import focused, press_and_follow, type_and_enter
from tests.station_support import (
    CASHIER,
    CASHIER_PASSWORD,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
)

RESYNC_MS_MAX = 30_000  # the station retries with backoff (1 s, 2 s, 4 s, ...)


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


def pay(page: Any, counter: CounterPage) -> None:
    """Find the subscriber's bill, continue to payment, hand over the cash: the receipt."""
    page.goto(f"{counter.base}/?biller=ELEC&ref={counter.bill.meter}")
    focused(page, "bill-1")
    page.keyboard.press("Tab")
    press_and_follow(page, "Enter")
    type_and_enter(page, "cash_received", str(counter.bill.amount_minor // 100 + 50))


def test_the_status_bar_follows_the_link_without_a_reload(page: Any, counter: CounterPage) -> None:
    sign_in_and_open_shift(page, counter.base)
    bar_shows(page, "up", 0)
    page.evaluate("window.neverReloaded = true")

    counter.line.proxy.cut()
    till = page.context.new_page()  # the cashier takes a payment in another tab
    pay(till, counter)
    assert till.locator("#pending-sync").count() == 1

    bar_shows(page, "down", 1)
    assert "منقطع" in page.locator("#link-text").inner_text()

    counter.line.proxy.restore()
    bar_shows(page, "up", 0, RESYNC_MS_MAX)
    assert "متصل" in page.locator("#link-text").inner_text()
    assert page.evaluate("window.neverReloaded") is True


def test_a_supervisor_voids_a_payment_at_the_keyboard(page: Any, counter: CounterPage) -> None:
    sign_in_and_open_shift(page, counter.base)
    pay(page, counter)
    page.goto(f"{counter.base}/payments")
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
    page.goto(f"{counter.base}/?biller=ELEC&ref={counter.bill.meter}")
    assert page.locator("input[name=bill_id]").count() == 1  # the bill is unpaid again
