"""The simulated biller's customers: a few households with open and paid bills."""

from __future__ import annotations

from datetime import date

from fawtara.simulators.biller.books import Bill, Customer

BILLER_DEFAULT = "SIMWATER"
API_KEY_DEFAULT = "sim-biller-key"
CURRENCY = "SYP"


def _bill(customer_ref: str, cycle: int, amount_minor: int, paid_minor: int = 0) -> Bill:
    """A bimonthly bill of 2026: cycle 1 is January–February, issued on 1 March."""
    start_month = 2 * cycle - 1
    end = date(2026, start_month + 2, 1) if start_month + 2 <= 12 else date(2027, 1, 1)
    return Bill(
        bill_id=f"{customer_ref}-2026-B{cycle}",
        cycle=f"2026-B{cycle}",
        period_start=date(2026, start_month, 1),
        period_end=date.fromordinal(end.toordinal() - 1),
        issued_on=end,  # the first day after the period (kernel/calendar.py)
        due_on=date.fromordinal(end.toordinal() + 30),
        amount_minor=amount_minor,
        currency=CURRENCY,
        paid_minor=paid_minor,
    )


def demo_customers() -> list[Customer]:
    """Customer 100001 has two open bills, 100002 one open and one paid, 100003 none open."""
    return [
        Customer(
            "100001",
            "سامر الحلبي",
            "Samer Al-Halabi",
            [_bill("100001", 2, 1_840_000), _bill("100001", 1, 1_520_000)],
        ),
        Customer(
            "100002",
            "ريم الخطيب",
            "Reem Al-Khatib",
            [_bill("100002", 2, 960_000), _bill("100002", 1, 1_105_000, paid_minor=1_105_000)],
        ),
        Customer(
            "100003",
            "نادر الشامي",
            "Nader Al-Shami",
            [_bill("100003", 1, 730_000, paid_minor=730_000)],
        ),
    ]
