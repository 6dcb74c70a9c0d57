"""What a bank reports about an account: camt.053 statements and camt.054 notifications.

A statement covers one account for one Asia/Damascus day: the opening and
closing booked balances (OPBD, CLBD) and every booked entry in between, so
that opening + credits - debits = closing. A notification carries the
entries of one or more transactions as they are booked. Both name the
payment of each entry by its end-to-end id (the payment UUID's 32 hex digits),
which is what reconciliation matches on.

Entries are typed by the ISO bank transaction code, "domain/family/sub-family":

    PMNT/ICDT/DMCT   debit of a bill payment from the payer's account
    PMNT/RCDT/DMCT   credit of a bill payment to the switch's collection account
    PMNT/ICDT/RRTN   a returned payment, credited back to the payer
    PMNT/RCDT/RRTN   a returned payment, taken back from the collection account
    PMNT/CNTR/CDPT   cash deposit (how the simulator funds an account)
    PMNT/CNTR/CWDL   cash withdrawal
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fawtara.banks.adapters.wire import (
    Builder,
    MalformedBankMessage,
    Reader,
    amount_text,
    domain_id,
    iso_datetime,
    new_message_id,
    parse,
    parse_amount_minor,
    parse_date,
    parse_datetime,
    remittance_length_max,
    statement_bytes_max,
    wire_id,
)
from fawtara.kernel.calendar import DAMASCUS

CAMT053 = "camt.053.001.08"
CAMT054 = "camt.054.001.08"


class CreditDebit(enum.Enum):
    CREDIT = "CRDT"
    DEBIT = "DBIT"


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One booked movement on an account."""

    amount_minor: int  # positive; the direction says which way
    credit_debit: CreditDebit
    booked_at: datetime
    bank_reference: str  # the bank's own reference (AcctSvcrRef)
    transaction_code: str  # "PMNT/ICDT/DMCT"
    payment_id: str | None = None  # the end-to-end id, when the entry is a payment's
    return_id: str | None = None  # for a returned payment
    remittance: str = ""

    @property
    def signed_minor(self) -> int:
        return self.amount_minor if self.credit_debit is CreditDebit.CREDIT else -self.amount_minor


@dataclass(frozen=True, slots=True)
class Statement:
    account: str
    currency: str
    day: date  # Asia/Damascus
    opening_balance_minor: int  # signed: negative is an overdraft
    closing_balance_minor: int
    entries: tuple[StatementEntry, ...]


@dataclass(frozen=True, slots=True)
class Notification:
    account: str
    currency: str
    entries: tuple[StatementEntry, ...]


def _add_account(b: Builder, parent: Any, account: str, currency: str, bank_code: str) -> None:
    holder = b.add(parent, "Acct")
    b.add(holder, "Id/Othr/Id", account)
    b.add(holder, "Ccy", currency)
    b.add(holder, "Svcr/FinInstnId/ClrSysMmbId/MmbId", bank_code)


def _add_balance(b: Builder, statement: Any, kind: str, balance_minor: int, s: Statement) -> None:
    balance = b.add(statement, "Bal")
    b.add(balance, "Tp/CdOrPrtry/Cd", kind)
    b.add(balance, "Amt", amount_text(abs(balance_minor), s.currency), Ccy=s.currency)
    b.add(balance, "CdtDbtInd", "DBIT" if balance_minor < 0 else "CRDT")
    b.add(balance, "Dt/Dt", s.day.isoformat())


def _add_entry(b: Builder, parent: Any, entry: StatementEntry, currency: str) -> None:
    domain, family, sub_family = entry.transaction_code.split("/")  # PMNT/ICDT/DMCT
    if len(entry.remittance) > remittance_length_max:
        raise MalformedBankMessage(f"remittance longer than {remittance_length_max} characters")
    item = b.add(parent, "Ntry")
    b.add(item, "Amt", amount_text(entry.amount_minor, currency), Ccy=currency)
    b.add(item, "CdtDbtInd", entry.credit_debit.value)
    b.add(item, "Sts/Cd", "BOOK")
    b.add(item, "BookgDt/DtTm", iso_datetime(entry.booked_at))
    b.add(item, "ValDt/Dt", entry.booked_at.astimezone(DAMASCUS).date().isoformat())
    b.add(item, "AcctSvcrRef", entry.bank_reference)
    code = b.add(item, "BkTxCd/Domn")
    b.add(code, "Cd", domain)
    family_code = b.add(code, "Fmly")
    b.add(family_code, "Cd", family)
    b.add(family_code, "SubFmlyCd", sub_family)
    details = b.add(item, "NtryDtls/TxDtls")
    references = b.add(details, "Refs")
    b.add(references, "AcctSvcrRef", entry.bank_reference)
    if entry.payment_id is not None:
        b.add(references, "EndToEndId", wire_id(entry.payment_id))
    if entry.return_id is not None:
        b.add(references, "TxId", wire_id(entry.return_id))
    if entry.remittance:
        b.add(details, "RmtInf/Ustrd", entry.remittance)


def _read_entry(r: Reader, item: Any, currency: str) -> StatementEntry:
    amount = r.one(item, "Amt")
    if amount.get("Ccy") != currency:
        raise MalformedBankMessage(f"entry in {amount.get('Ccy')} on a {currency} account")
    code = r.one(item, "BkTxCd/Domn")
    code_parts = (r.required(code, "Cd"), r.required(code, "Fmly/Cd"))
    sub_family = r.required(code, "Fmly/SubFmlyCd")
    payment_id = r.text(item, "NtryDtls/TxDtls/Refs/EndToEndId")
    return_id = r.text(item, "NtryDtls/TxDtls/Refs/TxId")
    return StatementEntry(
        amount_minor=parse_amount_minor(amount.text, currency),
        credit_debit=CreditDebit(r.required(item, "CdtDbtInd")),
        booked_at=parse_datetime(r.required(item, "BookgDt/DtTm")),
        bank_reference=r.required(item, "AcctSvcrRef"),
        transaction_code="/".join((*code_parts, sub_family)),
        payment_id=domain_id(payment_id) if payment_id else None,
        return_id=domain_id(return_id) if return_id else None,
        remittance=r.text(item, "NtryDtls/TxDtls/RmtInf/Ustrd") or "",
    )


def _read_balance(r: Reader, statement: Any, kind: str, currency: str) -> int:
    for balance in r.all(statement, "Bal"):
        if r.text(balance, "Tp/CdOrPrtry/Cd") == kind:
            amount = r.one(balance, "Amt")
            if amount.get("Ccy") != currency:
                raise MalformedBankMessage(f"{kind} balance in {amount.get('Ccy')}")
            minor = parse_amount_minor(amount.text, currency)
            return -minor if r.text(balance, "CdtDbtInd") == "DBIT" else minor
    raise MalformedBankMessage(f"the statement has no {kind} balance")


# camt.053 -----------------------------------------------------------------


def camt053_statement(
    statement: Statement,
    bank_code: str,
    message_id: str | None = None,
    created_at: datetime | None = None,
) -> bytes:
    """A BankToCustomerStatement of one account for one Damascus day."""
    movement = sum(entry.signed_minor for entry in statement.entries)
    assert statement.opening_balance_minor + movement == statement.closing_balance_minor, (
        "a statement's entries must lead from its opening to its closing balance"
    )
    identifier = message_id or new_message_id(bank_code)
    created = iso_datetime(created_at or datetime.now(UTC))
    start = datetime.combine(statement.day, time(0), DAMASCUS)
    b = Builder(CAMT053)
    document = b.add(b.root, "BkToCstmrStmt")
    header = b.add(document, "GrpHdr")
    b.add(header, "MsgId", identifier)
    b.add(header, "CreDtTm", created)
    report = b.add(document, "Stmt")
    b.add(report, "Id", identifier)
    b.add(report, "CreDtTm", created)
    period = b.add(report, "FrToDt")
    b.add(period, "FrDtTm", iso_datetime(start))
    b.add(period, "ToDtTm", iso_datetime(start + timedelta(days=1, microseconds=-1)))
    _add_account(b, report, statement.account, statement.currency, bank_code)
    _add_balance(b, report, "OPBD", statement.opening_balance_minor, statement)
    _add_balance(b, report, "CLBD", statement.closing_balance_minor, statement)
    for entry in statement.entries:
        _add_entry(b, report, entry, statement.currency)
    return b.to_bytes()


def camt053_to_statement(data: bytes) -> Statement:
    """A statement read back; its balances and entries must agree."""
    r = Reader(CAMT053)
    document = r.one(parse(data, CAMT053, statement_bytes_max), "BkToCstmrStmt")
    reports = r.all(document, "Stmt")
    if len(reports) != 1:
        raise MalformedBankMessage("a camt.053 must carry exactly one statement")
    report = reports[0]
    currency = r.required(report, "Acct/Ccy")
    entries = tuple(_read_entry(r, item, currency) for item in r.all(report, "Ntry"))
    opening = _read_balance(r, report, "OPBD", currency)
    closing = _read_balance(r, report, "CLBD", currency)
    if opening + sum(entry.signed_minor for entry in entries) != closing:
        raise MalformedBankMessage("the statement's entries do not lead from OPBD to CLBD")
    day = parse_date(r.required(r.one(report, "Bal"), "Dt/Dt"))
    return Statement(
        account=r.required(report, "Acct/Id/Othr/Id"),
        currency=currency,
        day=day,
        opening_balance_minor=opening,
        closing_balance_minor=closing,
        entries=entries,
    )


# camt.054 -----------------------------------------------------------------


def camt054_notification(
    account: str,
    currency: str,
    entries: tuple[StatementEntry, ...],
    bank_code: str,
    message_id: str | None = None,
    created_at: datetime | None = None,
) -> bytes:
    """A BankToCustomerDebitCreditNotification of booked entries on one account."""
    identifier = message_id or new_message_id(bank_code)
    created = iso_datetime(created_at or datetime.now(UTC))
    b = Builder(CAMT054)
    document = b.add(b.root, "BkToCstmrDbtCdtNtfctn")
    header = b.add(document, "GrpHdr")
    b.add(header, "MsgId", identifier)
    b.add(header, "CreDtTm", created)
    notification = b.add(document, "Ntfctn")
    b.add(notification, "Id", identifier)
    b.add(notification, "CreDtTm", created)
    _add_account(b, notification, account, currency, bank_code)
    for entry in entries:
        _add_entry(b, notification, entry, currency)
    return b.to_bytes()


def camt054_to_notification(data: bytes) -> Notification:
    r = Reader(CAMT054)
    document = r.one(parse(data, CAMT054), "BkToCstmrDbtCdtNtfctn")
    notifications = r.all(document, "Ntfctn")
    if len(notifications) != 1:
        raise MalformedBankMessage("a camt.054 must carry exactly one notification")
    notification = notifications[0]
    currency = r.required(notification, "Acct/Ccy")
    return Notification(
        account=r.required(notification, "Acct/Id/Othr/Id"),
        currency=currency,
        entries=tuple(_read_entry(r, item, currency) for item in r.all(notification, "Ntry")),
    )
