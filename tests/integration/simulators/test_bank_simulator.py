"""The bank simulator as a real process, driven through `HttpBankGateway`.

One simulator serves the whole module; each test opens accounts of its own
and the fault switch is reset after every test.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from lxml import etree  # type: ignore[import-untyped]

from fawtara.banks.adapters import iso20022
from fawtara.banks.adapters.http_gateway import HttpBankGateway
from fawtara.banks.adapters.iso20022 import DEFAULT_SWITCH, CreditDebit
from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.kernel.calendar import DAMASCUS
from fawtara.switch.use_cases.ports import BankUnreachable

BANK = "TSTB"
STARTUP_S_MAX = 20.0
COLLECTION = DEFAULT_SWITCH.collection_account


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def bank_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("bank") / "bank.db"
    port = free_port()
    code = (
        "from pathlib import Path; from fawtara.simulators.bank.cli import run_bank_simulator; "
        f"run_bank_simulator({BANK!r}, {port}, Path({str(database)!r}))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        httpx.post(
            f"{url}/admin/accounts",
            json=[{"number": COLLECTION, "holder_name": "الشركة السورية للمدفوعات الإلكترونية"}],
        ).raise_for_status()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S_MAX
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the bank simulator exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).json() == {"status": "ok", "bank": BANK}:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"the bank simulator did not become healthy in {STARTUP_S_MAX} s")


@pytest.fixture(scope="module")
def gateway(bank_url: str) -> Iterator[HttpBankGateway]:
    with HttpBankGateway({BANK: bank_url}, timeout_s=5.0) as wired:
        yield wired


@pytest.fixture(autouse=True)
def no_fault_afterwards(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "bank_url" in request.fixturenames:
        url = request.getfixturevalue("bank_url")
        httpx.post(f"{url}/admin/faults", json={"mode": "none"}).raise_for_status()


def open_account(
    url: str, balance_minor: int, state: str = "active", daily_limit_minor: int | None = None
) -> str:
    number = f"A{uuid.uuid4().hex[:12]}"
    account = {
        "number": number,
        "holder_name": "ريم الشامي",
        "msisdn": "+963944123456",
        "balance_minor": balance_minor,
        "daily_limit_minor": daily_limit_minor,
        "state": state,
    }
    httpx.post(f"{url}/admin/accounts", json=[account]).raise_for_status()
    return number


def balance(url: str, number: str) -> int:
    response = httpx.get(f"{url}/admin/accounts/{number}")
    response.raise_for_status()
    value: int = response.json()["balance_minor"]
    return value


def set_fault(url: str, mode: str, **options: Any) -> None:
    httpx.post(f"{url}/admin/faults", json={"mode": mode, **options}).raise_for_status()


def debit(account: str, amount_minor: int, payment_id: str | None = None) -> DebitInstruction:
    return DebitInstruction(
        payment_id=payment_id or str(uuid.uuid4()),
        bank_code=BANK,
        account=account,
        amount_minor=amount_minor,
        currency="SYP",
        biller_code="STE",
        remittance="فاتورة هاتف 011-2223344",
        created_at=datetime.now(UTC),
    )


def status_of(gateway: HttpBankGateway, payment_id: str) -> BankAnswer:
    return gateway.status(StatusRequest(payment_id, BANK, datetime.now(UTC)))


def a_return(instruction: DebitInstruction, amount_minor: int, return_id: str) -> ReturnInstruction:
    return ReturnInstruction(
        payment_id=instruction.payment_id,
        return_id=return_id,
        bank_code=BANK,
        account=instruction.account,
        amount_minor=amount_minor,
        currency="SYP",
        reason="NARR",
        created_at=datetime.now(UTC),
    )


# Debits ----------------------------------------------------------------------


def test_a_debit_is_accepted_and_the_balance_falls_by_the_amount(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 500_000_00)
    collected_before = balance(bank_url, COLLECTION)
    answer = gateway.debit(debit(account, 1_234_56))
    assert answer.status is BankStatus.ACCEPTED
    assert answer.bank_reference and answer.bank_reference.startswith(BANK)
    assert balance(bank_url, account) == 500_000_00 - 1_234_56
    assert balance(bank_url, COLLECTION) == collected_before + 1_234_56


@pytest.mark.parametrize(
    ("state", "balance_minor", "daily_limit_minor", "amount_minor", "reason"),
    [
        ("active", 100_00, None, 100_01, "AM04"),
        ("blocked", 500_000_00, None, 100_00, "AC06"),
        ("closed", 500_000_00, None, 100_00, "AC04"),
        ("active", 500_000_00, 1_000_00, 1_000_01, "AM02"),
    ],
    ids=["insufficient-funds", "blocked", "closed", "daily-limit"],
)
def test_a_debit_the_bank_refuses_is_rejected_with_its_reason_and_moves_nothing(
    bank_url: str,
    gateway: HttpBankGateway,
    state: str,
    balance_minor: int,
    daily_limit_minor: int | None,
    amount_minor: int,
    reason: str,
) -> None:
    account = open_account(bank_url, balance_minor, state, daily_limit_minor)
    answer = gateway.debit(debit(account, amount_minor))
    assert (answer.status, answer.reason_code) == (BankStatus.REJECTED, reason)
    assert balance(bank_url, account) == balance_minor


def test_a_debit_of_an_unknown_account_is_rejected_ac01(gateway: HttpBankGateway) -> None:
    answer = gateway.debit(debit("NO-SUCH-ACCOUNT", 100))
    assert (answer.status, answer.reason_code) == (BankStatus.REJECTED, "AC01")
    assert answer.error_code == "ACCOUNT_UNKNOWN"


def test_the_daily_limit_counts_every_debit_of_the_day(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 500_000_00, daily_limit_minor=1_000_00)
    assert gateway.debit(debit(account, 600_00)).status is BankStatus.ACCEPTED
    assert gateway.debit(debit(account, 400_00)).status is BankStatus.ACCEPTED
    refused = gateway.debit(debit(account, 1))
    assert (refused.status, refused.reason_code) == (BankStatus.REJECTED, "AM02")
    assert balance(bank_url, account) == 500_000_00 - 1_000_00


def test_the_same_payment_id_twice_debits_once_and_repeats_the_answer(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 2_500_00)
    first = gateway.debit(instruction)
    second = gateway.debit(instruction)
    assert first.status is BankStatus.ACCEPTED
    assert second == first
    assert balance(bank_url, account) == 10_000_00 - 2_500_00
    rows = httpx.get(
        f"{bank_url}/admin/transactions", params={"payment_id": instruction.payment_id}
    ).json()
    assert [(row["kind"], row["amount_minor"]) for row in rows] == [("debit", 2_500_00)]


def test_concurrent_requests_for_one_payment_id_debit_once(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 1_000_00)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: gateway.debit(instruction), range(8)))
    assert {answer.status for answer in answers} == {BankStatus.ACCEPTED}
    assert len({answer.bank_reference for answer in answers}) == 1
    assert balance(bank_url, account) == 10_000_00 - 1_000_00


def test_the_same_payment_id_with_another_amount_is_refused_am05(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 2_500_00)
    gateway.debit(instruction)
    answer = gateway.debit(debit(account, 2_600_00, payment_id=instruction.payment_id))
    assert (answer.status, answer.reason_code) == (BankStatus.REJECTED, "AM05")
    assert balance(bank_url, account) == 10_000_00 - 2_500_00


# Status inquiry and faults ------------------------------------------------------


def test_the_status_of_a_payment_the_bank_never_saw_is_not_found(
    gateway: HttpBankGateway,
) -> None:
    assert status_of(gateway, str(uuid.uuid4())).status is BankStatus.NOT_FOUND


def test_the_status_of_a_rejected_debit_repeats_the_rejection(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 1_00)
    instruction = debit(account, 2_00)
    gateway.debit(instruction)
    answer = status_of(gateway, instruction.payment_id)
    assert (answer.status, answer.reason_code) == (BankStatus.REJECTED, "AM04")


def test_a_dropped_reply_is_unreachable_and_the_inquiry_shows_the_debit_applied_once(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 3_000_00)
    set_fault(bank_url, "drop_reply", count=1)
    with pytest.raises(BankUnreachable, match="504"):
        gateway.debit(instruction)
    answer = status_of(gateway, instruction.payment_id)
    assert answer.status is BankStatus.ACCEPTED
    assert balance(bank_url, account) == 10_000_00 - 3_000_00
    assert gateway.debit(instruction) == answer  # the switch's retry changes nothing
    assert balance(bank_url, account) == 10_000_00 - 3_000_00


def test_a_reply_later_than_the_timeout_is_unreachable_and_the_debit_stands(
    bank_url: str,
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 1_000_00)
    set_fault(bank_url, "delay", delay_ms=1_500, count=1)
    with HttpBankGateway({BANK: bank_url}, timeout_s=0.5) as impatient:
        with pytest.raises(BankUnreachable, match="in time"):
            impatient.debit(instruction)
        assert status_of(impatient, instruction.payment_id).status is BankStatus.ACCEPTED
    assert balance(bank_url, account) == 10_000_00 - 1_000_00


def test_a_short_delay_still_answers(bank_url: str, gateway: HttpBankGateway) -> None:
    account = open_account(bank_url, 10_000_00)
    set_fault(bank_url, "delay", delay_ms=200, count=1)
    started = time.monotonic()
    assert gateway.debit(debit(account, 1_00)).status is BankStatus.ACCEPTED
    assert time.monotonic() - started >= 0.2


def test_http_500_is_unreachable_and_nothing_is_debited(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 1_000_00)
    set_fault(bank_url, "http_500", count=1)
    with pytest.raises(BankUnreachable, match="HTTP 500"):
        gateway.debit(instruction)
    assert balance(bank_url, account) == 10_000_00
    assert status_of(gateway, instruction.payment_id).status is BankStatus.NOT_FOUND


def test_the_reject_fault_answers_narr_without_debiting(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    set_fault(bank_url, "reject", count=1)
    answer = gateway.debit(debit(account, 1_000_00))
    assert (answer.status, answer.reason_code, answer.error_code) == (
        BankStatus.REJECTED,
        "NARR",
        "BANK_REJECTED",
    )
    assert balance(bank_url, account) == 10_000_00


def test_a_fault_with_a_count_applies_that_many_times_then_stops(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    set_fault(bank_url, "http_500", count=2, messages=["pain.001"])
    for _ in range(2):
        with pytest.raises(BankUnreachable):
            gateway.debit(debit(account, 1_00))
    assert gateway.debit(debit(account, 1_00)).status is BankStatus.ACCEPTED
    assert httpx.get(f"{bank_url}/admin/faults").json()["mode"] == "none"


def test_a_malformed_message_is_answered_400_with_the_reason(bank_url: str) -> None:
    response = httpx.post(
        f"{bank_url}/iso20022/pain.001",
        content=b"<Document/>",
        headers={"Content-Type": "application/xml"},
    )
    assert response.status_code == 400
    assert response.text.startswith("BANK_MESSAGE_INVALID: expected a pain.001.001.09")


# Gateway without a bank ---------------------------------------------------------


def test_a_bank_with_no_route_is_unreachable() -> None:
    with HttpBankGateway({}) as gateway, pytest.raises(BankUnreachable, match="no route"):
        gateway.debit(debit("A1", 100))


def test_a_bank_that_refuses_connections_is_unreachable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with (
        HttpBankGateway({BANK: url}, timeout_s=2) as gateway,
        pytest.raises(BankUnreachable, match="ConnectError"),
    ):
        gateway.status(StatusRequest(str(uuid.uuid4()), BANK, datetime.now(UTC)))


# Returns ------------------------------------------------------------------------


def test_a_return_credits_the_money_back_once(bank_url: str, gateway: HttpBankGateway) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 4_000_00)
    gateway.debit(instruction)
    collected = balance(bank_url, COLLECTION)
    refund = a_return(instruction, 4_000_00, str(uuid.uuid4()))
    first = gateway.return_payment(refund)
    again = gateway.return_payment(refund)
    assert first.status is BankStatus.ACCEPTED
    assert again == first
    assert balance(bank_url, account) == 10_000_00
    assert balance(bank_url, COLLECTION) == collected - 4_000_00


def test_returns_never_exceed_the_debit(bank_url: str, gateway: HttpBankGateway) -> None:
    account = open_account(bank_url, 10_000_00)
    instruction = debit(account, 4_000_00)
    gateway.debit(instruction)
    part = gateway.return_payment(a_return(instruction, 3_000_00, str(uuid.uuid4())))
    too_much = gateway.return_payment(a_return(instruction, 1_000_01, str(uuid.uuid4())))
    assert part.status is BankStatus.ACCEPTED
    assert (too_much.status, too_much.reason_code) == (BankStatus.REJECTED, "AM09")
    assert balance(bank_url, account) == 10_000_00 - 4_000_00 + 3_000_00


def test_a_return_of_a_payment_never_debited_is_not_found(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    answer = gateway.return_payment(a_return(debit(account, 1_00), 1_00, str(uuid.uuid4())))
    assert answer.status is BankStatus.NOT_FOUND
    assert balance(bank_url, account) == 10_000_00


# Statements ---------------------------------------------------------------------


def test_the_camt053_of_a_day_lists_its_entries_and_validates(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    paid = debit(account, 1_234_50)
    gateway.debit(paid)
    gateway.debit(debit(account, 20_000_00))  # rejected: not on the statement
    gateway.return_payment(a_return(paid, 234_50, "R-" + uuid.uuid4().hex[:20]))
    today = datetime.now(DAMASCUS).date()
    data = gateway.fetch_statement(BANK, account, today)
    schema_file = Path(iso20022.__file__).parent / "xsd" / "camt.053.001.08.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_file)))
    assert schema.validate(etree.fromstring(data).getroottree()), schema.error_log
    statement = iso20022.camt053_to_statement(data)
    assert (statement.account, statement.day) == (account, today)
    assert (statement.opening_balance_minor, statement.closing_balance_minor) == (
        0,
        10_000_00 - 1_234_50 + 234_50,
    )
    assert [(e.credit_debit, e.amount_minor, e.transaction_code) for e in statement.entries] == [
        (CreditDebit.CREDIT, 10_000_00, "PMNT/CNTR/CDPT"),
        (CreditDebit.DEBIT, 1_234_50, "PMNT/ICDT/DMCT"),
        (CreditDebit.CREDIT, 234_50, "PMNT/ICDT/RRTN"),
    ]
    assert statement.entries[1].payment_id == paid.payment_id


def test_the_camt054_of_a_payment_carries_its_debit(
    bank_url: str, gateway: HttpBankGateway
) -> None:
    account = open_account(bank_url, 10_000_00)
    paid = debit(account, 7_00)
    answer = gateway.debit(paid)
    response = httpx.get(f"{bank_url}/iso20022/camt.054", params={"payment_id": paid.payment_id})
    notification = iso20022.camt054_to_notification(response.content)
    (entry,) = notification.entries
    assert (notification.account, entry.amount_minor, entry.credit_debit) == (
        account,
        7_00,
        CreditDebit.DEBIT,
    )
    assert (entry.payment_id, entry.bank_reference) == (paid.payment_id, answer.bank_reference)


def test_the_statement_of_an_unknown_account_is_unreachable(gateway: HttpBankGateway) -> None:
    with pytest.raises(BankUnreachable, match="HTTP 404"):
        gateway.fetch_statement(BANK, "NO-SUCH-ACCOUNT", datetime.now(DAMASCUS).date())


# Push payments from the bank's own app --------------------------------------------


class StubSwitch(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StubSwitch.received.append((self.path, dict(self.headers), body))
        refused = body["customer_ref"] == "0119999999"
        reply = (
            {"error": {"code": "UNKNOWN_BILL", "message": "no such bill"}}
            if refused
            else {"payment_id": body["payment_id"], "status": "completed"}
        )
        encoded = json.dumps(reply).encode()
        self.send_response(404 if refused else 201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def switch_url() -> Iterator[str]:
    StubSwitch.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubSwitch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def push_body(switch_url: str, account: str, customer_ref: str = "0112223344") -> dict[str, Any]:
    return {
        "switch_url": switch_url,
        "api_key": "bank-key-123",
        "biller": "STE",
        "customer_ref": customer_ref,
        "bill_ids": ["STE-2026-11-000123"],
        "amount_minor": 2_750_00,
        "account": account,
        "msisdn": "+963944123456",
    }


def test_a_pushed_payment_is_debited_here_then_sent_to_the_switch(
    bank_url: str, switch_url: str
) -> None:
    account = open_account(bank_url, 10_000_00)
    response = httpx.post(f"{bank_url}/admin/push", json=push_body(switch_url, account))
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["status"] == "debited"
    assert outcome["switch"] == {
        "status_code": 201,
        "body": {"payment_id": outcome["payment_id"], "status": "completed"},
    }
    assert balance(bank_url, account) == 10_000_00 - 2_750_00
    ((path, headers, sent),) = StubSwitch.received
    assert path == "/v1/payments"
    assert headers["X-Api-Key"] == "bank-key-123"
    assert sent == {
        "payment_id": outcome["payment_id"],
        "channel": "bank",
        "biller": "STE",
        "customer_ref": "0112223344",
        "bill_ids": ["STE-2026-11-000123"],
        "amount_minor": 2_750_00,
        "currency": "SYP",
        "payer": {"bank": BANK, "account": account},
        "msisdn": "+963944123456",
        "bank_reference": outcome["bank_reference"],
    }
    assert str(uuid.UUID(sent["payment_id"])) == sent["payment_id"]


def test_a_push_the_switch_refuses_is_credited_back(bank_url: str, switch_url: str) -> None:
    account = open_account(bank_url, 10_000_00)
    body = push_body(switch_url, account, customer_ref="0119999999")
    outcome = httpx.post(f"{bank_url}/admin/push", json=body).json()
    assert (outcome["status"], outcome["switch"]["status_code"]) == ("reversed", 404)
    assert balance(bank_url, account) == 10_000_00


def test_a_push_the_account_cannot_pay_never_reaches_the_switch(
    bank_url: str, switch_url: str
) -> None:
    account = open_account(bank_url, 100_00)
    response = httpx.post(f"{bank_url}/admin/push", json=push_body(switch_url, account))
    assert response.status_code == 422
    assert (response.json()["status"], response.json()["reason_code"]) == ("rejected", "AM04")
    assert StubSwitch.received == []
    assert balance(bank_url, account) == 100_00
