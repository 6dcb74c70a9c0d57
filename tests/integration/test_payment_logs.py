"""Every log line of a payment's path carries its payment id, as JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fawtara.banks.adapters.in_memory import Fault
from fawtara.banks.domain.banking import BankAnswer, DebitInstruction
from fawtara.counters.use_cases import counter_journal
from fawtara.ops.adapters.logs import JsonFormatter
from fawtara.sms.use_cases.notifications import (
    SmsState,
    StoredSms,
    SubmitOutcome,
    SubmitStatus,
    WorkerPolicy,
    decide,
)
from fawtara.switch.domain.payments import PaymentState
from fawtara.wiring import Platform
from tests.integration.test_counters import Counters, open_shift
from tests.integration.test_payment_flow import Network


class Lines(logging.Handler):
    """Formats each record as the JSON formatter would write it."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("fawtara")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_line_of_a_payment_carries_its_id_from_received_to_final(
    platform: Platform, lines: Lines
) -> None:
    net = Network(platform)
    chatty = logging.getLogger("fawtara.test.bank")
    debit = net.bank.debit

    def logged_debit(instruction: DebitInstruction) -> BankAnswer:
        chatty.info("debit sent")  # no id given: the switch's context adds it
        return debit(instruction)

    net.bank.debit = logged_debit  # type: ignore[method-assign]
    net.bank.set_fault(Fault.DOWN, count=1)
    payment = net.pay(net.request())
    assert payment.state is PaymentState.UNKNOWN
    other = net.pay(net.request(meter_index=2, amount=1_000))
    net.run_worker(2)

    mine = [line for line in lines.lines if line.get("payment_id") == payment.payment_id]
    assert all(set(line) >= {"ts", "level", "logger", "message"} for line in lines.lines)
    assert {line.get("payment_id") for line in lines.lines} == {
        payment.payment_id,
        other.payment_id,
    }
    moves = [str(line["message"]) for line in mine if line["logger"] == "fawtara.payments"]
    assert [m.split(":")[0].split(" ", 2)[2] for m in moves] == [
        "received -> unknown (BANK_NO_ANSWER)",
        "unknown -> debited",
        "debited -> completed",
    ]
    assert any(line["message"] == "debit sent" for line in mine)


def test_a_refused_sms_is_logged_with_the_payment_it_tells_about(lines: Lines) -> None:
    now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    message = StoredSms(7, "963933123456", "تم الدفع", 1, (), 0, now, "pay-123")
    outcome = SubmitOutcome(7, SubmitStatus.REJECTED, (), "invalid destination")
    assert decide(message, outcome, now, WorkerPolicy()).state is SmsState.FAILED
    [line] = [line for line in lines.lines if "rejected" in str(line["message"])]
    assert line["payment_id"] == "pay-123"


def test_a_counter_journal_cash_entry_is_logged_with_its_payment(
    platform: Platform, lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = Counters(platform)
    shift_id = open_shift(net)
    chatty = logging.getLogger("fawtara.test.journal")
    checks = counter_journal.check_cash_entry

    def logged_checks(*args: Any) -> Any:
        chatty.info("checking a cash entry")  # before the switch drives the payment
        return checks(*args)

    monkeypatch.setattr(counter_journal, "check_cash_entry", logged_checks)
    payment_id = "0f0e0d0c-0000-4000-8000-0000000000aa"
    net.push(net.entry("payment", "rana", shift_id, payment_id=payment_id))
    [line] = [line for line in lines.lines if line["message"] == "checking a cash entry"]
    assert line["payment_id"] == payment_id
