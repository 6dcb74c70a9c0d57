"""Settings from the environment, read once, frozen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/fawtara.db"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    host: str
    port: int

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            database_url=os.environ.get("FAWTARA_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("FAWTARA_HOST", "127.0.0.1"),
            port=int(os.environ.get("FAWTARA_PORT", "8000")),
        )

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        return (
            Path(self.database_url[len(prefix) :]) if self.database_url.startswith(prefix) else None
        )
