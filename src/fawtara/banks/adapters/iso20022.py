"""The switch's bank messages as ISO 20022 XML, built and read back exactly.

    what                                   request            answer
    debit a subscriber's account           pain.001.001.09    pain.002.001.10
    what became of a payment               pacs.028.001.03    pacs.002.001.10
    give a payment's money back            pacs.004.001.09    pacs.002.001.10
    one booked transaction                 camt.054.001.08    (notification)
    an account's day                       camt.053.001.08    (statement)

Every message built here is validated against its XSD before it leaves, and
every message read is validated before a field is looked at; either failure
is a `MalformedBankMessage` (code BANK_MESSAGE_INVALID).

Conventions of the connector (docs/BANKS.md has the full table):

- One payment per message: NbOfTxs is 1, one PmtInf, one transaction.
- Ids: the payment UUID travels as its 32 hex digits in EndToEndId (and
  InstrId, PmtInfId); a return id likewise in RtrId. `domain_id` maps back.
- The switch is the creditor: it collects into its account at the payer's
  bank (`SwitchIdentity.collection_account`); the biller is the ultimate
  creditor, its code in UltmtCdtr/Id/OrgId/Othr/Id (scheme "BILLER").
- Banks are named by their national code in ClrSysMmbId/MmbId; the switch by
  its BIC.
- Who asked the switch for a debit (the payment's initiator, a participant
  code) travels to the debtor's bank as PmtInf/InstrForDbtrAgt
  "INITIATED-BY:PORTAL": the bank can tell its own app's debits from a third
  party's, which may need the holder's consent.
- Status: ACSC, ACCC, ACCP -> ACCEPTED; PDNG, ACTC, ACSP, RCVD -> PENDING;
  RJCT -> REJECTED with the ISO reason in StsRsnInf/Rsn/Cd, except that
  RJCT with StsRsnInf/Rsn/Prtry "NOTFOUND" means the bank never saw the
  payment (answer to a pacs.028, or a pacs.004 for an unknown payment) and
  reads as NOT_FOUND.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fawtara.banks.adapters.statements import (
    CreditDebit,
    Notification,
    Statement,
    StatementEntry,
    camt053_statement,
    camt053_to_statement,
    camt054_notification,
    camt054_to_notification,
)
from fawtara.banks.adapters.wire import (
    Builder,
    MalformedBankMessage,
    Reader,
    additional_info_length_max,
    amount_text,
    clip_narrative,
    damascus_day,
    domain_id,
    iso_datetime,
    new_message_id,
    parse,
    parse_amount_minor,
    parse_datetime,
    remittance_length_max,
    wire_id,
)
from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.kernel import limits

__all__ = [
    "DEFAULT_SWITCH",
    "INITIATOR_PREFIX",
    "NOT_FOUND_REASON",
    "PACS002",
    "PACS004",
    "PACS028",
    "PAIN001",
    "PAIN002",
    "CreditDebit",
    "DebitMessage",
    "MalformedBankMessage",
    "Notification",
    "ReturnMessage",
    "Statement",
    "StatementEntry",
    "StatusRequestMessage",
    "SwitchIdentity",
    "answer_to_pacs002",
    "answer_to_pain002",
    "camt053_statement",
    "camt053_to_statement",
    "camt054_notification",
    "camt054_to_notification",
    "debit_to_pain001",
    "domain_id",
    "pacs002_to_answer",
    "pacs004_to_return",
    "pacs028_to_status_request",
    "pain001_to_debit",
    "pain002_to_answer",
    "read_pacs004",
    "read_pacs028",
    "read_pain001",
    "return_to_pacs004",
    "status_request_to_pacs028",
    "wire_id",
]

PAIN001 = "pain.001.001.09"
PAIN002 = "pain.002.001.10"
PACS002 = "pacs.002.001.10"
PACS028 = "pacs.028.001.03"
PACS004 = "pacs.004.001.09"

# PmtInf/InstrForDbtrAgt: "INITIATED-BY:" + the initiator's participant code.
INITIATOR_PREFIX = "INITIATED-BY:"
_INITIATOR_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}", re.ASCII)

# The proprietary reason of a RJCT that means "no such payment here".
NOT_FOUND_REASON = "NOTFOUND"
BILLER_SCHEME = "BILLER"

_ACCEPTED = {"ACSC", "ACCC", "ACCP"}
_PENDING = {"PDNG", "ACTC", "ACSP", "RCVD"}
_STATUS_CODE = {
    BankStatus.ACCEPTED: "ACSC",
    BankStatus.PENDING: "PDNG",
    BankStatus.REJECTED: "RJCT",
    BankStatus.NOT_FOUND: "RJCT",
}


@dataclass(frozen=True, slots=True)
class SwitchIdentity:
    """Who the switch is on the wire."""

    name: str  # initiating party and creditor name
    bic: str  # the switch's BIC, e.g. "SEPCSYDA"
    collection_account: str  # the switch's account at every bank, credited by each debit


DEFAULT_SWITCH = SwitchIdentity(
    name="Syrian Electronic Payments Company", bic="SEPCSYDA", collection_account="SEPC-COLLECT"
)


@dataclass(frozen=True, slots=True)
class DebitMessage:
    """A pain.001 as the bank reads it."""

    message_id: str
    instruction: DebitInstruction
    creditor_account: str | None


@dataclass(frozen=True, slots=True)
class StatusRequestMessage:
    message_id: str
    request: StatusRequest


@dataclass(frozen=True, slots=True)
class ReturnMessage:
    message_id: str
    instruction: ReturnInstruction


def _now() -> datetime:
    return datetime.now(UTC)


def _add_bank(b: Builder, parent: Any, path: str, bank_code: str) -> None:
    b.add(parent, f"{path}/FinInstnId/ClrSysMmbId/MmbId", bank_code)


def _add_account(b: Builder, parent: Any, path: str, account: str) -> Any:
    holder = b.add(parent, path)
    b.add(holder, "Id/Othr/Id", account)
    return holder


def _add_switch_party(b: Builder, parent: Any, path: str, switch: SwitchIdentity) -> None:
    party = b.add(parent, path)
    b.add(party, "Nm", switch.name)
    b.add(party, "Id/OrgId/AnyBIC", switch.bic)


# pain.001 -----------------------------------------------------------------


def debit_to_pain001(
    instruction: DebitInstruction, switch: SwitchIdentity, message_id: str | None = None
) -> bytes:
    """A CustomerCreditTransferInitiation asking the payer's bank to debit."""
    if len(instruction.remittance) > remittance_length_max:
        raise MalformedBankMessage(f"remittance longer than {remittance_length_max} characters")
    e2e = wire_id(instruction.payment_id)
    amount = amount_text(instruction.amount_minor, instruction.currency)
    b = Builder(PAIN001)
    initiation = b.add(b.root, "CstmrCdtTrfInitn")
    header = b.add(initiation, "GrpHdr")
    b.add(header, "MsgId", message_id or new_message_id("FWT"))
    b.add(header, "CreDtTm", iso_datetime(instruction.created_at))
    b.add(header, "NbOfTxs", "1")
    b.add(header, "CtrlSum", amount)
    _add_switch_party(b, header, "InitgPty", switch)
    batch = b.add(initiation, "PmtInf")
    b.add(batch, "PmtInfId", e2e)
    b.add(batch, "PmtMtd", "TRF")
    b.add(batch, "NbOfTxs", "1")
    b.add(batch, "CtrlSum", amount)
    b.add(batch, "ReqdExctnDt/Dt", damascus_day(instruction.created_at).isoformat())
    b.add(batch, "Dbtr")
    debtor_account = _add_account(b, batch, "DbtrAcct", instruction.account)
    b.add(debtor_account, "Ccy", instruction.currency)
    _add_bank(b, batch, "DbtrAgt", instruction.bank_code)
    if instruction.initiator is not None:
        b.add(batch, "InstrForDbtrAgt", INITIATOR_PREFIX + instruction.initiator)
    transaction = b.add(batch, "CdtTrfTxInf")
    identification = b.add(transaction, "PmtId")
    b.add(identification, "InstrId", e2e)
    b.add(identification, "EndToEndId", e2e)
    b.add(transaction, "Amt/InstdAmt", amount, Ccy=instruction.currency)
    _add_switch_party(b, transaction, "Cdtr", switch)
    _add_account(b, transaction, "CdtrAcct", switch.collection_account)
    biller = b.add(transaction, "UltmtCdtr/Id/OrgId/Othr")
    b.add(biller, "Id", instruction.biller_code)
    b.add(biller, "SchmeNm/Prtry", BILLER_SCHEME)
    if instruction.remittance:
        b.add(transaction, "RmtInf/Ustrd", instruction.remittance)
    return b.to_bytes()


def read_pain001(data: bytes) -> DebitMessage:
    """A pain.001 of one payment, as the bank simulator reads it."""
    r = Reader(PAIN001)
    initiation = r.one(parse(data, PAIN001), "CstmrCdtTrfInitn")
    batches = r.all(initiation, "PmtInf")
    transactions = [t for batch in batches for t in r.all(batch, "CdtTrfTxInf")]
    if len(batches) != 1 or len(transactions) != 1:
        raise MalformedBankMessage("a pain.001 must carry exactly one payment")
    batch, transaction = batches[0], transactions[0]
    amount = r.one(transaction, "Amt/InstdAmt")
    currency = amount.get("Ccy")
    instruction = DebitInstruction(
        payment_id=domain_id(r.required(transaction, "PmtId/EndToEndId")),
        bank_code=r.required(batch, "DbtrAgt/FinInstnId/ClrSysMmbId/MmbId"),
        account=r.required(batch, "DbtrAcct/Id/Othr/Id"),
        amount_minor=parse_amount_minor(amount.text, currency),
        currency=currency,
        biller_code=r.required(transaction, "UltmtCdtr/Id/OrgId/Othr/Id"),
        remittance=r.text(transaction, "RmtInf/Ustrd") or "",
        created_at=parse_datetime(r.required(initiation, "GrpHdr/CreDtTm")),
        initiator=_initiator(r.text(batch, "InstrForDbtrAgt")),
    )
    return DebitMessage(
        message_id=r.required(initiation, "GrpHdr/MsgId"),
        instruction=instruction,
        creditor_account=r.text(transaction, "CdtrAcct/Id/Othr/Id"),
    )


def _initiator(instruction_for_debtor_agent: str | None) -> str | None:
    """The initiator named in InstrForDbtrAgt; None for other text or none at all."""
    text = (instruction_for_debtor_agent or "").strip()
    if not text.startswith(INITIATOR_PREFIX):
        return None
    code = text.removeprefix(INITIATOR_PREFIX)
    if not _INITIATOR_CODE.fullmatch(code):
        quoted = limits.clip(text, limits.quoted_input_length_max)
        raise MalformedBankMessage(f"InstrForDbtrAgt names no participant: {quoted!r}")
    return code


def pain001_to_debit(data: bytes) -> DebitInstruction:
    return read_pain001(data).instruction


# Status reports (pain.002, pacs.002) ---------------------------------------


def _add_status(b: Builder, transaction: Any, answer: BankAnswer) -> None:
    b.add(transaction, "TxSts", _STATUS_CODE[answer.status])
    reason = NOT_FOUND_REASON if answer.status is BankStatus.NOT_FOUND else answer.reason_code
    if reason or answer.detail:
        info = b.add(transaction, "StsRsnInf")
        if reason:
            b.add(info, "Rsn/Cd" if len(reason) <= 4 else "Rsn/Prtry", reason)
        if answer.detail:
            b.add(info, "AddtlInf", clip_narrative(answer.detail, additional_info_length_max))


def _add_bank_reference(b: Builder, transaction: Any, answer: BankAnswer) -> None:
    if answer.bank_reference:
        b.add(transaction, "AcctSvcrRef", answer.bank_reference)


def _read_status(r: Reader, transaction: Any, expected_payment_id: str | None) -> BankAnswer:
    end_to_end = r.required(transaction, "OrgnlEndToEndId")
    if expected_payment_id is not None and end_to_end != wire_id(expected_payment_id):
        raise MalformedBankMessage(
            f"the answer is about {domain_id(end_to_end)}, not {expected_payment_id}"
        )
    code = r.required(transaction, "TxSts")
    reason = r.text(transaction, "StsRsnInf/Rsn/Cd") or r.text(transaction, "StsRsnInf/Rsn/Prtry")
    detail = " ".join(e.text or "" for e in r.all(transaction, "StsRsnInf/AddtlInf"))
    reference = r.text(transaction, "AcctSvcrRef")
    if code in _ACCEPTED:
        return BankAnswer(BankStatus.ACCEPTED, reference, None, detail)
    if code in _PENDING:
        return BankAnswer(BankStatus.PENDING, reference, None, detail)
    if code == "RJCT" and reason == NOT_FOUND_REASON:
        return BankAnswer(BankStatus.NOT_FOUND, None, None, detail)
    if code == "RJCT":
        return BankAnswer(BankStatus.REJECTED, reference, reason, detail)
    raise MalformedBankMessage(f"unknown transaction status {code!r}")


def answer_to_pain002(
    original_message_id: str,
    payment_id: str,
    answer: BankAnswer,
    bank_code: str,
    message_id: str | None = None,
    created_at: datetime | None = None,
) -> bytes:
    """The bank's CustomerPaymentStatusReport for the pain.001 `original_message_id`."""
    e2e = wire_id(payment_id)
    b = Builder(PAIN002)
    report = b.add(b.root, "CstmrPmtStsRpt")
    header = b.add(report, "GrpHdr")
    b.add(header, "MsgId", message_id or new_message_id(bank_code))
    b.add(header, "CreDtTm", iso_datetime(created_at or _now()))
    _add_bank(b, header, "DbtrAgt", bank_code)
    group = b.add(report, "OrgnlGrpInfAndSts")
    b.add(group, "OrgnlMsgId", original_message_id)
    b.add(group, "OrgnlMsgNmId", PAIN001)
    batch = b.add(report, "OrgnlPmtInfAndSts")
    b.add(batch, "OrgnlPmtInfId", e2e)
    transaction = b.add(batch, "TxInfAndSts")
    b.add(transaction, "OrgnlInstrId", e2e)
    b.add(transaction, "OrgnlEndToEndId", e2e)
    _add_status(b, transaction, answer)
    _add_bank_reference(b, transaction, answer)
    return b.to_bytes()


def pain002_to_answer(data: bytes, expected_payment_id: str | None = None) -> BankAnswer:
    """The bank's answer in a pain.002; it must be about `expected_payment_id` when given."""
    r = Reader(PAIN002)
    report = r.one(parse(data, PAIN002), "CstmrPmtStsRpt")
    transactions = r.all(report, "OrgnlPmtInfAndSts/TxInfAndSts")
    if len(transactions) != 1:
        raise MalformedBankMessage("a pain.002 must answer exactly one payment")
    return _read_status(r, transactions[0], expected_payment_id)


def answer_to_pacs002(
    answered_message_id: str,
    answered_message_name: str,
    payment_id: str,
    answer: BankAnswer,
    bank_code: str,
    return_id: str | None = None,
    message_id: str | None = None,
    created_at: datetime | None = None,
) -> bytes:
    """The bank's FIToFIPaymentStatusReport answering a pacs.028 or a pacs.004.

    OrgnlGrpInf names the message answered (`answered_message_name`, e.g.
    "pacs.028.001.03"); for a return, OrgnlInstrId carries the return id.
    """
    assert answered_message_name in (PACS028, PACS004), answered_message_name
    b = Builder(PACS002)
    report = b.add(b.root, "FIToFIPmtStsRpt")
    header = b.add(report, "GrpHdr")
    b.add(header, "MsgId", message_id or new_message_id(bank_code))
    b.add(header, "CreDtTm", iso_datetime(created_at or _now()))
    _add_bank(b, header, "InstgAgt", bank_code)
    transaction = b.add(report, "TxInfAndSts")
    group = b.add(transaction, "OrgnlGrpInf")
    b.add(group, "OrgnlMsgId", answered_message_id)
    b.add(group, "OrgnlMsgNmId", answered_message_name)
    if return_id is not None:
        b.add(transaction, "OrgnlInstrId", wire_id(return_id))
    b.add(transaction, "OrgnlEndToEndId", wire_id(payment_id))
    _add_status(b, transaction, answer)
    _add_bank_reference(b, transaction, answer)
    return b.to_bytes()


def pacs002_to_answer(data: bytes, expected_payment_id: str | None = None) -> BankAnswer:
    """The bank's answer in a pacs.002; it must be about `expected_payment_id` when given."""
    r = Reader(PACS002)
    report = r.one(parse(data, PACS002), "FIToFIPmtStsRpt")
    transactions = r.all(report, "TxInfAndSts")
    if len(transactions) != 1:
        raise MalformedBankMessage("a pacs.002 must answer exactly one payment")
    return _read_status(r, transactions[0], expected_payment_id)


# pacs.028 -----------------------------------------------------------------


def status_request_to_pacs028(
    request: StatusRequest, switch: SwitchIdentity, message_id: str | None = None
) -> bytes:
    """An FIToFIPaymentStatusRequest: what became of this payment?"""
    e2e = wire_id(request.payment_id)
    b = Builder(PACS028)
    inquiry = b.add(b.root, "FIToFIPmtStsReq")
    header = b.add(inquiry, "GrpHdr")
    identifier = message_id or new_message_id("FWT")
    b.add(header, "MsgId", identifier)
    b.add(header, "CreDtTm", iso_datetime(request.created_at))
    b.add(header, "InstgAgt/FinInstnId/BICFI", switch.bic)
    _add_bank(b, header, "InstdAgt", request.bank_code)
    transaction = b.add(inquiry, "TxInf")
    b.add(transaction, "StsReqId", identifier)
    b.add(transaction, "OrgnlEndToEndId", e2e)
    return b.to_bytes()


def read_pacs028(data: bytes) -> StatusRequestMessage:
    r = Reader(PACS028)
    inquiry = r.one(parse(data, PACS028), "FIToFIPmtStsReq")
    transactions = r.all(inquiry, "TxInf")
    if len(transactions) != 1:
        raise MalformedBankMessage("a pacs.028 must ask about exactly one payment")
    request = StatusRequest(
        payment_id=domain_id(r.required(transactions[0], "OrgnlEndToEndId")),
        bank_code=r.required(inquiry, "GrpHdr/InstdAgt/FinInstnId/ClrSysMmbId/MmbId"),
        created_at=parse_datetime(r.required(inquiry, "GrpHdr/CreDtTm")),
    )
    return StatusRequestMessage(r.required(inquiry, "GrpHdr/MsgId"), request)


def pacs028_to_status_request(data: bytes) -> StatusRequest:
    return read_pacs028(data).request


# pacs.004 -----------------------------------------------------------------


def return_to_pacs004(
    instruction: ReturnInstruction, switch: SwitchIdentity, message_id: str | None = None
) -> bytes:
    """A PaymentReturn: credit a payment's money back to the payer's account."""
    amount = amount_text(instruction.amount_minor, instruction.currency)
    b = Builder(PACS004)
    payment_return = b.add(b.root, "PmtRtr")
    header = b.add(payment_return, "GrpHdr")
    b.add(header, "MsgId", message_id or new_message_id("FWT"))
    b.add(header, "CreDtTm", iso_datetime(instruction.created_at))
    b.add(header, "NbOfTxs", "1")
    b.add(header, "SttlmInf/SttlmMtd", "CLRG")
    b.add(header, "InstgAgt/FinInstnId/BICFI", switch.bic)
    _add_bank(b, header, "InstdAgt", instruction.bank_code)
    transaction = b.add(payment_return, "TxInf")
    b.add(transaction, "RtrId", wire_id(instruction.return_id))
    b.add(transaction, "OrgnlEndToEndId", wire_id(instruction.payment_id))
    b.add(transaction, "RtrdIntrBkSttlmAmt", amount, Ccy=instruction.currency)
    reason = instruction.reason
    b.add(transaction, "RtrRsnInf/Rsn/Cd" if len(reason) <= 4 else "RtrRsnInf/Rsn/Prtry", reason)
    _add_account(b, transaction, "OrgnlTxRef/DbtrAcct", instruction.account)
    return b.to_bytes()


def read_pacs004(data: bytes) -> ReturnMessage:
    r = Reader(PACS004)
    payment_return = r.one(parse(data, PACS004), "PmtRtr")
    transactions = r.all(payment_return, "TxInf")
    if len(transactions) != 1:
        raise MalformedBankMessage("a pacs.004 must return exactly one payment")
    transaction = transactions[0]
    amount = r.one(transaction, "RtrdIntrBkSttlmAmt")
    currency = amount.get("Ccy")
    reason = r.text(transaction, "RtrRsnInf/Rsn/Cd") or r.text(transaction, "RtrRsnInf/Rsn/Prtry")
    instruction = ReturnInstruction(
        payment_id=domain_id(r.required(transaction, "OrgnlEndToEndId")),
        return_id=domain_id(r.required(transaction, "RtrId")),
        bank_code=r.required(payment_return, "GrpHdr/InstdAgt/FinInstnId/ClrSysMmbId/MmbId"),
        account=r.required(transaction, "OrgnlTxRef/DbtrAcct/Id/Othr/Id"),
        amount_minor=parse_amount_minor(amount.text, currency),
        currency=currency,
        reason=reason or "NARR",
        created_at=parse_datetime(r.required(payment_return, "GrpHdr/CreDtTm")),
    )
    return ReturnMessage(r.required(payment_return, "GrpHdr/MsgId"), instruction)


def pacs004_to_return(data: bytes) -> ReturnInstruction:
    return read_pacs004(data).instruction
