"""Fixtures of the end-to-end tier shared by several modules."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chaos_support import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database for processes started by a test: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'switch.db'}"
    else:
        with fresh_postgres_database(request.getfixturevalue("postgres_server")) as url:
            yield url


@pytest.fixture
def billing_database_url(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The billers' billing store beside `database_url`, on the same kind of engine."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'billing.db'}"
    else:
        with fresh_postgres_database(request.getfixturevalue("postgres_server")) as url:
            yield url


@pytest.fixture
def smsc_port() -> Iterator[int]:
    """A port where something listens (and never answers): an SMSC link that is up."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]
