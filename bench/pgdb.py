"""PostgreSQL helpers shared by the benchmarks: their own databases, never `test`."""

from __future__ import annotations

import os
from typing import Any

# Databases a benchmark must never create, drop or fill.
PROTECTED_DBS = frozenset({"test", "postgres", "template0", "template1"})


def pg_url(base: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=database).render_as_string(hide_password=False)


def pg_connect(url: str, autocommit: bool = False) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    return psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=autocommit)


def recreate_database(base_url: str, name: str, protected: frozenset[str] = PROTECTED_DBS) -> None:
    assert name not in protected, name
    with pg_connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(base_url: str, name: str, protected: frozenset[str] = PROTECTED_DBS) -> None:
    assert name not in protected, name
    with pg_connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pgbench_args(base_url: str) -> list[str]:
    """Host, port and user options for pgbench, from a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(base_url)
    args = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    return args


def pgbench_env(base_url: str) -> dict[str, str]:
    """The environment for pgbench: the password, if the URL has one."""
    from sqlalchemy.engine import make_url

    env = dict(os.environ)
    password = make_url(base_url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env
