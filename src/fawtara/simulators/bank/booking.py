"""The simulated bank's decisions: debit a payment once, give it back at most once.

A debit is refused, in this order of checks, with the ISO reason:

    AC01  no such account            AC04  account closed
    AC06  account blocked            AM03  currency not held
    AM04  insufficient funds         AM02  today's debits would pass the daily limit

"Today" is the Asia/Damascus day. The first answer for a payment id is
stored with the decision, accepted or rejected; the same id again gets the
same answer and moves no money. The same id with another account or amount
is refused with AM05 and changes nothing.

A return (pacs.004) credits the debited account back; the returns of one
payment never add up to more than its debit (AM09). A return for a payment
the bank never debited answers NOT_FOUND and is not stored, so it may be
retried once the debit is known.
"""

from __future__ import annotations

import sqlite3

from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
)
from fawtara.simulators.bank.store import AccountRecord, BankStore, account_in

REASON_DETAIL = {
    "AC01": "no such account",
    "AC04": "account closed",
    "AC06": "account blocked",
    "AM02": "the daily debit limit would be exceeded",
    "AM03": "the account is not held in this currency",
    "AM04": "insufficient funds",
    "AM05": "this id was already used for another instruction",
    "AM09": "the returns would exceed the amount debited",
    "MD01": "no confirmed consent of the account holder for this debit",
    "NARR": "rejected by the bank (simulated fault)",
}


def rejected(reason: str) -> BankAnswer:
    return BankAnswer(BankStatus.REJECTED, None, reason, REASON_DETAIL.get(reason, ""))


def answer_of(row: sqlite3.Row) -> BankAnswer:
    if row["status"] == "accepted":
        return BankAnswer(BankStatus.ACCEPTED, row["bank_reference"])
    return BankAnswer(BankStatus.REJECTED, None, row["reason_code"], row["detail"])


def decide_debit(
    account: AccountRecord | None, amount_minor: int, currency: str, debited_today_minor: int
) -> str | None:
    """The reason to refuse a debit, or None to accept it."""
    if account is None:
        return "AC01"
    if account.state == "closed":
        return "AC04"
    if account.state == "blocked":
        return "AC06"
    if currency != account.currency:
        return "AM03"
    if account.balance_minor < amount_minor:
        return "AM04"
    limit = account.daily_limit_minor
    if limit is not None and debited_today_minor + amount_minor > limit:
        return "AM02"
    return None


def _move(connection: sqlite3.Connection, number: str, delta_minor: int) -> None:
    cursor = connection.execute(
        "UPDATE accounts SET balance_minor = balance_minor + ? WHERE number = ?",
        (delta_minor, number),
    )
    assert cursor.rowcount == 1, f"account {number} vanished inside its transaction"


def book_debit(
    store: BankStore,
    instruction: DebitInstruction,
    creditor_account: str | None,
    message_id: str | None,
    channel: str,
    forced_reason: str | None = None,
) -> BankAnswer:
    """Decide and book a debit, or repeat the answer already given for its payment id."""
    with store.write() as connection:
        existing = connection.execute(
            "SELECT * FROM transactions WHERE kind = 'debit' AND payment_id = ?",
            (instruction.payment_id,),
        ).fetchone()
        if existing is not None:
            same = (existing["account"], existing["amount_minor"], existing["currency"]) == (
                instruction.account,
                instruction.amount_minor,
                instruction.currency,
            )
            return answer_of(existing) if same else rejected("AM05")
        created_at, day = store.stamp()
        account = account_in(connection, instruction.account)
        debited_today = connection.execute(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM transactions WHERE kind = 'debit'"
            " AND status = 'accepted' AND account = ? AND booking_date = ?",
            (instruction.account, day),
        ).fetchone()[0]
        reason = forced_reason or decide_debit(
            account, instruction.amount_minor, instruction.currency, debited_today
        )
        reference = counter = None
        if reason is None:
            reference = store.new_reference(day)
            _move(connection, instruction.account, -instruction.amount_minor)
            if (
                creditor_account
                and creditor_account != instruction.account
                and account_in(connection, creditor_account) is not None
            ):
                counter = creditor_account
                _move(connection, counter, instruction.amount_minor)
        connection.execute(
            "INSERT INTO transactions (kind, payment_id, account, counter_account, amount_minor,"
            " currency, status, reason_code, detail, bank_reference, message_id, channel,"
            " biller_code, remittance, created_at, booking_date)"
            " VALUES ('debit', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                instruction.payment_id,
                instruction.account,
                counter,
                instruction.amount_minor,
                instruction.currency,
                "accepted" if reason is None else "rejected",
                reason,
                REASON_DETAIL.get(reason or "", ""),
                reference,
                message_id,
                channel,
                instruction.biller_code,
                instruction.remittance,
                created_at,
                day,
            ),
        )
    return BankAnswer(BankStatus.ACCEPTED, reference) if reason is None else rejected(reason)


def debit_status(store: BankStore, payment_id: str) -> BankAnswer:
    """What the bank decided for a payment id, or NOT_FOUND when it never saw it."""
    with store.read() as connection:
        row = connection.execute(
            "SELECT * FROM transactions WHERE kind = 'debit' AND payment_id = ?", (payment_id,)
        ).fetchone()
        if row is None:
            return BankAnswer(BankStatus.NOT_FOUND, detail="no such payment at this bank")
        return answer_of(row)


def _decide_return(
    instruction: ReturnInstruction,
    debit: sqlite3.Row,
    account: AccountRecord | None,
    returned_minor: int,
) -> str | None:
    if instruction.account != debit["account"]:
        return "AC01"
    if instruction.currency != debit["currency"]:
        return "AM03"
    if returned_minor + instruction.amount_minor > debit["amount_minor"]:
        return "AM09"
    if account is None or account.state == "closed":
        return "AC04"
    if account.state == "blocked":
        return "AC06"
    return None


def book_return(
    store: BankStore,
    instruction: ReturnInstruction,
    message_id: str | None,
    channel: str = "switch",
    forced_reason: str | None = None,
) -> BankAnswer:
    """Credit a payment back once per return id; never more than was debited."""
    with store.write() as connection:
        existing = connection.execute(
            "SELECT * FROM transactions WHERE kind = 'return' AND return_id = ?",
            (instruction.return_id,),
        ).fetchone()
        if existing is not None:
            same = (existing["payment_id"], existing["amount_minor"]) == (
                instruction.payment_id,
                instruction.amount_minor,
            )
            return answer_of(existing) if same else rejected("AM05")
        debit = connection.execute(
            "SELECT * FROM transactions WHERE kind = 'debit' AND payment_id = ?"
            " AND status = 'accepted'",
            (instruction.payment_id,),
        ).fetchone()
        if debit is None:
            return BankAnswer(BankStatus.NOT_FOUND, detail="no debit of this payment to return")
        returned = connection.execute(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM transactions WHERE kind = 'return'"
            " AND status = 'accepted' AND payment_id = ?",
            (instruction.payment_id,),
        ).fetchone()[0]
        account = account_in(connection, debit["account"])
        reason = forced_reason or _decide_return(instruction, debit, account, returned)
        created_at, day = store.stamp()
        reference = None
        if reason is None:
            reference = store.new_reference(day)
            _move(connection, debit["account"], instruction.amount_minor)
            if debit["counter_account"] is not None:
                _move(connection, debit["counter_account"], -instruction.amount_minor)
        connection.execute(
            "INSERT INTO transactions (kind, payment_id, return_id, account, counter_account,"
            " amount_minor, currency, status, reason_code, detail, bank_reference, message_id,"
            " channel, remittance, created_at, booking_date)"
            " VALUES ('return', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                instruction.payment_id,
                instruction.return_id,
                debit["account"],
                debit["counter_account"],
                instruction.amount_minor,
                instruction.currency,
                "accepted" if reason is None else "rejected",
                reason,
                REASON_DETAIL.get(reason or "", ""),
                reference,
                message_id,
                channel,
                f"return ({instruction.reason})",
                created_at,
                day,
            ),
        )
    return BankAnswer(BankStatus.ACCEPTED, reference) if reason is None else rejected(reason)
