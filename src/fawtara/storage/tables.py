"""The schema, as SQLAlchemy Core tables. Migrations create the same thing.

Tables are keyed by biller / service so they can later be distributed by
biller with Citus (see DESIGN.md); amounts are BIGINT minor units.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = BigInteger


class UtcTimestamp(TypeDecorator[datetime]):
    """An aware UTC instant on both engines (SQLite keeps no zone: UTC is implied)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert value.tzinfo is not None, "instants are stored timezone-aware"
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = UtcTimestamp()

billers = Table(
    "billers",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name_ar", String(120), nullable=False),
    Column("name_en", String(120), nullable=False),
    Column("calendar", String(16), nullable=False),
    Column("payment_rule", String(16), nullable=False),
    Column("minimum_minor", Money, nullable=False),
    Column("maximum_minor", Money, nullable=False),
    Column("due_days", Integer, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("channels", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint("payment_rule IN ('exact', 'partial', 'advance')", name="payment_rule"),
    CheckConstraint("calendar IN ('monthly', 'bimonthly')", name="calendar"),
    CheckConstraint("due_days > 0 AND grace_days >= 0", name="days"),
)

biller_service_kinds = Table(
    "biller_service_kinds",
    metadata,
    Column("biller_code", String(16), ForeignKey("billers.code"), primary_key=True),
    Column("kind", String(16), primary_key=True),
)

customers = Table(
    "customers",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("name_ar", String(120), nullable=False),
    Column("name_en", String(120), nullable=False),
    Column("msisdn", String(16)),
    Column("governorate", String(32), nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_customers_biller_code", "biller_code"),
)

services = Table(
    "services",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reference", String(32), nullable=False),
    Column("tariff_class", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("biller_code", "reference", name="uq_services_biller_reference"),
    Index("ix_services_biller_state_id", "biller_code", "state", "id"),
    Index("ix_services_customer_id", "customer_id"),
    CheckConstraint("state IN ('active', 'suspended', 'disconnected')", name="state"),
)

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("service_kind", String(16), nullable=False),
    Column("tariff_class", String(32), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("decision", String(200), nullable=False),
    Column("denomination", String(3), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("structure", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint(
        "biller_code", "service_kind", "tariff_class", "effective_from", name="uq_tariffs_key"
    ),
    CheckConstraint("denomination IN ('old', 'new')", name="denomination"),
)

billing_cycles = Table(
    "billing_cycles",
    metadata,
    Column("biller_code", String(16), ForeignKey("billers.code"), primary_key=True),
    Column("cycle_id", String(16), primary_key=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
)

usage_records = Table(
    "usage_records",
    metadata,
    Column("service_id", BigInteger, ForeignKey("services.id"), primary_key=True),
    Column("cycle_id", String(16), primary_key=True),
    Column("biller_code", String(16), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("source", String(200), nullable=False),
    Column("imported_at", Timestamp, nullable=False),
    CheckConstraint("quantity >= 0", name="quantity"),
)

bill_runs = Table(
    "bill_runs",
    metadata,
    Column("biller_code", String(16), ForeignKey("billers.code"), primary_key=True),
    Column("cycle_id", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("bills_issued", BigInteger, nullable=False),
    Column("services_without_usage", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    CheckConstraint("status IN ('running', 'completed')", name="status"),
)

bills = Table(
    "bills",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("biller_code", String(16), nullable=False),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False),
    Column("cycle_id", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("paid_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("lines", JSON, nullable=False),
    UniqueConstraint("service_id", "cycle_id", name="uq_bills_service_cycle"),
    CheckConstraint("amount_minor >= 0", name="amount"),
    CheckConstraint("paid_minor >= 0 AND paid_minor <= amount_minor", name="paid"),
    CheckConstraint("status IN ('issued', 'partially_paid', 'paid', 'cancelled')", name="status"),
)

biller_postings = Table(
    "biller_postings",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("credit_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("paid_at", Timestamp, nullable=False),
    Column("posted_at", Timestamp, nullable=False),
    CheckConstraint("amount_minor > 0 AND credit_minor >= 0", name="amounts"),
)

bill_payments = Table(
    "bill_payments",
    metadata,
    Column("payment_id", String(64), ForeignKey("biller_postings.payment_id"), primary_key=True),
    Column("bill_id", String(64), ForeignKey("bills.id"), primary_key=True),
    Column("amount_minor", Money, nullable=False),
    CheckConstraint("amount_minor > 0", name="amount"),
    Index("ix_bill_payments_bill_id", "bill_id"),
)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("name_en", String(120), nullable=False),
    Column("name_ar", String(120), nullable=False),
    Column("type", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("id", "currency", name="uq_ledger_accounts_id_currency"),
    CheckConstraint("type IN ('asset', 'liability', 'equity', 'income', 'expense')", name="type"),
)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("pending_id", String(64), ForeignKey("ledger_transfers.id")),
    Column("amount_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("code", String(40), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("pending_id", name="uq_ledger_transfers_pending_id"),
    CheckConstraint("amount_minor > 0", name="amount"),
    CheckConstraint(
        "kind IN ('single_phase', 'pending', 'post_pending', 'void_pending')", name="kind"
    ),
    CheckConstraint(
        "(pending_id IS NULL) = (kind IN ('single_phase', 'pending'))", name="pending_id"
    ),
)

ledger_legs = Table(
    "ledger_legs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("transfer_id", String(64), nullable=False),
    Column("account_id", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("side", String(1), nullable=False),
    Column("amount_minor", Money, nullable=False),
    # Legs are written before their transfer row (whose insert trigger checks
    # that they balance), so this reference is checked at commit.
    ForeignKeyConstraint(
        ["transfer_id"],
        ["ledger_transfers.id"],
        deferrable=True,
        initially="DEFERRED",
        name="fk_ledger_legs_transfer_id_ledger_transfers",
    ),
    ForeignKeyConstraint(
        ["account_id", "currency"],
        ["ledger_accounts.id", "ledger_accounts.currency"],
        name="fk_ledger_legs_account_currency",
    ),
    CheckConstraint("side IN ('D', 'C')", name="side"),
    CheckConstraint("amount_minor > 0", name="amount"),
    Index("ix_ledger_legs_transfer_id", "transfer_id"),
    Index("ix_ledger_legs_account_id", "account_id"),
)

# --- The payment switch -------------------------------------------------------

participants = Table(
    "participants",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name_ar", String(120), nullable=False),
    Column("name_en", String(120), nullable=False),
    # SHA-256 of a random 256-bit secret: a fast hash is enough for a key
    # with that much entropy, and keeps authentication off the hot path.
    Column("api_key_hash", String(64), nullable=False),
    Column("channels", JSON, nullable=False),
    Column("can_reverse", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint("kind IN ('bank', 'biller', 'channel', 'operator')", name="kind"),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(36), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("initiator", String(16), ForeignKey("participants.code"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("model", String(8), nullable=False),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("customer_ref", String(32), nullable=False),
    Column("bill_ids", JSON, nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payer_bank", String(16), nullable=False),
    Column("payer_account", String(34), nullable=False),
    Column("msisdn", String(16)),
    Column("bank_reference", String(35)),
    Column("state", String(16), nullable=False),
    Column("reason_code", String(40)),
    Column("receipt_no", String(20), unique=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("unknown_since", Timestamp),
    Column("completed_at", Timestamp),
    CheckConstraint("amount_minor > 0", name="amount"),
    CheckConstraint("model IN ('pull', 'push', 'cash')", name="model"),
    Index("ix_payments_state_next_attempt_at", "state", "next_attempt_at"),
    Index("ix_payments_initiator_created_at", "initiator", "created_at"),
)

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("reason_code", String(40)),
    Column("detail", String(400), nullable=False),
    Column("at", Timestamp, nullable=False),
    Index("ix_payment_events_payment_id", "payment_id"),
)

# A bill taken by a payment in flight: a second payment of the same bill is
# refused at once instead of debiting the subscriber and being returned.
# Released (deleted) when the payment reaches a final state.
bill_reservations = Table(
    "bill_reservations",
    metadata,
    Column("bill_id", String(64), ForeignKey("presented_bills.id"), primary_key=True),
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), nullable=False),
    Column("reserved_at", Timestamp, nullable=False),
    Index("ix_bill_reservations_payment_id", "payment_id"),
)

# A biller posting undone by a reversal: the bills were reopened once.
biller_posting_reversals = Table(
    "biller_posting_reversals",
    metadata,
    Column("payment_id", String(64), ForeignKey("biller_postings.payment_id"), primary_key=True),
    Column("reason", String(200), nullable=False),
    Column("reversed_at", Timestamp, nullable=False),
)

# The transactional outbox: work that leaves the process (an SMS, a bank
# return) is written in the same transaction as the state change that causes
# it, and done by workers. (topic, key) is unique: one event per cause.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("topic", String(40), nullable=False),
    Column("key", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("available_at", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(400)),
    Column("done_at", Timestamp),
    UniqueConstraint("topic", "key", name="uq_outbox_topic_key"),
    Index("ix_outbox_pending", "done_at", "available_at"),
)

# --- SMS ---
# One SMS per (payment, kind): the unique key is what makes a replayed outbox
# row harmless. States and the exactly-once rule: docs/SMS.md.
sms_messages = Table(
    "sms_messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("payment_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("msisdn", String(32)),
    Column("language", String(2), nullable=False),
    Column("text", String(1000), nullable=False),
    Column("parts", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("smsc_message_ids", JSON, nullable=False),
    Column("failure_reason", String(400)),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("submitted_at", Timestamp),
    Column("delivered_at", Timestamp),
    UniqueConstraint("payment_id", "kind", name="uq_sms_messages_payment_id"),
    CheckConstraint(
        "kind IN ('payment_completed', 'payment_reversed', 'bill_due_soon', 'bill_overdue', "
        "'service_suspended', 'service_reconnected', 'suspension_apology')",
        name="kind",
    ),
    CheckConstraint(
        "state IN ('queued', 'submitting', 'submitted', 'delivered', 'undeliverable', "
        "'expired', 'unknown', 'failed')",
        name="state",
    ),
    CheckConstraint("parts >= 0 AND attempts >= 0", name="counts"),
    Index("ix_sms_messages_due", "state", "next_attempt_at"),
    Index("ix_sms_messages_msisdn", "msisdn", "state"),
)

# Each part the SMSC accepted, by the id it gave: receipts name that id.
sms_submissions = Table(
    "sms_submissions",
    metadata,
    Column("smsc_message_id", String(65), primary_key=True),
    Column("sms_message_id", BigInteger, ForeignKey("sms_messages.id"), nullable=False),
    Column("part_no", Integer),  # NULL: matched by a receipt after a crash
    Column("stat", String(8)),  # the last receipt's stat: DELIVRD, UNDELIV, EXPIRED…
    Column("accepted_at", Timestamp, nullable=False),
    Column("receipt_at", Timestamp),
    Index("ix_sms_submissions_sms_message_id", "sms_message_id"),
)

# --- Service lifecycle ---
# States, the protection rule and the jobs: docs/LIFECYCLE.md.

# Each suspension of a service and when it ended; at most one open per service
# (the partial unique index), so a rerun of a sweep cannot suspend twice.
service_suspensions = Table(
    "service_suspensions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("suspended_on", Date, nullable=False),  # the Damascus day of the sweep
    Column("suspended_at", Timestamp, nullable=False),
    Column("ended_at", Timestamp),
    # payment: the overdue bills were paid; protection: the suspension broke
    # the protection rule (a bill accepted on time became known late).
    Column("ended_by", String(16)),
    CheckConstraint("ended_by IN ('payment', 'protection')", name="ended_by"),
    CheckConstraint("(ended_at IS NULL) = (ended_by IS NULL)", name="ended"),
    Index(
        "uq_service_suspensions_open",
        "service_id",
        unique=True,
        sqlite_where=text("ended_at IS NULL"),
        postgresql_where=text("ended_at IS NULL"),
    ),
    Index("ix_service_suspensions_biller_code", "biller_code", "ended_by"),
)

# The bills that caused a suspension, as they stood when it was decided.
suspension_bills = Table(
    "suspension_bills",
    metadata,
    Column("suspension_id", BigInteger, ForeignKey("service_suspensions.id"), primary_key=True),
    Column("bill_id", String(64), ForeignKey("bills.id"), primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("grace_until", Date, nullable=False),  # the last day before suspension
    Column("outstanding_minor", Money, nullable=False),
    Index("ix_suspension_bills_bill_id", "bill_id"),
)

# Orders to the biller's network (suspend / reconnect a line or meter), written
# with the state change and sent by the scheduler through the provisioning
# port, in the order they were made per service, idempotent by order_id.
provisioning_orders = Table(
    "provisioning_orders",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("order_id", String(40), nullable=False),
    Column("suspension_id", BigInteger, ForeignKey("service_suspensions.id"), nullable=False),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False),
    Column("biller_code", String(16), nullable=False),
    Column("service_ref", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("sent_at", Timestamp),
    Column("last_error", String(400)),
    UniqueConstraint("order_id", name="uq_provisioning_orders_order_id"),
    CheckConstraint("action IN ('suspend', 'reconnect')", name="action"),
    Index("ix_provisioning_orders_due", "sent_at", "next_attempt_at"),
    Index("ix_provisioning_orders_service_id", "service_id", "id"),
)

# How far each cash counter of a biller has synced: everything it accepted up
# to synced_through is at the biller. The sweep waits for it (billing/domain/lifecycle.py).
counter_sync_marks = Table(
    "counter_sync_marks",
    metadata,
    Column("biller_code", String(16), ForeignKey("billers.code"), primary_key=True),
    Column("counter_code", String(32), primary_key=True),
    Column("synced_through", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Every run of a scheduled job, keyed by (job, biller, day): one row per key,
# whose attempts count the tries (retries and resumptions after a crash).
job_runs = Table(
    "job_runs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("job", String(32), nullable=False),
    Column("biller_code", String(16), nullable=False),
    Column("scheduled_for", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("next_attempt_at", Timestamp),
    Column("counts", JSON, nullable=False),
    Column("error", String(400)),
    Column("runner", String(64), nullable=False),
    UniqueConstraint("job", "biller_code", "scheduled_for", name="uq_job_runs_key"),
    CheckConstraint("status IN ('running', 'succeeded', 'failed', 'interrupted')", name="status"),
    Index("ix_job_runs_started_at", "started_at"),
    Index("ix_job_runs_status", "status", "next_attempt_at"),
)

# --- Counters (issue 5) ---
# A counter (telephone centre) is also the participant of the same code; its
# station signs receipts with its own key, certified by the switch.
counters = Table(
    "counters",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name_ar", String(120), nullable=False),
    Column("name_en", String(120), nullable=False),
    Column("governorate", String(32), nullable=False),
    Column("public_key", String(1000)),
    Column("certificate", String(2000)),
    Column("created_at", Timestamp, nullable=False),
)

# Cashiers, supervisors (one counter each), administrators and operators
# (none). password_hash is argon2id; a station keeps a copy for offline sign-in.
staff = Table(
    "staff",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("name_ar", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("counter_code", String(16), ForeignKey("counters.code")),
    Column("password_hash", String(200), nullable=False),
    Column("active", Integer, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint("role IN ('cashier', 'supervisor', 'administrator', 'operator')", name="role"),
    CheckConstraint(
        "(counter_code IS NULL) = (role IN ('administrator', 'operator'))", name="counter"
    ),
    Index("ix_staff_counter_code", "counter_code"),
)

# A sign-in: only the SHA-256 of its random token is kept.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(32), ForeignKey("staff.username"), nullable=False),
    Column("place", String(16), nullable=False),  # a counter code, or 'console'
    Column("signed_in_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Index("ix_staff_sessions_username", "username"),
)

# States and figures: counters/domain/shifts.py. One open shift per cashier at a time.
shifts = Table(
    "shifts",
    metadata,
    Column("shift_id", String(36), primary_key=True),
    Column("counter_code", String(16), ForeignKey("counters.code"), nullable=False),
    Column("cashier", String(32), ForeignKey("staff.username"), nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    Column("opening_float_minor", Money, nullable=False),
    Column("state", String(20), nullable=False),
    Column("closed_at", Timestamp),
    Column("expected_minor", Money),
    Column("counted_minor", Money),
    Column("approved_by", String(32), ForeignKey("staff.username")),
    Column("approved_at", Timestamp),
    CheckConstraint("state IN ('open', 'closed', 'awaiting_approval', 'approved')", name="state"),
    CheckConstraint("opening_float_minor >= 0", name="opening_float"),
    Index(
        "uq_shifts_open_cashier",
        "cashier",
        unique=True,
        sqlite_where=text("state = 'open'"),
        postgresql_where=text("state = 'open'"),
    ),
    Index("ix_shifts_counter_code", "counter_code", "opened_at"),
)

# Every entry a counter station pushed, keyed by the id the station made: a
# re-sent entry finds its row and gets the same answer (idempotent sync).
counter_journal = Table(
    "counter_journal",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("counter_code", String(16), ForeignKey("counters.code"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", Timestamp, nullable=False),  # when it happened at the counter
    Column("cashier", String(32), nullable=False),
    Column("shift_id", String(36)),
    Column("data", String(8000), nullable=False),  # canonical JSON text
    Column("received_at", Timestamp, nullable=False),
    Column("status", String(10), nullable=False),
    Column("result", JSON, nullable=False),
    CheckConstraint("status IN ('applied', 'rejected')", name="status"),
    Index("ix_counter_journal_counter_code", "counter_code", "received_at"),
)

# Who did what, when and where: every sign-in, failure, lockout, payment,
# void, shift open and close, staff change. Rows are only ever added.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(32), nullable=False),
    Column("role", String(16)),
    Column("action", String(32), nullable=False),
    Column("counter_code", String(16)),
    Column("governorate", String(32)),
    Column("target", String(64)),
    Column("detail", String(400), nullable=False),
    Index("ix_audit_log_counter_code", "counter_code", "id"),
)

# --- Cash payments at counters (counters/use_cases/cash_books.py) ---
# The counter's side of a cash payment (payments.model = 'cash'): who took how
# much cash when, and where the amount due went (posted + credit + refund =
# amount due, decided when the switch received it). Shift totals are read here.
counter_payments = Table(
    "counter_payments",
    metadata,
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), primary_key=True),
    Column("counter_code", String(16), nullable=False),
    Column("shift_id", String(36)),
    Column("cashier", String(32), nullable=False),
    Column("amount_due_minor", Money, nullable=False),
    Column("cash_taken_minor", Money, nullable=False),
    Column("rounding_minor", Money, nullable=False),  # cash taken − amount due, ±
    Column("posted_bill_ids", JSON, nullable=False),
    Column("posted_minor", Money, nullable=False),
    Column("credit_minor", Money, nullable=False),
    Column("refund_minor", Money, nullable=False),
    Column("accepted_at", Timestamp, nullable=False),  # when the cash was taken
    Column("voided_at", Timestamp),
    Column("voided_by", String(32)),
    Column("void_reason", String(200)),
    CheckConstraint(
        "amount_due_minor > 0 AND cash_taken_minor >= 0 "
        "AND rounding_minor = cash_taken_minor - amount_due_minor",
        name="amounts",
    ),
    CheckConstraint(
        "posted_minor >= 0 AND credit_minor >= 0 AND refund_minor >= 0 "
        "AND posted_minor + credit_minor + refund_minor = amount_due_minor",
        name="split",
    ),
    Index("ix_counter_payments_shift_id", "shift_id"),
    Index("ix_counter_payments_counter_code", "counter_code", "accepted_at"),
)

# What a cash payment brought beyond the chosen bills (paid meanwhile through
# another channel): a credit on the subscriber's account at the biller
# (advance rule) or a refund owed to the subscriber. Cancelled by a void; a
# refund is paid out once at a counter (counters/use_cases/cash_refunds.py).
cash_surpluses = Table(
    "cash_surpluses",
    metadata,
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("customer_ref", String(32), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("cancelled_at", Timestamp),
    # A refund paid out in cash at a counter (any counter): when, where, by whom.
    Column("paid_at", Timestamp),
    Column("paid_counter", String(16)),
    Column("paid_by", String(32)),
    Column("paid_shift_id", String(36)),
    CheckConstraint("kind IN ('credit', 'refund')", name="kind"),
    CheckConstraint("amount_minor > 0", name="amount"),
    Index("ix_cash_surpluses_service", "biller_code", "customer_ref"),
    Index("ix_cash_surpluses_paid_shift_id", "paid_shift_id"),
)


# --- The switch's side of the Biller API (docs/BILLER-API.md) -----------------------

# What a biller presented of a customer: the answer of its last inquiry (online
# billers) or the rows of its bill files (upload billers). The switch checks a
# payment against this copy and holds its bills in bill_reservations; the
# biller's own books stay in the biller's system.
presented_services = Table(
    "presented_services",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("reference", String(32), nullable=False),
    Column("name_ar", String(120), nullable=False),
    Column("name_en", String(120), nullable=False),
    Column("governorate", String(32)),
    Column("msisdn", String(16)),
    Column("language", String(2), nullable=False, server_default="ar"),
    Column("source", String(8), nullable=False),
    Column("refreshed_at", Timestamp, nullable=False),
    UniqueConstraint("biller_code", "reference", name="uq_presented_services_reference"),
    CheckConstraint("source IN ('inquiry', 'upload')", name="source"),
)

presented_bills = Table(
    "presented_bills",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("service_id", BigInteger, ForeignKey("presented_services.id"), nullable=False),
    Column("biller_code", String(16), nullable=False),
    Column("cycle_id", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("paid_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("refreshed_at", Timestamp, nullable=False),
    Index("ix_presented_bills_service_id", "service_id"),
    CheckConstraint("paid_minor >= 0 AND paid_minor <= amount_minor", name="paid_within_amount"),
)

# The biller's answer to a payment notice: the payment is in the biller's books.
biller_acknowledgements = Table(
    "biller_acknowledgements",
    metadata,
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), primary_key=True),
    Column("biller_code", String(16), nullable=False),
    Column("biller_receipt_id", String(64), nullable=False),
    Column("acknowledged_at", Timestamp, nullable=False),
    Column("answer", JSON, nullable=False),
)

# The state of the link to each online biller, as the console shows it. While a
# biller is down, only the oldest waiting notice is tried (at next_attempt_at),
# so that notices reach it in acceptance order once it is back.
biller_links = Table(
    "biller_links",
    metadata,
    Column("biller_code", String(16), ForeignKey("billers.code"), primary_key=True),
    Column("state", String(8), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("since", Timestamp, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("last_error", String(200)),
    CheckConstraint("state IN ('up', 'down')", name="state"),
)

# A file of bills a biller uploaded (docs/BILLER-API.md, "Bill upload"): one row
# per file id, with the answer given, so that a file sent twice is applied once.
bill_files = Table(
    "bill_files",
    metadata,
    Column("file_id", String(64), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("answer", JSON, nullable=False),
    Column("received_at", Timestamp, nullable=False),
)

# The payments files of an upload-mode biller (docs/BILLER-API.md, "Payments
# file"): cut at a download from its accepted payments that are in no file yet,
# stable until acknowledged. `number` orders a biller's files; the
# acknowledgement's receipts are kept with their checksum, so the same
# acknowledgement again answers the same and another one is refused.
payment_files = Table(
    "payment_files",
    metadata,
    Column("file_id", String(64), primary_key=True),
    Column("biller_code", String(16), ForeignKey("billers.code"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("payments", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("ack_checksum", String(64)),
    Column("receipts", JSON),
    Column("acknowledged_at", Timestamp),
    UniqueConstraint("biller_code", "number", name="uq_payment_files_number"),
)

# A payment in a payments file: in one file at most, with the notice as cut.
payment_file_entries = Table(
    "payment_file_entries",
    metadata,
    Column("payment_id", String(36), ForeignKey("payments.payment_id"), primary_key=True),
    Column("file_id", String(64), ForeignKey("payment_files.file_id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("notice", JSON, nullable=False),
    Index("ix_payment_file_entries_file_id", "file_id"),
)

BOTH = ("billers", "biller_service_kinds", "outbox", "sms_messages", "sms_submissions")
BILLING_TABLES = (
    *BOTH,
    "customers",
    "services",
    "tariffs",
    "billing_cycles",
    "usage_records",
    "bill_runs",
    "bills",
    "biller_postings",
    "bill_payments",
    "biller_posting_reversals",
    "service_suspensions",
    "suspension_bills",
    "provisioning_orders",
    "job_runs",
)
SWITCH_TABLES = tuple(
    name for name in metadata.tables if name not in BILLING_TABLES or name in BOTH
)


def _subset(names: tuple[str, ...]) -> MetaData:
    target = MetaData(naming_convention=metadata.naming_convention)
    for name in names:
        metadata.tables[name].to_metadata(target)
    return target


# What each system's migrations build: the billing system's store and the switch's.
billing_metadata = _subset(BILLING_TABLES)
switch_metadata = _subset(SWITCH_TABLES)
