"""Migrations and engine settings, on both engines."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from fawtara.kernel.errors import SchemaBehind
from fawtara.storage import schema


def test_migrations_build_the_whole_schema_from_nothing(bare_engine: Engine) -> None:
    assert schema.current_revision(bare_engine) is None
    schema.upgrade(bare_engine)
    assert schema.current_revision(bare_engine) == schema.head_revision()
    tables = set(inspect(bare_engine).get_table_names())
    assert {"participants", "payments", "presented_bills", "ledger_transfers"} <= tables
    assert not {"services", "bills", "tariffs", "job_runs"} & tables, "billing's own tables"


def test_the_billing_chain_builds_billings_store_apart(bare_engine: Engine) -> None:
    schema.upgrade(bare_engine, system=schema.BILLING)
    assert schema.current_revision(bare_engine) == schema.head_revision(schema.BILLING)
    tables = set(inspect(bare_engine).get_table_names())
    assert {"services", "bills", "usage_records", "job_runs", "tariffs"} <= tables
    assert not {"payments", "ledger_transfers", "presented_bills"} & tables, "the switch's tables"


def test_a_billing_store_behind_names_the_billing_command(bare_engine: Engine) -> None:
    with pytest.raises(SchemaBehind, match="fawtara billing db upgrade"):
        schema.require_current(bare_engine, system=schema.BILLING)


def test_a_database_behind_the_code_is_refused_with_the_command_to_run(bare_engine: Engine) -> None:
    schema.upgrade(bare_engine, "0001")
    with pytest.raises(SchemaBehind, match="fawtara db upgrade"):
        schema.require_current(bare_engine)
    schema.upgrade(bare_engine)
    schema.require_current(bare_engine)


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()


def test_sqlite_runs_with_wal_foreign_keys_and_full_sync(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_sqlite_write_transactions_take_the_write_lock_at_begin(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    with engine.connect() as first:
        first.begin()  # BEGIN IMMEDIATE: holds the write lock from here
        other = engine.raw_connection()
        try:
            other.driver_connection.execute("PRAGMA busy_timeout=50")  # type: ignore[union-attr]
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        finally:
            other.close()


def test_0010_adds_the_payments_files_and_is_undone_cleanly(bare_engine: Engine) -> None:
    schema.upgrade(bare_engine)
    tables = set(inspect(bare_engine).get_table_names())
    assert {"payment_files", "payment_file_entries"} <= tables
    config = schema.alembic_config()
    with bare_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    assert not {"payment_files", "payment_file_entries"} & set(
        inspect(bare_engine).get_table_names()
    )
    schema.upgrade(bare_engine)
    assert schema.current_revision(bare_engine) == "0010"
