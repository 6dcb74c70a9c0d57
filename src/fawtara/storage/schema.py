"""Applying migrations, and refusing to run on a schema that is behind."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from fawtara.kernel.errors import SchemaBehind

# Each system has its own store and its own chain of migrations.
SWITCH = "switch"
BILLING = "billing"
MIGRATIONS = {
    SWITCH: Path(__file__).parent / "migrations",
    BILLING: Path(__file__).parent / "billing_migrations",
}


def alembic_config(system: str = SWITCH) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS[system]))
    return config


def head_revision(system: str = SWITCH) -> str:
    head = ScriptDirectory.from_config(alembic_config(system)).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(readonly=True) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", system: str = SWITCH) -> None:
    config = alembic_config(system)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def require_current(engine: Engine, system: str = SWITCH) -> None:
    """Raise SchemaBehind unless the database is at the newest migration."""
    current, head = current_revision(engine), head_revision(system)
    if current != head:
        command_name = "fawtara db upgrade" if system == SWITCH else "fawtara billing db upgrade"
        raise SchemaBehind(
            f"the {system} database schema is at {current or 'nothing'}, this code needs "
            f"{head}: run `{command_name}` (make run does it for you)",
            f"مخطط قاعدة البيانات قديم: نفّذ الأمر {command_name}",
        )


class StoreSchemas:
    """What a composition root answers about its stores' schemas; it says which engine
    holds each system's store (`store`)."""

    def store(self, system: str) -> Engine:
        raise NotImplementedError

    def require_current_schema(self, system: str = SWITCH) -> None:
        """Raise SchemaBehind unless the store is at the newest migration."""
        require_current(self.store(system), system)

    def upgrade_schema(self, system: str = SWITCH) -> tuple[str | None, str | None]:
        """Apply the store's migrations; returns the revision before and after."""
        engine = self.store(system)
        before = current_revision(engine)
        upgrade(engine, system=system)
        return before, current_revision(engine)

    def schema_revisions(self, system: str = SWITCH) -> tuple[str | None, str]:
        """(the store's revision, the newest revision this code knows)."""
        return current_revision(self.store(system)), head_revision(system)
