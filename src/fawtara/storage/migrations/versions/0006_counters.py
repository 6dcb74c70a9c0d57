"""counters: counters, staff, sign-in sessions, shifts, the counter journal, the audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Written to match storage/tables.py (see the comments there).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_ar", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("governorate", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=1000), nullable=True),
        sa.Column("certificate", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_counters")),
    )
    op.create_table(
        "staff",
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("name_ar", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('cashier', 'supervisor', 'administrator', 'operator')",
            name=op.f("ck_staff_role"),
        ),
        sa.CheckConstraint(
            "(counter_code IS NULL) = (role IN ('administrator', 'operator'))",
            name=op.f("ck_staff_counter"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_code"], ["counters.code"], name=op.f("fk_staff_counter_code_counters")
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_staff")),
    )
    op.create_index("ix_staff_counter_code", "staff", ["counter_code"])
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=False),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["staff.username"], name=op.f("fk_staff_sessions_username_staff")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index("ix_staff_sessions_username", "staff_sessions", ["username"])
    op.create_table(
        "shifts",
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=False),
        sa.Column("cashier", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opening_float_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_minor", sa.BigInteger(), nullable=True),
        sa.Column("counted_minor", sa.BigInteger(), nullable=True),
        sa.Column("approved_by", sa.String(length=32), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'closed', 'awaiting_approval', 'approved')",
            name=op.f("ck_shifts_state"),
        ),
        sa.CheckConstraint("opening_float_minor >= 0", name=op.f("ck_shifts_opening_float")),
        sa.ForeignKeyConstraint(
            ["counter_code"], ["counters.code"], name=op.f("fk_shifts_counter_code_counters")
        ),
        sa.ForeignKeyConstraint(
            ["cashier"], ["staff.username"], name=op.f("fk_shifts_cashier_staff")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.username"], name=op.f("fk_shifts_approved_by_staff")
        ),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_shifts")),
    )
    op.create_index(
        "uq_shifts_open_cashier",
        "shifts",
        ["cashier"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index("ix_shifts_counter_code", "shifts", ["counter_code", "opened_at"])
    op.create_table(
        "counter_journal",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cashier", sa.String(length=32), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=True),
        sa.Column("data", sa.String(length=8000), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('applied', 'rejected')", name=op.f("ck_counter_journal_status")
        ),
        sa.ForeignKeyConstraint(
            ["counter_code"],
            ["counters.code"],
            name=op.f("fk_counter_journal_counter_code_counters"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_counter_journal")),
    )
    op.create_index(
        "ix_counter_journal_counter_code", "counter_journal", ["counter_code", "received_at"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=True),
        sa.Column("governorate", sa.String(length=32), nullable=True),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_counter_code", "audit_log", ["counter_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_counter_code", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_counter_journal_counter_code", table_name="counter_journal")
    op.drop_table("counter_journal")
    op.drop_index("ix_shifts_counter_code", table_name="shifts")
    op.drop_index(
        "uq_shifts_open_cashier",
        table_name="shifts",
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.drop_table("shifts")
    op.drop_index("ix_staff_sessions_username", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_index("ix_staff_counter_code", table_name="staff")
    op.drop_table("staff")
    op.drop_table("counters")
