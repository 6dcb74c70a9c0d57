"""A payment's whole history (switch/use_cases/payment_history.py), on both engines.

Payments go through the real switch with the in-process bank; the
confirmation SMS goes through the real SMS worker to the SMSC simulator over
SMPP, whose delivery receipts come back to the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from fawtara.kernel import errors
from fawtara.switch.domain.payments import PaymentState
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.payment_history import (
    SearchKind,
    parse_query,
    payment_history,
    search_payments,
)
from fawtara.wiring import Platform
from tests.console_support import deliver_sms
from tests.integration.test_payment_flow import OPS, Network
from tests.smsc_support import Smsc, running_smsc


@pytest.fixture(scope="module")
def module_smsc() -> Iterator[Smsc]:
    with running_smsc(receipt_delay_ms=20) as running:
        yield running


@pytest.fixture
def net(platform: Platform) -> Network:
    return Network(platform)


def test_a_completed_payment_shows_states_bank_ledger_posting_and_delivered_sms(
    net: Network, module_smsc: Smsc
) -> None:
    payment = net.pay(net.request())
    assert payment.state is PaymentState.COMPLETED and payment.receipt_no
    deliver_sms(net, module_smsc, payment.payment_id)

    history = payment_history(net.platform.uow(readonly=True), payment.payment_id.upper())
    assert history.payment.payment_id == payment.payment_id
    assert [(s.from_state, s.to_state) for s in history.states] == [
        (None, "received"),
        ("received", "debited"),
        ("debited", "completed"),
    ]
    (exchange,) = history.bank
    assert (exchange.request, exchange.answer, exchange.outcome) == (
        "pain.001.001.09",
        "pain.002.001.10",
        "debited",
    )
    assert [(tr.purpose, tr.kind) for tr in history.transfers] == [
        ("reserve", "pending"),
        ("post", "post_pending"),
    ]
    legs = {(leg.side, leg.account_code, leg.amount_minor) for leg in history.transfers[1].legs}
    assert legs == {("D", "bank:BEMO:settlement", 320_000), ("C", "biller:ELEC:payable", 320_000)}
    assert history.posting is not None
    assert history.posting.bills == ((net.bill[net.meters[0]], 320_000),)
    assert history.posting.reversed_at is None
    assert [w.topic for w in history.outbox] == ["sms.payment_completed"]
    assert history.outbox[0].done_at is not None
    (sms,) = history.sms
    assert (sms.kind, sms.state, sms.msisdn, sms.parts) == (
        "payment_completed",
        "delivered",
        "+963933123456",
        len(sms.receipts),
    )
    assert payment.receipt_no in sms.text
    assert {r.stat for r in sms.receipts} == {"DELIVRD"}
    sources = [entry.source for entry in history.timeline]
    assert sources[0] == "state" and {"bank", "ledger", "biller", "outbox", "sms"} <= set(sources)
    assert [e.at for e in history.timeline] == sorted(e.at for e in history.timeline)


def test_a_refused_payment_shows_the_reason_and_the_voided_reservation(net: Network) -> None:
    payment = net.pay(net.request(account="ACC-POOR"))
    history = payment_history(net.platform.uow(readonly=True), payment.payment_id)
    assert history.states[-1].to_state == "failed"
    assert history.states[-1].reason_code == "INSUFFICIENT_FUNDS"
    assert history.bank[0].reason_code == "INSUFFICIENT_FUNDS"
    assert [tr.purpose for tr in history.transfers] == ["reserve", "void"]
    assert history.posting is None and history.sms == () and history.outbox == ()


def test_a_reversal_shows_the_return_exchange_and_the_reversed_posting(net: Network) -> None:
    payment = net.pay(net.request())
    use_cases.reverse_payment(net.switch, OPS, payment.payment_id, "paid twice")
    history = payment_history(net.platform.uow(readonly=True), payment.payment_id)
    assert history.states[-1].to_state == "reversed"
    assert history.bank[-1].request == "pacs.004.001.09"
    assert [tr.purpose for tr in history.transfers] == ["reserve", "post", "reversal"]
    assert history.posting is not None and history.posting.reversal_reason == "paid twice"
    assert [w.topic for w in history.outbox] == ["sms.payment_completed", "sms.payment_reversed"]


def test_a_payment_is_found_by_id_receipt_or_any_spelling_of_the_phone(net: Network) -> None:
    first = net.pay(net.request(meter_index=0))
    net.clock.advance(timedelta(seconds=5))
    second = net.pay(net.request(meter_index=1, amount=50_000))
    other = net.request(meter_index=2, amount=20_000)
    net.pay(replace(other, msisdn="+963944000001"))
    uow = net.platform.uow_factory(readonly=True)

    def found(query: str, limit: int = 50) -> list[str]:
        return [p.payment_id for p in search_payments(uow(), query, limit)[1]]

    assert found(first.payment_id.upper()) == [first.payment_id]
    assert second.receipt_no is not None
    assert found(second.receipt_no.lower()) == [second.payment_id]
    newest_first = [second.payment_id, first.payment_id]
    for spelling in ("0933123456", "+963 933 123 456", "00963933123456", "933-123-456"):
        assert found(spelling) == newest_first
    assert found("0933123456", limit=1) == [second.payment_id]
    assert found("0999999999") == []


def test_a_payment_without_a_number_is_found_by_the_number_its_sms_went_to(
    net: Network, module_smsc: Smsc
) -> None:
    payment = net.pay(replace(net.request(), msisdn=None))  # the SMS goes to the holder
    uow = net.platform.uow_factory(readonly=True)
    assert search_payments(uow(), "0933123456")[1] == []
    deliver_sms(net, module_smsc, payment.payment_id)
    assert [p.payment_id for p in search_payments(uow(), "0933123456")[1]] == [payment.payment_id]


def test_queries_that_are_no_id_receipt_or_mobile_are_refused_with_the_three_forms() -> None:
    assert parse_query(" 261101-abcdefghij ").kind is SearchKind.RECEIPT_NO
    assert parse_query("+963933123456").value == "+963933123456"
    for query in ("", "hello", "0112345678", "261101-ABC"):
        with pytest.raises(errors.ValidationError, match="payment id, receipt number"):
            parse_query(query)


def test_an_unknown_payment_id_is_a_named_error(platform: Platform) -> None:
    with pytest.raises(errors.UnknownPayment):
        payment_history(platform.uow(readonly=True), "0b6f5f7e-8d7e-4c43-9a0e-3d3f2a1c5b01")
