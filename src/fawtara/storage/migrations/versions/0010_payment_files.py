"""payments files: payment_files, payment_file_entries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08

An upload-mode biller collects its payments as payments files (docs/BILLER-API.md,
"Payments file"): a file is cut at a download from the biller's accepted
payments in no file yet, and stays the same until the biller acknowledges it
with its receipts. Written by hand in the style autogenerate produces.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_files",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("biller_code", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ack_checksum", sa.String(length=64), nullable=True),
        sa.Column("receipts", sa.JSON(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["biller_code"], ["billers.code"], name=op.f("fk_payment_files_biller_code_billers")
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_payment_files")),
        sa.UniqueConstraint("biller_code", "number", name="uq_payment_files_number"),
    )
    op.create_table(
        "payment_file_entries",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["payment_files.file_id"],
            name=op.f("fk_payment_file_entries_file_id_payment_files"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.payment_id"],
            name=op.f("fk_payment_file_entries_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment_file_entries")),
    )
    with op.batch_alter_table("payment_file_entries", schema=None) as batch_op:
        batch_op.create_index("ix_payment_file_entries_file_id", ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_file_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_file_entries_file_id")
    op.drop_table("payment_file_entries")
    op.drop_table("payment_files")
