"""The chart of accounts of the switch: which account each role uses.

Account codes are stable strings, built here and nowhere else:

| code                        | type      | meaning                                              |
|-----------------------------|-----------|------------------------------------------------------|
| bank:{BANK}:settlement      | asset     | what the bank owes the switch for debited payments   |
| biller:{BILLER}:payable     | liability | what the switch owes the biller for posted payments  |
| counter:{COUNTER}:cash      | asset     | cash held at a counter's drawer                      |
| switch:suspense             | liability | money received whose destination is not yet known    |
| switch:cash_rounding        | income    | cash rounding to the nearest note or coin (±)        |
| switch:refunds_due          | liability | cash surpluses owed back to subscribers (refunds)    |
| switch:fees                 | income    | commissions charged (zero for basic bills)           |
| switch:capital              | equity    | opening balances                                     |
"""

from __future__ import annotations

from dataclasses import dataclass

from fawtara.switch.domain.ledger import AccountType


@dataclass(frozen=True, slots=True)
class AccountSpec:
    code: str
    name_en: str
    name_ar: str
    type: AccountType
    currency: str = "SYP"


def bank_settlement(bank_code: str, bank_name_ar: str = "") -> AccountSpec:
    return AccountSpec(
        f"bank:{bank_code}:settlement",
        f"Settlement with bank {bank_code}",
        f"حساب التسوية مع المصرف {bank_name_ar or bank_code}",
        AccountType.ASSET,
    )


def biller_payable(biller_code: str, biller_name_ar: str = "") -> AccountSpec:
    return AccountSpec(
        f"biller:{biller_code}:payable",
        f"Payable to biller {biller_code}",
        f"مستحقات الجهة المفوترة {biller_name_ar or biller_code}",
        AccountType.LIABILITY,
    )


def counter_cash(counter_code: str) -> AccountSpec:
    return AccountSpec(
        f"counter:{counter_code}:cash",
        f"Cash at counter {counter_code}",
        f"النقد في الصندوق {counter_code}",
        AccountType.ASSET,
    )


SWITCH_ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("switch:suspense", "Suspense", "حساب معلّق", AccountType.LIABILITY),
    AccountSpec("switch:cash_rounding", "Cash rounding", "فروقات تقريب النقد", AccountType.INCOME),
    AccountSpec(
        "switch:refunds_due", "Refunds due", "مبالغ مستحقة الرد للمشتركين", AccountType.LIABILITY
    ),
    AccountSpec("switch:fees", "Fees", "العمولات", AccountType.INCOME),
    AccountSpec("switch:capital", "Capital", "رأس المال", AccountType.EQUITY),
)
CASH_ROUNDING = "switch:cash_rounding"
REFUNDS_DUE = "switch:refunds_due"


def switch_account(code: str) -> AccountSpec:
    """The spec of one of the switch's own accounts."""
    return next(spec for spec in SWITCH_ACCOUNTS if spec.code == code)
