"""refund payouts: cash_surpluses paid_at, paid_counter, paid_by, paid_shift_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

A refund owed to a subscriber (a cash_surpluses row of kind 'refund') is
paid out in cash at a counter: when, where, by whom, in which shift. Written
by hand in the style autogenerate produces.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cash_surpluses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paid_counter", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("paid_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("paid_shift_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_cash_surpluses_paid_shift_id", ["paid_shift_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cash_surpluses", schema=None) as batch_op:
        batch_op.drop_index("ix_cash_surpluses_paid_shift_id")
        batch_op.drop_column("paid_shift_id")
        batch_op.drop_column("paid_by")
        batch_op.drop_column("paid_counter")
        batch_op.drop_column("paid_at")
