"""What a receipt says, read from the switch's store (receipts/use_cases/receipts.py).

A counter payment's receipt says what the counter's printed one says: the
cashier, the counter, the cash taken and its rounding, any credit or refund,
and the time the cash was taken; a bank payment's shows the masked account.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from fawtara.counters.domain.counters import Counter as CounterRecord
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases.cash_payments import void_cash_payment
from fawtara.kernel.errors import ReceiptNotAvailable
from fawtara.receipts.domain.receipts import Receipt
from fawtara.receipts.use_cases.receipts import receipt_of_payment
from fawtara.switch.domain.payments import Payment
from fawtara.wiring import Platform
from tests.integration.test_cash_payments import Counter


@pytest.fixture
def net(platform: Platform) -> Counter:
    return Counter(platform)


def stored(net: Counter, payment_id: str) -> Payment:
    with net.platform.uow(readonly=True) as uow:
        payment = uow.payments.get(payment_id)
    assert payment is not None
    return payment


def receipt(net: Counter, payment_id: str) -> Receipt:
    return receipt_of_payment(net.platform.uow(readonly=True), stored(net, payment_id))


def test_a_cash_receipt_names_the_cashier_counter_cash_and_rounding(net: Counter) -> None:
    now = net.clock.now()
    with net.platform.uow() as uow:
        uow.counters.add(CounterRecord("DAM01", "مركز هاتف المزة", "Mazzeh", "Damascus"), now)
        uow.staff.add(StaffMember("rana", "رنا الحلبي", Role.CASHIER, "DAM01"), "x", now)
        uow.commit()
    owed = net.owed() - 1_234  # a partial payment (ELEC takes them) that needs rounding
    cash = net.cash(owed, days_ago=2)
    assert cash.cash_taken_minor != owed
    net.take(cash)
    shown = receipt(net, cash.payment_id)
    assert (shown.channel, shown.counter_code, shown.counter_name_ar, shown.cashier) == (
        "counter",
        "DAM01",
        "مركز هاتف المزة",
        "رنا الحلبي",
    )
    assert (shown.amount_minor, shown.cash_taken_minor, shown.rounding_minor) == (
        owed,
        cash.cash_taken_minor,
        cash.cash_taken_minor - owed,
    )
    assert (shown.credit_minor, shown.refund_minor, shown.payer_account_masked) == (0, 0, None)
    assert shown.accepted_at == now - timedelta(days=2)  # when the cash was taken
    assert [b.amount_minor for b in shown.bills] == [owed]


@pytest.mark.parametrize(("rule", "kind"), [("partial", "refund"), ("advance", "credit")])
def test_a_bill_paid_meanwhile_shows_the_cash_as_credit_or_refund(
    net: Counter, rule: str, kind: str
) -> None:
    owed = net.owed()
    _bank, cash, _outcome = net.paid_by_bank_then_in_cash(rule)
    shown = receipt(net, cash.payment_id)
    assert {"credit": shown.credit_minor, "refund": shown.refund_minor} == {
        "credit": owed if kind == "credit" else 0,
        "refund": owed if kind == "refund" else 0,
    }
    assert [b.amount_minor for b in shown.bills] == [0]  # the bank payment paid it
    assert shown.cashier == "rana"  # a cashier the staff list does not know: the username
    assert shown.counter_name_ar is None


def test_a_bank_payment_shows_the_masked_account_and_no_cash(net: Counter) -> None:
    paid = net.pay(net.request(amount=net.owed(), account="ACC-1"))
    shown = receipt(net, paid.payment_id)
    assert shown.payer_account_masked == "**CC-1"
    assert (shown.cash_taken_minor, shown.cashier, shown.counter_code) == (None, None, None)
    assert shown.accepted_at == stored(net, paid.payment_id).completed_at


def test_a_voided_cash_payment_has_no_receipt(net: Counter) -> None:
    cash = net.cash(net.owed())
    net.take(cash)
    void_cash_payment(net.switch, "DAM01", cash.payment_id, "huda", "wrong meter", net.clock.now())
    with pytest.raises(ReceiptNotAvailable):
        receipt(net, cash.payment_id)
