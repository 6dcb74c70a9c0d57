"""The demo subscribers' accounts at the two simulated banks.

Odd customer ids bank with BEMO, even ones with CBSY; the account number
carries the bank's prefix and the customer id, so the README can name one.
Every 97th account is blocked and every 89th nearly empty, so the demo shows
refusals too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fawtara.storage import tables
from fawtara.wiring import Platform

SIMULATED_BANKS = {"BEMO": "11", "CBSY": "22"}  # code: account-number prefix
OPENING_BALANCE_MINOR = 5_000_000  # 50,000.00 SYP
DAILY_LIMIT_MINOR = 2_000_000
COLLECTION_ACCOUNT = "SEPC-COLLECT"  # the switch's account at each bank (see docs/BANKS.md)


def bank_of(customer_id: int) -> str:
    return "BEMO" if customer_id % 2 else "CBSY"


def account_number(customer_id: int) -> str:
    return f"{SIMULATED_BANKS[bank_of(customer_id)]}{customer_id:08d}"


def demo_accounts(platform: Platform) -> dict[str, list[dict[str, Any]]]:
    """Per simulated bank, the account rows to upsert through its admin API."""
    accounts: dict[str, list[dict[str, Any]]] = {code: [] for code in SIMULATED_BANKS}
    query = select(tables.customers.c.id, tables.customers.c.name_ar, tables.customers.c.msisdn)
    with platform.billing_uow(readonly=True) as uow:  # the billing system's subscribers
        assert uow.connection is not None
        rows = uow.connection.execute(query.order_by(tables.customers.c.id)).all()
    for customer_id, name_ar, msisdn in rows:
        state = "blocked" if customer_id % 97 == 0 else "active"
        balance = 1_000 if customer_id % 89 == 0 else OPENING_BALANCE_MINOR
        accounts[bank_of(customer_id)].append(
            {
                "number": account_number(customer_id),
                "holder_name": name_ar,
                "msisdn": msisdn,
                "balance_minor": balance,
                "daily_limit_minor": DAILY_LIMIT_MINOR,
                "state": state,
            }
        )
    for code in SIMULATED_BANKS:
        accounts[code].append(
            {"number": COLLECTION_ACCOUNT, "holder_name": "الشركة السورية للمدفوعات الإلكترونية"}
        )
    return accounts
