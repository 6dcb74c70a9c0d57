"""Widening (or narrowing back) a CHECK constraint in a migration, on both engines.

Autogenerate does not compare check constraints, so revisions that change one
call `replace_check` by hand.
"""

from __future__ import annotations

from alembic import op


def replace_check(table: str, name: str, old: str, new: str) -> None:
    """Replace the check `ck_{table}_{name}` whose SQL is `old` by `new`."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, new)
        return
    # SQLite cannot alter a CHECK, and rebuilding the table (batch mode) breaks
    # the foreign keys of the rows that point at it. The check only widens (or,
    # on downgrade, narrows back), so the table's stored SQL is edited in place:
    # SQLite's documented procedure for such changes (sqlite.org/lang_altertable.html,
    # "other kinds of table schema changes"), in the migration's transaction.
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    assert stored.count(old) == 1, f"{table}.{name} has the check this revision expects"
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (stored.replace(old, new), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
