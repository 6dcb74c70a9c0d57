"""The one place where concrete adapters are chosen and wired."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine

from fawtara.adapters.clock import SystemClock
from fawtara.adapters.db.engine import make_engine
from fawtara.adapters.db.uow import SqlUnitOfWork
from fawtara.config import Settings
from fawtara.service_layer.ports import Clock


@dataclass(frozen=True)
class Platform:
    settings: Settings
    engine: Engine
    clock: Clock

    def uow(self, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, readonly=readonly)

    def uow_factory(self, readonly: bool = False) -> partial[SqlUnitOfWork]:
        return partial(SqlUnitOfWork, self.engine, readonly)


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    settings = settings or Settings.from_environment()
    return Platform(settings, make_engine(settings.database_url), clock or SystemClock())
