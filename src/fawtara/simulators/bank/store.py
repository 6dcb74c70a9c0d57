"""The simulated bank's books: accounts and transactions in its own SQLite file.

The schema is created on start (no migrations: the bank is not ours). Every
write is one `BEGIN IMMEDIATE` transaction with `synchronous=FULL`, so a
debit and its record commit together or not at all, and two requests for the
same payment id are serialised: the second finds the first.

    accounts       number, holder (Arabic), msisdn, balance, daily limit, state
    transactions   one row per instruction the bank decided:
                   debit    payment_id unique: the idempotency key of a debit
                   return   return_id unique: the idempotency key of a return
                   deposit / withdrawal   balance set by the admin API
    consents       one-time codes for pull debits (simulators/bank/consent.py)
    consent_events codes sent and wrong codes per account, for the hourly caps

Balances change only together with a transaction row, so a statement can be
derived for any past day: closing = today's balance minus later movements.
A debit also credits the creditor account named in the pain.001 when that
account is held here (the switch's collection account), and a return takes
the money back from it.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fawtara.banks.adapters.statements import CreditDebit, Statement, StatementEntry
from fawtara.kernel.calendar import DAMASCUS

BUSY_TIMEOUT_S = 30.0
transactions_listed_max = 1_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    number TEXT PRIMARY KEY CHECK (length(number) BETWEEN 1 AND 34),
    holder_name TEXT NOT NULL,
    msisdn TEXT,
    currency TEXT NOT NULL DEFAULT 'SYP',
    balance_minor INTEGER NOT NULL,
    daily_limit_minor INTEGER CHECK (daily_limit_minor IS NULL OR daily_limit_minor >= 0),
    state TEXT NOT NULL CHECK (state IN ('active', 'blocked', 'closed')),
    updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS transactions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('debit', 'return', 'deposit', 'withdrawal')),
    payment_id TEXT,
    return_id TEXT,
    account TEXT NOT NULL,
    counter_account TEXT,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    reason_code TEXT,
    detail TEXT NOT NULL DEFAULT '',
    bank_reference TEXT UNIQUE,
    message_id TEXT,
    channel TEXT NOT NULL,
    biller_code TEXT,
    remittance TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    booking_date TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS transactions_debit_payment
    ON transactions (payment_id) WHERE kind = 'debit';
CREATE UNIQUE INDEX IF NOT EXISTS transactions_return_id
    ON transactions (return_id) WHERE kind = 'return';
CREATE INDEX IF NOT EXISTS transactions_account_day ON transactions (account, booking_date);
CREATE INDEX IF NOT EXISTS transactions_counter_day
    ON transactions (counter_account, booking_date);
CREATE TABLE IF NOT EXISTS consents (
    payment_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    confirmed_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS consent_events (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('code_sent', 'wrong_code')),
    at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS consent_events_account ON consent_events (account, kind, at);
"""

# How each kind of row moves the principal account and the counter account,
# and the ISO bank transaction code it carries on each side.
_PRINCIPAL = {
    "debit": (CreditDebit.DEBIT, "PMNT/ICDT/DMCT"),
    "return": (CreditDebit.CREDIT, "PMNT/ICDT/RRTN"),
    "deposit": (CreditDebit.CREDIT, "PMNT/CNTR/CDPT"),
    "withdrawal": (CreditDebit.DEBIT, "PMNT/CNTR/CWDL"),
}
_COUNTER = {
    "debit": (CreditDebit.CREDIT, "PMNT/RCDT/DMCT"),
    "return": (CreditDebit.DEBIT, "PMNT/RCDT/RRTN"),
}


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """An account to create or update; a balance of None keeps the current one (0 if new)."""

    number: str
    holder_name: str
    msisdn: str | None
    balance_minor: int | None
    daily_limit_minor: int | None
    state: str  # active | blocked | closed
    currency: str = "SYP"


@dataclass(frozen=True, slots=True)
class AccountRecord:
    number: str
    holder_name: str
    msisdn: str | None
    balance_minor: int
    daily_limit_minor: int | None
    state: str  # active | blocked | closed
    currency: str = "SYP"


def utc_now() -> datetime:
    return datetime.now(UTC)


class BankStore:
    def __init__(self, path: Path, bank_code: str, clock: Callable[[], datetime] = utc_now):
        self.path = path
        self.bank_code = bank_code
        self.clock = clock
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection().executescript(SCHEMA)  # idempotent: IF NOT EXISTS throughout

    # Connections ------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
        return connection

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE: writers queue, never race."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot for reading."""
        connection = self._connection()
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            connection.execute("COMMIT")

    # Helpers shared by the booking rules ------------------------------------

    def new_reference(self, booking_date: str) -> str:
        """A bank reference: bank code, booking day, 48 random bits (at most 31 chars)."""
        return f"{self.bank_code[:11]}{booking_date.replace('-', '')}{secrets.token_hex(6).upper()}"

    def stamp(self) -> tuple[str, str]:
        """(created_at in UTC ISO, booking day in Damascus) of a row written now."""
        now = self.clock()
        return now.isoformat(), now.astimezone(DAMASCUS).date().isoformat()

    # Accounts ---------------------------------------------------------------

    def upsert_accounts(self, accounts: Sequence[AccountUpdate]) -> list[AccountRecord]:
        """Create or update accounts; a balance change is booked as a deposit or withdrawal."""
        with self.write() as connection:
            for account in accounts:
                self._upsert(connection, account)
        return [found for a in accounts if (found := self.account(a.number)) is not None]

    def _upsert(self, connection: sqlite3.Connection, account: AccountUpdate) -> None:
        created_at, day = self.stamp()
        row = connection.execute(
            "SELECT balance_minor FROM accounts WHERE number = ?", (account.number,)
        ).fetchone()
        previous = row["balance_minor"] if row is not None else 0
        balance = previous if account.balance_minor is None else account.balance_minor
        connection.execute(
            "INSERT INTO accounts (number, holder_name, msisdn, currency, balance_minor,"
            " daily_limit_minor, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (number) DO UPDATE SET holder_name = excluded.holder_name,"
            " msisdn = excluded.msisdn, balance_minor = excluded.balance_minor,"
            " daily_limit_minor = excluded.daily_limit_minor, state = excluded.state,"
            " updated_at = excluded.updated_at",
            (
                account.number,
                account.holder_name,
                account.msisdn,
                account.currency,
                balance,
                account.daily_limit_minor,
                account.state,
                created_at,
            ),
        )
        delta = balance - previous
        if delta:
            connection.execute(
                "INSERT INTO transactions (kind, account, amount_minor, currency, status,"
                " bank_reference, channel, detail, created_at, booking_date) VALUES"
                " (?, ?, ?, ?, 'accepted', ?, 'admin', 'balance set by the admin API', ?, ?)",
                (
                    "deposit" if delta > 0 else "withdrawal",
                    account.number,
                    abs(delta),
                    account.currency,
                    self.new_reference(day),
                    created_at,
                    day,
                ),
            )

    def account(self, number: str) -> AccountRecord | None:
        with self.read() as connection:
            return account_in(connection, number)

    # Transactions -----------------------------------------------------------

    def transactions(
        self, payment_id: str | None = None, account: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows by payment id and/or account (principal or counter side), oldest first."""
        clauses, parameters = [], []
        if payment_id is not None:
            clauses.append("payment_id = ?")
            parameters.append(payment_id)
        if account is not None:
            clauses.append("(account = ? OR counter_account = ?)")
            parameters += [account, account]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.read() as connection:
            rows = connection.execute(
                f"SELECT * FROM transactions {where} ORDER BY id LIMIT {transactions_listed_max}",
                parameters,
            ).fetchall()
        return [dict(row) for row in rows]

    def debit_row(self, payment_id: str) -> dict[str, Any] | None:
        with self.read() as connection:
            row = connection.execute(
                "SELECT * FROM transactions WHERE kind = 'debit' AND payment_id = ?", (payment_id,)
            ).fetchone()
        return dict(row) if row is not None else None

    # Statements -------------------------------------------------------------

    def statement(self, number: str, day: date) -> Statement | None:
        """The account's booked movements of one Damascus day, with its balances."""
        with self.read() as connection:
            account = account_in(connection, number)
            if account is None:
                return None
            rows = connection.execute(
                "SELECT * FROM transactions WHERE status = 'accepted'"
                " AND (account = ? OR counter_account = ?) AND booking_date >= ? ORDER BY id",
                (number, number, day.isoformat()),
            ).fetchall()
        entries = [(row["booking_date"], entry_of(row, number)) for row in rows]
        later = sum(e.signed_minor for booked, e in entries if booked > day.isoformat())
        of_day = tuple(e for booked, e in entries if booked == day.isoformat())
        closing = account.balance_minor - later
        return Statement(
            account=number,
            currency=account.currency,
            day=day,
            opening_balance_minor=closing - sum(e.signed_minor for e in of_day),
            closing_balance_minor=closing,
            entries=of_day,
        )

    def payment_entries(
        self, payment_id: str
    ) -> tuple[str, str, tuple[StatementEntry, ...]] | None:
        """(payer account, currency, booked entries on it) of a payment: its debit and returns."""
        with self.read() as connection:
            rows = connection.execute(
                "SELECT * FROM transactions WHERE payment_id = ? AND status = 'accepted'"
                " AND kind IN ('debit', 'return') ORDER BY id",
                (payment_id,),
            ).fetchall()
        if not rows:
            return None
        account = rows[0]["account"]
        return account, rows[0]["currency"], tuple(entry_of(row, account) for row in rows)


def account_in(connection: sqlite3.Connection, number: str) -> AccountRecord | None:
    row = connection.execute("SELECT * FROM accounts WHERE number = ?", (number,)).fetchone()
    if row is None:
        return None
    return AccountRecord(
        number=row["number"],
        holder_name=row["holder_name"],
        msisdn=row["msisdn"],
        balance_minor=row["balance_minor"],
        daily_limit_minor=row["daily_limit_minor"],
        state=row["state"],
        currency=row["currency"],
    )


def entry_of(row: sqlite3.Row, account: str) -> StatementEntry:
    """A booked row as an entry on `account`, which is its principal or its counter side."""
    side = _PRINCIPAL if row["account"] == account else _COUNTER
    credit_debit, code = side[row["kind"]]
    return StatementEntry(
        amount_minor=row["amount_minor"],
        credit_debit=credit_debit,
        booked_at=datetime.fromisoformat(row["created_at"]),
        bank_reference=row["bank_reference"],
        transaction_code=code,
        payment_id=row["payment_id"],
        return_id=row["return_id"],
        remittance=row["remittance"],
    )
