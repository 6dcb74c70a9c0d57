"""Alembic environment of the switch's store (on the connection schema.py passes)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from fawtara.storage.tables import UtcTimestamp, switch_metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations spell the storage type, not our Python-side decorator."""
    if type_ == "type" and isinstance(obj, UtcTimestamp):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=switch_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
