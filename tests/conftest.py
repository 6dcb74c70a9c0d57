"""Fixtures shared by all tiers: both storage engines, a wired platform, a clock.

PostgreSQL tests run against the server named by FAWTARA_TEST_DATABASE_URL,
each test in a schema of its own (created, migrated, dropped). In CI
(CI=true) an unset or unreachable server is an error, never a silent skip; on
a laptop without one those tests skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from fawtara.config import Settings
from fawtara.kernel.clock import ManualClock
from fawtara.storage import schema
from fawtara.storage.engine import make_engine, normalise_url
from fawtara.wiring import Platform

POSTGRES_URL = os.environ.get("FAWTARA_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_report_header() -> str:
    target = POSTGRES_URL or "nothing (set FAWTARA_TEST_DATABASE_URL)"
    return f"fawtara: PostgreSQL tests on {target}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true but FAWTARA_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests skipped: FAWTARA_TEST_DATABASE_URL is not set")
    probe = create_engine(normalise_url(POSTGRES_URL))
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL tests skipped: {POSTGRES_URL} unreachable")
    finally:
        probe.dispose()
    return normalise_url(POSTGRES_URL)


def postgres_schema_engine(server_url: str) -> Iterator[Engine]:
    """An engine whose connections live in a fresh schema, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine = make_engine(server_url, connect_args={"options": f"-csearch_path={name}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (no migrations applied)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fawtara.db'}")
        yield engine
        engine.dispose()
    else:
        yield from postgres_schema_engine(request.getfixturevalue("postgres_server"))


@pytest.fixture
def engine(bare_engine: Engine) -> Engine:
    """An engine on a migrated, empty switch store, on each engine in turn."""
    schema.upgrade(bare_engine)
    return bare_engine


@pytest.fixture
def billing_engine(bare_engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """The billing system's own store beside the switch's, on the same kind of engine."""
    if bare_engine.dialect.name == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'billing.db'}")
        schema.upgrade(engine, system=schema.BILLING)
        yield engine
        engine.dispose()
        return
    server = bare_engine.url.set(query={}).render_as_string(hide_password=False)
    for engine in postgres_schema_engine(server):
        schema.upgrade(engine, system=schema.BILLING)
        yield engine


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 1, 7, 0, tzinfo=UTC))


@pytest.fixture
def platform(engine: Engine, billing_engine: Engine, clock: ManualClock) -> Platform:
    """Both systems, each on its own store; the Biller API is called in process."""
    url = engine.url.render_as_string(hide_password=False)
    billing_url = billing_engine.url.render_as_string(hide_password=False)
    settings = Settings(url, "127.0.0.1", 8000, billing_database_url=billing_url)
    return Platform(settings, engine, clock, billing_engine)
