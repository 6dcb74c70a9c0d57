"""SQL that both stores' repositories share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, literal_column
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflict(connection: Connection, table: Any, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both engines; True when a row was written."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(literal_column("1"))
    )
    return connection.execute(statement).first() is not None
