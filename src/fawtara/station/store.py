"""The station's local store: one SQLite file, WAL, `synchronous=FULL`, `BEGIN IMMEDIATE`.

Reads go through `LocalStore`; every change goes through `LocalStore.write()`,
one transaction whose `Writer` appends the journal entry and applies its local
effect together (a payment, the bills it takes off the local list, the shift's
totals; a void, which gives them back; a refund paid out, which leaves the
drawer), so what the cashier was told is on disk before the page answers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fawtara.counters.domain.counters import UnpaidBill
from fawtara.counters.domain.shifts import Shift, ShiftCash, ShiftState
from fawtara.counters.use_cases.staff import token_hash
from fawtara.receipts.domain.receipts import ReceiptBill
from fawtara.station.model import (
    Cashier,
    EntryState,
    JournalEntry,
    Kind,
    LocalPayment,
    LocalVoid,
    OwedRefund,
    RefundPayout,
)
from fawtara.station.store_schema import SCHEMA
from fawtara.station.store_writer import Writer

BUSY_TIMEOUT_S = 30  # the sync thread and a page may both write; neither holds it long


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class LocalStore:
    """The station's SQLite file; safe to share between the web threads and the sync thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    @contextmanager
    def write(self) -> Iterator[Writer]:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield Writer(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        db = self._connect()
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def meta(self, key: str) -> Any:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", key)
        return json.loads(rows[0]["value"]) if rows else None

    def has_snapshot(self) -> bool:
        return self.meta("counter") is not None

    def cashier(self, username: str) -> Cashier | None:
        rows = self._rows("SELECT * FROM cashiers WHERE username = ?", username)
        if not rows:
            return None
        row = rows[0]
        return Cashier(
            row["username"],
            row["name_ar"],
            row["role"],
            row["password_hash"],
            bool(row["active"]),
            _instant(row["locked_until"]),
        )

    def billers(self) -> list[dict[str, str]]:
        return [dict(row) for row in self._rows("SELECT * FROM billers ORDER BY code")]

    def unpaid_bills(self, biller: str, customer_ref: str) -> list[UnpaidBill]:
        """The subscriber's bills in the local copy that no live local payment has taken.

        A payment refused by the switch or voided takes none (the `bills_taken` view).
        """
        rows = self._rows(
            "SELECT * FROM bills WHERE biller = ? AND customer_ref = ?"
            " AND bill_id NOT IN (SELECT bill_id FROM bills_taken) ORDER BY due_on, bill_id",
            biller,
            customer_ref,
        )
        return [
            UnpaidBill(**{**dict(row), "due_on": date.fromisoformat(row["due_on"])}) for row in rows
        ]

    def pending_entries(self, limit: int) -> list[JournalEntry]:
        rows = self._rows(
            "SELECT * FROM journal WHERE state = 'pending' ORDER BY seq LIMIT ?", limit
        )
        return _entries(rows)

    def journal_entries(self) -> list[JournalEntry]:
        """The whole journal, in order (what the station has done since it was set up)."""
        return _entries(self._rows("SELECT * FROM journal ORDER BY seq"))

    def entry_state(self, entry_id: str) -> EntryState:
        rows = self._rows("SELECT state FROM journal WHERE entry_id = ?", entry_id)
        return EntryState(rows[0]["state"])

    def pending_count(self) -> int:
        return int(self._rows("SELECT count(*) AS n FROM journal WHERE state = 'pending'")[0]["n"])

    def oldest_pending_at(self) -> datetime | None:
        rows = self._rows("SELECT min(at) AS at FROM journal WHERE state = 'pending'")
        return _instant(rows[0]["at"])

    def rejected_entries(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM journal WHERE state = 'rejected' ORDER BY seq DESC")
        return [dict(row) | {"result": json.loads(row["result"])} for row in rows]

    def open_shift_of(self, cashier: str) -> Shift | None:
        rows = self._rows(
            "SELECT * FROM shifts WHERE cashier = ? AND state IN ('open', 'awaiting_approval')"
            " ORDER BY opened_at DESC LIMIT 1",
            cashier,
        )
        return _shift(rows[0]) if rows else None

    def last_shift_of(self, cashier: str) -> Shift | None:
        rows = self._rows(
            "SELECT * FROM shifts WHERE cashier = ? ORDER BY opened_at DESC LIMIT 1", cashier
        )
        return _shift(rows[0]) if rows else None

    def shift(self, shift_id: str) -> Shift | None:
        rows = self._rows("SELECT * FROM shifts WHERE shift_id = ?", shift_id)
        return _shift(rows[0]) if rows else None

    def shift_cash(self, shift_id: str) -> ShiftCash:
        """The drawer as the station counts it: payments and voids the switch has not
        refused (a refused payment took no cash for the switch), refunds paid out."""
        row = self._rows(
            "SELECT count(*) AS payments, coalesce(sum(p.cash_taken_minor), 0) AS taken,"
            " coalesce(sum(CASE WHEN v.payment_id IS NULL THEN 0 ELSE p.cash_taken_minor END),"
            " 0) AS voided,"
            " (SELECT coalesce(sum(amount_minor), 0) FROM live_refund_payouts r"
            " WHERE r.shift_id = ?) AS refunds_paid"
            " FROM payments p JOIN journal j USING (entry_id)"
            " LEFT JOIN live_voids v ON v.payment_id = p.payment_id"
            " WHERE p.shift_id = ? AND j.state != 'rejected'",
            shift_id,
            shift_id,
        )[0]
        return ShiftCash(row["payments"], row["taken"], row["voided"], row["refunds_paid"])

    def switch_expected_minor(self, shift_id: str) -> int | None:
        """The switch's expected cash of the shift, once it has every entry of it."""
        rows = self._rows(
            "SELECT view FROM switch_shift_views WHERE shift_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM journal WHERE shift_id = ? AND state = 'pending')",
            shift_id,
            shift_id,
        )
        expected = json.loads(rows[0]["view"]).get("expected_minor") if rows else None
        return None if expected is None else int(expected)

    def refunds_owed(self, biller: str, customer_ref: str) -> list[OwedRefund]:
        """The subscriber's refunds in the snapshot that no live payout here has paid."""
        rows = self._rows(
            _REFUNDS_OWED + " AND biller = ? AND customer_ref = ? ORDER BY payment_id",
            biller,
            customer_ref,
        )
        return [OwedRefund(**dict(row)) for row in rows]

    def refund_owed(self, payment_id: str) -> OwedRefund | None:
        rows = self._rows(_REFUNDS_OWED + " AND payment_id = ?", payment_id)
        return OwedRefund(**dict(rows[0])) if rows else None

    def refund_payout(self, payment_id: str) -> RefundPayout | None:
        """The payout of a refund here: the live one, else the last one the switch refused."""
        rows = self._rows(
            "SELECT r.*, j.state, j.result FROM refund_payouts r JOIN journal j USING (entry_id)"
            " WHERE r.payment_id = ? ORDER BY j.state = 'rejected', j.seq DESC LIMIT 1",
            payment_id,
        )
        return _refund_payout(rows[0]) if rows else None

    def payment(self, payment_id: str) -> LocalPayment | None:
        rows = self._rows(_PAYMENTS + " WHERE p.payment_id = ?", payment_id)
        return _payment(rows[0]) if rows else None

    def payments_of_shift(self, shift_id: str) -> list[LocalPayment]:
        rows = self._rows(_PAYMENTS + " WHERE p.shift_id = ? ORDER BY p.taken_at DESC", shift_id)
        return [_payment(row) for row in rows]

    def session_user(self, token: str, now: datetime) -> str | None:
        rows = self._rows(
            "SELECT username FROM session_hashes WHERE token_sha256 = ? AND expires_at > ?",
            token_hash(token),
            now.isoformat(),
        )
        return str(rows[0]["username"]) if rows else None

    def failures(self, username: str) -> tuple[int, datetime | None]:
        rows = self._rows("SELECT * FROM sign_in_failures WHERE username = ?", username)
        return (rows[0]["failures"], _instant(rows[0]["locked_until"])) if rows else (0, None)


_PAYMENTS = (
    "SELECT p.*, j.state, j.result, v.entry_id AS void_entry_id, v.voided_by,"
    " v.reason AS void_reason, v.voided_at, v.entry_state AS void_state,"
    " v.result AS void_result"
    " FROM payments p JOIN journal j USING (entry_id)"
    " LEFT JOIN live_voids v ON v.payment_id = p.payment_id"
)


_REFUNDS_OWED = (
    "SELECT * FROM refunds WHERE payment_id NOT IN (SELECT payment_id FROM live_refund_payouts)"
)


def _refund_payout(row: sqlite3.Row) -> RefundPayout:
    answer = json.loads(row["result"]) if row["result"] else {}
    refund = OwedRefund(
        row["payment_id"],
        row["biller"],
        row["customer_ref"],
        row["customer_name_ar"],
        row["amount_minor"],
    )
    return RefundPayout(
        refund,
        row["entry_id"],
        row["shift_id"],
        row["cashier"],
        datetime.fromisoformat(row["paid_at"]),
        EntryState(row["state"]),
        answer.get("error"),
    )


def _entries(rows: list[sqlite3.Row]) -> list[JournalEntry]:
    return [
        JournalEntry(
            row["entry_id"],
            Kind(row["kind"]),
            datetime.fromisoformat(row["at"]),
            row["cashier"],
            row["shift_id"],
            json.loads(row["data"]),
        )
        for row in rows
    ]


def _shift(row: sqlite3.Row) -> Shift:
    return Shift(
        shift_id=row["shift_id"],
        counter_code=row["counter_code"],
        cashier=row["cashier"],
        opened_at=datetime.fromisoformat(row["opened_at"]),
        opening_float_minor=row["opening_float_minor"],
        state=ShiftState(row["state"]),
        closed_at=_instant(row["closed_at"]),
        expected_minor=row["expected_minor"],
        counted_minor=row["counted_minor"],
        approved_by=row["approved_by"],
    )


def _payment(row: sqlite3.Row) -> LocalPayment:
    answer = json.loads(row["result"]) if row["result"] else {}
    return LocalPayment(
        row["payment_id"],
        row["entry_id"],
        row["shift_id"],
        row["cashier"],
        row["biller"],
        row["customer_ref"],
        row["customer_name_ar"],
        tuple(ReceiptBill(*bill) for bill in json.loads(row["bills"])),
        row["amount_due_minor"],
        row["cash_taken_minor"],
        row["cash_received_minor"],
        row["msisdn"],
        datetime.fromisoformat(row["taken_at"]),
        EntryState(row["state"]),
        answer.get("outcome"),
        answer.get("error"),
        _void(row),
    )


def _void(row: sqlite3.Row) -> LocalVoid | None:
    if row["void_entry_id"] is None:
        return None
    answer = json.loads(row["void_result"]) if row["void_result"] else {}
    return LocalVoid(
        row["void_entry_id"],
        row["payment_id"],
        row["voided_by"],
        row["void_reason"],
        datetime.fromisoformat(row["voided_at"]),
        EntryState(row["void_state"]),
        answer.get("outcome"),
    )
