"""The outbox: work queued in the same transaction as the change that calls for it.

Both stores have one (the switch's: notices, SMS; the billing system's: its
SMS and reconnection orders); each system drains its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict


class SqlOutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, topic: str, key: str, payload: dict[str, Any], now: datetime) -> bool:
        """Queue work; the same (topic, key) twice is queued once."""
        return insert_ignoring_conflict(
            self.connection,
            t.outbox,
            {
                "topic": topic,
                "key": key,
                "payload": payload,
                "created_at": now,
                "available_at": now,
                "attempts": 0,
            },
        )

    def pending(self, topic: str, key: str) -> dict[str, Any] | None:
        o = t.outbox.c
        row = (
            self.connection.execute(select(t.outbox).where(o.topic == topic, o.key == key))
            .mappings()
            .first()
        )
        return None if row is None else dict(row)
