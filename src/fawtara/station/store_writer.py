"""The write side of the station's store: one transaction, its journal entry and its effect.

`LocalStore.write()` opens the transaction (`BEGIN IMMEDIATE`) and hands out a
`Writer`; nothing it does is seen, or survives a crash, unless all of it is.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from fawtara.counters.domain.shifts import Shift
from fawtara.counters.use_cases.staff import token_hash
from fawtara.station.model import (
    EntryResult,
    JournalEntry,
    LocalPayment,
    LocalVoid,
    RefundPayout,
)


class Writer:
    """The write side of one transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    def append(self, entry: JournalEntry) -> None:
        self.db.execute(
            "INSERT INTO journal (entry_id, kind, at, cashier, shift_id, data, state)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
            (
                entry.entry_id,
                entry.kind.value,
                entry.at.isoformat(),
                entry.cashier,
                entry.shift_id,
                json.dumps(entry.data, ensure_ascii=False),
            ),
        )

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )

    def open_shift(self, shift: Shift) -> None:
        self.db.execute(
            "INSERT INTO shifts (shift_id, counter_code, cashier, opened_at, opening_float_minor,"
            " state) VALUES (?, ?, ?, ?, ?, ?)",
            (
                shift.shift_id,
                shift.counter_code,
                shift.cashier,
                shift.opened_at.isoformat(),
                shift.opening_float_minor,
                shift.state.value,
            ),
        )

    def add_payment(self, payment: LocalPayment) -> None:
        self.db.execute(
            "INSERT INTO payments (payment_id, entry_id, shift_id, cashier, biller, customer_ref,"
            " customer_name_ar, bills, amount_due_minor, cash_taken_minor, cash_received_minor,"
            " msisdn, taken_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payment.payment_id,
                payment.entry_id,
                payment.shift_id,
                payment.cashier,
                payment.biller,
                payment.customer_ref,
                payment.customer_name_ar,
                json.dumps([[b.bill_id, b.period, b.amount_minor] for b in payment.bills]),
                payment.amount_due_minor,
                payment.cash_taken_minor,
                payment.cash_received_minor,
                payment.msisdn,
                payment.taken_at.isoformat(),
            ),
        )
        self.db.executemany(
            "INSERT INTO payment_bills (bill_id, payment_id) VALUES (?, ?)",
            [(bill_id, payment.payment_id) for bill_id in payment.bill_ids],
        )

    def add_void(self, void: LocalVoid, payment: LocalPayment) -> None:
        """The payment given back: its bills unpaid again here, its cash out of the drawer
        (`LocalStore.shift_cash` counts the live voids)."""
        self.db.execute(
            "INSERT INTO voids (entry_id, payment_id, voided_by, reason, voided_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                void.entry_id,
                payment.payment_id,
                void.voided_by,
                void.reason,
                void.voided_at.isoformat(),
            ),
        )

    def add_refund_payout(self, payout: RefundPayout) -> None:
        """A refund handed over: out of this shift's drawer (the shift's cash counts it)."""
        refund = payout.refund
        self.db.execute(
            "INSERT INTO refund_payouts (entry_id, payment_id, shift_id, cashier, biller,"
            " customer_ref, customer_name_ar, amount_minor, paid_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payout.entry_id,
                refund.payment_id,
                payout.shift_id,
                payout.cashier,
                refund.biller,
                refund.customer_ref,
                refund.customer_name_ar,
                refund.amount_minor,
                payout.paid_at.isoformat(),
            ),
        )

    def save_shift(self, shift: Shift) -> None:
        """Store a close or an approval decided by `domain.shifts`."""
        self.db.execute(
            "UPDATE shifts SET state = ?, closed_at = ?, expected_minor = ?, counted_minor = ?,"
            " approved_by = ? WHERE shift_id = ?",
            (
                shift.state.value,
                None if shift.closed_at is None else shift.closed_at.isoformat(),
                shift.expected_minor,
                shift.counted_minor,
                shift.approved_by,
                shift.shift_id,
            ),
        )

    def record_result(self, result: EntryResult, at: datetime) -> None:
        answer = {"status": result.status, "error": result.error, "outcome": result.outcome}
        self.db.execute(
            "UPDATE journal SET state = ?, result = ?, answered_at = ? WHERE entry_id = ?",
            (
                result.state.value,
                json.dumps(answer, ensure_ascii=False),
                at.isoformat(),
                result.entry_id,
            ),
        )
        if result.shift is not None:
            self._adopt_shift_view(result.shift)

    def _adopt_shift_view(self, view: dict[str, Any]) -> None:
        """The switch's state of a shift wins over the station's once known; its figures
        are kept beside the station's own (`switch_shift_views`), for the close page.

        Not while later entries of the shift are still pending here (the switch
        has not seen them yet); its expected figure counts only once the close fixed it.
        """
        self.db.execute(
            "INSERT INTO switch_shift_views VALUES (?, ?)"
            " ON CONFLICT (shift_id) DO UPDATE SET view = excluded.view",
            (view.get("shift_id"), json.dumps(view)),
        )
        self.db.execute(
            "UPDATE shifts SET state = :state, approved_by = :approved_by,"
            " expected_minor = CASE WHEN :counted_minor IS NULL THEN expected_minor"
            " ELSE :expected_minor END,"
            " counted_minor = COALESCE(:counted_minor, counted_minor)"
            " WHERE shift_id = :shift_id AND NOT EXISTS"
            " (SELECT 1 FROM journal WHERE shift_id = :shift_id AND state = 'pending')",
            {
                name: view.get(name)
                for name in (
                    "state",
                    "approved_by",
                    "expected_minor",
                    "counted_minor",
                    "shift_id",
                )
            },
        )

    def replace_snapshot(self, first_page: dict[str, Any], bills: list[dict[str, Any]]) -> None:
        self.set_meta("counter", first_page["counter"])
        self.set_meta("denominations_minor", first_page["denominations_minor"])
        self.set_meta("snapshot_as_of", first_page["as_of"])
        self.db.execute("DELETE FROM cashiers")
        self.db.executemany(
            "INSERT INTO cashiers VALUES (:username, :name_ar, :role, :password_hash, :active,"
            " :locked_until)",
            first_page["cashiers"],
        )
        self.db.execute("DELETE FROM billers")
        self.db.executemany(
            "INSERT INTO billers VALUES (:code, :name_ar, :name_en, :payment_rule)",
            first_page["billers"],
        )
        # The bills that payments of an open shift took stay (a void gives them back
        # offline); once a void has reached the switch, its snapshot says what is unpaid.
        self.db.execute(
            "DELETE FROM bills WHERE bill_id NOT IN (SELECT pb.bill_id FROM payment_bills pb"
            " JOIN payments p USING (payment_id) JOIN shifts s ON s.shift_id = p.shift_id"
            " JOIN journal j ON j.entry_id = p.entry_id"
            " WHERE s.state = 'open' AND j.state != 'rejected' AND p.payment_id NOT IN"
            " (SELECT payment_id FROM live_voids WHERE entry_state = 'sent'))"
        )
        self.db.execute("DELETE FROM refunds")
        self.db.executemany(
            "INSERT INTO refunds VALUES (:payment_id, :biller, :customer_ref,"
            " :customer_name_ar, :amount_minor)",
            first_page.get("refunds") or [],
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO bills VALUES (:bill_id, :biller, :customer_ref,"
            " :customer_name_ar, :msisdn, :period, :amount_due_minor, :due_on)",
            bills,
        )

    def record_failure(self, username: str, failures: int, locked_until: datetime | None) -> None:
        self.db.execute(
            "INSERT INTO sign_in_failures VALUES (?, ?, ?) ON CONFLICT (username) DO UPDATE"
            " SET failures = excluded.failures, locked_until = excluded.locked_until",
            (username, failures, None if locked_until is None else locked_until.isoformat()),
        )

    def clear_failures(self, username: str) -> None:
        self.db.execute("DELETE FROM sign_in_failures WHERE username = ?", (username,))

    def add_session(self, token: str, username: str, expires_at: datetime) -> None:
        """Only the token's hash is kept: the file alone signs nobody in."""
        self.db.execute(
            "INSERT INTO session_hashes VALUES (?, ?, ?)",
            (token_hash(token), username, expires_at.isoformat()),
        )

    def end_session(self, token: str) -> None:
        self.db.execute("DELETE FROM session_hashes WHERE token_sha256 = ?", (token_hash(token),))

    def forget_sessions_expired(self, now: datetime) -> None:
        self.db.execute("DELETE FROM session_hashes WHERE expires_at <= ?", (now.isoformat(),))

    # -- what the transaction checks before it writes (a double submit finds the first) --

    def has_payment(self, payment_id: str) -> bool:
        found = "SELECT 1 FROM payments WHERE payment_id = ?"
        return self.db.execute(found, (payment_id,)).fetchone() is not None

    def bills_not_free(self, bill_ids: list[str]) -> list[str]:
        """Those of `bill_ids` not in the local copy, or held by a live payment."""
        marks = ", ".join("?" * len(bill_ids))
        free = {
            row[0]
            for row in self.db.execute(
                f"SELECT bill_id FROM bills WHERE bill_id IN ({marks})"  # only "?" marks
                " AND bill_id NOT IN (SELECT bill_id FROM bills_taken)",
                bill_ids,
            )
        }
        return [bill_id for bill_id in bill_ids if bill_id not in free]

    def shift_not_closed_of(self, cashier: str) -> str | None:
        """The id of the cashier's shift open or awaiting approval, if any."""
        row = self.db.execute(
            "SELECT shift_id FROM shifts WHERE cashier = ?"
            " AND state IN ('open', 'awaiting_approval')",
            (cashier,),
        ).fetchone()
        return None if row is None else str(row[0])

    def shift_is_open(self, shift_id: str) -> bool:
        row = self.db.execute("SELECT state FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone()
        return row is not None and row[0] == "open"
