"""cash payments: counter_payments, cash_surpluses, payments.model 'cash'

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Written by hand in the style autogenerate produces; the widening of the
check on payments.model is done by migrations/checks.py (autogenerate does
not compare check constraints).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fawtara.storage.migrations.checks import replace_check

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MODELS_0003 = "model IN ('pull', 'push')"
MODELS_0007 = "model IN ('pull', 'push', 'cash')"


def upgrade() -> None:
    op.create_table(
        "counter_payments",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=True),
        sa.Column("cashier", sa.String(length=32), nullable=False),
        sa.Column("amount_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("cash_taken_minor", sa.BigInteger(), nullable=False),
        sa.Column("rounding_minor", sa.BigInteger(), nullable=False),
        sa.Column("posted_bill_ids", sa.JSON(), nullable=False),
        sa.Column("posted_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_minor", sa.BigInteger(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=32), nullable=True),
        sa.Column("void_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "amount_due_minor > 0 AND cash_taken_minor >= 0 "
            "AND rounding_minor = cash_taken_minor - amount_due_minor",
            name=op.f("ck_counter_payments_amounts"),
        ),
        sa.CheckConstraint(
            "posted_minor >= 0 AND credit_minor >= 0 AND refund_minor >= 0 "
            "AND posted_minor + credit_minor + refund_minor = amount_due_minor",
            name=op.f("ck_counter_payments_split"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.payment_id"],
            name=op.f("fk_counter_payments_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_counter_payments")),
    )
    with op.batch_alter_table("counter_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_counter_payments_counter_code", ["counter_code", "accepted_at"], unique=False
        )
        batch_op.create_index("ix_counter_payments_shift_id", ["shift_id"], unique=False)
    op.create_table(
        "cash_surpluses",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("biller_code", sa.String(length=16), nullable=False),
        sa.Column("customer_ref", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_cash_surpluses_amount")),
        sa.CheckConstraint("kind IN ('credit', 'refund')", name=op.f("ck_cash_surpluses_kind")),
        sa.ForeignKeyConstraint(
            ["biller_code"], ["billers.code"], name=op.f("fk_cash_surpluses_biller_code_billers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.payment_id"],
            name=op.f("fk_cash_surpluses_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_cash_surpluses")),
    )
    with op.batch_alter_table("cash_surpluses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cash_surpluses_service", ["biller_code", "customer_ref"], unique=False
        )
    replace_check("payments", "model", MODELS_0003, MODELS_0007)


def downgrade() -> None:
    replace_check("payments", "model", MODELS_0007, MODELS_0003)
    with op.batch_alter_table("cash_surpluses", schema=None) as batch_op:
        batch_op.drop_index("ix_cash_surpluses_service")
    op.drop_table("cash_surpluses")
    with op.batch_alter_table("counter_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_counter_payments_shift_id")
        batch_op.drop_index("ix_counter_payments_counter_code")
    op.drop_table("counter_payments")
