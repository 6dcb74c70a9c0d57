"""The station's SQLite schema: created on open, idempotently (one file per counter).

The snapshot tables are replaced by each successful refresh (except the bills
that payments of a shift still open took: a void gives them back, offline too);
the journal, shifts, payments, voids, refund payouts and sessions are the
station's own and are never replaced (sessions only as hashes of their tokens).
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cashiers (
    username TEXT PRIMARY KEY,
    name_ar TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    locked_until TEXT
);
CREATE TABLE IF NOT EXISTS billers (
    code TEXT PRIMARY KEY,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    payment_rule TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bills (
    bill_id TEXT PRIMARY KEY,
    biller TEXT NOT NULL,
    customer_ref TEXT NOT NULL,
    customer_name_ar TEXT NOT NULL,
    msisdn TEXT,
    period TEXT NOT NULL,
    amount_due_minor INTEGER NOT NULL,
    due_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bills_by_subscriber ON bills (biller, customer_ref);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    cashier TEXT NOT NULL,
    shift_id TEXT,
    data TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'rejected')),
    result TEXT,
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS journal_pending ON journal (state, seq);
CREATE TABLE IF NOT EXISTS shifts (
    shift_id TEXT PRIMARY KEY,
    counter_code TEXT NOT NULL,
    cashier TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opening_float_minor INTEGER NOT NULL,
    payments INTEGER NOT NULL DEFAULT 0,
    cash_taken_minor INTEGER NOT NULL DEFAULT 0,
    voided_minor INTEGER NOT NULL DEFAULT 0,
    expected_minor INTEGER,
    counted_minor INTEGER,
    state TEXT NOT NULL,
    approved_by TEXT,
    closed_at TEXT
);
-- The switch's SHIFT_VIEW of each shift, as last answered (its figures beside ours).
CREATE TABLE IF NOT EXISTS switch_shift_views (
    shift_id TEXT PRIMARY KEY,
    view TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE REFERENCES journal (entry_id),
    shift_id TEXT NOT NULL REFERENCES shifts (shift_id),
    cashier TEXT NOT NULL,
    biller TEXT NOT NULL,
    customer_ref TEXT NOT NULL,
    customer_name_ar TEXT NOT NULL,
    bills TEXT NOT NULL,
    amount_due_minor INTEGER NOT NULL,
    cash_taken_minor INTEGER NOT NULL,
    cash_received_minor INTEGER NOT NULL,
    msisdn TEXT,
    taken_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_bills (
    bill_id TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments (payment_id),
    PRIMARY KEY (bill_id, payment_id)
);
CREATE TABLE IF NOT EXISTS voids (
    entry_id TEXT PRIMARY KEY REFERENCES journal (entry_id),
    payment_id TEXT NOT NULL REFERENCES payments (payment_id),
    voided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    voided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS voids_by_payment ON voids (payment_id);
-- Refunds owed to subscribers of the area (snapshot), and those paid out here.
CREATE TABLE IF NOT EXISTS refunds (
    payment_id TEXT PRIMARY KEY,
    biller TEXT NOT NULL,
    customer_ref TEXT NOT NULL,
    customer_name_ar TEXT NOT NULL,
    amount_minor INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS refunds_by_subscriber ON refunds (biller, customer_ref);
CREATE TABLE IF NOT EXISTS refund_payouts (
    entry_id TEXT PRIMARY KEY REFERENCES journal (entry_id),
    payment_id TEXT NOT NULL,
    shift_id TEXT NOT NULL REFERENCES shifts (shift_id),
    cashier TEXT NOT NULL,
    biller TEXT NOT NULL,
    customer_ref TEXT NOT NULL,
    customer_name_ar TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    paid_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refund_payouts_by_payment ON refund_payouts (payment_id);
-- Sign-ins: only the SHA-256 of each session token, as the switch keeps them. The
-- first table, `sessions`, held the tokens themselves: dropped, its cashiers sign in again.
DROP TABLE IF EXISTS sessions;
CREATE TABLE IF NOT EXISTS session_hashes (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT
);
-- Views hold no data: dropped and made again on every open, so they follow the code.
DROP VIEW IF EXISTS bills_taken;
DROP VIEW IF EXISTS live_voids;
DROP VIEW IF EXISTS live_refund_payouts;
-- The voids the switch has not refused (at most one per payment).
CREATE VIEW live_voids AS
    SELECT v.*, vj.state AS entry_state, vj.result AS result
    FROM voids v JOIN journal vj ON vj.entry_id = v.entry_id
    WHERE vj.state != 'rejected';
-- The refund payouts the switch has not refused (at most one per refund).
CREATE VIEW live_refund_payouts AS
    SELECT r.*, rj.state AS entry_state, rj.result AS result
    FROM refund_payouts r JOIN journal rj ON rj.entry_id = r.entry_id
    WHERE rj.state != 'rejected';
-- The bills a payment holds: not refused by the switch, not voided.
CREATE VIEW bills_taken AS
    SELECT pb.bill_id, p.payment_id, p.shift_id
    FROM payment_bills pb JOIN payments p USING (payment_id)
    JOIN journal j ON j.entry_id = p.entry_id
    WHERE j.state != 'rejected' AND p.payment_id NOT IN (SELECT payment_id FROM live_voids);
-- Constraints the writer's own checks stand before (a double submit waits for the
-- first to commit, then finds it): a bill is held by at most one live payment, a
-- cashier has at most one shift not yet closed. Triggers, not indexes, so a file
-- written before them still opens; made again on every open, as the views.
DROP TRIGGER IF EXISTS one_live_payment_per_bill;
CREATE TRIGGER one_live_payment_per_bill BEFORE INSERT ON payment_bills
WHEN EXISTS (
    SELECT 1 FROM payment_bills pb JOIN payments p USING (payment_id)
    JOIN journal j ON j.entry_id = p.entry_id
    WHERE pb.bill_id = NEW.bill_id AND j.state != 'rejected' AND NOT EXISTS (
        SELECT 1 FROM voids v JOIN journal vj ON vj.entry_id = v.entry_id
        WHERE v.payment_id = p.payment_id AND vj.state != 'rejected'))
BEGIN
    SELECT RAISE(ABORT, 'the bill is held by a live payment already');
END;
DROP TRIGGER IF EXISTS one_open_shift_per_cashier;
CREATE TRIGGER one_open_shift_per_cashier BEFORE INSERT ON shifts
WHEN EXISTS (
    SELECT 1 FROM shifts WHERE cashier = NEW.cashier AND state IN ('open', 'awaiting_approval'))
BEGIN
    SELECT RAISE(ABORT, 'the cashier has a shift not yet closed');
END;
"""
