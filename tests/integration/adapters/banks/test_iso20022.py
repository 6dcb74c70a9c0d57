"""ISO 20022 messages: each built message is schema-valid and reads back exactly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from fawtara.banks.adapters import iso20022 as iso
from fawtara.banks.adapters.iso20022 import (
    DEFAULT_SWITCH,
    CreditDebit,
    MalformedBankMessage,
    Statement,
    StatementEntry,
)
from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.switch.domain.payments import return_id_of

PAYMENT_ID = "3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f"
CREATED_AT = datetime(2026, 11, 3, 9, 30, 15, 123456, tzinfo=UTC)


@cache
def xsd(message_id: str) -> Any:
    """The shipped XSD, loaded here independently of the module under test."""
    source = resources.files("fawtara.banks.adapters") / "xsd" / f"{message_id}.xsd"
    with source.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def assert_valid(data: bytes, message_id: str) -> None:
    schema = xsd(message_id)
    document = etree.fromstring(data)
    assert document.tag == f"{{urn:iso:std:iso:20022:tech:xsd:{message_id}}}Document"
    assert schema.validate(etree.ElementTree(document)), schema.error_log


def debit(**changes: Any) -> DebitInstruction:
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "bank_code": "CBSY",
        "account": "0101-223344-01",
        "amount_minor": 1_234_50,
        "currency": "SYP",
        "biller_code": "STE",
        "remittance": "فاتورة هاتف 011-2223344 تشرين الثاني",
        "created_at": CREATED_AT,
    } | changes
    return DebitInstruction(**fields)


def a_return(**changes: Any) -> ReturnInstruction:
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "return_id": "9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a",
        "bank_code": "CBSY",
        "account": "0101-223344-01",
        "amount_minor": 50_00,
        "currency": "SYP",
        "reason": "AC04",
        "created_at": CREATED_AT,
    } | changes
    return ReturnInstruction(**fields)


ANSWERS = [
    BankAnswer(BankStatus.ACCEPTED, "CBSY20261103A1B2C3"),
    BankAnswer(BankStatus.REJECTED, None, "AM04", "insufficient funds"),
    BankAnswer(BankStatus.REJECTED, None, "AC06", ""),
    BankAnswer(BankStatus.PENDING),
    BankAnswer(BankStatus.NOT_FOUND, detail="no such payment"),
]


# pain.001 ------------------------------------------------------------------


def test_a_debit_becomes_a_valid_pain001_and_reads_back_exactly() -> None:
    data = iso.debit_to_pain001(debit(), DEFAULT_SWITCH, message_id="FWT0001")
    assert_valid(data, "pain.001.001.09")
    message = iso.read_pain001(data)
    assert message.instruction == debit()
    assert message.message_id == "FWT0001"
    assert message.creditor_account == DEFAULT_SWITCH.collection_account
    assert iso.pain001_to_debit(data) == debit()


def test_the_payment_uuid_travels_as_32_hex_digits_in_the_end_to_end_id() -> None:
    document = etree.fromstring(iso.debit_to_pain001(debit(), DEFAULT_SWITCH))
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    (end_to_end,) = document.xpath("//p:EndToEndId/text()", namespaces=ns)
    assert end_to_end == uuid.UUID(PAYMENT_ID).hex
    (amount,) = document.xpath("//p:InstdAmt", namespaces=ns)
    assert (amount.text, amount.get("Ccy")) == ("1234.50", "SYP")
    (created,) = document.xpath("//p:GrpHdr/p:CreDtTm/text()", namespaces=ns)
    assert created == "2026-11-03T12:30:15.123456+03:00"


def test_the_initiator_travels_to_the_debtor_agent_and_reads_back() -> None:
    data = iso.debit_to_pain001(debit(initiator="PORTAL"), DEFAULT_SWITCH)
    assert_valid(data, "pain.001.001.09")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    document = etree.fromstring(data)
    assert document.xpath("//p:PmtInf/p:InstrForDbtrAgt/text()", namespaces=ns) == [
        "INITIATED-BY:PORTAL"
    ]
    assert iso.pain001_to_debit(data) == debit(initiator="PORTAL")
    assert b"InstrForDbtrAgt" not in iso.debit_to_pain001(debit(), DEFAULT_SWITCH)


@pytest.mark.parametrize(
    ("text", "initiator"),
    [("INITIATED-BY:BEMO", "BEMO"), ("please debit today", None), ("INITIATED-BY: x", "bad")],
)
def test_the_debtor_agent_text_names_an_initiator_or_none(text: str, initiator: str) -> None:
    sent = iso.debit_to_pain001(debit(initiator="PORTAL"), DEFAULT_SWITCH)
    data = sent.replace(b"INITIATED-BY:PORTAL", text.encode())
    if initiator == "bad":
        with pytest.raises(MalformedBankMessage, match="names no participant"):
            iso.read_pain001(data)
    else:
        assert iso.read_pain001(data).instruction.initiator == initiator


@pytest.mark.parametrize("amount_minor", [1, 5, 10, 99, 100, 1_234_50, 10**15])
def test_amounts_survive_the_round_trip_to_the_qirsh(amount_minor: int) -> None:
    data = iso.debit_to_pain001(debit(amount_minor=amount_minor), DEFAULT_SWITCH)
    assert iso.pain001_to_debit(data).amount_minor == amount_minor


def test_a_message_id_is_at_most_35_characters() -> None:
    document = etree.fromstring(iso.debit_to_pain001(debit(), DEFAULT_SWITCH))
    message_id = document[0][0][0].text
    assert 0 < len(message_id) <= 35


# pain.002 and pacs.002 -------------------------------------------------------


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.status.value}-{a.reason_code}")
def test_every_answer_becomes_a_valid_pain002_and_reads_back_exactly(answer: BankAnswer) -> None:
    data = iso.answer_to_pain002("FWT0001", PAYMENT_ID, answer, "CBSY")
    assert_valid(data, "pain.002.001.10")
    assert iso.pain002_to_answer(data, expected_payment_id=PAYMENT_ID) == answer


@pytest.mark.parametrize("answered", ["pacs.028.001.03", "pacs.004.001.09"])
@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.status.value}-{a.reason_code}")
def test_every_answer_becomes_a_valid_pacs002_and_reads_back_exactly(
    answer: BankAnswer, answered: str
) -> None:
    data = iso.answer_to_pacs002("FWT0002", answered, PAYMENT_ID, answer, "CBSY", "RET-7")
    assert_valid(data, "pacs.002.001.10")
    assert iso.pacs002_to_answer(data, expected_payment_id=PAYMENT_ID) == answer


@pytest.mark.parametrize(
    ("code", "reason", "status"),
    [
        ("ACSC", None, BankStatus.ACCEPTED),
        ("ACCP", None, BankStatus.ACCEPTED),
        ("ACCC", None, BankStatus.ACCEPTED),
        ("PDNG", None, BankStatus.PENDING),
        ("ACTC", None, BankStatus.PENDING),
        ("RJCT", "AM04", BankStatus.REJECTED),
        ("RJCT", "NOTFOUND", BankStatus.NOT_FOUND),
    ],
)
def test_iso_statuses_map_to_bank_statuses(
    code: str, reason: str | None, status: BankStatus
) -> None:
    template = BankAnswer(BankStatus.REJECTED, None, reason) if reason else ANSWERS[0]
    data = iso.answer_to_pacs002("M1", "pacs.028.001.03", PAYMENT_ID, template, "CBSY")
    data = data.replace(b"<TxSts>RJCT</TxSts>", b"<TxSts>" + code.encode() + b"</TxSts>")
    data = data.replace(b"<TxSts>ACSC</TxSts>", b"<TxSts>" + code.encode() + b"</TxSts>")
    answer = iso.pacs002_to_answer(data)
    assert answer.status is status
    if status is BankStatus.REJECTED:
        assert (answer.reason_code, answer.error_code) == ("AM04", "INSUFFICIENT_FUNDS")


def test_not_found_travels_as_rjct_with_the_proprietary_reason_notfound() -> None:
    data = iso.answer_to_pacs002("M1", "pacs.028.001.03", PAYMENT_ID, ANSWERS[-1], "CBSY")
    assert b"<TxSts>RJCT</TxSts>" in data
    assert b"<Prtry>NOTFOUND</Prtry>" in data


def test_an_answer_about_another_payment_is_refused() -> None:
    data = iso.answer_to_pain002("FWT0001", PAYMENT_ID, ANSWERS[0], "CBSY")
    with pytest.raises(MalformedBankMessage, match="not"):
        iso.pain002_to_answer(data, expected_payment_id=str(uuid.uuid4()))


def test_an_unknown_transaction_status_is_refused() -> None:
    data = iso.answer_to_pain002("FWT0001", PAYMENT_ID, ANSWERS[0], "CBSY")
    with pytest.raises(MalformedBankMessage, match="unknown transaction status"):
        iso.pain002_to_answer(data.replace(b">ACSC<", b">WXYZ<"))


# pacs.028 and pacs.004 ------------------------------------------------------


def test_a_status_request_becomes_a_valid_pacs028_and_reads_back_exactly() -> None:
    request = StatusRequest(PAYMENT_ID, "BEMO", CREATED_AT)
    data = iso.status_request_to_pacs028(request, DEFAULT_SWITCH, message_id="FWT0003")
    assert_valid(data, "pacs.028.001.03")
    assert iso.pacs028_to_status_request(data) == request
    assert iso.read_pacs028(data).message_id == "FWT0003"


@pytest.mark.parametrize("reason", ["AC04", "NARR", "FOCR", "CUSTOMER-REFUND"])
def test_a_return_becomes_a_valid_pacs004_and_reads_back_exactly(reason: str) -> None:
    instruction = a_return(reason=reason)
    data = iso.return_to_pacs004(instruction, DEFAULT_SWITCH)
    assert_valid(data, "pacs.004.001.09")
    assert iso.pacs004_to_return(data) == instruction


def test_ids_other_than_uuids_travel_as_they_are() -> None:
    instruction = a_return(return_id="R-2026-000017")
    assert iso.pacs004_to_return(iso.return_to_pacs004(instruction, DEFAULT_SWITCH)) == instruction


@pytest.mark.parametrize(
    "payment_id", ["9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a", "counter-STN1-" + "7" * 51]
)
def test_the_switchs_return_id_of_any_payment_id_travels_in_a_valid_pacs004(
    payment_id: str,
) -> None:
    """A payment id of up to 64 characters gets a return id a bank can take (Max35Text)."""
    instruction = a_return(payment_id=PAYMENT_ID, return_id=return_id_of(payment_id))
    data = iso.return_to_pacs004(instruction, DEFAULT_SWITCH)
    assert_valid(data, "pacs.004.001.09")
    assert iso.pacs004_to_return(data).return_id == return_id_of(payment_id)


@pytest.mark.parametrize(
    "return_id",
    ["x" * 36, "0123456789abcdef0123456789abcdef", ""],
    ids=["too-long", "bare-32-hex", "empty"],
)
def test_ids_that_cannot_travel_unambiguously_are_refused(return_id: str) -> None:
    with pytest.raises(MalformedBankMessage, match="cannot travel"):
        iso.return_to_pacs004(a_return(return_id=return_id), DEFAULT_SWITCH)


# camt.053 and camt.054 -----------------------------------------------------


def entries() -> tuple[StatementEntry, ...]:
    at = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    return (
        StatementEntry(100_000_00, CreditDebit.CREDIT, at, "CBSY20261103D1", "PMNT/CNTR/CDPT"),
        StatementEntry(
            1_234_50,
            CreditDebit.DEBIT,
            at + timedelta(hours=1),
            "CBSY20261103D2",
            "PMNT/ICDT/DMCT",
            payment_id=PAYMENT_ID,
            remittance="STE 0112223344",
        ),
        StatementEntry(
            50_00,
            CreditDebit.CREDIT,
            at + timedelta(hours=2),
            "CBSY20261103D3",
            "PMNT/ICDT/RRTN",
            payment_id=PAYMENT_ID,
            return_id="R-1",
        ),
    )


@pytest.mark.parametrize("opening_minor", [0, 7_00, -250_00])
def test_a_statement_becomes_a_valid_camt053_and_reads_back_exactly(opening_minor: int) -> None:
    movement = 100_000_00 - 1_234_50 + 50_00
    statement = Statement(
        "0101-223344-01", "SYP", date(2026, 11, 3), opening_minor, opening_minor + movement,
        entries(),
    )  # fmt: skip
    data = iso.camt053_statement(statement, "CBSY")
    assert_valid(data, "camt.053.001.08")
    assert iso.camt053_to_statement(data) == statement


def test_a_statement_whose_entries_do_not_reach_its_closing_balance_is_refused() -> None:
    statement = Statement(
        "A1", "SYP", date(2026, 11, 3), 0, 100_000_00 - 1_234_50 + 50_00, entries()
    )
    data = iso.camt053_statement(statement, "CBSY").replace(
        b'<Amt Ccy="SYP">98815.50</Amt>', b'<Amt Ccy="SYP">98815.51</Amt>'
    )
    with pytest.raises(MalformedBankMessage, match="OPBD to CLBD"):
        iso.camt053_to_statement(data)


def test_a_notification_becomes_a_valid_camt054_and_reads_back_exactly() -> None:
    data = iso.camt054_notification("0101-223344-01", "SYP", entries()[1:2], "CBSY")
    assert_valid(data, "camt.054.001.08")
    notification = iso.camt054_to_notification(data)
    assert notification == iso.Notification("0101-223344-01", "SYP", entries()[1:2])


# What is refused -----------------------------------------------------------


def test_xml_that_is_not_well_formed_is_refused() -> None:
    with pytest.raises(MalformedBankMessage, match="not well-formed"):
        iso.pain002_to_answer(b"<Document><CstmrPmtStsRpt>")


def test_another_message_where_one_was_expected_is_refused() -> None:
    data = iso.answer_to_pacs002("M1", "pacs.028.001.03", PAYMENT_ID, ANSWERS[0], "CBSY")
    with pytest.raises(MalformedBankMessage, match=r"expected a pain\.002\.001\.10 Document"):
        iso.pain002_to_answer(data)


def test_a_message_that_breaks_its_schema_is_refused() -> None:
    data = iso.debit_to_pain001(debit(), DEFAULT_SWITCH, message_id="FWT0001")
    broken = data.replace(b"<NbOfTxs>1</NbOfTxs>", b"", 1)
    with pytest.raises(MalformedBankMessage, match="breaks its schema"):
        iso.pain001_to_debit(broken)


def test_a_message_id_longer_than_35_characters_is_refused_when_building() -> None:
    with pytest.raises(MalformedBankMessage, match="breaks its schema"):
        iso.debit_to_pain001(debit(), DEFAULT_SWITCH, message_id="M" * 36)


@pytest.mark.parametrize("amount", [b"1234.505", b"1234.500", b"0.001"])
def test_amounts_with_more_than_two_decimals_are_refused(amount: bytes) -> None:
    data = iso.debit_to_pain001(debit(), DEFAULT_SWITCH)
    changed = data.replace(b">1234.50<", b">" + amount + b"<")
    assert changed != data
    with pytest.raises(MalformedBankMessage, match="more than 2 decimals"):
        iso.pain001_to_debit(changed)


def test_a_return_amount_with_three_decimals_is_refused() -> None:
    data = iso.return_to_pacs004(a_return(), DEFAULT_SWITCH).replace(b">50.00<", b">50.001<")
    with pytest.raises(MalformedBankMessage, match="more than 2 decimals"):
        iso.pacs004_to_return(data)


def test_a_currency_other_than_syp_is_refused() -> None:
    data = iso.debit_to_pain001(debit(), DEFAULT_SWITCH).replace(b'Ccy="SYP"', b'Ccy="USD"')
    with pytest.raises(MalformedBankMessage, match="unsupported currency 'USD'"):
        iso.pain001_to_debit(data)


def test_a_remittance_longer_than_140_characters_is_refused() -> None:
    with pytest.raises(MalformedBankMessage, match="remittance"):
        iso.debit_to_pain001(debit(remittance="ب" * 141), DEFAULT_SWITCH)


def test_a_doctype_and_its_entities_are_refused() -> None:
    data = iso.answer_to_pain002("FWT0001", PAYMENT_ID, ANSWERS[1], "CBSY")
    hostile = data.replace(
        b"<?xml version='1.0' encoding='UTF-8'?>",
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace(b"insufficient funds", b"&x;")
    with pytest.raises(MalformedBankMessage, match="DOCTYPE"):
        iso.pain002_to_answer(hostile)


def test_a_message_above_the_size_limit_is_refused_before_parsing() -> None:
    with pytest.raises(MalformedBankMessage, match="exceeds"):
        iso.pain002_to_answer(b" " * 1_000_001)


def test_the_error_carries_its_stable_code_and_reason() -> None:
    with pytest.raises(MalformedBankMessage) as caught:
        iso.pain002_to_answer(b"not xml")
    assert caught.value.code == "BANK_MESSAGE_INVALID"
    assert caught.value.reason.startswith("not well-formed XML")
