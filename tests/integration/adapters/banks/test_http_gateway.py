"""HttpBankGateway against scripted HTTP answers: anything but a valid answer is unreachable.

The real bank simulator drives the gateway in tests/integration/simulators;
these cases need replies no honest bank sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from fawtara.banks.adapters import iso20022 as iso
from fawtara.banks.adapters.http_gateway import HttpBankGateway
from fawtara.banks.domain.banking import BankAnswer, BankStatus, DebitInstruction
from fawtara.switch.use_cases.ports import BankUnreachable

BANK_URL = "http://cbsy.bank.test"


def instruction() -> DebitInstruction:
    return DebitInstruction(
        payment_id=str(uuid.uuid4()),
        bank_code="CBSY",
        account="0101-223344-01",
        amount_minor=2_500_00,
        currency="SYP",
        biller_code="STE",
        remittance="STE 0112223344",
        created_at=datetime.now(UTC),
    )


def gateway(reply: Callable[[httpx.Request], httpx.Response]) -> HttpBankGateway:
    return HttpBankGateway({"CBSY": BANK_URL}, transport=httpx.MockTransport(reply))


def test_the_debit_is_posted_as_a_valid_pain001_and_the_pain002_read_back() -> None:
    seen: list[httpx.Request] = []

    def bank(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        message = iso.read_pain001(request.content)
        answer = BankAnswer(BankStatus.ACCEPTED, "CBSY20261103X")
        reply = iso.answer_to_pain002(
            message.message_id, message.instruction.payment_id, answer, "CBSY"
        )
        return httpx.Response(200, content=reply, headers={"Content-Type": "application/xml"})

    debit = instruction()
    answer = gateway(bank).debit(debit)
    assert answer == BankAnswer(BankStatus.ACCEPTED, "CBSY20261103X")
    (request,) = seen
    assert (request.method, str(request.url)) == ("POST", f"{BANK_URL}/iso20022/pain.001")
    assert request.headers["Content-Type"] == "application/xml"
    assert iso.pain001_to_debit(request.content) == debit


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (httpx.Response(200, content=b"<html>maintenance</html>"), "invalid pain.002"),
        (httpx.Response(200, content=b""), "invalid pain.002"),
        (httpx.Response(503, content=b"busy"), "HTTP 503: busy"),
        (httpx.Response(504), "HTTP 504"),
        (httpx.Response(400, content=b"bad"), "HTTP 400"),
        (httpx.Response(200, content=b" " * 1_000_001), "exceeds"),
    ],
    ids=["html", "empty", "503", "504", "400", "too-large"],
)
def test_a_reply_that_is_not_a_valid_answer_is_unreachable(
    reply: httpx.Response, reason: str
) -> None:
    with pytest.raises(BankUnreachable, match=reason):
        gateway(lambda _request: reply).debit(instruction())


def test_an_answer_about_another_payment_is_unreachable() -> None:
    other = str(uuid.uuid4())
    reply = iso.answer_to_pain002("M1", other, BankAnswer(BankStatus.ACCEPTED, "R"), "CBSY")
    with pytest.raises(BankUnreachable, match="is about"):
        gateway(lambda _request: httpx.Response(200, content=reply)).debit(instruction())


def test_a_timeout_is_unreachable() -> None:
    def bank(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(BankUnreachable, match="in time"):
        gateway(bank).debit(instruction())
