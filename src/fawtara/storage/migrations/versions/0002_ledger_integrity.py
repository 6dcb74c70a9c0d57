"""ledger integrity: balanced legs, sealed and immutable transfers

The database's share of the rule "debits equal credits" (the domain and
`fawtara ledger verify` hold the other two shares). Legs are inserted first,
then their transfer row; the transfer's insert trigger checks that exactly
one debit and one credit leg of the transfer's amount and currency exist on
two different accounts, and that a resolution resolves a pending transfer
for no more than it reserved. The legs' reference to their transfer is a
deferred foreign key, so legs without a transfer fail the commit. Legs
cannot be added to a sealed transfer, and neither table accepts UPDATE or
DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The condition under which a new transfer row (NEW) is refused, shared by
# both engines' triggers. Each clause is a separate reason.
_LEGS = "(SELECT {agg} FROM ledger_legs WHERE transfer_id = NEW.id{extra})"
_UNBALANCED = " OR ".join(
    [
        _LEGS.format(agg="COUNT(*)", extra=" AND side = 'D'") + " <> 1",
        _LEGS.format(agg="COUNT(*)", extra=" AND side = 'C'") + " <> 1",
        _LEGS.format(agg="COALESCE(SUM(amount_minor), 0)", extra=" AND side = 'D'")
        + " <> NEW.amount_minor",
        _LEGS.format(agg="COALESCE(SUM(amount_minor), 0)", extra=" AND side = 'C'")
        + " <> NEW.amount_minor",
        _LEGS.format(agg="COUNT(*)", extra=" AND currency <> NEW.currency") + " <> 0",
        _LEGS.format(agg="COUNT(DISTINCT account_id)", extra="") + " <> 2",
    ]
)
_BAD_RESOLUTION = (
    "NEW.pending_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transfers p "
    "WHERE p.id = NEW.pending_id AND p.kind = 'pending' AND p.amount_minor >= NEW.amount_minor)"
)
_SEALED = "EXISTS (SELECT 1 FROM ledger_transfers WHERE id = NEW.transfer_id)"

_SQLITE = [
    f"""CREATE TRIGGER ledger_transfers_balanced BEFORE INSERT ON ledger_transfers
    WHEN {_UNBALANCED}
    BEGIN SELECT RAISE(ABORT, 'LEDGER_UNBALANCED: transfer legs do not balance'); END""",
    f"""CREATE TRIGGER ledger_transfers_resolution BEFORE INSERT ON ledger_transfers
    WHEN {_BAD_RESOLUTION}
    BEGIN SELECT RAISE(ABORT, 'LEDGER_BAD_RESOLUTION: not a pending transfer or too much'); END""",
    f"""CREATE TRIGGER ledger_legs_sealed BEFORE INSERT ON ledger_legs
    WHEN {_SEALED}
    BEGIN SELECT RAISE(ABORT, 'LEDGER_SEALED: legs added to an existing transfer'); END""",
]
for _table in ("ledger_transfers", "ledger_legs"):
    for _event in ("UPDATE", "DELETE"):
        _SQLITE.append(
            f"""CREATE TRIGGER {_table}_no_{_event.lower()} BEFORE {_event} ON {_table}
            BEGIN SELECT RAISE(ABORT, 'LEDGER_IMMUTABLE: {_table} rows never change'); END"""
        )

_POSTGRESQL = [
    f"""CREATE FUNCTION ledger_transfers_check() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_UNBALANCED} THEN
            RAISE EXCEPTION 'LEDGER_UNBALANCED: transfer % legs do not balance', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
        IF {_BAD_RESOLUTION} THEN
            RAISE EXCEPTION 'LEDGER_BAD_RESOLUTION: transfer % resolves no pending or too much',
                NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    f"""CREATE FUNCTION ledger_legs_check() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_SEALED} THEN
            RAISE EXCEPTION 'LEDGER_SEALED: legs added to existing transfer %', NEW.transfer_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'LEDGER_IMMUTABLE: % rows never change', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END $$""",
    """CREATE TRIGGER ledger_transfers_check BEFORE INSERT ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_transfers_check()""",
    """CREATE TRIGGER ledger_legs_check BEFORE INSERT ON ledger_legs
    FOR EACH ROW EXECUTE FUNCTION ledger_legs_check()""",
    """CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_immutable()""",
    """CREATE TRIGGER ledger_legs_immutable BEFORE UPDATE OR DELETE ON ledger_legs
    FOR EACH ROW EXECUTE FUNCTION ledger_immutable()""",
    # TRUNCATE bypasses row triggers; refuse it too.
    """CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()""",
    """CREATE TRIGGER ledger_legs_no_truncate BEFORE TRUNCATE ON ledger_legs
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()""",
]


def upgrade() -> None:
    statements = _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        names = ["ledger_transfers_balanced", "ledger_transfers_resolution", "ledger_legs_sealed"]
        names += [
            f"{t}_no_{e}" for t in ("ledger_transfers", "ledger_legs") for e in ("update", "delete")
        ]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for table, trigger in [
        ("ledger_transfers", "ledger_transfers_check"),
        ("ledger_legs", "ledger_legs_check"),
        ("ledger_transfers", "ledger_transfers_immutable"),
        ("ledger_legs", "ledger_legs_immutable"),
        ("ledger_transfers", "ledger_transfers_no_truncate"),
        ("ledger_legs", "ledger_legs_no_truncate"),
    ]:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in ("ledger_transfers_check", "ledger_legs_check", "ledger_immutable"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
